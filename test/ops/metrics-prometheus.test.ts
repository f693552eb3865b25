/**
 * The real engine: Debian's prometheus scrapes a running sim-profile daemon (`lifecheck run`)
 * every second, with the shipped alert rules loaded; one session is driven through the debug REPL
 * on the paused terminal clock, and the counters are read back through Prometheus's query API.
 * Then the printer runs out of paper and the real rule engine takes LifecheckPrinterOutOfPaper
 * to pending. Every wait polls a condition with a deadline.
 */
import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'unix-dgram';
import { BIN, eventually, freePorts, repl, ROOT, until } from '../helpers.js';

// About 23 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 120 s.
t.setTimeout(120_000);

const RULES = join(ROOT, 'ops', 'prometheus', 'lifecheck-rules.yml');
const noPrometheus = spawnSync('prometheus', ['--version']).status !== 0;

function spawnLogged(t: Test, command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; log: () => string } {
  let log = '';
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, log: () => log };
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));

t.test('Prometheus scrapes a running daemon and reads back one session driven through the REPL', { skip: noPrometheus ? 'prometheus is not installed (apt prometheus, scripts/apt-packages.txt)' : false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const socket = join(dir, 'repl.sock');
  const [metricsPort, promPort] = (await freePorts(2)) as [number, number];
  const daemon = spawnLogged(t, process.execPath, [BIN, 'run', '--vision', 'scripted'], {
    cwd: dir,
    env: { ...process.env, LIFECHECK_REPL_SOCKET: socket, LIFECHECK_METRICS_LISTEN: `127.0.0.1:${metricsPort}`, LIFECHECK_TERMINAL_NUMBER: '0042', LIFECHECK_LOG_LEVEL: 'info' },
  });
  await until(() => existsSync(socket), 20_000, 'the REPL socket');
  await eventually(async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok, 10_000, 'the daemon serving /metrics');

  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(RULES)}]`,
      'scrape_configs:',
      '  - job_name: lifecheck',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${metricsPort}"]`,
      '        labels: { terminal: "0042", hall: test-hall }',
      '',
    ].join('\n'),
  );
  const prometheus = spawnLogged(t, 'prometheus', ['--config.file=prometheus.yml', `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { cwd: dir });
  const api = `http://127.0.0.1:${promPort}/api/v1`;
  /** One instant query; the samples' labels and values. */
  const query = async (q: string): Promise<Array<{ metric: Record<string, string>; value: number }>> => {
    const r = (await (await fetch(`${api}/query?query=${encodeURIComponent(q)}`)).json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    if (r.status !== 'success') throw new Error(`query ${q}: ${JSON.stringify(r)}`);
    return r.data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  };
  const scalar = async (q: string) => (await query(q))[0]?.value;
  await eventually(async () => (await scalar('up{job="lifecheck"}')) === 1, 30_000, 'Prometheus to scrape the terminal (up == 1)');
  const up = await query('up{job="lifecheck"}');
  t.same(up[0]!.metric, { __name__: 'up', job: 'lifecheck', instance: `127.0.0.1:${metricsPort}`, terminal: '0042', hall: 'test-hall' }, 'the target carries its terminal number');
  t.equal(await scalar('lifecheck_sessions_total{outcome="accepted"}'), 0, 'no session yet: the counter is there at zero');
  const rules = (await (await fetch(`${api}/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> } };
  const loaded = rules.data.groups.flatMap((g) => g.rules);
  const shipped = readFileSync(join(ROOT, 'ops', 'prometheus', 'lifecheck-rules.yml'), 'utf8').match(/^\s+- alert: /gm)!.length;
  t.ok(shipped >= 8, `${shipped} alerts shipped`);
  t.equal(loaded.length, shipped, 'the shipped rules are all loaded');
  await eventually(async () => {
    const r = (await (await fetch(`${api}/rules`)).json()) as typeof rules;
    return r.data.groups.flatMap((g) => g.rules).every((x) => x.health === 'ok');
  }, 15_000, 'every rule evaluated without error');

  // One whole session on the paused clock: each step moves terminal time, so its durations are known.
  const first = await repl(socket, ['pause', 'send ui.start', 'inject card due', 'step 1000', 'send ui.enter', 'step 1000', 'send ui.apply', 'step 1000', 'send ui.agree', 'step 1000', 'inject vision faceReady', 'step 1000', 'state']);
  t.ok(first.every((r) => r.ok), JSON.stringify(first.filter((r) => !r.ok)));
  const state = first.at(-1)!.result;
  t.equal(state.screen, 'capture');
  const [a1, a2] = state.session.challenge.actions as string[];
  const second = await repl(socket, [
    `inject vision actionPassed ${a1}`,
    'step 1000',
    `inject vision actionPassed ${a2}`,
    'step 1000',
    'inject vision photo',
    'step 1000',
    'state',
    'send ui.submit',
    'step 1000',
    'step 5000',
    'state',
    'send ui.exit',
    'step 1000',
    'state',
    'resume',
  ]);
  t.ok(second.every((r) => r.ok), JSON.stringify(second.filter((r) => !r.ok)));
  t.equal(second[6]!.result.screen, 'captured');
  t.equal(second[10]!.result.screen, 'result');
  t.equal(second[10]!.result.session.result.outcome, 'accepted');
  t.equal(second.at(-2)!.result.screen, 'home');

  await eventually(async () => (await scalar('lifecheck_sessions_total{outcome="accepted"}')) === 1, 20_000, 'the accepted session in Prometheus');
  t.equal(await scalar('sum(lifecheck_sessions_total)'), 1, 'one session in all');
  t.equal(await scalar('sum(lifecheck_actions_total{result="passed"})'), 2, 'both actions passed');
  t.equal(await scalar('lifecheck_capture_duration_seconds_count'), 1);
  // Terminal time, stepped: 同意 at 3 s, the photo at 7 s, 退出 at 14 s.
  // Monotonic times are fractional milliseconds: their differences carry float error (3.9999999999999982).
  const close = (x: number | undefined, want: number) => x !== undefined && Math.abs(x - want) < 1e-6;
  const capture = await scalar('lifecheck_capture_duration_seconds_sum');
  t.ok(close(capture, 4), `capture screen to photo: 4 s (${capture})`);
  const session = await scalar('lifecheck_session_duration_seconds_sum');
  t.ok(close(session, 14), `start to home: 14 s (${session})`);
  t.equal(await scalar('lifecheck_receipts_total{result="printed"}'), 1);
  t.equal(await scalar('lifecheck_si_request_duration_seconds_count{op="lookup",result="ok"}'), 1);
  t.equal(await scalar('lifecheck_si_request_duration_seconds_count{op="submit",result="ok"}'), 1);
  t.equal(await scalar('lifecheck_outbox_pending'), 0);
  t.equal(await scalar('lifecheck_device_up{device="printer"}'), 1);
  const build = await query('lifecheck_build_info');
  t.match(build[0]!.metric, { profile: 'sim', terminal: '0042', version: /^\d+\.\d+\.\d+$/ });
  t.ok((await scalar('lifecheck_scrapes_total'))! >= 1, 'the daemon counts its scrapes');
  t.ok((await scalar('process_resident_memory_bytes'))! > 10e6, 'process metrics');

  // The printer runs out of paper: the gauges say so and the real rule engine takes the alert to pending.
  const fault = await repl(socket, ['send device.fault {"device":"printer","reason":"paper-out"}']);
  t.ok(fault[0]!.ok);
  await eventually(async () => (await scalar('lifecheck_device_problem{device="printer",problem="paper_out"}')) === 1, 20_000, 'the paper-out problem in Prometheus');
  t.equal(await scalar('lifecheck_device_up{device="printer"}'), 0);
  const alert = await eventually(async () => {
    const r = (await (await fetch(`${api}/alerts`)).json()) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } };
    return r.data.alerts.find((a) => a.labels.alertname === 'LifecheckPrinterOutOfPaper');
  }, 20_000, 'LifecheckPrinterOutOfPaper to be pending');
  t.match(alert, { state: 'pending', labels: { terminal: '0042', hall: 'test-hall', device: 'printer', problem: 'paper_out', severity: 'ticket' } });

  // Nothing personal went out: not the test person's name or ID number.
  const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  t.notOk(exposition.includes('陈秀英') || exposition.includes('440604194803150220'), 'no personal data in /metrics');

  prometheus.child.kill('SIGTERM');
  daemon.child.kill('SIGTERM');
  t.equal(await exited(daemon.child), 0, 'the daemon stops cleanly with metrics on');
  await exited(prometheus.child);
  t.match(daemon.log(), /"msg":"metrics: serving \/metrics"/);
});

t.test('a taken metrics port: the daemon logs the key, serves people, and says so in its status', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const blocker = createServer();
  const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
  t.teardown(() => blocker.close());
  const socket = join(dir, 'repl.sock');
  const notify = join(dir, 'notify.sock');
  const messages: string[] = [];
  const receiver = createSocket('unix_dgram', (msg) => messages.push(msg.toString()));
  receiver.bind(notify);
  t.teardown(() => receiver.close());
  const daemon = spawnLogged(t, process.execPath, [BIN, 'run', '--vision', 'scripted'], { cwd: dir, env: { ...process.env, LIFECHECK_REPL_SOCKET: socket, LIFECHECK_METRICS_LISTEN: `127.0.0.1:${port}`, NOTIFY_SOCKET: notify } });
  await until(() => daemon.log().includes('ops.metrics.listen'), 20_000, 'the error naming the key');
  t.match(daemon.log(), new RegExp(`ops\\.metrics\\.listen: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another program \\(EADDRINUSE\\)`));
  await until(() => existsSync(socket), 20_000, 'the REPL socket');
  const r = await repl(socket, ['send ui.start', 'state']);
  t.equal(r[1]!.result.screen, 'identify', 'the terminal serves people without metrics');
  await until(() => messages.some((m) => m.includes('READY=1')), 10_000, 'READY=1');
  t.match(messages.find((m) => m.includes('READY=1')), /STATUS=screen \w+; outbox 0 pending; no \/metrics \(see the log\)/, 'systemctl status says metrics are off');
  daemon.child.kill('SIGTERM');
  t.equal(await exited(daemon.child), 0);
});
