/**
 * The fleet metrics of one terminal, in process: device health and the outbox read at scrape time,
 * SI calls timed by result kind, the vision and speaker hooks, and the /metrics server over real
 * HTTP — including a port that is taken and an address this machine does not have.
 */
import t from 'tap';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { advanceTo, settle, SimClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { deviceProblem, siResult, TerminalMetrics } from '../../src/ops/metrics.js';
import { MetricsServer } from '../../src/ops/metrics-server.js';
import { outboxOptionsOf } from '../../src/si-client/from-config.js';
import { MemoryOutbox } from '../../src/si-client/outbox.js';
import { SiError, type SiPort } from '../../src/si-client/port.js';
import { SimSi } from '../../src/si-client/sim.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { until } from '../helpers.js';

const START = Date.parse('2026-11-28T09:00:00+08:00');

/** The lifecheck_* sample lines of an exposition. */
async function samples(metrics: TerminalMetrics): Promise<string[]> {
  return (await metrics.exposition()).split('\n').filter((l) => l.startsWith('lifecheck_'));
}

t.test('fault reasons and SI failures map onto their fixed lists', async (t) => {
  t.equal(deviceProblem('paper-out'), 'paper_out');
  t.equal(deviceProblem('pcscd-unavailable'), 'pcscd_unavailable');
  t.equal(deviceProblem('set from the REPL'), 'other');
  t.equal(deviceProblem('陈秀英'), 'other');
  t.equal(siResult(new SiError('bad-answer', 'x')), 'bad_answer');
  t.equal(siResult(new SiError('unreachable', 'x', 'ECONNREFUSED')), 'unreachable');
  t.equal(siResult(new Error('x')), 'other');
});

t.test('device health is read when scraped: down devices, each with its problem, while it lasts', async (t) => {
  const clock = new SimClock(START);
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  t.match(await samples(metrics), [], 'nothing attached: no device lines');
  t.notOk((await samples(metrics)).some((l) => l.startsWith('lifecheck_device_up')));
  const config = loadConfig({ ignoreSystemFile: true, env: {} });
  const sim = createSimTerminal({ config, clock, logger: silentLogger(), seed: 1, vision: 'scripted', hooks: metrics.hooks, onOutput: (o) => metrics.output(o) });
  metrics.attach({ terminal: sim.terminal, outbox: sim.outbox, clock });
  t.notOk((await samples(metrics)).some((l) => l.startsWith('lifecheck_device_up')), 'not started: no device lines rather than made-up ones');
  await sim.terminal.start();
  t.teardown(() => sim.terminal.stop());
  let lines = await samples(metrics);
  t.ok(lines.includes('lifecheck_device_up{device="camera"} 1'));
  t.notOk(lines.some((l) => l.startsWith('lifecheck_device_problem{')), 'no problem while all is well');

  sim.devices.camera.unplug();
  sim.devices.printer.setStatus('paper-out');
  sim.terminal.send({ type: 'device.fault', device: 'speaker', reason: 'set from the REPL' });
  await settle();
  lines = await samples(metrics);
  t.ok(lines.includes('lifecheck_device_up{device="camera"} 0'));
  t.ok(lines.includes('lifecheck_device_up{device="printer"} 0'));
  t.ok(lines.includes('lifecheck_device_up{device="idReader"} 1'));
  t.ok(lines.includes('lifecheck_device_problem{device="camera",problem="unplugged"} 1'));
  t.ok(lines.includes('lifecheck_device_problem{device="printer",problem="paper_out"} 1'));
  t.ok(lines.includes('lifecheck_device_problem{device="speaker",problem="other"} 1'), 'a reason off the list is "other"');

  sim.devices.camera.replug();
  sim.devices.printer.setStatus('ok');
  await settle();
  lines = await samples(metrics);
  t.ok(lines.includes('lifecheck_device_up{device="camera"} 1'));
  t.notOk(lines.some((l) => l.startsWith('lifecheck_device_problem{device="camera"') || l.startsWith('lifecheck_device_problem{device="printer"')), 'problems gone once fixed');
});

t.test('the outbox: pending, set aside and the age of the oldest, on the terminal clock', async (t) => {
  const clock = new SimClock(START);
  const down: SiPort = {
    lookupPerson: () => Promise.reject(new SiError('unreachable', 'down')),
    resolveToken: () => Promise.reject(new SiError('unreachable', 'down')),
    history: () => Promise.reject(new SiError('unreachable', 'down')),
    submit: () => Promise.reject(new SiError('unreachable', 'down')),
  };
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  const config = loadConfig({ ignoreSystemFile: true, env: {} });
  const outbox = new MemoryOutbox(metrics.hooks.si!(down), clock, outboxOptionsOf(config, () => 0.5));
  t.teardown(() => outbox.stop());
  const sim = createSimTerminal({ config, clock, logger: silentLogger(), seed: 1, vision: 'scripted' });
  metrics.attach({ terminal: sim.terminal, outbox, clock });
  t.ok((await samples(metrics)).includes('lifecheck_outbox_oldest_age_seconds 0'), 'empty: age 0');
  const p = testPerson('due').identity;
  const answer = outbox.submit({ idNumber: p.idNumber, name: p.name, photo: Buffer.from('jpeg'), liveness: { actions: ['blink'], failures: 0, restarts: 0, photoQuality: 0.9 }, terminalNumber: '0007', at: clock.now() });
  await advanceTo(clock, clock.now() + 2 * 3600_000);
  t.match(await answer, { outcome: 'queued' });
  const lines = await samples(metrics);
  t.ok(lines.includes('lifecheck_outbox_pending 1'));
  t.ok(lines.includes('lifecheck_outbox_failed 0'));
  t.ok(lines.includes('lifecheck_outbox_oldest_age_seconds 7200'), 'two hours old');
  const attempts = Number(lines.find((l) => l.startsWith('lifecheck_si_request_duration_seconds_count{op="submit",result="unreachable"}'))?.split(' ')[1]);
  t.ok(attempts >= 2, `each delivery attempt is timed too (${attempts}: the first and the retries)`);
});

t.test('SI calls are timed on the terminal clock by operation and result', async (t) => {
  const clock = new SimClock(START);
  const si = new SimSi(clock);
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  metrics.attach({ terminal: createSimTerminal({ config: loadConfig({ ignoreSystemFile: true, env: {} }), clock, logger: silentLogger(), seed: 1, vision: 'scripted' }).terminal, outbox: { stats: () => ({ pending: 0, delivered: 0, failed: 0, oldestPendingAt: null, oldestFailedAt: null }), submit: () => Promise.reject(new Error('unused')), pendingSince: () => null, siLink: () => null, stop: () => {} }, clock });
  const timed = metrics.hooks.si!(si);
  const signal = new AbortController().signal;
  const due = testPerson('due').identity.idNumber;
  const run = async (call: Promise<unknown>) => {
    const done = call.then(() => 'ok', (e: Error) => e.name);
    await advanceTo(clock, clock.monotonic() + 1000);
    return done;
  };
  t.equal(await run(timed.lookupPerson(due, signal)), 'ok');
  si.script('lookup', { fail: 'server' });
  t.equal(await run(timed.lookupPerson(due, signal)), 'SiError');
  si.script('history', { fail: 'timeout' });
  t.equal(await run(timed.history(due, signal)), 'SiError');
  // NTP steps the wall clock back an hour while this call is on the wire: its duration stays 400 ms.
  const stepped = timed.resolveToken('ESSC-7Q2M-DUE', signal);
  clock.stepWall(-3_600_000);
  t.equal(await run(stepped), 'ok');
  const aborted = new AbortController();
  si.script('submit', { hang: true });
  const submit = timed.submit({ idempotencyKey: 'k', idNumber: due, name: 'x', photo: Buffer.alloc(1), liveness: { actions: [], failures: 0, restarts: 0, photoQuality: 1 }, terminalNumber: '0', at: 0 }, aborted.signal);
  aborted.abort();
  t.equal(await run(submit), 'SiError');
  const lines = await samples(metrics);
  t.ok(lines.includes('lifecheck_si_request_duration_seconds_count{op="lookup",result="ok"} 1'));
  t.ok(lines.includes('lifecheck_si_request_duration_seconds_sum{op="lookup",result="ok"} 0.4'), 'the simulated SI answers in 400 ms of terminal time');
  t.ok(lines.includes('lifecheck_si_request_duration_seconds_count{op="lookup",result="server"} 1'));
  t.ok(lines.includes('lifecheck_si_request_duration_seconds_count{op="history",result="timeout"} 1'));
  t.ok(lines.includes('lifecheck_si_request_duration_seconds_count{op="resolve_token",result="ok"} 1'));
  t.ok(lines.includes('lifecheck_si_request_duration_seconds_sum{op="resolve_token",result="ok"} 0.4'), 'a step of the wall clock does not change a duration');
  t.ok(lines.includes('lifecheck_si_request_duration_seconds_count{op="submit",result="timeout"} 1'), 'abandoned by the caller');
});

t.test('vision frames, prompt errors and scrapes are counted; the exposition is OpenMetrics', async (t) => {
  const metrics = new TerminalMetrics({ profile: 'hardware', actions: ['blink', 'open_mouth'], processMetrics: false });
  metrics.hooks.visionFrame!(0.012);
  metrics.hooks.visionFrame!(0.3);
  metrics.hooks.promptError!();
  metrics.served(0.002);
  const text = await metrics.exposition();
  t.match(metrics.contentType, /^application\/openmetrics-text; version=1\.0\.0/);
  t.ok(text.endsWith('# EOF\n'), 'OpenMetrics ends with # EOF');
  const lines = text.split('\n');
  t.ok(lines.includes('lifecheck_vision_frame_seconds_count 2'));
  t.ok(lines.includes('lifecheck_vision_frame_seconds_bucket{le="0.02"} 1'));
  t.ok(lines.includes('lifecheck_prompt_errors_total 1'));
  t.ok(lines.includes('lifecheck_scrapes_total 1'));
  t.ok(lines.includes('lifecheck_scrape_cpu_seconds_total 0.002'));
  t.match(text, /lifecheck_build_info\{version="\d+\.\d+\.\d+",profile="hardware"\} 1/);
  t.ok(lines.includes('lifecheck_actions_total{action="open_mouth",result="interrupted"} 0'), 'the configured actions start at zero');
  t.ok(lines.includes('lifecheck_sessions_total{outcome="abandoned"} 0'));
  t.match(text, /^lifecheck_uptime_seconds \d/m);
});

function logSink(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

t.test('/metrics over HTTP: GET and HEAD, nothing else', async (t) => {
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  const { logger, lines } = logSink();
  const server = new MetricsServer({ listen: { host: '127.0.0.1', port: 0 }, metrics, logger });
  await server.start();
  t.teardown(() => server.stop());
  const base = `http://127.0.0.1:${server.port}`;
  t.ok(lines().some((l) => l.msg === 'metrics: serving /metrics'));
  const get = await fetch(`${base}/metrics`);
  t.equal(get.status, 200);
  t.match(get.headers.get('content-type'), /^application\/openmetrics-text/);
  const body = await get.text();
  t.match(body, /^lifecheck_sessions_total\{outcome="accepted"\} 0$/m);
  const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
  t.equal(head.status, 200);
  t.equal(await head.text(), '');
  t.equal((await fetch(`${base}/`)).status, 404);
  t.equal((await fetch(`${base}/metrics?x=1`)).status, 200, 'a query string is still /metrics');
  const post = await fetch(`${base}/metrics`, { method: 'POST' });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET, HEAD');
  t.match((await fetch(`${base}/metrics`).then((r) => r.text())), /^lifecheck_scrapes_total [3-9]$/m, 'each GET and HEAD is counted');
});

t.test('a failing exposition is a 500 and a log line, not a crash', async (t) => {
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  new (await import('prom-client')).Gauge({ name: 'lifecheck_broken', help: 'x', registers: [metrics.registry], collect: () => { throw new Error('broken collect'); } });
  const { logger, lines } = logSink();
  const server = new MetricsServer({ listen: { host: '127.0.0.1', port: 0 }, metrics, logger });
  await server.start();
  t.teardown(() => server.stop());
  const r = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  t.equal(r.status, 500);
  t.ok(lines().some((l) => l.msg === 'metrics: the exposition failed' && l.err === 'broken collect'));
});

t.test('a taken port: said once naming the key, the terminal goes on, and /metrics comes up once the port is free', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  const { logger, lines } = logSink();
  const server = new MetricsServer({ listen: { host: '127.0.0.1', port }, metrics, logger, retryMs: 50 });
  await server.start();
  t.teardown(() => server.stop());
  t.equal(server.port, null, 'not listening');
  t.equal(server.problem, `ops.metrics.listen: cannot listen on 127.0.0.1:${port}: the port is in use by another program (EADDRINUSE)`);
  await until(() => lines().filter((l) => l.level === 50).length >= 1, 5000, 'the error');
  const errors = () => lines().filter((l) => l.level === 50);
  t.match(errors()[0], { key: 'ops.metrics.listen', code: 'EADDRINUSE', msg: /ops\.metrics\.listen: cannot listen on 127\.0\.0\.1:\d+: the port is in use.*tries again every 0 s/ });
  // Tries again (every 50 ms here) without saying the same thing again.
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  await until(() => server.port === port, 5000, '/metrics on the freed port');
  t.equal(errors().length, 1, 'the same problem is logged once');
  t.equal(server.problem, null);
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 200);
});

