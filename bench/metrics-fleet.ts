/**
 * bench/metrics-fleet: a fleet on one box. N sim-profile daemons (`lifecheck run`, each its own
 * process with its own REPL socket and /metrics port) are scraped by one Debian `prometheus` every
 * 5 s, with the shipped alert rules loaded, while each runs sessions through its debug REPL (paused
 * terminal clock, stepped: a session takes milliseconds of real time, so each terminal serves one
 * every few seconds — far busier than a real hall). Reports, from Prometheus itself:
 * scrape duration p50/p95/max, the daemons' CPU spent serving /metrics (per scrape and as a share
 * of their CPU), samples per scrape (= series per terminal) and how many are lifecheck_* ones.
 *
 *   npm run bench:metrics          BENCH_TERMINALS=N (default 40), BENCH_SECONDS=S (default 180)
 * Needs `make build` (the daemons run dist/) and apt prometheus.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ReplConnection } from '../src/ops/repl-client.js';
import { eventually, freePorts } from '../test/helpers.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'lifecheck.js');
const RULES = join(ROOT, 'ops', 'prometheus', 'lifecheck-rules.yml');
const N = Number(process.env.BENCH_TERMINALS ?? 40);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 180);
const SCRAPE_S = 5;
/** Test persons in turn: first verifications, then already verified, not eligible, an expired card… */
const PERSONS = ['due', 'due-2', 'verified', 'not-retiree', 'unknown', 'suspended', 'expired-card'];

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Daemon {
  number: string;
  socket: string;
  port: number;
  child: ChildProcess;
}

type Reply = { ok: boolean; result?: any; error?: string };

