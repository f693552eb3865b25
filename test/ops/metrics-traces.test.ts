/**
 * The fleet metrics watching every trace of the corpus, replayed: no personal data in the
 * exposition (test persons' names, ID numbers, tokens, card numbers, and every receipt number the
 * terminal produced), every lifecheck label value from its fixed list, one session counted per
 * session ended, and what chosen traces must count.
 */
import t from 'tap';
import { Gauge } from 'prom-client';
import { TerminalMetrics, DEVICE_PROBLEMS, SI_OPS, SI_RESULTS } from '../../src/ops/metrics.js';
import { ACTION_RESULTS, CAPTURE_FAILURES, RECEIPT_RESULTS, SESSION_OUTCOMES } from '../../src/ops/session-tally.js';
import { DEVICE_IDS } from '../../src/machine/types.js';
import { TEST_PERSONS } from '../../src/si-client/test-persons.js';
import { loadTrace, replay } from '../../src/trace/replay.js';
import { ACTIONS } from '../../src/vision/port.js';
import { traceFiles } from '../helpers.js';

const ALLOWED: Record<string, readonly string[]> = {
  device: DEVICE_IDS,
  problem: DEVICE_PROBLEMS,
  outcome: SESSION_OUTCOMES,
  reason: CAPTURE_FAILURES,
  action: ACTIONS,
  op: SI_OPS,
  profile: ['sim', 'hardware'],
};
/** `result` is shared by three metrics, each with its own list. */
const RESULTS: Record<string, readonly string[]> = {
  lifecheck_actions_total: ACTION_RESULTS,
  lifecheck_receipts_total: RECEIPT_RESULTS,
  lifecheck_si_request_duration_seconds: SI_RESULTS,
};

/** Every personal value a test person carries, and what traces bring in themselves. */
function personalValues(): Set<string> {
  const values = new Set<string>();
  for (const p of TEST_PERSONS) {
    values.add(p.identity.name);
    values.add(p.identity.idNumber);
    if (p.token) values.add(p.token);
    if (p.sscCardNumber) values.add(p.sscCardNumber);
  }
  return values;
}

function collectStrings(value: unknown, into: Set<string>, keys: RegExp): void {
  if (Array.isArray(value)) for (const v of value) collectStrings(v, into, keys);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (keys.test(k) && typeof v === 'string' && v.length >= 2) into.add(v);
      else collectStrings(v, into, keys);
    }
  }
}

const PERSONAL_KEYS = /^(name|idNumber|token|cardNumber|sscCardNumber|receiptNo|qr)$/;

/** Label values of lifecheck_* samples that are not in their fixed list. */
function strayLabels(exposition: string): string[] {
  const stray: string[] = [];
  for (const line of exposition.split('\n')) {
    const m = /^(lifecheck_\w+?)(?:_bucket|_sum|_count)?\{([^}]*)\}/.exec(line);
    if (!m) continue;
    const family = m[1]!.replace(/_(bucket|sum|count)$/, '');
    for (const [, name, value] of m[2]!.matchAll(/(\w+)="([^"]*)"/g)) {
      if (name === 'le' || name === 'version') continue;
      const allowed = name === 'result' ? RESULTS[family] : ALLOWED[name!];
      if (!allowed || !allowed.includes(value!)) stray.push(`${family} ${name}="${value}"`);
    }
  }
  return stray;
}

/** Sample values from the exposition, keyed `name{label=value,...}` (labels sorted, buckets left out). */
async function counts(metrics: TerminalMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await metrics.exposition()).split('\n')) {
    const m = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1]!.endsWith('_bucket')) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, k, v]) => `${k}=${v}`).sort().join(',');
    out.set(labels ? `${m[1]}{${labels}}` : m[1]!, Number(m[3]));
  }
  return out;
}

/** Personal values found in the exposition (masked fragments like 陈** are not values). */
function leaks(exposition: string, personal: Set<string>): string[] {
  return [...personal].filter((p) => !p.includes('*') && exposition.includes(p));
}

const files = traceFiles();

t.test('the checks find a planted name, ID number and label value', async (t) => {
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ACTIONS, processMetrics: false });
  const p = TEST_PERSONS[0]!.identity;
  new Gauge({ name: 'lifecheck_planted', help: 'a leak', labelNames: ['device'], registers: [metrics.registry] }).set({ device: `${p.name}/${p.idNumber}` }, 1);
  const exposition = await metrics.exposition();
  t.same(leaks(exposition, personalValues()), [p.name, p.idNumber]);
  t.same(strayLabels(exposition), [`lifecheck_planted device="${p.name}/${p.idNumber}"`]);
});

