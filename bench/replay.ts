/**
 * bench/replay: device-trace sessions replayed per second, without camera frames (issue target:
 * ≥ 1000/s on this 2-core machine). Every trace in test/traces is parsed once and replayed over and
 * over through the full composition root on the simulated clock, first on one thread, then on one
 * worker thread per core. Peer column: real time (speed-up = simulated time / wall time).
 *   npm run bench:replay            BENCH_SECONDS=N to measure longer (default 3)
 */
import { availableParallelism } from 'node:os';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { Trace } from '../src/trace/format.js';
import { loadTrace, replay } from '../src/trace/replay.js';

const DIR = join(import.meta.dirname, '..', 'test', 'traces');
const seconds = Number(process.env.BENCH_SECONDS ?? 3);

interface Measure {
  sessions: number;
  wallMs: number;
  simMs: number;
}

async function corpus(only?: string): Promise<Trace[]> {
  const traces: Trace[] = [];
  for (const f of readdirSync(DIR).filter((f) => f.endsWith('.jsonl')).sort()) {
    const trace = await loadTrace(join(DIR, f));
    if (trace.inputs.some((i) => i.in === 'frame')) continue;
    if (!only || trace.header.name === only) traces.push(trace);
  }
  return traces;
}

async function measure(traces: Trace[], ms: number): Promise<Measure> {
  let sessions = 0;
  let simMs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (const trace of traces) {
      const r = await replay(trace);
      if (r.mismatch) throw new Error(`bench trace failed: ${r.report}`);
      sessions += r.outputs.filter((o) => o.kind === 'session' && o.event === 'started').length;
      simMs += r.simulatedMs;
    }
  }
  return { sessions, wallMs: performance.now() - t0, simMs };
}

async function inWorkers(n: number, only: string | undefined): Promise<Measure> {
  const results = await Promise.all(
    Array.from({ length: n }, () => {
      // Workers do not inherit tsx's loader: register it, then load this file in the worker.
      const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const worker = new Worker(boot, { eval: true, workerData: { only, ms: seconds * 1000 } });
      return new Promise<Measure>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    }),
  );
  return {
    sessions: results.reduce((a, r) => a + r.sessions, 0),
    wallMs: Math.max(...results.map((r) => r.wallMs)),
    simMs: results.reduce((a, r) => a + r.simMs, 0),
  };
}

if (!isMainThread) {
  const { only, ms } = workerData as { only?: string; ms: number };
  const traces = await corpus(only);
  await measure(traces, 300); // warm-up
  parentPort!.postMessage(await measure(traces, ms));
} else {
  const cores = availableParallelism();
  const all = await corpus();
  const happy = all.filter((t) => t.header.name === 'seed-happy-path');
  await measure(all, 500); // warm-up: JIT and module caches, not measured

  const rows: Array<[string, string, Measure]> = [
    ['seed happy path', '1', await measure(happy, seconds * 1000)],
    [`whole corpus (${all.length})`, '1', await measure(all, seconds * 1000)],
    ['seed happy path', String(cores), await inWorkers(cores, 'seed-happy-path')],
    [`whole corpus (${all.length})`, String(cores), await inWorkers(cores, undefined)],
  ];
  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`${pad('workload', 20)} ${pad('threads', 8)} ${pad('sessions', 9)} ${pad('sessions/s', 11)} ${pad('vs target 1000/s', 17)} speed-up vs real time`);
  for (const [name, threads, m] of rows) {
    const perSecond = (m.sessions / m.wallMs) * 1000;
    console.log(
      `${pad(name, 20)} ${pad(threads, 8)} ${pad(String(m.sessions), 9)} ${pad(perSecond.toFixed(0), 11)} ${pad((perSecond / 1000).toFixed(2) + 'x', 17)} ${(m.simMs / m.wallMs).toFixed(0)}x`,
    );
  }
  console.log(`main thread rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, node ${process.version}, ${cores} cores`);
}
