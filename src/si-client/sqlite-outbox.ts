/**
 * The durable outbox: the same Outbox contract as MemoryOutbox, kept in SQLite so that nothing a
 * person submitted is lost to a power cut or a crash. Order of things for one submission:
 *   1. commit the sealed request (fsync) — from here on it survives anything;
 *   2. send it with its idempotency key; the person hears the SI's answer, or "queued" after
 *      answerWithinMs;
 *   3. on the SI's answer, record it and drop the sealed payload in one transaction.
 * A crash between 2 and 3 means a resend with the same key: the SI answers it once.
 * Undelivered rows are sent one at a time in the background with backoff and jitter; when one
 * gets through after failures, the rest are made due at once so the queue drains quickly.
 */
import { randomUUID } from 'node:crypto';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { Clock } from '../clock/clock.js';
import { localDate } from '../clock/clock.js';
import type { Logger } from '../log/logger.js';
import { backoffDelay } from './backoff.js';
import { isRefusal } from './errors.js';
import type { OutboxCipher } from './outbox-crypto.js';
import { countRows, failedTooLong, isDiskFull } from './outbox-db.js';
import type { DeviceEvent } from '../machine/types.js';
import { answerWithin, StorageStatus, type Outbox, type OutboxOptions, type OutboxStats, type SiLinkProblem, type StorageProblem } from './outbox.js';
import { SiError, type SiPort, type SubmitOutcome, type SubmitRequest } from './port.js';

export interface SqliteOutboxOptions extends OutboxOptions {
  /** How often an idle outbox looks for entries made due from outside (`lifecheck outbox retry`). */
  pollMs: number;
  /** Delivered entries (metadata only, no personal data) are kept this long for `lifecheck outbox`. */
  keepDeliveredDays: number;
  /** An entry set aside longer than this is reported (logged once a day) until a maintainer acts. */
  reportFailedAfterDays: number;
  /** Below this much free disk the terminal stops taking submissions (out of service) before one fails. */
  minFreeBytes: number;
}

const DAY_MS = 86_400_000;
/** Room one more submission needs in the file: a photo of a few hundred KiB at 4 KiB pages, with margin. */
const ROOM_FOR_ONE_PAGES = 256;

export interface DeliveredEntry {
  key: string;
  outcome: SubmitOutcome;
  attempts: number;
}

interface InFlight {
  abort: AbortController;
  done: Promise<void>;
}

