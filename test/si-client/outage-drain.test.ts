/**
 * The SI is down for three simulated days while people keep verifying; then it comes back. Every
 * queued verification must reach it exactly once, soon, and the retries meanwhile must stay
 * bounded by the backoff (neither hammering the SI nor giving up).
 */
import t from 'tap';
import { extraPerson } from '../../src/si-dev/store.js';
import { startTestSi } from '../si-dev/helpers.js';
import { openOutbox, outboxConfig, verification } from './outbox-harness.js';

// About 23 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 120 s.
t.setTimeout(120_000);

const HOUR = 3_600_000;

t.test('SI down for 3 simulated days, then back: the queue drains within one backoff period, each once', async (t) => {
  const ts = await startTestSi(t, { extraPersons: 40 });
  const config = outboxConfig(ts, ts.dir, { retryBaseMs: 5_000, retryMaxMs: HOUR, maxPending: 100, answerWithinMs: 10_000 });
  // One try per call: the outbox's own backoff is what is under test.
  const client = ts.client({ submitAttempts: 1 });
  const { outbox, advance, clock, delivered } = openOutbox(config, client);
  await ts.si.setFaults([{ kind: 'down' }]);
  const realStart = performance.now();
  const downAt = clock.now();

  const answers: Array<Promise<unknown>> = [];
  for (let i = 0; i < 20; i++) {
    const p = extraPerson(i).person;
    answers.push(outbox.submit({ ...verification('due', `OUTAGE-${i}`), idNumber: p.idNumber, name: p.name, at: clock.now() }));
    await advance(20 * 60_000);
  }
  for (const a of answers) t.match(await a, { outcome: 'queued' });
  await advance(3 * 24 * HOUR - (clock.now() - downAt));
  t.equal(outbox.stats().pending, 20, 'all 20 still queued after 3 days');
  t.equal(ts.store.submissions().length, 0);

  const db = (await import('better-sqlite3')).default;
  const conn = new db(config.outbox.path, { readonly: true });
  const attempts = conn.prepare('SELECT attempts FROM submissions').pluck().all() as number[];
  conn.close();
  const maxTries = Math.max(...attempts);
  const minTries = Math.min(...attempts);
  // Backoff doubles from 5 s to the 1 h ceiling with jitter in [ceiling/2, ceiling]: about 10 tries to
  // reach it, then one every 30-60 min: 3 days give at most ~155 tries and at least ~55.
  t.ok(maxTries <= 160, `bounded retries: at most ${maxTries} tries per entry in 3 days`);
  t.ok(minTries >= 50, `still trying: at least ${minTries} tries per entry`);

  await ts.si.setFaults([]);
  const upAt = clock.now();
  let drainedAt: number | null = null;
  while (clock.now() - upAt <= 2 * HOUR) {
    await advance(60_000);
    if (outbox.stats().pending === 0) {
      drainedAt = clock.now();
      break;
    }
  }
  t.not(drainedAt, null, 'drained');
  const drainMs = (drainedAt ?? Infinity) - upAt;
  t.ok(drainMs <= HOUR, `drained ${Math.round(drainMs / 60_000)} simulated min after the SI came back (at most one backoff period)`);
  t.equal(delivered.length, 20);
  const atSi = ts.store.submissions();
  t.equal(atSi.length, 20, 'the SI has 20 verifications');
  t.ok(atSi.every((s) => s.deliveries === 1 && s.outcome.outcome === 'accepted'), 'each exactly once');
  t.comment(
    `outage drill: 20 queued over 3 simulated days (${minTries}-${maxTries} tries each), drained ${Math.round(drainMs / 60_000)} simulated min after the SI came back; ` +
      `real time ${((performance.now() - realStart) / 1000).toFixed(1)} s`,
  );
  await outbox.close();
});