t.test('every trace, replayed with metrics on: no personal data, only fixed label values, one count per session', async (t) => {
  // One registry for the whole corpus, as one daemon would keep it (process metrics included).
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ACTIONS });
  const personal = personalValues();
  let sessionsEnded = 0;
  for (const file of files) {
    const trace = await loadTrace(file);
    collectStrings(trace.inputs, personal, PERSONAL_KEYS);
    const result = await replay(trace, { observer: metrics });
    t.equal(result.report, null, `${trace.header.name} still replays`);
    collectStrings(result.outputs, personal, PERSONAL_KEYS);
    sessionsEnded += result.outputs.filter((o) => o.kind === 'session' && o.event === 'ended').length;
    const exposition = await metrics.exposition();
    t.same(leaks(exposition, personal), [], `${trace.header.name}: no personal value in the exposition`);
    t.same(strayLabels(exposition), [], `${trace.header.name}: every label value from its list`);
  }
  t.ok(personal.size > TEST_PERSONS.length * 2, `${personal.size} personal values looked for`);
  t.ok([...personal].some((p) => /^SI\d{8}$/.test(p)), 'receipt numbers the SI gave are among them');
  const c = await counts(metrics);
  const counted = SESSION_OUTCOMES.reduce((n, outcome) => n + (c.get(`lifecheck_sessions_total{outcome=${outcome}}`) ?? 0), 0);
  t.ok(sessionsEnded > 40, `${sessionsEnded} sessions in the corpus`);
  t.equal(counted, sessionsEnded, 'every session ended is counted once');
  t.equal(c.get('lifecheck_session_duration_seconds_count'), sessionsEnded);
  for (const outcome of SESSION_OUTCOMES) t.ok((c.get(`lifecheck_sessions_total{outcome=${outcome}}`) ?? 0) > 0, `the corpus has a session ending ${outcome}`);
  for (const reason of CAPTURE_FAILURES) t.ok((c.get(`lifecheck_capture_failures_total{reason=${reason}}`) ?? 0) > 0, `the corpus has a capture failing: ${reason}`);
  for (const result of ACTION_RESULTS) {
    const n = ACTIONS.reduce((sum, action) => sum + (c.get(`lifecheck_actions_total{action=${action},result=${result}}`) ?? 0), 0);
    t.ok(n > 0, `the corpus has an action ${result}`);
  }
});

/** What one trace, replayed alone, counts. */
async function countsOf(name: string): Promise<Map<string, number>> {
  const file = files.find((f) => f.endsWith(`/${name}.jsonl`));
  if (!file) throw new Error(`no trace ${name}`);
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ACTIONS, processMetrics: false });
  const result = await replay(await loadTrace(file), { observer: metrics });
  if (result.report) throw new Error(result.report);
  return counts(metrics);
}

t.test('the happy path: one accepted session, two actions passed, a photo, a printed receipt, SI look-up and submit ok', async (t) => {
  const c = await countsOf('seed-happy-path');
  t.equal(c.get('lifecheck_sessions_total{outcome=accepted}'), 1);
  const passed = ACTIONS.reduce((n, a) => n + (c.get(`lifecheck_actions_total{action=${a},result=passed}`) ?? 0), 0);
  t.equal(passed, 2);
  t.equal(c.get('lifecheck_capture_duration_seconds_count'), 1);
  t.ok(c.get('lifecheck_capture_duration_seconds_sum')! > 0, 'capture time on the trace clock');
  t.equal(c.get('lifecheck_receipts_total{result=printed}'), 1);
  t.equal(c.get('lifecheck_si_request_duration_seconds_count{op=lookup,result=ok}'), 1);
  t.equal(c.get('lifecheck_si_request_duration_seconds_count{op=submit,result=ok}'), 1);
  t.ok(c.get('lifecheck_session_duration_seconds_sum')! > 10, 'the session took its simulated seconds');
  t.equal(c.get('lifecheck_outbox_pending'), 0);
});

t.test('printer out of paper: the receipt is counted as paper_out', async (t) => {
  const c = await countsOf('printer-paper-out');
  t.equal(c.get('lifecheck_receipts_total{result=paper_out}'), 1);
  t.equal(c.get('lifecheck_sessions_total{outcome=accepted}'), 1, 'the verification itself succeeded');
});

t.test('SI failures count by kind; a queued submission leaves the outbox pending with an age', async (t) => {
  const down = await countsOf('lookup-si-down-retry');
  t.ok((down.get('lifecheck_si_request_duration_seconds_count{op=lookup,result=unreachable}') ?? 0) >= 1);
  const queued = await countsOf('submit-si-unreachable-queued');
  t.equal(queued.get('lifecheck_sessions_total{outcome=queued}'), 1);
});

t.test('action timeouts, faces never found, and sessions that time out', async (t) => {
  const once = await countsOf('action-timeout-once');
  t.ok(ACTIONS.some((a) => (once.get(`lifecheck_actions_total{action=${a},result=timeout}`) ?? 0) === 1), 'one action timed out once');
  const noFace = await countsOf('face-never-found');
  t.equal(noFace.get('lifecheck_capture_failures_total{reason=no_face}'), 1);
  const timeouts = await countsOf('countdown-timeouts');
  t.ok((timeouts.get('lifecheck_sessions_total{outcome=timeout}') ?? 0) >= 1);
});
