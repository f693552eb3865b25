/**
 * An outbox entry is set aside only when the SI has refused it. Every transport outcome — our own
 * timeout on a black-holed request, a reset, an answer that stalls mid-body, a 5xx, a server
 * certificate that has expired or comes from an unknown CA — leaves it pending, and it is delivered
 * once the SI answers again, exactly once. Each cause against a real si-dev over HTTPS, on the real
 * clock (the outbox's own timeout must fire, as it does on a terminal).
 */
import Database from 'better-sqlite3';
import t, { type Test } from 'tap';
import { RealClock, SimClock, type Clock } from '../../src/clock/clock.js';
import { openSqliteOutbox } from '../../src/si-client/from-config.js';
import type { DeliveredEntry } from '../../src/si-client/sqlite-outbox.js';
import type { FaultInput } from '../../src/si-dev/faults.js';
import { until, memoryLogger } from '../helpers.js';
import { SI_NOW, startTestSi, type TestSi } from '../si-dev/helpers.js';
import { openOutbox, outboxConfig, realClockClient, verification } from './outbox-harness.js';

const HOUR = 3_600_000;

interface Row {
  state: string;
  attempts: number;
  lastError: string | null;
}

function onlyRow(path: string): Row {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT state, attempts, last_error AS lastError FROM submissions').get() as Row;
  } finally {
    db.close();
  }
}

/** A durable outbox on the real clock with short timeouts: a delivery attempt is abandoned after 400 ms. */
async function realTimeOutbox(t: Test, ts: TestSi) {
  const config = outboxConfig(ts, ts.dir, { answerWithinMs: 100, requestTimeoutMs: 400, retryBaseMs: 150, retryMaxMs: 300, pollMs: 200 });
  const clock = new RealClock() as Clock;
  const delivered: DeliveredEntry[] = [];
  const { logger, lines } = memoryLogger('info');
  // The client's own per-request timeout is longer than the outbox's: the outbox gives up first.
  const si = ts.client({ clock, timeoutMs: 5_000, retry: { baseMs: 20, maxMs: 40 } });
  const outbox = openSqliteOutbox(config, si, clock, logger, () => 0.5, (e) => delivered.push(e));
  t.teardown(() => outbox.close());
  const row = () => onlyRow(config.outbox.path);
  return { config, outbox, delivered, lines, row };
}

interface Cause {
  name: string;
  faults: FaultInput[];
  /** The error noted on the entry while it waits. */
  code: RegExp;
  /** Times the request reached the SI's logic in all (the SI acted on the stalled one). */
  deliveries: number;
}

const CAUSES: Cause[] = [
  { name: 'a black hole: our own timeout abandons the attempt', faults: [{ kind: 'blackhole', ops: ['submit'] }], code: /^aborted$/, deliveries: 1 },
  { name: 'a connection reset before the SI acted', faults: [{ kind: 'drop', ops: ['submit'] }], code: /./, deliveries: 1 },
  { name: 'an answer that stalls mid-body after the SI stored it', faults: [{ kind: 'stall', ops: ['submit'] }], code: /^aborted$/, deliveries: 2 },
  { name: 'HTTP 503', faults: [{ kind: 'error', status: 503, ops: ['submit'] }], code: /^http-503$/, deliveries: 1 },
  { name: 'a server certificate that has expired', faults: [{ kind: 'expired-cert' }], code: /^tls$/, deliveries: 1 },
  { name: 'a server certificate from an unknown CA', faults: [{ kind: 'wrong-cert' }], code: /^tls$/, deliveries: 1 },
];

