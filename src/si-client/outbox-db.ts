/**
 * The outbox's SQLite file: one row per submission, committed (WAL, synchronous=FULL: on disk at
 * commit) before anything is sent. The sealed payload (personal data and photo) is dropped in the
 * same transaction that records the SI's answer. Shared by the outbox and `lifecheck outbox`.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, statSync } from 'node:fs';
import { ConfigError } from '../config/config.js';

export type RowState = 'pending' | 'delivered' | 'failed';

export interface OutboxRow {
  seq: number;
  key: string;
  localReceiptNo: string;
  state: RowState;
  committedAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  outcome: string | null;
  deliveredAt: number | null;
  hasPayload: boolean;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  local_receipt_no TEXT NOT NULL,
  person_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
  committed_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  outcome TEXT,
  delivered_at INTEGER,
  payload BLOB
);
CREATE INDEX IF NOT EXISTS submissions_due ON submissions (state, next_attempt_at);
CREATE INDEX IF NOT EXISTS submissions_person ON submissions (person_hash, state);
CREATE TABLE IF NOT EXISTS receipt_days (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
`;

export interface OpenOptions {
  /** Largest size of the database file; past it a commit fails as "full" (SQLITE_FULL) and loses nothing. */
  maxBytes?: number;
  readonly?: boolean;
}

/** Opens (creating if needed) the outbox database; a file that is not one stops with a clear error. */
export function openOutboxDb(path: string, options: OpenOptions = {}): Database.Database {
  if (options.readonly && !existsSync(path)) throw new ConfigError(`outbox.path: ${path} does not exist (no outbox yet)`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // Freed pages (a deleted photo) are overwritten with zeros, not left in the file.
      db.pragma('secure_delete = ON');
      db.exec(SCHEMA);
      const version = db.prepare("SELECT value FROM meta WHERE name = 'schema'").pluck().get() as string | undefined;
      if (version === undefined) db.prepare("INSERT INTO meta (name, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
      else if (Number(version) !== SCHEMA_VERSION) throw new Error(`schema version ${version}, this lifecheck knows ${SCHEMA_VERSION}`);
      if (options.maxBytes) {
        const pageSize = db.pragma('page_size', { simple: true }) as number;
        db.pragma(`max_page_count = ${Math.max(16, Math.floor(options.maxBytes / pageSize))}`);
      }
      if (path !== ':memory:') chmodSync(path, 0o600);
    } else {
      db.prepare('SELECT count(*) FROM submissions').get();
    }
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError(`outbox.path: ${path} is not a usable outbox database (${(e as Error).message}); nothing was changed — move it aside to start a new one`);
  }
  return db;
}

interface RawRow {
  seq: number;
  key: string;
  local_receipt_no: string;
  state: RowState;
  committed_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  outcome: string | null;
  delivered_at: number | null;
  has_payload: number;
}

const ROW_COLUMNS = 'seq, key, local_receipt_no, state, committed_at, attempts, next_attempt_at, last_error, outcome, delivered_at, payload IS NOT NULL AS has_payload';

function toRow(r: RawRow): OutboxRow {
  return {
    seq: r.seq,
    key: r.key,
    localReceiptNo: r.local_receipt_no,
    state: r.state,
    committedAt: r.committed_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    outcome: r.outcome,
    deliveredAt: r.delivered_at,
    hasPayload: r.has_payload === 1,
  };
}

export interface OutboxCounts {
  pending: number;
  delivered: number;
  failed: number;
  oldestPendingAt: number | null;
  /** Epoch ms of the oldest entry set aside (committed then): one kept for days is reported. */
  oldestFailedAt: number | null;
}

export function countRows(db: Database.Database): OutboxCounts {
  const rows = db.prepare('SELECT state, count(*) AS n, min(committed_at) AS oldest FROM submissions GROUP BY state').all() as Array<{
    state: RowState;
    n: number;
    oldest: number;
  }>;
  const counts: OutboxCounts = { pending: 0, delivered: 0, failed: 0, oldestPendingAt: null, oldestFailedAt: null };
  for (const r of rows) {
    counts[r.state] = r.n;
    if (r.state === 'pending') counts.oldestPendingAt = r.oldest;
    if (r.state === 'failed') counts.oldestFailedAt = r.oldest;
  }
  return counts;
}

export function listRows(db: Database.Database, states: RowState[] = ['pending', 'failed', 'delivered'], limit = 1000): OutboxRow[] {
  const marks = states.map(() => '?').join(', ');
  return (db.prepare(`SELECT ${ROW_COLUMNS} FROM submissions WHERE state IN (${marks}) ORDER BY seq LIMIT ?`).all(...states, limit) as RawRow[]).map(toRow);
}

/** Makes failed (or all undelivered) entries due now; returns how many. The running daemon picks them up on its next poll. */
export function retryRows(db: Database.Database, now: number, keys: string[] | 'all'): number {
  if (keys === 'all') {
    return db.prepare("UPDATE submissions SET state = 'pending', next_attempt_at = ? WHERE state IN ('pending', 'failed') AND payload IS NOT NULL").run(now).changes;
  }
  const stmt = db.prepare("UPDATE submissions SET state = 'pending', next_attempt_at = ? WHERE key = ? AND state IN ('pending', 'failed') AND payload IS NOT NULL");
  let n = 0;
  db.transaction(() => {
    for (const k of keys) n += stmt.run(now, k).changes;
  })();
  return n;
}

/** Whether the oldest entry set aside has waited `days` or more: then it is reported (log, STATUS=, outbox status). */
export function failedTooLong(oldestFailedAt: number | null, now: number, days: number): boolean {
  return oldestFailedAt !== null && now - oldestFailedAt >= days * 86_400_000;
}

/** Bytes the outbox takes on disk: the database file and its WAL. */
export function outboxFileBytes(path: string): number {
  let n = 0;
  for (const suffix of ['', '-wal']) {
    try {
      n += statSync(path + suffix).size;
    } catch {
      // no WAL file right now
    }
  }
  return n;
}

export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR');
}
