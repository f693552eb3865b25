import Database from 'better-sqlite3';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { advanceTo, SimClock } from '../../src/clock/clock.js';
import { ConfigError } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { openSqliteOutbox } from '../../src/si-client/from-config.js';
import { createOutboxKey, loadOutboxKey } from '../../src/si-client/outbox-crypto.js';
import { retryRows } from '../../src/si-client/outbox-db.js';
import { SiError } from '../../src/si-client/port.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { extraPerson } from '../../src/si-dev/store.js';
import { jpeg, SI_NOW, startTestSi } from '../si-dev/helpers.js';
import { fileBytes, openOutbox, outboxConfig, realClockClient, verification } from './outbox-harness.js';

function rows(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT key, state, attempts, last_error AS lastError, payload, local_receipt_no AS receiptNo FROM submissions ORDER BY seq').all() as Array<{
      key: string;
      state: string;
      attempts: number;
      lastError: string | null;
      payload: Buffer | null;
      receiptNo: string;
    }>;
  } finally {
    db.close();
  }
}

function extra(i: number, marker = `PHOTO-${i}`) {
  const p = extraPerson(i).person;
  return { ...verification('due', marker), idNumber: p.idNumber, name: p.name };
}

t.test('committed and encrypted before anything is sent; the SI answer comes back; the photo goes after the ack', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'latency', latencyMs: 150 }]);
  const { outbox, delivered } = openOutbox(config, realClockClient(ts));
  const request = verification('due', 'SECRET-FACE-BYTES');
  const answer = outbox.submit(request);
  // Synchronously after submit(): on disk already, and the SI has not seen it yet.
  const before = rows(config.outbox.path);
  t.equal(before.length, 1);
  t.equal(before[0]!.state, 'pending');
  t.equal(ts.si.requests.submit ?? 0, 0, 'not yet sent');
  const sealed = before[0]!.payload!;
  const disk = fileBytes(config.outbox.path);
  const person = testPerson('due').identity;
  for (const secret of [person.name, person.idNumber, 'SECRET-FACE-BYTES']) t.notOk(disk.includes(Buffer.from(secret)), `"${secret.slice(0, 4)}…" is not on disk in clear`);
  t.ok(disk.includes(sealed.subarray(40, 72)), 'the sealed payload is');

  t.same(await answer, { outcome: 'accepted', receiptNo: 'SI00000001' });
  t.equal(delivered.length, 1);
  t.ok(request.photo.every((b) => b === 0), 'the photo bytes in memory are zeroed');
  const after = rows(config.outbox.path);
  t.equal(after[0]!.state, 'delivered');
  t.equal(after[0]!.payload, null, 'the sealed photo is dropped');
  t.notOk(fileBytes(config.outbox.path).includes(sealed.subarray(40, 72)), 'and its bytes are gone from the file and the WAL');
  t.same(outbox.stats(), { pending: 0, delivered: 1, failed: 0, oldestPendingAt: null, oldestFailedAt: null });
  t.equal(ts.store.submissions()[0]!.key, after[0]!.key, 'the SI has it under the outbox key');
  await outbox.close();
});

t.test('SI unreachable: "queued" with a local receipt number; delivered after a restart, once', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'down' }]);
  const first = openOutbox(config, realClockClient(ts));
  const answers = [first.outbox.submit(verification('due')), first.outbox.submit(verification('due-2'))];
  await first.advance(10_000);
  t.same(await answers[0], { outcome: 'queued', receiptNo: 'T0042202611280001' });
  t.same(await answers[1], { outcome: 'queued', receiptNo: 'T0042202611280002' });
  t.equal(first.outbox.pendingSince(testPerson('due').identity.idNumber), SI_NOW, 'the person counts as verified meanwhile');
  t.equal(first.outbox.pendingSince(testPerson('verified').identity.idNumber), null);
  t.match(first.outbox.stats(), { pending: 2, oldestPendingAt: SI_NOW });
  await first.outbox.close();

  // Power cut and back: a new process opens the same file.
  await ts.si.setFaults([]);
  const second = openOutbox(config, realClockClient(ts), first.clock);
  t.equal(second.outbox.pendingSince(testPerson('due-2').identity.idNumber), SI_NOW, 'still pending after the restart');
  await second.advance(2 * 60_000);
  t.equal(second.delivered.length, 2);
  t.same(second.outbox.stats(), { pending: 0, delivered: 2, failed: 0, oldestPendingAt: null, oldestFailedAt: null });
  const atSi = ts.store.submissions();
  t.same(atSi.map((s) => s.key).sort(), rows(config.outbox.path).map((r) => r.key).sort(), 'the SI has exactly the outbox keys');
  t.equal(second.outbox.pendingSince(testPerson('due').identity.idNumber), null);
  void second.outbox.submit(verification('verified'));
  await second.advance(1_000);
  t.equal(rows(config.outbox.path).at(-1)!.receiptNo, 'T0042202611280003', 'local numbers go on after a restart');
  await second.outbox.close();
});