/** One session through the REPL, as far as the person gets; back on the home screen at the end. */
async function session(conn: ReplConnection, person: string, fault: string | null): Promise<void> {
  const run = async (line: string): Promise<any> => {
    const r: Reply = await conn.run(line);
    if (!r.ok) throw new Error(`${line}: ${r.error}`);
    return r.result;
  };
  const step = (ms = 1000) => run(`step ${ms}`);
  const screen = async () => (await run('state')) as { screen: string; session: { challenge: { actions: string[] } } };
  if (fault) await run(fault);
  await run('send ui.start');
  await run(`inject card ${person}`);
  await step();
  let s = await screen();
  if (s.screen === 'confirm') {
    await run('send ui.enter');
    await step();
    s = await screen();
  }
  if (s.screen === 'service') {
    await run('send ui.apply');
    await step();
    s = await screen();
    if (s.screen === 'consent') {
      await run('send ui.agree');
      await step();
      await run('inject vision faceReady');
      await step();
      for (const action of (await screen()).session.challenge.actions) {
        await run(`inject vision actionPassed ${action}`);
        await step();
      }
      await run('inject vision photo');
      await step();
      await run('send ui.submit');
      await step(6000);
    } else {
      // Already verified: look at the history instead.
      await run('send ui.history');
      await step();
    }
  }
  if ((await screen()).screen !== 'home') {
    await run('send ui.home');
    await step();
  }
  // A busy screen (submitting, printing) ignores 返回首页: the countdown takes it home.
  if ((await screen()).screen !== 'home') await step(300_000);
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('build first: make build (the daemons run dist/)');
  if (spawnSync('prometheus', ['--version']).status !== 0) throw new Error('prometheus is not installed: apt-get install prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'lc-fleet-'));
  const daemons: Daemon[] = [];
  let prometheus: ChildProcess | null = null;
  const stopAll = async () => {
    const all = [...daemons.map((d) => d.child), ...(prometheus ? [prometheus] : [])];
    for (const c of all) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(all.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
  };
  try {
    process.stderr.write(`starting ${N} sim-profile daemons…\n`);
    const started = performance.now();
    const ports = await freePorts(N + 1);
    const promPort = ports.pop()!;
    for (let i = 0; i < N; i++) {
      const number = String(i + 1).padStart(4, '0');
      const socket = join(dir, `t${number}.sock`);
      const port = ports[i]!;
      const log = createWriteStream(join(dir, `t${number}.log`));
      const child = spawn(process.execPath, [BIN, 'run', '--vision', 'scripted'], {
        cwd: dir,
        env: { ...process.env, LIFECHECK_REPL_SOCKET: socket, LIFECHECK_METRICS_LISTEN: `127.0.0.1:${port}`, LIFECHECK_TERMINAL_NUMBER: number, LIFECHECK_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.pipe(log);
      child.stderr!.pipe(log);
      daemons.push({ number, socket, port, child });
    }
    for (const d of daemons) {
      await eventually(async () => existsSync(d.socket) && (await fetch(`http://127.0.0.1:${d.port}/metrics`)).ok, 180_000, `terminal ${d.number} to serve /metrics`);
    }
    process.stderr.write(`${N} daemons up in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

    const targets = daemons.map((d) => `      - targets: ["127.0.0.1:${d.port}"]\n        labels: { terminal: "${d.number}", hall: bench }`).join('\n');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global: { scrape_interval: ${SCRAPE_S}s, evaluation_interval: ${SCRAPE_S}s }\nrule_files: [${JSON.stringify(RULES)}]\nscrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ["127.0.0.1:${promPort}"]\n  - job_name: lifecheck\n    static_configs:\n${targets}\n`,
    );
    prometheus = spawn('prometheus', ['--config.file=prometheus.yml', `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { cwd: dir, stdio: 'ignore' });
    const api = `http://127.0.0.1:${promPort}/api/v1`;
    const query = async (q: string, at?: number): Promise<Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }>> => {
      const r = (await (await fetch(`${api}/query?query=${encodeURIComponent(q)}${at ? `&time=${at}` : ''}`)).json()) as { status: string; error?: string; data: { result: any[] } };
      if (r.status !== 'success') throw new Error(`${q}: ${r.error}`);
      return r.data.result;
    };
    const scalar = async (q: string, at?: number) => Number((await query(q, at))[0]?.value?.[1] ?? NaN);
    // Distinct ports, so every target up means every daemon serves its own /metrics.
    await eventually(async () => (await scalar('count(up{job="lifecheck"} == 1)')) === N, 60_000, 'every terminal scraped');

    process.stderr.write(`running sessions for ${SECONDS} s…\n`);
    const from = Date.now() / 1000;
    const deadline = Date.now() + SECONDS * 1000;
    let sessions = 0;
    let failures = 0;
    await Promise.all(
      daemons.map(async (d, i) => {
        const conn = await ReplConnection.open(d.socket);
        await conn.run('pause');
        let k = i;
        while (Date.now() < deadline) {
          const fault = k % 9 === 4 ? 'inject si lookup unreachable' : k % 11 === 7 ? 'send device.fault {"device":"printer","reason":"paper-out"}' : k % 11 === 8 ? 'send device.ok {"device":"printer"}' : null;
          try {
            await session(conn, PERSONS[k % PERSONS.length]!, fault);
            sessions++;
          } catch (e) {
            failures++;
            process.stderr.write(`terminal ${d.number}: ${(e as Error).message}\n`);
          }
          k++;
          // Pacing between sessions: a person walks up every 1-3 s (load shaping, not a wait for anything).
          await new Promise((r) => setTimeout(r, 1000 + ((k * 7919) % 2000)));
        }
        await conn.run('resume');
        conn.close();
      }),
    );
    // One more scrape of every terminal after the last session.
    const to = Date.now() / 1000;
    await eventually(async () => (await scalar('min(timestamp(up{job="lifecheck"}))')) > to, 30_000, 'a scrape after the last session');
    const at = Date.now() / 1000;
    const window = `${Math.ceil(at - from)}s`;

    const durations = (await query(`scrape_duration_seconds{job="lifecheck"}[${window}]`, at)).flatMap((s) => s.values!.map(([, v]) => Number(v) * 1000)).sort((a, b) => a - b);
    const perTerminal = async (q: string) => (await query(q, at)).map((s) => Number(s.value![1])).sort((a, b) => a - b);
    const samples = await perTerminal(`max_over_time(scrape_samples_scraped{job="lifecheck"}[${window}])`);
    const lifecheckSeries = await perTerminal('count by (terminal) ({job="lifecheck", __name__=~"lifecheck_.+"})');
    const cpuPerScrape = (await perTerminal(`increase(lifecheck_scrape_cpu_seconds_total[${window}]) / increase(lifecheck_scrapes_total[${window}])`)).map((s) => s * 1000);
    const cpuShare = (await perTerminal(`increase(lifecheck_scrape_cpu_seconds_total[${window}]) / increase(process_cpu_seconds_total{job="lifecheck"}[${window}])`)).map((s) => s * 100);
    const daemonCpu = (await perTerminal(`rate(process_cpu_seconds_total{job="lifecheck"}[${window}])`)).map((s) => s * 100);
    const rss = (await perTerminal('process_resident_memory_bytes{job="lifecheck"}')).map((b) => b / 2 ** 20);
    // The daemons started at zero: their counters at the end are the run's totals.
    const counted = await scalar('sum(lifecheck_sessions_total)', at);
    const outcomes = (await query('sum by (outcome) (lifecheck_sessions_total)', at))
      .map((s) => [s.metric.outcome!, Math.round(Number(s.value![1]))] as const)
      .filter(([, n]) => n > 0)
      .map(([o, n]) => `${o} ${n}`)
      .join(', ');
    const promRss = (await scalar('process_resident_memory_bytes{job="prometheus"}', at)) / 2 ** 20;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const f = (x: number, d = 2) => x.toFixed(d);

    const date = new Date().toISOString().slice(0, 10);
    const rows: Array<[string, string]> = [
      ['terminals (sim daemons) × scrape interval', `${N} × ${SCRAPE_S} s, ${Math.round(at - from)} s run`],
      ['sessions driven (REPL) / counted by Prometheus', `${sessions} / ${Math.round(counted)} (${outcomes})${failures ? `; ${failures} driver errors` : ''}`],
      ['scrapes of terminals in the run', `${durations.length} (${f(durations.length / N, 0)} per terminal)`],
      ['scrape duration p50 / p95 / max', `${f(percentile(durations, 50))} / ${f(percentile(durations, 95))} / ${f(durations.at(-1)!)} ms`],
      ['daemon CPU per /metrics served: mean / p95 over terminals', `${f(mean(cpuPerScrape))} / ${f(percentile(cpuPerScrape, 95))} ms`],
      ['share of the daemon CPU spent on /metrics (median)', `${f(percentile(cpuShare, 50), 1)} %`],
      ['daemon CPU, all of it (median, while running sessions)', `${f(percentile(daemonCpu, 50), 1)} % of a core`],
      ['series per terminal (samples per scrape): min / max', `${samples[0]} / ${samples.at(-1)}`],
      ['  of which lifecheck_*: min / max', `${lifecheckSeries[0]} / ${lifecheckSeries.at(-1)}`],
      ['daemon RSS (median) / Prometheus RSS', `${f(percentile(rss, 50), 0)} MiB / ${f(promRss, 0)} MiB`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`bench:metrics ${date} — ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, prometheus ${/version (\S+)/.exec(spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).stdout)?.[1]}\n`);
    process.stdout.write(`| ${'measure'.padEnd(width)} | value |\n| ${'-'.repeat(width)} | --- |\n`);
    for (const [k, v] of rows) process.stdout.write(`| ${k.padEnd(width)} | ${v} |\n`);
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
