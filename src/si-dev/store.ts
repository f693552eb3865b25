/**
 * The reference SI service's data: persons, their verification history and every submission by
 * idempotency key, in SQLite. Seeded from the test persons (src/si-client/test-persons.ts) plus,
 * on request, generated eligible retirees (kill drill, load). A submission is decided and stored
 * in one transaction, so a resend with the same key always gets the first answer and never counts
 * twice; the same key with a different body is a conflict.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { localDate } from '../clock/clock.js';
import { makeIdNumber } from '../domain/id-number.js';
import type { SubmitRequestBodyT, SubmitAnswerT, LookupAnswerT, PersonT, HistoryRecordT } from '../si-client/schema.js';
import { personOfIdentity } from '../si-client/person.js';
import { TEST_PERSONS } from '../si-client/test-persons.js';
import { cycleFor, inCycle } from './cycle.js';

const CHINA_UTC_OFFSET_MINUTES = 480;

/** Below this photo quality, or with this many restarts or failures, a person goes to manual review. */
const REVIEW_QUALITY = 0.6;
const REVIEW_RESTARTS = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS persons (
  id_number TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  gender TEXT NOT NULL,
  birth_date TEXT NOT NULL,
  nation TEXT,
  valid_from TEXT,
  valid_to TEXT,
  ssc_card_number TEXT UNIQUE,
  token TEXT UNIQUE,
  known INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('retiree', 'not-retiree', 'refer-to-counter')),
  reason TEXT
);
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  id_number TEXT NOT NULL,
  verified_on TEXT NOT NULL,
  channel TEXT NOT NULL,
  result TEXT NOT NULL,
  submission_key TEXT
);
CREATE INDEX IF NOT EXISTS history_person ON history (id_number, verified_on);
CREATE TABLE IF NOT EXISTS submissions (
  key TEXT PRIMARY KEY,
  id_number TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  outcome TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  deliveries INTEGER NOT NULL,
  photo_bytes INTEGER NOT NULL,
  photo_sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_person ON submissions (id_number);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export interface SeedPerson {
  person: PersonT;
  known: boolean;
  status: 'retiree' | 'not-retiree' | 'refer-to-counter';
  reason?: string;
  token?: string;
  history: HistoryRecordT[];
}

/** The i-th generated eligible retiree (i from 0): born 1940–1959, never verified. */
export function extraPerson(i: number): SeedPerson {
  const year = 1940 + (i % 20);
  const month = 1 + (Math.floor(i / 20) % 12);
  const day = 1 + (Math.floor(i / 240) % 28);
  const birth = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const seq = 100 + (Math.floor(i / 6720) % 900);
  return {
    person: {
      name: `测试${i}`,
      gender: i % 2 ? 'male' : 'female',
      idNumber: makeIdNumber('440605', birth, seq),
      birthDate: `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`,
      nation: '汉',
      validTo: 'long-term',
    },
    known: true,
    status: 'retiree',
    history: [],
  };
}

function seedFromTestPersons(): SeedPerson[] {
  return TEST_PERSONS.map((p) => {
    const e = p.eligibility;
    const status = e.status === 'not-retiree' ? 'not-retiree' : e.status === 'refer-to-counter' ? 'refer-to-counter' : 'retiree';
    return {
      person: personOfIdentity(p.identity, p.sscCardNumber),
      known: p.known,
      status,
      ...(e.status === 'refer-to-counter' ? { reason: e.reason } : {}),
      ...(p.token ? { token: p.token } : {}),
      history: p.history,
    };
  });
}

interface PersonRow {
  id_number: string;
  name: string;
  gender: 'male' | 'female' | 'unknown';
  birth_date: string;
  nation: string | null;
  valid_from: string | null;
  valid_to: string | null;
  ssc_card_number: string | null;
  known: number;
  status: SeedPerson['status'];
  reason: string | null;
}

export interface StoreOptions {
  /** Start from an empty database (the file is removed first). */
  fresh?: boolean;
  /** Generated eligible retirees on top of the test persons. */
  extraPersons?: number;
  /** The service's clock (epoch ms): decides today's cycle. */
  now?: () => number;
}

export interface SubmissionRecord {
  key: string;
  /** A short hash of the ID number: counts per person without exposing the number. */
  personRef: string;
  outcome: SubmitAnswerT;
  deliveries: number;
  receivedAt: number;
  photoBytes: number;
}

export type SubmitResult = { answer: SubmitAnswerT; replayed: boolean } | { conflict: true };

export function personRef(idNumber: string): string {
  return createHash('sha256').update(idNumber).digest('hex').slice(0, 12);
}

export class SiDevStore {
  readonly db: Database.Database;
  private readonly now: () => number;

  constructor(path: string, options: StoreOptions = {}) {
    if (options.fresh && path !== ':memory:') for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) rmSync(path + suffix);
    this.now = options.now ?? Date.now;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    const empty = (this.db.prepare('SELECT count(*) FROM persons').pluck().get() as number) === 0;
    const seeds = [...seedFromTestPersons(), ...Array.from({ length: options.extraPersons ?? 0 }, (_, i) => extraPerson(i))];
    this.seed(seeds, empty);
  }

  private seed(seeds: SeedPerson[], withHistory: boolean): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO persons (id_number, name, gender, birth_date, nation, valid_from, valid_to, ssc_card_number, token, known, status, reason)
       VALUES (@idNumber, @name, @gender, @birthDate, @nation, @validFrom, @validTo, @sscCardNumber, @token, @known, @status, @reason)`,
    );
    const history = this.db.prepare('INSERT INTO history (id_number, verified_on, channel, result) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const s of seeds) {
        const p = s.person;
        const added = insert.run({
          idNumber: p.idNumber,
          name: p.name,
          gender: p.gender,
          birthDate: p.birthDate ?? '1950-01-01',
          nation: p.nation ?? null,
          validFrom: p.validFrom ?? null,
          validTo: p.validTo ?? null,
          sscCardNumber: p.sscCardNumber ?? null,
          token: s.token ?? null,
          known: s.known ? 1 : 0,
          status: s.status,
          reason: s.reason ?? null,
        }).changes;
        if (added && withHistory) for (const h of s.history) history.run(p.idNumber, h.verifiedOn, h.channel, h.result);
      }
    })();
  }

  private today(): string {
    return localDate(this.now(), CHINA_UTC_OFFSET_MINUTES);
  }

  private row(where: 'id_number' | 'ssc_card_number' | 'token', value: string): PersonRow | undefined {
    return this.db.prepare(`SELECT * FROM persons WHERE ${where} = ? AND known = 1`).get(value) as PersonRow | undefined;
  }

  lookup(by: { idNumber: string } | { sscCardNumber: string }): LookupAnswerT {
    const row = 'idNumber' in by ? this.row('id_number', by.idNumber) : this.row('ssc_card_number', by.sscCardNumber);
    if (!row) return { person: null, eligibility: { status: 'unknown-person' } };
    return { person: toPerson(row), eligibility: this.eligibility(row, this.today()) };
  }

  resolveToken(token: string): { person: PersonT | null } {
    const row = this.row('token', token);
    return { person: row ? toPerson(row) : null };
  }

  history(idNumber: string, fromYear?: number, toYear?: number): { records: HistoryRecordT[] } {
    const rows = this.db
      .prepare('SELECT verified_on, channel, result FROM history WHERE id_number = ? ORDER BY verified_on')
      .all(idNumber) as Array<{ verified_on: string; channel: HistoryRecordT['channel']; result: HistoryRecordT['result'] }>;
    const records = rows
      .map((r) => ({ year: Number(r.verified_on.slice(0, 4)), verifiedOn: r.verified_on, channel: r.channel, result: r.result }))
      .filter((r) => (fromYear === undefined || r.year >= fromYear) && (toYear === undefined || r.year <= toYear));
    return { records };
  }

  private eligibility(row: PersonRow, today: string): LookupAnswerT['eligibility'] {
    if (row.status === 'not-retiree') return { status: 'not-retiree' };
    if (row.status === 'refer-to-counter') return { status: 'refer-to-counter', reason: row.reason ?? 'refer-to-counter' };
    const cycle = cycleFor(row.birth_date, today);
    const done = this.verifiedIn(row.id_number, cycle);
    return done ? { status: 'already-verified', cycle, verifiedOn: done } : { status: 'eligible', cycle };
  }

  private verifiedIn(idNumber: string, cycle: { from: string; to: string }): string | undefined {
    const rows = this.db
      .prepare("SELECT verified_on FROM history WHERE id_number = ? AND result IN ('passed', 'review') ORDER BY verified_on")
      .pluck()
      .all(idNumber) as string[];
    return rows.find((d) => inCycle(d, cycle));
  }

  /** Decides and stores one submission; a resend with the same key and body gets the stored answer. */
  submit(key: string, body: SubmitRequestBodyT, photo: Buffer): SubmitResult {
    const bodyHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    return this.db.transaction((): SubmitResult => {
      const seen = this.db.prepare('SELECT body_hash, outcome FROM submissions WHERE key = ?').get(key) as { body_hash: string; outcome: string } | undefined;
      if (seen) {
        if (seen.body_hash !== bodyHash) return { conflict: true };
        this.db.prepare('UPDATE submissions SET deliveries = deliveries + 1 WHERE key = ?').run(key);
        return { answer: JSON.parse(seen.outcome) as SubmitAnswerT, replayed: true };
      }
      const answer = this.decide(body, photo);
      this.db
        .prepare('INSERT INTO submissions (key, id_number, body_hash, outcome, received_at, deliveries, photo_bytes, photo_sha256) VALUES (?, ?, ?, ?, ?, 1, ?, ?)')
        .run(key, body.idNumber, bodyHash, JSON.stringify(answer), this.now(), photo.length, createHash('sha256').update(photo).digest('hex'));
      if (answer.outcome === 'accepted' || answer.outcome === 'review') {
        const on = localDate(Date.parse(body.at), CHINA_UTC_OFFSET_MINUTES);
        this.db
          .prepare("INSERT INTO history (id_number, verified_on, channel, result, submission_key) VALUES (?, ?, 'terminal', ?, ?)")
          .run(body.idNumber, on, answer.outcome === 'accepted' ? 'passed' : 'review', key);
      }
      return { answer, replayed: false };
    })();
  }

  private decide(body: SubmitRequestBodyT, photo: Buffer): SubmitAnswerT {
    const row = this.row('id_number', body.idNumber);
    if (!row) return { outcome: 'rejected', reason: 'unknown-person' };
    if (row.status === 'not-retiree') return { outcome: 'rejected', reason: 'not-retiree' };
    if (row.status === 'refer-to-counter') return { outcome: 'rejected', reason: row.reason ?? 'refer-to-counter' };
    if (row.name !== body.name) return { outcome: 'rejected', reason: 'name-mismatch' };
    if (!isPicture(photo, body.photo.contentType)) return { outcome: 'rejected', reason: 'photo-not-image' };
    const day = localDate(Date.parse(body.at), CHINA_UTC_OFFSET_MINUTES);
    const done = this.verifiedIn(row.id_number, cycleFor(row.birth_date, day));
    if (done) return { outcome: 'already-verified', verifiedOn: done };
    const n = this.db
      .prepare("INSERT INTO counters (name, value) VALUES ('receipt', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value")
      .pluck()
      .get() as number;
    const receiptNo = `SI${String(n).padStart(8, '0')}`;
    const l = body.liveness;
    if (l.photoQuality < REVIEW_QUALITY || l.restarts >= REVIEW_RESTARTS) return { outcome: 'review', receiptNo };
    return { outcome: 'accepted', receiptNo };
  }

  submissions(): SubmissionRecord[] {
    const rows = this.db.prepare('SELECT key, id_number, outcome, deliveries, received_at, photo_bytes FROM submissions ORDER BY received_at, key').all() as Array<{
      key: string;
      id_number: string;
      outcome: string;
      deliveries: number;
      received_at: number;
      photo_bytes: number;
    }>;
    return rows.map((r) => ({
      key: r.key,
      personRef: personRef(r.id_number),
      outcome: JSON.parse(r.outcome) as SubmitAnswerT,
      deliveries: r.deliveries,
      receivedAt: r.received_at,
      photoBytes: r.photo_bytes,
    }));
  }

  /** Counts for the admin API, the CLI and the drills. */
  stats(): { submissions: number; deliveries: number; byOutcome: Record<string, number>; personsWithSeveralKeys: number } {
    const subs = this.submissions();
    const byOutcome: Record<string, number> = {};
    for (const s of subs) byOutcome[s.outcome.outcome] = (byOutcome[s.outcome.outcome] ?? 0) + 1;
    const several = this.db.prepare('SELECT count(*) FROM (SELECT id_number FROM submissions GROUP BY id_number HAVING count(*) > 1)').pluck().get() as number;
    return { submissions: subs.length, deliveries: subs.reduce((n, s) => n + s.deliveries, 0), byOutcome, personsWithSeveralKeys: several };
  }

  close(): void {
    this.db.close();
  }
}

/** The bytes start as the declared type does: JPEG with SOI (FF D8 FF), PNG with its signature. */
function isPicture(photo: Buffer, type: 'image/jpeg' | 'image/png'): boolean {
  if (type === 'image/jpeg') return photo.length > 3 && photo[0] === 0xff && photo[1] === 0xd8 && photo[2] === 0xff;
  return photo.length > 8 && photo.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
}

function toPerson(r: PersonRow): PersonT {
  return {
    name: r.name,
    gender: r.gender,
    idNumber: r.id_number,
    birthDate: r.birth_date,
    ...(r.nation ? { nation: r.nation } : {}),
    ...(r.valid_from ? { validFrom: r.valid_from } : {}),
    ...(r.valid_to ? { validTo: r.valid_to } : {}),
    ...(r.ssc_card_number ? { sscCardNumber: r.ssc_card_number } : {}),
  };
}