t.test('a slow SI: the person hears "queued" after answerWithinMs; delivery finishes in the background', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir, { answerWithinMs: 50 });
  await ts.si.setFaults([{ kind: 'latency', latencyMs: 400 }]);
  const { outbox, delivered, clock } = openOutbox(config, realClockClient(ts));
  const answer = outbox.submit(verification('due'));
  // The answer deadline passes on the outbox clock while the request is still on the wire.
  await advanceTo(clock, clock.now() + 50);
  t.same(await answer, { outcome: 'queued', receiptNo: 'T0042202611280001' });
  t.equal(delivered.length, 0, 'not yet delivered');
  await outbox.whenIdle();
  t.equal(delivered.length, 1, 'delivered by the same attempt, in the background');
  t.same(outbox.stats(), { pending: 0, delivered: 1, failed: 0, oldestPendingAt: null, oldestFailedAt: null });
  await outbox.close();
});

t.test('a full outbox refuses new submissions with a storage error and keeps every queued one', async (t) => {
  const ts = await startTestSi(t, { extraPersons: 10 });
  const config = outboxConfig(ts, ts.dir, { maxPending: 3 });
  await ts.si.setFaults([{ kind: 'down' }]);
  const { outbox, advance, delivered } = openOutbox(config, realClockClient(ts));
  for (let i = 0; i < 3; i++) void outbox.submit(extra(i));
  await advance(10_000);
  const refused = await outbox.submit(extra(3)).catch((e: unknown) => e);
  t.ok(refused instanceof SiError);
  t.match(refused, { kind: 'storage', code: 'full', message: /outbox full: 3 submissions wait/ });
  t.equal(rows(config.outbox.path).length, 3, 'nothing dropped, nothing added');
  await ts.si.setFaults([]);
  await advance(2 * 60_000);
  t.equal(delivered.length, 3, 'the queue drained');
  t.match(await outbox.submit(extra(3)), { outcome: 'accepted' }, 'room again');
  await outbox.close();
});

t.test('storage full (the file at its size limit): refused cleanly, everything stored before is delivered', async (t) => {
  const ts = await startTestSi(t, { extraPersons: 40 });
  const config = outboxConfig(ts, ts.dir, { maxBytes: 192 * 1024 });
  await ts.si.setFaults([{ kind: 'down' }]);
  const { outbox, advance, delivered } = openOutbox(config, realClockClient(ts));
  const storage: string[] = [];
  outbox.onStatus((e) => storage.push(e.type === 'device.ok' ? 'ok' : e.reason));
  const big = (i: number) => ({ ...extra(i), photo: Buffer.concat([jpeg(`BIG-${i}`), Buffer.alloc(30_000, i)]) });
  let refusal: unknown = null;
  let stored = 0;
  for (let i = 0; i < 40 && !refusal; i++) {
    try {
      void outbox.submit(big(i)).catch((e: unknown) => (refusal = e));
      await Promise.resolve();
      if (!refusal) stored++;
    } catch (e) {
      refusal = e;
    }
  }
  t.ok(refusal instanceof SiError, 'a submission was refused');
  t.match(refusal, { kind: 'storage', code: 'disk-full', message: /storage is full/ });
  t.ok(stored >= 3, `${stored} were stored before`);
  t.equal(rows(config.outbox.path).length, stored, 'the refused one left no trace, the others are intact');
  t.same(storage, ['disk-full'], 'the storage is reported faulty at once (the terminal goes out of service)');
  await ts.si.setFaults([]);
  await advance(3 * 60_000);
  t.equal(delivered.length, stored, 'all stored ones delivered');
  t.equal(ts.store.submissions().length, stored);
  t.equal(storage.at(-1), 'ok', 'and, delivered (their photos dropped), it takes submissions again');
  await outbox.close();
});

