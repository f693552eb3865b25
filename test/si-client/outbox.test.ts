import t from 'tap';
import { advanceTo, SimClock } from '../../src/clock/clock.js';
import { MemoryOutbox, type OutboxOptions } from '../../src/si-client/outbox.js';
import { SiError, type SubmitOutcome } from '../../src/si-client/port.js';
import { SimSi } from '../../src/si-client/sim.js';
import { testPerson } from '../../src/si-client/test-persons.js';

const START = Date.parse('2026-11-28T09:00:00+08:00');
const options: OutboxOptions = {
  terminalNumber: '0042',
  utcOffsetMinutes: 480,
  answerWithinMs: 10_000,
  requestTimeoutMs: 20_000,
  retry: { baseMs: 5_000, maxMs: 60_000 },
  random: () => 0.5,
  maxPending: 2,
};

function request(photo = Buffer.from('jpeg-bytes')) {
  const p = testPerson('due').identity;
  return {
    idNumber: p.idNumber,
    name: p.name,
    photo,
    liveness: { actions: ['blink' as const], failures: 0, restarts: 0, photoQuality: 0.9 },
    terminalNumber: '0042',
    at: START,
  };
}

async function settleAnswer<T>(clock: SimClock, promise: Promise<T>, untilMs: number): Promise<T> {
  let value: T | undefined;
  let done = false;
  void promise.then((v) => {
    value = v;
    done = true;
  });
  await advanceTo(clock, clock.now() + untilMs);
  if (!done) throw new Error('no answer in time');
  return value as T;
}

t.test('SI answers in time: its own outcome, photo wiped', async (t) => {
  const clock = new SimClock(START);
  const si = new SimSi(clock);
  const delivered: SubmitOutcome[] = [];
  const outbox = new MemoryOutbox(si, clock, options, (e) => delivered.push(e.outcome));
  const photo = Buffer.from('jpeg-bytes');
  const outcome = await settleAnswer(clock, outbox.submit(request(photo)), 1_000);
  t.equal(outcome.outcome, 'accepted');
  t.same(delivered, [outcome]);
  t.ok(photo.every((b) => b === 0), 'the submitted photo bytes are zeroed once acknowledged');
  t.same(outbox.stats(), { pending: 0, delivered: 1, failed: 0, oldestPendingAt: null, oldestFailedAt: null });
});

t.test('SI down: queued with a local receipt number, delivered exactly once when back', async (t) => {
  const clock = new SimClock(START);
  const si = new SimSi(clock);
  for (let i = 0; i < 3; i++) si.script('submit', { fail: 'unreachable' });
  const delivered: Array<{ key: string; attempts: number }> = [];
  const outbox = new MemoryOutbox(si, clock, options, (e) => delivered.push({ key: e.key, attempts: e.attempts }));
  const outcome = await settleAnswer(clock, outbox.submit(request()), 11_000);
  t.same(outcome, { outcome: 'queued', receiptNo: 'T0042202611280001' });
  t.equal(outbox.stats().pending, 1);
  t.equal(outbox.stats().oldestPendingAt, START);
  await advanceTo(clock, clock.now() + 10 * 60_000);
  t.equal(delivered.length, 1, 'delivered once');
  t.equal(delivered[0]!.attempts, 4, 'three failures, then success');
  t.equal(si.accepted.size, 1, 'the SI saw one submission');
  t.equal(outbox.stats().pending, 0);
});

t.test('a hung SI call is abandoned and retried with the same idempotency key', async (t) => {
  const clock = new SimClock(START);
  const si = new SimSi(clock);
  si.script('submit', { hang: true });
  const keys: string[] = [];
  const orig = si.submit.bind(si);
  si.submit = (r, signal) => {
    keys.push(r.idempotencyKey);
    return orig(r, signal);
  };
  const outbox = new MemoryOutbox(si, clock, options);
  const outcome = await settleAnswer(clock, outbox.submit(request()), 10_500);
  t.equal(outcome.outcome, 'queued');
  await advanceTo(clock, clock.now() + 120_000);
  t.equal(keys.length, 2);
  t.equal(keys[0], keys[1], 'the retry reuses the key, so the SI can never count it twice');
  t.equal(outbox.stats().pending, 0);
});

t.test('a full outbox refuses with a storage error instead of dropping anything', async (t) => {
  const clock = new SimClock(START);
  const si = new SimSi(clock);
  for (let i = 0; i < 10; i++) si.script('submit', { fail: 'unreachable' });
  const outbox = new MemoryOutbox(si, clock, options);
  await settleAnswer(clock, outbox.submit(request()), 11_000);
  await settleAnswer(clock, outbox.submit(request()), 11_000);
  await t.rejects(outbox.submit(request()), SiError);
  await t.rejects(outbox.submit(request()), /outbox full/);
  t.equal(outbox.stats().pending, 2, 'the two queued are still there');
  outbox.stop();
});
