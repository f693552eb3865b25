/**
 * The fault matrix: every fault si-dev can inject, against the real HTTPS client, with what the
 * terminal must make of it (an SiError kind the machine judges, or an answer after a safe retry)
 * and what the SI saw (requests reached, submissions counted once).
 */
import t from 'tap';
import type { FaultInput } from '../../src/si-dev/faults.js';
import { SiError, type SubmitRequest } from '../../src/si-client/port.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { jpeg, NO_SIGNAL, SI_NOW, startTestSi } from './helpers.js';

const DUE = testPerson('due-2').identity;

interface ReadCase {
  name: string;
  faults: FaultInput[];
  client?: { clientCert?: 'rogue' | 'none'; timeoutMs?: number };
  /** 'ok', or the SiError expected. */
  expect: 'ok' | { kind: string; code?: string };
  /** Look-up requests the SI must have seen. */
  reached: number;
}

const READS: ReadCase[] = [
  { name: 'latency within the timeout', faults: [{ kind: 'latency', latencyMs: 150 }], expect: 'ok', reached: 1 },
  { name: 'latency past the timeout', faults: [{ kind: 'latency', latencyMs: 1_500 }], client: { timeoutMs: 300 }, expect: { kind: 'timeout', code: 'timeout' }, reached: 3 },
  { name: 'HTTP 503 on every try', faults: [{ kind: 'error', status: 503 }], expect: { kind: 'server', code: 'http-503' }, reached: 3 },
  { name: 'one HTTP 500, then fine', faults: [{ kind: 'error', status: 500, count: 1 }], expect: 'ok', reached: 2 },
  { name: 'HTTP 400 is not retried', faults: [{ kind: 'error', status: 400 }], expect: { kind: 'bad-answer', code: 'http-400' }, reached: 1 },
  { name: 'connection dropped on every try', faults: [{ kind: 'drop' }], expect: { kind: 'unreachable' }, reached: 3 },
  { name: 'one dropped connection, then fine', faults: [{ kind: 'drop', count: 1 }], expect: 'ok', reached: 2 },
  { name: 'truncated JSON', faults: [{ kind: 'malformed', body: 'truncated' }], expect: { kind: 'bad-answer', code: 'not-json' }, reached: 3 },
  { name: 'JSON of the wrong shape', faults: [{ kind: 'malformed', body: 'wrong-shape' }], expect: { kind: 'bad-answer', code: 'schema' }, reached: 3 },
  { name: 'an HTML error page with status 200', faults: [{ kind: 'malformed', body: 'html' }], expect: { kind: 'bad-answer', code: 'not-json' }, reached: 3 },
  { name: 'one malformed answer, then fine', faults: [{ kind: 'malformed', body: 'wrong-shape', count: 1 }], expect: 'ok', reached: 2 },
  { name: 'server certificate from another CA', faults: [{ kind: 'wrong-cert' }], expect: { kind: 'unreachable', code: 'tls' }, reached: 0 },
  { name: 'SI down (connection refused)', faults: [{ kind: 'down' }], expect: { kind: 'unreachable', code: 'ECONNREFUSED' }, reached: 0 },
  { name: 'terminal certificate from another CA', faults: [], client: { clientCert: 'rogue' }, expect: { kind: 'unreachable' }, reached: 0 },
  { name: 'no terminal certificate', faults: [], client: { clientCert: 'none' }, expect: { kind: 'unreachable' }, reached: 0 },
];

for (const c of READS) {
  t.test(`look-up, ${c.name}`, async (t) => {
    const { si, client } = await startTestSi(t);
    await si.setFaults(c.faults);
    const sentBefore = si.requests.lookup ?? 0;
    const started = performance.now();
    const result = await client(c.client ?? {})
      .lookupPerson(DUE.idNumber, NO_SIGNAL)
      .catch((e: unknown) => e);
    const ms = performance.now() - started;
    if (c.expect === 'ok') {
      t.match(result, { status: 'eligible' }, 'answered');
    } else {
      t.ok(result instanceof SiError, `an SiError (${(result as Error).message})`);
      t.match(result, c.expect);
    }
    t.equal((si.requests.lookup ?? 0) - sentBefore, c.reached, `the SI saw ${c.reached} look-up requests`);
    t.ok(ms < 8_000, `bounded: ${ms.toFixed(0)} ms`);
    if (c.faults.some((f) => f.kind === 'latency' && f.latencyMs === 150)) t.ok(ms >= 150, 'the latency was felt');
  });
}