t.test('a corrupt row is set aside as failed (kept, not deleted); the rest is delivered; retry brings it back', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'down' }]);
  const first = openOutbox(config, realClockClient(ts));
  void first.outbox.submit(verification('due'));
  void first.outbox.submit(verification('due-2'));
  await first.advance(10_000);
  await first.outbox.close();
  const victim = rows(config.outbox.path)[0]!;
  const db = new Database(config.outbox.path);
  const flipped = Buffer.from(victim.payload!);
  flipped[flipped.length - 1]! ^= 0xff;
  db.prepare('UPDATE submissions SET payload = ? WHERE key = ?').run(flipped, victim.key);
  db.close();

  await ts.si.setFaults([]);
  const second = openOutbox(config, realClockClient(ts), first.clock);
  await second.advance(2 * 60_000);
  const after = rows(config.outbox.path);
  t.match(after[0], { key: victim.key, state: 'failed', lastError: 'undecryptable' });
  t.ok(after[0]!.payload?.equals(flipped), 'its payload is kept for a maintainer');
  t.equal(after[1]!.state, 'delivered', 'the next one went through');
  t.same(second.outbox.stats(), { pending: 0, delivered: 1, failed: 1, oldestPendingAt: null, oldestFailedAt: SI_NOW });
  t.equal(second.outbox.pendingSince(testPerson('due').identity.idNumber), null, 'a failed entry does not block the person');

  const rw = new Database(config.outbox.path);
  t.equal(retryRows(rw, second.clock.now(), 'all'), 1);
  rw.close();
  t.equal(second.outbox.stats().pending, 1, 'pending again');
  await second.advance(60_000);
  t.equal(second.outbox.stats().failed, 1, 'and failed again while it stays corrupt');
  await second.outbox.close();
});

t.test('the SI refusing the request itself (HTTP 4xx) sets it aside as failed instead of retrying forever', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'error', status: 422, ops: ['submit'] }]);
  const { outbox, advance } = openOutbox(config, realClockClient(ts));
  t.match(await outbox.submit(verification('due')), { outcome: 'queued' }, 'the person is told it is queued');
  await advance(10 * 60_000);
  t.match(rows(config.outbox.path)[0], { state: 'failed', lastError: 'http-422', attempts: 1 });
  t.equal(ts.si.requests.submit, 1, 'sent once, not hammered');
  await outbox.close();
});

t.test('the key file: missing, readable by everyone, or malformed stops the start; keygen makes a good one', async (t) => {
  const ts = await startTestSi(t);
  const dir = t.testdir({});
  const base = outboxConfig(ts, dir);
  const si = realClockClient(ts);
  const open = (keyFile: string) => () => openSqliteOutbox({ ...base, outbox: { ...base.outbox, keyFile } }, si, new SimClock(SI_NOW), silentLogger(), Math.random);
  t.throws(open(join(dir, 'nope.key')), { name: 'ConfigError', message: /nope\.key does not exist; create one with `lifecheck outbox keygen/ });
  const loose = join(dir, 'loose.key');
  writeFileSync(loose, 'a'.repeat(64));
  chmodSync(loose, 0o644);
  t.throws(open(loose), { message: /readable or writable by everyone \(mode 0644\); run chmod 600/ });
  t.throws(() => loadOutboxKey(loose), ConfigError);
  const short = join(dir, 'short.key');
  writeFileSync(short, 'abc', { mode: 0o600 });
  t.throws(() => loadOutboxKey(short), { message: /must hold 32 bytes or 64 hex digits/ });
  t.throws(() => loadOutboxKey(''), { message: /not set/ });
  t.notOk(existsSync(base.outbox.path), 'no database was created without a key');

  const made = join(dir, 'made.key');
  t.equal(createOutboxKey(made), true);
  t.equal(createOutboxKey(made), false, 'an existing key is never overwritten');
  t.equal(loadOutboxKey(made).length, 32);
  t.equal((await import('node:fs')).statSync(made).mode & 0o777, 0o600);
  t.equal(readFileSync(made, 'utf8').trim().length, 64);
});

t.test('another key cannot open the entries (they fail as undecryptable, nothing is lost)', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'down' }]);
  const first = openOutbox(config, realClockClient(ts));
  void first.outbox.submit(verification('due'));
  await first.advance(10_000);
  await first.outbox.close();
  const otherKey = join(ts.dir, 'other.key');
  createOutboxKey(otherKey);
  await ts.si.setFaults([]);
  const second = openOutbox({ ...config, outbox: { ...config.outbox, keyFile: otherKey } }, realClockClient(ts), first.clock);
  await second.advance(60_000);
  t.match(rows(config.outbox.path)[0], { state: 'failed', lastError: 'undecryptable' });
  t.ok(rows(config.outbox.path)[0]!.payload, 'kept');
  t.equal(ts.store.submissions().length, 0, 'nothing garbled reached the SI');
  await second.outbox.close();
});

t.test('a file that is not an outbox database stops the start with a clear error and is left alone', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  writeFileSync(config.outbox.path, 'this is not sqlite at all, it is a text file of some length..........................................');
  const before = readFileSync(config.outbox.path);
  t.throws(() => openSqliteOutbox(config, realClockClient(ts), new SimClock(SI_NOW), silentLogger(), Math.random), {
    name: 'ConfigError',
    message: /is not a usable outbox database .*move it aside/,
  });
  t.ok(readFileSync(config.outbox.path).equals(before), 'unchanged');
});