for (const c of CAUSES) {
  t.test(`${c.name}: the entry stays pending and is delivered once the SI answers`, async (t) => {
    const ts = await startTestSi(t);
    await ts.si.setFaults(c.faults);
    const { outbox, delivered, row } = await realTimeOutbox(t, ts);
    t.match(await outbox.submit(verification('due')), { outcome: 'queued' }, 'the person hears "queued"');
    // Two failed attempts: the first (the person's) and one from the background sender.
    await until(() => row().attempts >= 2, 10_000, 'a second failed attempt');
    t.match(row(), { state: 'pending', lastError: c.code }, 'kept pending with the cause noted');
    t.equal(delivered.length, 0);
    t.equal(outbox.stats().failed, 0, 'nothing set aside');

    await ts.si.setFaults([]);
    await until(() => delivered.length === 1, 10_000, 'the delivery');
    t.match(row(), { state: 'delivered', lastError: null });
    const atSi = ts.store.submissions();
    t.equal(atSi.length, 1, 'the SI has it once');
    t.ok(atSi[0]!.deliveries >= c.deliveries, `reached the SI's logic ${atSi[0]!.deliveries} time(s)`);
    t.equal(outbox.siLink(), null, 'no link problem once it got through');
  });
}

t.test('a TLS failure is raised for the maintainer (siLink, one log line) and clears when a delivery gets through', async (t) => {
  const ts = await startTestSi(t);
  await ts.si.setFaults([{ kind: 'expired-cert' }]);
  const { outbox, delivered, lines, row } = await realTimeOutbox(t, ts);
  const before = Date.now();
  void outbox.submit(verification('due'));
  await until(() => row().attempts >= 3, 10_000, 'three failed attempts');
  const link = outbox.siLink();
  t.match(link, { problem: 'tls' });
  t.ok(link!.since >= before && link!.since <= Date.now(), 'since the first failure');
  const said = lines.filter((l) => /TLS handshake fails/.test(String(l.msg)));
  t.equal(said.length, 1, 'said once, not on every attempt');
  t.equal(said[0]!.level, 50, 'as an error');
  await ts.si.setFaults([]);
  await until(() => delivered.length === 1, 10_000, 'the delivery');
  t.equal(outbox.siLink(), null);
  t.ok(lines.some((l) => l.msg === 'the SI link works again'));
});

t.test("only the SI's refusal sets an entry aside: HTTP 422 is failed after one attempt", async (t) => {
  const ts = await startTestSi(t);
  await ts.si.setFaults([{ kind: 'error', status: 422, ops: ['submit'] }]);
  const { outbox, row } = await realTimeOutbox(t, ts);
  t.match(await outbox.submit(verification('due')), { outcome: 'queued' });
  await until(() => row().state !== 'pending', 10_000, 'the refusal to be recorded');
  t.match(row(), { state: 'failed', lastError: 'http-422', attempts: 1 });
  t.equal(outbox.siLink(), null, 'a refusal is not a link problem');
});

t.test('an entry set aside longer than outbox.reportFailedAfterDays is reported once a day and never dropped', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir, { pollMs: 3_600_000, reportFailedAfterDays: 2 });
  await ts.si.setFaults([{ kind: 'error', status: 422, ops: ['submit'] }]);
  const { logger, lines } = memoryLogger('info');
  const { outbox, advance } = openOutbox(config, realClockClient(ts), new SimClock(SI_NOW), logger);
  t.teardown(() => outbox.close());
  void outbox.submit(verification('due'));
  const reports = () => lines.filter((l) => /set aside for days/.test(String(l.msg)));
  await advance(47 * HOUR);
  t.equal(outbox.stats().failed, 1);
  t.equal(outbox.stats().oldestFailedAt, SI_NOW);
  t.equal(reports().length, 0, 'not before the limit');
  await advance(3 * HOUR);
  t.equal(reports().length, 1, 'reported once the limit has passed');
  t.match(reports()[0], { level: 50, failed: 1, oldestDays: 2 });
  await advance(2 * 24 * HOUR);
  t.equal(reports().length, 3, 'then once a day, not on every poll');
  t.equal(outbox.stats().failed, 1, 'still kept');
});

t.test('the wall clock stepped back by hours does not hold a pending entry back for those hours', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'down' }]);
  const { outbox, advance, delivered, clock } = openOutbox(config, realClockClient(ts));
  t.teardown(() => outbox.close());
  void outbox.submit(verification('due'));
  await advance(10_000);
  t.equal(outbox.stats().pending, 1, 'waiting, its next attempt set on the wall clock');
  clock.stepWall(-5 * HOUR);
  await ts.si.setFaults([]);
  await advance(config.outbox.retryMaxMs);
  t.equal(delivered.length, 1, 'delivered within the longest backoff, not five hours later');
});
