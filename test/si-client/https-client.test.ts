import t from 'tap';
import { SiError, type SubmitRequest } from '../../src/si-client/port.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { jpeg, NO_SIGNAL, SI_NOW, startTestSi } from '../si-dev/helpers.js';

function submitRequest(key: string, person = 'due', photo = jpeg()): SubmitRequest {
  const p = testPerson(person).identity;
  return {
    idempotencyKey: key,
    idNumber: p.idNumber,
    name: p.name,
    photo,
    liveness: { actions: ['blink', 'turn_left'], failures: 0, restarts: 0, photoQuality: 0.9 },
    terminalNumber: '0042',
    at: SI_NOW,
  };
}

t.test('look-ups over HTTPS with client certificates answer for every kind of test person', async (t) => {
  const { client } = await startTestSi(t);
  const si = client();
  const id = (k: string) => testPerson(k).identity.idNumber;
  t.same(await si.lookupPerson(id('due'), NO_SIGNAL), { status: 'eligible', cycle: { from: '2026-03-01', to: '2027-02-28' } }, 'born in March: March to February');
  t.same(await si.lookupPerson(id('due-2'), NO_SIGNAL), { status: 'eligible', cycle: { from: '2026-08-01', to: '2027-07-31' } }, 'born in August: August to July');
  t.same(await si.lookupPerson(id('verified'), NO_SIGNAL), { status: 'already-verified', cycle: { from: '2026-07-01', to: '2027-06-30' }, verifiedOn: '2026-08-02' });
  t.same(await si.lookupPerson(id('not-retiree'), NO_SIGNAL), { status: 'not-retiree' });
  t.same(await si.lookupPerson(id('unknown'), NO_SIGNAL), { status: 'unknown-person' });
  t.same(await si.lookupPerson(id('suspended'), NO_SIGNAL), { status: 'refer-to-counter', reason: 'pension-suspended' });
});

t.test('by social security card number, by QR token, and history by year', async (t) => {
  const { client } = await startTestSi(t);
  const si = client();
  const due = testPerson('due');
  const byCard = await si.lookupByCardNumber(due.sscCardNumber!, NO_SIGNAL);
  t.equal(byCard.identity?.idNumber, due.identity.idNumber);
  t.equal(byCard.identity?.source, 'ssc');
  t.equal(byCard.identity?.cardNumber, due.sscCardNumber);
  t.equal(byCard.eligibility.status, 'eligible');
  t.same(await si.lookupByCardNumber('F00000000', NO_SIGNAL), { identity: null, eligibility: { status: 'unknown-person' } });
  const byToken = await si.resolveToken(due.token!, NO_SIGNAL);
  t.same(byToken, { ...due.identity, source: 'barcode' });
  t.equal(await si.resolveToken('ESSC-NOBODY', NO_SIGNAL), null);
  t.same(await si.history(due.identity.idNumber, NO_SIGNAL), due.history);
  t.same(await si.history(testPerson('not-retiree').identity.idNumber, NO_SIGNAL), []);
});

t.test('submit: accepted once per key, the same answer on a resend, already-verified for a second key', async (t) => {
  const { client, store } = await startTestSi(t);
  const si = client();
  const first = await si.submit(submitRequest('0042-key-0001'), NO_SIGNAL);
  t.same(first, { outcome: 'accepted', receiptNo: 'SI00000001' });
  t.same(await si.submit(submitRequest('0042-key-0001'), NO_SIGNAL), first, 'a resend is answered from the first');
  t.same(await si.submit(submitRequest('0042-key-0002'), NO_SIGNAL), { outcome: 'already-verified', verifiedOn: '2026-11-28' });
  t.same(await si.lookupPerson(testPerson('due').identity.idNumber, NO_SIGNAL), {
    status: 'already-verified',
    cycle: { from: '2026-03-01', to: '2027-02-28' },
    verifiedOn: '2026-11-28',
  });
  const subs = store.submissions();
  t.equal(subs.length, 2);
  t.equal(subs.find((s) => s.key === '0042-key-0001')?.deliveries, 2, 'the SI saw the first key twice and counted it once');
  const history = await si.history(testPerson('due').identity.idNumber, NO_SIGNAL);
  t.equal(history.filter((h) => h.verifiedOn === '2026-11-28').length, 1, 'one verification recorded');
});

t.test('submit: rejected, manual review, and a reused key with another body', async (t) => {
  const { client } = await startTestSi(t);
  const si = client();
  t.same(await si.submit(submitRequest('0042-key-0003', 'not-retiree'), NO_SIGNAL), { outcome: 'rejected', reason: 'not-retiree' });
  t.same(await si.submit(submitRequest('0042-key-0004', 'due-2', Buffer.from('not a picture')), NO_SIGNAL), { outcome: 'rejected', reason: 'photo-not-image' });
  const review = await si.submit({ ...submitRequest('0042-key-0005', 'due-2'), liveness: { actions: ['blink'], failures: 1, restarts: 3, photoQuality: 0.5 } }, NO_SIGNAL);
  t.equal(review.outcome, 'review');
  const err = await si.submit({ ...submitRequest('0042-key-0005', 'due-2'), at: SI_NOW + 1000 }, NO_SIGNAL).catch((e: unknown) => e);
  t.ok(err instanceof SiError);
  t.match(err, { kind: 'bad-answer', code: 'http-409', retryable: false }, 'the SI refuses a key reused for another request');
  t.match((err as Error).message, /HTTP 409 \(idempotency-conflict\)$/, 'with the SI’s own error code, not its message');
});

t.test('the client refuses to send what the API would refuse, and a submit without a key', async (t) => {
  const { client, si: server } = await startTestSi(t);
  const si = client();
  await t.rejects(si.submit(submitRequest(''), NO_SIGNAL), /idempotency key/);
  const big = Buffer.alloc(3 * 1024 * 1024, 0xff);
  await t.rejects(si.submit(submitRequest('0042-key-big', 'due', big), NO_SIGNAL), { kind: 'bad-answer', code: 'request-invalid', retryable: false });
  t.equal(server.requests.submit ?? 0, 0, 'nothing was sent');
});

t.test('request latency on loopback (measured)', async (t) => {
  const { client } = await startTestSi(t, { extraPersons: 200 });
  const times: Record<string, number[]> = {};
  const si = client({ onCall: (c) => (times[c.op] ??= []).push(c.ms) });
  const id = testPerson('due-2').identity.idNumber;
  for (let i = 0; i < 100; i++) await si.lookupPerson(id, NO_SIGNAL);
  for (let i = 0; i < 50; i++) await si.history(id, NO_SIGNAL);
  const { extraPerson } = await import('../../src/si-dev/store.js');
  for (let i = 0; i < 50; i++) {
    const p = extraPerson(i).person;
    await si.submit({ ...submitRequest(`0042-lat-${String(i).padStart(4, '0')}`), idNumber: p.idNumber, name: p.name, photo: Buffer.concat([jpeg(), Buffer.alloc(60_000, 7)]) }, NO_SIGNAL);
  }
  for (const [op, ms] of Object.entries(times)) {
    const sorted = [...ms].sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1);
    t.comment(`${op}: n=${ms.length} p50=${q(0.5)} ms p95=${q(0.95)} ms max=${q(1)} ms`);
    t.ok(Number(q(0.5)) < 200, `${op} answers well within its timeout`);
  }
});