t.test('an address this machine does not have, and a stop while waiting to try again', async (t) => {
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  const { logger } = logSink();
  // 192.0.2.0/24 is TEST-NET-1: never an address of this machine.
  const server = new MetricsServer({ listen: { host: '192.0.2.7', port: 9464 }, metrics, logger, retryMs: 10 });
  await server.start();
  t.match(server.problem, /cannot listen on 192\.0\.2\.7:9464: no interface of this machine has that address \(yet\) \(EADDRNOTAVAIL\)/);
  await server.stop();
  t.equal(server.port, null);
  // IPv6 loopback taken (or not there at all): either way the message writes it as the key does.
  const blocker = createServer();
  const taken = await new Promise<number>((resolve) => {
    blocker.once('error', () => resolve(9464));
    blocker.listen(0, '::1', () => resolve((blocker.address() as { port: number }).port));
  });
  t.teardown(() => blocker.close());
  const v6 = new MetricsServer({ listen: { host: '::1', port: taken }, metrics, logger, retryMs: 10_000 });
  await v6.start();
  t.match(v6.problem, new RegExp(`cannot listen on \\[::1\\]:${taken}: `), 'IPv6 written as in the key');
  await v6.stop();
});

t.test("a failing TLS handshake with the SI shows as lifecheck_si_tls_failing, and clears", async (t) => {
  const clock = new SimClock(START);
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  let link: { problem: 'tls'; since: number } | null = null;
  const outbox = { stats: () => ({ pending: 1, delivered: 0, failed: 0, oldestPendingAt: START, oldestFailedAt: null }), submit: () => Promise.reject(new Error('unused')), pendingSince: () => null, siLink: () => link, stop: () => {} };
  const terminal = createSimTerminal({ config: loadConfig({ ignoreSystemFile: true, env: {} }), clock, logger: silentLogger(), seed: 1, vision: 'scripted' }).terminal;
  metrics.attach({ terminal, outbox, clock });
  t.ok((await samples(metrics)).includes('lifecheck_si_tls_failing 0'));
  link = { problem: 'tls', since: START };
  t.ok((await samples(metrics)).includes('lifecheck_si_tls_failing 1'), 'raised');
  link = null;
  t.ok((await samples(metrics)).includes('lifecheck_si_tls_failing 0'), 'cleared');
});