t.test('every read operation maps a 503 to a server error and the same faults alike', async (t) => {
  const { si, client } = await startTestSi(t);
  await si.setFaults([{ kind: 'error', status: 503 }]);
  const c = client({ readAttempts: 1 });
  await t.rejects(c.resolveToken('ESSC-7Q2M-DUE', NO_SIGNAL), { name: 'SiError', kind: 'server' });
  await t.rejects(c.history(DUE.idNumber, NO_SIGNAL), { name: 'SiError', kind: 'server' });
  await t.rejects(c.lookupByCardNumber('F44060484', NO_SIGNAL), { name: 'SiError', kind: 'server' });
  await si.setFaults([{ kind: 'malformed', body: 'wrong-shape', ops: ['history'] }]);
  await t.rejects(client({ readAttempts: 1 }).history(DUE.idNumber, NO_SIGNAL), { kind: 'bad-answer', code: 'schema' });
  t.match(await client().resolveToken('ESSC-7Q2M-DUE', NO_SIGNAL), { idNumber: testPerson('due').identity.idNumber }, 'a fault on one operation spares the others');
});

t.test('the caller abandoning a call ends it at once as a timeout', async (t) => {
  const { si, client } = await startTestSi(t);
  await si.setFaults([{ kind: 'latency', latencyMs: 5_000 }]);
  const abort = new AbortController();
  setTimeout(() => abort.abort(), 100);
  const started = performance.now();
  await t.rejects(client().lookupPerson(DUE.idNumber, abort.signal), { kind: 'timeout', code: 'aborted' });
  t.ok(performance.now() - started < 2_000, 'not waiting for the slow SI');
});

function submission(key: string): SubmitRequest {
  return {
    idempotencyKey: key,
    idNumber: DUE.idNumber,
    name: DUE.name,
    photo: jpeg(),
    liveness: { actions: ['blink', 'nod'], failures: 0, restarts: 0, photoQuality: 0.95 },
    terminalNumber: '0042',
    at: SI_NOW,
  };
}

interface SubmitCase {
  name: string;
  faults: FaultInput[];
  expect: 'accepted' | { kind: string; code?: string };
  /** Times the request reached the SI's logic (deliveries) — always one submission. */
  deliveries: number;
}

const SUBMITS: SubmitCase[] = [
  { name: 'answer lost after the SI stored it (drop-after once)', faults: [{ kind: 'drop-after', count: 1 }], expect: 'accepted', deliveries: 2 },
  { name: 'answer lost on every try', faults: [{ kind: 'drop-after' }], expect: { kind: 'unreachable' }, deliveries: 2 },
  { name: 'one HTTP 503, then fine', faults: [{ kind: 'error', status: 503, count: 1 }], expect: 'accepted', deliveries: 1 },
  { name: 'one malformed answer after storing, then the stored answer', faults: [{ kind: 'malformed', body: 'truncated', count: 1 }], expect: 'accepted', deliveries: 2 },
  { name: 'slow answer after storing', faults: [{ kind: 'latency', latencyMs: 200 }], expect: 'accepted', deliveries: 1 },
];

for (const c of SUBMITS) {
  t.test(`submit, ${c.name}: counted once at the SI`, async (t) => {
    const { si, client, store } = await startTestSi(t);
    await si.setFaults(c.faults);
    const result = await client()
      .submit(submission('0042-matrix-0001'), NO_SIGNAL)
      .catch((e: unknown) => e);
    if (c.expect === 'accepted') t.match(result, { outcome: 'accepted', receiptNo: 'SI00000001' });
    else t.match(result, c.expect);
    const subs = store.submissions();
    t.equal(subs.length, 1, 'one submission stored');
    t.equal(subs[0]?.deliveries, c.deliveries, `reached the SI ${c.deliveries} times`);
    // Whatever happened, a later resend with the same key gets the first answer and changes nothing.
    await si.setFaults([]);
    t.match(await client().submit(submission('0042-matrix-0001'), NO_SIGNAL), { outcome: 'accepted', receiptNo: 'SI00000001' });
    t.equal(store.submissions().length, 1, 'still one');
  });
}

t.test('faults switch at run time through the admin API, drawn from a seeded generator', async (t) => {
  const draws = async (seed: number) => {
    const { si, client } = await startTestSi(t, { seed });
    const res = await fetch(new URL('/faults', si.adminUrl), { method: 'PUT', body: JSON.stringify([{ kind: 'error', rate: 0.5, status: 502 }]) });
    t.equal(res.status, 200);
    const c = client({ readAttempts: 1 });
    const outcomes: string[] = [];
    for (let i = 0; i < 16; i++) outcomes.push(await c.lookupPerson(DUE.idNumber, NO_SIGNAL).then(() => 'ok', (e: SiError) => e.code));
    await fetch(new URL('/faults', si.adminUrl), { method: 'DELETE' });
    t.match(await c.lookupPerson(DUE.idNumber, NO_SIGNAL), { status: 'eligible' }, 'cleared');
    return outcomes.join(',');
  };
  const a = await draws(7);
  const b = await draws(7);
  t.equal(a, b, 'the same seed hits the same requests');
  t.match(a, /ok/);
  t.match(a, /http-502/);
  const bad = await startTestSi(t);
  const res = await fetch(new URL('/faults', bad.si.adminUrl), { method: 'PUT', body: JSON.stringify([{ kind: 'flood' }]) });
  t.equal(res.status, 400, 'an unknown fault is refused with a message');
  t.match(await res.text(), /kind/);
});
