/**
 * bench/replay: sessions replayed per second without camera frames (issue target: ≥ 1000/s on the
 * 2-core dev machine). Each trace is parsed once, then replayed repeatedly through the full
 * composition root on the simulated clock. Peer column: real time (speed-up = simulated / wall).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTrace, replay } from '../src/trace/replay.js';
import type { Trace } from '../src/trace/format.js';

const DIR = join(import.meta.dirname, '..', 'test', 'traces');
const seconds = Number(process.env.BENCH_SECONDS ?? 3);

async function measure(traces: Trace[]): Promise<{ sessions: number; wallMs: number; simMs: number }> {
  let sessions = 0;
  let simMs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (const trace of traces) {
      const r = await replay(trace);
      if (r.mismatch) throw new Error(`bench trace failed: ${r.report}`);
      sessions += r.outputs.filter((o) => o.kind === 'session' && o.event === 'started').length;
      simMs += r.simulatedMs;
    }
  }
  return { sessions, wallMs: performance.now() - t0, simMs };
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort();
const all: Trace[] = [];
for (const f of files) {
  const trace = await loadTrace(join(DIR, f));
  if (!trace.inputs.some((i) => i.in === 'frame')) all.push(trace);
}
const happy = all.filter((t) => t.header.name === 'seed-happy-path');

// Warm-up: JIT and module caches, not measured.
await measure(happy.length ? happy : all.slice(0, 1));

const rows: Array<[string, number, { sessions: number; wallMs: number; simMs: number }]> = [];
if (happy.length) rows.push(['seed happy path', 1, await measure(happy)]);
rows.push([`whole corpus`, all.length, await measure(all)]);

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('workload', 18)} ${pad('traces', 7)} ${pad('sessions', 9)} ${pad('sessions/s', 11)} ${pad('target', 7)} speed-up vs real time`);
for (const [name, n, m] of rows) {
  const perSecond = (m.sessions / m.wallMs) * 1000;
  console.log(
    `${pad(name, 18)} ${pad(String(n), 7)} ${pad(String(m.sessions), 9)} ${pad(perSecond.toFixed(0), 11)} ${pad(perSecond >= 1000 ? 'met' : 'MISSED', 7)} ${(m.simMs / m.wallMs).toFixed(0)}x`,
  );
}
console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, node ${process.version}`);