export class SqliteOutbox implements Outbox {
  private readonly inFlight = new Map<string, InFlight>();
  private timer: unknown = null;
  private backgroundBusy = false;
  private stopped = false;
  private closing: Promise<void> | null = null;
  private idleWaiters: Array<() => void> = [];
  private link: SiLinkProblem | null = null;
  private readonly storage = new StorageStatus();
  /** A write to the file failed and none has worked since: deliveries wait for the next poll. */
  private writeBroken = false;
  /** When entries set aside too long were last reported (once a day is enough for a log line). */
  private failedReportedAt = -Infinity;
  private readonly sql;

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: OutboxCipher,
    private readonly si: SiPort,
    private readonly clock: Clock,
    private readonly options: SqliteOutboxOptions,
    private readonly logger: Logger,
    private readonly onDelivered: (entry: DeliveredEntry) => void = () => {},
  ) {
    this.sql = {
      undelivered: db.prepare("SELECT count(*) FROM submissions WHERE state IN ('pending', 'failed')").pluck(),
      nextDay: db.prepare('INSERT INTO receipt_days (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last').pluck(),
      insert: db.prepare(
        `INSERT INTO submissions (key, local_receipt_no, person_hash, state, committed_at, attempts, next_attempt_at, payload)
         VALUES (?, ?, ?, 'pending', ?, 0, ?, ?)`,
      ),
      due: db.prepare("SELECT key, attempts, next_attempt_at AS nextAttemptAt FROM submissions WHERE state = 'pending' ORDER BY next_attempt_at, seq LIMIT ?"),
      payload: db.prepare("SELECT payload FROM submissions WHERE key = ? AND state = 'pending'").pluck(),
      bump: db.prepare('UPDATE submissions SET attempts = attempts + 1, next_attempt_at = ? WHERE key = ? RETURNING attempts').pluck(),
      delivered: db.prepare(
        "UPDATE submissions SET state = 'delivered', outcome = ?, delivered_at = ?, last_error = NULL, payload = NULL WHERE key = ? AND state = 'pending'",
      ),
      error: db.prepare('UPDATE submissions SET last_error = ? WHERE key = ?'),
      failed: db.prepare("UPDATE submissions SET state = 'failed', last_error = ? WHERE key = ?"),
      dueNow: db.prepare("UPDATE submissions SET next_attempt_at = ? WHERE state = 'pending' AND next_attempt_at > ?"),
      pendingSince: db.prepare("SELECT min(committed_at) FROM submissions WHERE person_hash = ? AND state = 'pending'").pluck(),
      prune: db.prepare("DELETE FROM submissions WHERE state = 'delivered' AND delivered_at < ?"),
      // A write that changes nothing: can this file be written at all (after a read-only remount)?
      probe: db.prepare("UPDATE meta SET value = value WHERE name = 'schema'"),
    };
    this.prune();
    this.checkStorage();
    this.schedule();
  }

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.storage.on(listener);
  }

  siLink(): SiLinkProblem | null {
    return this.link;
  }

  submit(request: Omit<SubmitRequest, 'idempotencyKey'>): Promise<SubmitOutcome> {
    if (this.stopped) return Promise.reject(new SiError('storage', 'outbox stopped', 'stopped', false));
    let committed: { key: string; localReceiptNo: string };
    try {
      const waiting = this.sql.undelivered.get() as number;
      if (waiting >= this.options.maxPending) {
        this.logger.error({ waiting, maxPending: this.options.maxPending }, 'outbox full: submission refused');
        this.setStorage('outbox-full');
        return Promise.reject(new SiError('storage', `outbox full: ${waiting} submissions wait for delivery`, 'full', false));
      }
      committed = this.commit(request);
    } catch (e) {
      const problem = storageProblemOf(e);
      this.logger.error({ code: (e as { code?: string }).code, problem }, 'outbox cannot store the submission: refused');
      this.writeBroken = true;
      // Nobody else is sent through a whole capture for nothing: out of service until it can store again.
      this.setStorage(problem);
      const why = problem === 'disk-full' ? 'outbox storage is full' : problem === 'read-only' ? 'outbox storage is read-only' : 'outbox cannot store the submission';
      return Promise.reject(new SiError('storage', `${why}: the submission was not stored`, problem === 'disk-full' ? 'disk-full' : 'store-failed', false));
    }
    // For the audit trail (the log is written synchronously): on disk, under this key.
    this.logger.info({ key: committed.key }, 'submission committed');
    const queued: SubmitOutcome = { outcome: 'queued', receiptNo: committed.localReceiptNo };
    const sent: SubmitRequest = { ...request, idempotencyKey: committed.key };
    return answerWithin(this.clock, this.options.answerWithinMs, this.attempt(committed.key, sent), queued);
  }

  stats(): OutboxStats {
    return countRows(this.db);
  }

  pendingSince(idNumber: string): number | null {
    return (this.sql.pendingSince.get(this.cipher.personHash(idNumber)) as number | null) ?? null;
  }

  stop(): void {
    void this.close();
  }

  /** Stops delivery, abandons requests in flight (they stay pending for the next start) and closes the file. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const flights = [...this.inFlight.values()];
    for (const f of flights) f.abort.abort();
    this.closing = Promise.all(flights.map((f) => f.done)).then(() => {
      this.db.close();
    });
    return this.closing;
  }

  /** Resolves when no delivery is in flight (tests step a simulated clock with it). */
  whenIdle(): Promise<void> {
    if (this.inFlight.size === 0 && !this.backgroundBusy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private commit(request: Omit<SubmitRequest, 'idempotencyKey'>): { key: string; localReceiptNo: string } {
    const now = this.clock.now();
    const key = `${this.options.terminalNumber}-${randomUUID()}`;
    const sealed = this.cipher.seal(key, request);
    const personHash = this.cipher.personHash(request.idNumber);
    return this.db.transaction(() => {
      const day = localDate(now, this.options.utcOffsetMinutes).replaceAll('-', '');
      const n = this.sql.nextDay.get(day) as number;
      const localReceiptNo = `T${this.options.terminalNumber}${day}${String(n).padStart(4, '0')}`;
      this.sql.insert.run(key, localReceiptNo, personHash, now, now, sealed);
      return { key, localReceiptNo };
    })();
  }

  /** One delivery attempt; the SI's answer, or null when the entry stays (or became) undelivered. */
  private async attempt(key: string, fresh: SubmitRequest | null): Promise<SubmitOutcome | null> {
    if (this.stopped || this.inFlight.has(key)) return null;
    const abort = new AbortController();
    let release: () => void = () => {};
    this.inFlight.set(key, { abort, done: new Promise<void>((r) => (release = r)) });
    let request = fresh;
    try {
      let attempts: number;
      try {
        if (!request) request = this.load(key);
        if (!request) return null;
        // Count the attempt and set the next one before sending: a crash mid-send must not turn
        // into a tight resend loop across restarts.
        attempts = this.sql.bump.get(this.clock.now() + this.retryDelay(key), key) as number;
      } catch (e) {
        // The file cannot be read or written right now: the entry stays as it is, tried again at
        // the next poll (not at once: a read-only disk would make that a tight loop).
        this.logger.error({ key, code: (e as { code?: string }).code }, 'outbox cannot prepare a delivery');
        this.writeBroken = true;
        this.setStorage(storageProblemOf(e));
        return null;
      }
      const timer = this.clock.setTimeout(() => abort.abort(), this.options.requestTimeoutMs);
      try {
        const outcome = await this.si.submit(request, abort.signal);
        this.recordAnswer(key, outcome, attempts);
        return outcome;
      } catch (e) {
        this.recordFailure(key, e, attempts);
        return null;
      } finally {
        this.clock.clearTimeout(timer);
      }
    } finally {
      request?.photo.fill(0);
      this.inFlight.delete(key);
      release();
      this.notifyIdle();
      this.schedule();
    }
  }

  /** Reads and opens a pending entry; one that cannot be opened is set aside as failed, never deleted. */
  private load(key: string): SubmitRequest | null {
    const sealed = this.sql.payload.get(key) as Buffer | null | undefined;
    if (!sealed) return null;
    try {
      return this.cipher.open(key, sealed);
    } catch {
      this.sql.failed.run('undecryptable', key);
      this.logger.error({ key }, 'outbox entry cannot be decrypted (altered, or another key): set aside as failed');
      return null;
    }
  }

  private retryDelay(key: string): number {
    const row = this.db.prepare('SELECT attempts FROM submissions WHERE key = ?').pluck().get(key) as number;
    return backoffDelay(row, this.options.retry, this.options.random);
  }

  private recordAnswer(key: string, outcome: SubmitOutcome, attempts: number): void {
    const now = this.clock.now();
    try {
      this.db.transaction(() => {
        this.sql.delivered.run(JSON.stringify(outcome), now, key);
        // The SI is answering again: whatever waits in the queue goes now, not at its backoff time.
        this.sql.dueNow.run(now, now);
      })();
    } catch (e) {
      // The SI has it; the row stays pending and a resend with the same key gets the same answer.
      this.logger.error({ key, code: (e as { code?: string }).code }, 'outbox cannot record the SI answer; will resend');
      return;
    }
    this.checkpoint();
    if (this.link) this.logger.info({ problem: this.link.problem }, 'the SI link works again');
    this.link = null;
    this.logger.info({ key, outcome: outcome.outcome, attempts }, 'submission delivered');
    this.onDelivered({ key, outcome, attempts });
  }

  /**
   * Only the SI's own refusal sets an entry aside. Our timeout, a reset, a 5xx, a garbled answer or a
   * TLS failure leave it pending: it is sent again after its backoff with the same key.
   */
  private recordFailure(key: string, e: unknown, attempts: number): void {
    const err = e instanceof SiError ? e : new SiError('unreachable', (e as Error)?.message ?? 'unknown', 'unknown', true);
    const setAside = !this.stopped && isRefusal(err);
    try {
      if (setAside) this.sql.failed.run(err.code, key);
      else this.sql.error.run(err.code, key);
    } catch {
      // Only the error note is lost; the entry is still pending and will be sent again.
    }
    this.logger.warn({ key, attempts, code: err.code, kept: setAside ? 'failed' : 'pending' }, 'submission not delivered');
    if (err.code === 'tls' && !this.link) {
      this.link = { problem: 'tls', since: this.clock.now() };
      // Resending will not mend this: a certificate or the clock must be put right by a person.
      this.logger.error({ problem: 'tls' }, "the SI's TLS handshake fails: check the SI certificate (si.caFile), ours (si.certFile) and this terminal's clock");
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.backgroundBusy) return;
    const next = this.nextDue();
    let wait = this.options.pollMs;
    if (next !== null && !this.writeBroken) wait = this.isDue(next.nextAttemptAt) ? 0 : Math.min(wait, next.nextAttemptAt - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.deliverNextDue();
    }, wait);
  }

  private nextDue(): { key: string; attempts: number; nextAttemptAt: number } | null {
    const rows = this.sql.due.all(this.inFlight.size + 1) as Array<{ key: string; attempts: number; nextAttemptAt: number }>;
    return rows.find((r) => !this.inFlight.has(r.key)) ?? null;
  }

  /** The background sender: one entry at a time, the most overdue first. */
  private async deliverNextDue(): Promise<void> {
    if (this.stopped || this.backgroundBusy) return;
    let row: ReturnType<SqliteOutbox['nextDue']>;
    try {
      row = this.nextDue();
    } catch (e) {
      this.logger.error({ code: (e as { code?: string }).code }, 'outbox cannot read its queue');
      this.schedule();
      return;
    }
    this.checkStorage();
    if (!row || !this.isDue(row.nextAttemptAt) || this.writeBroken) {
      this.prune();
      this.schedule();
      return;
    }
    this.backgroundBusy = true;
    try {
      await this.attempt(row.key, null);
    } finally {
      this.backgroundBusy = false;
      this.notifyIdle();
      this.schedule();
    }
  }

  /**
   * Next-attempt times are wall time (they outlive the process). No backoff is longer than
   * retryMaxMs, so a time further ahead than that means the wall clock was stepped back since it was
   * set: the entry is due, rather than held for the hours the clock went back.
   */
  private isDue(nextAttemptAt: number): boolean {
    const ahead = nextAttemptAt - this.clock.now();
    return ahead <= 0 || ahead > this.options.retry.maxMs;
  }

  /** Folds the WAL into the file and empties it, so the dropped payload's old pages leave the WAL too. */
  private checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A busy reader (lifecheck outbox) delays it; the next delivery checkpoints again.
    }
  }

  private prune(): void {
    try {
      this.sql.prune.run(this.clock.now() - this.options.keepDeliveredDays * DAY_MS);
      this.reportOldFailed();
    } catch {
      // Pruning is housekeeping; it is tried again on the next idle poll.
    }
  }

  /**
   * Whether the next submission could be stored: room in the outbox, free disk, and (while a fault
   * stands) a file that takes a write again — a read-only remount looks like any other write error
   * (SQLITE_IOERR), so only a write can say it is over. Cheap: a count, a statfs, and a no-op write
   * only while faulty.
   */
  private checkStorage(): void {
    try {
      // A full disk is judged without writing (a write there only fails again).
      const fs = statfsSync(dirname(this.db.name));
      if (fs.bavail * fs.bsize < this.options.minFreeBytes) return this.setStorage('disk-full');
      // Then whether the file takes a write: deliveries wait on it (writeBroken), and they are what
      // empties a full outbox, so the outbox's own limits are judged after it.
      if (this.storage.current !== null || this.writeBroken) this.sql.probe.run();
      this.writeBroken = false;
      const waiting = this.sql.undelivered.get() as number;
      if (waiting >= this.options.maxPending || !this.fileHasRoom()) return this.setStorage('outbox-full');
      this.setStorage(null);
    } catch (e) {
      this.writeBroken = true;
      this.setStorage(storageProblemOf(e));
    }
  }

  /** Whether the file may still grow by one submission under outbox.maxBytes (SQLite's max_page_count). */
  private fileHasRoom(): boolean {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    const max = this.db.pragma('max_page_count', { simple: true }) as number;
    // A tiny maxBytes (tests) must not read as always full.
    return max - pages + free >= Math.min(ROOM_FOR_ONE_PAGES, Math.floor(max / 4));
  }

  private setStorage(problem: StorageProblem | null): void {
    if (!this.storage.set(problem)) return;
    if (problem) this.logger.error({ device: 'storage', reason: problem }, 'outbox storage cannot take submissions: out of service until it can');
    else this.logger.info({ device: 'storage' }, 'outbox storage takes submissions again');
  }

  /** Entries set aside are never dropped: one kept too long is said once a day until someone acts. */
  private reportOldFailed(): void {
    const now = this.clock.now();
    if (now - this.failedReportedAt < DAY_MS) return;
    const { failed, oldestFailedAt } = this.stats();
    if (!failedTooLong(oldestFailedAt, now, this.options.reportFailedAfterDays)) return;
    this.failedReportedAt = now;
    this.logger.error(
      { failed, oldestDays: Math.floor((now - oldestFailedAt!) / DAY_MS) },
      'outbox entries set aside for days: a maintainer must look at them (lifecheck outbox list --state failed)',
    );
  }

  private notifyIdle(): void {
    if (this.inFlight.size > 0 || this.backgroundBusy) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** What a failed write says about the disk. */
function storageProblemOf(e: unknown): StorageProblem {
  const code = (e as { code?: string })?.code ?? '';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return 'read-only';
  if (isDiskFull(e)) return 'disk-full';
  return 'store-failed';
}
