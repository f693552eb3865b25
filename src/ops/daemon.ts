/**
 * `lifecheck run`: builds the terminal for the configured profile, opens the debug REPL, tells
 * systemd when it is ready and that it is alive, and shuts down cleanly on SIGTERM.
 */
import { existsSync } from 'node:fs';
import { PausableClock, ScaledClock, type Clock } from '../clock/clock.js';
import { ConfigError, injectionAllowed, parseListenAddress, replSocketPath, type LifecheckConfig } from '../config/config.js';
import type { ScreenView } from '../screens/view.js';
import type { Logger } from '../log/logger.js';
import { DemoPerson, describeOutput } from '../terminal/demo.js';
import type { Size } from '../drivers/display/port.js';
import { FramebufferGeometryError } from '../drivers/display/framebuffer.js';
import type { Outbox } from '../si-client/outbox.js';
import { createHardwareTerminal } from '../terminal/hardware-profile.js';
import type { Output } from '../terminal/outputs.js';
import { createSimTerminal, type SimDevices } from '../terminal/sim-profile.js';
import type { Terminal } from '../terminal/terminal.js';
import type { TerminalHooks } from '../terminal/hooks.js';
import { ControlServer } from './control-server.js';
import type { CommandContext } from './commands.js';
import type { CameraPort } from '../drivers/camera/port.js';
import { Panel } from '../panel/panel.js';
import { qrSvg } from '../screens/qr.js';
import { TerminalMetrics } from './metrics.js';
import { MetricsServer } from './metrics-server.js';
import { TraceRecorder } from './recorder.js';
import { SystemdNotifier } from './systemd.js';

export interface DaemonOptions {
  config: LifecheckConfig;
  logger: Logger;
  demo: boolean;
  /** Clock speed-up for the demo; 1 runs on the pausable real clock. */
  speed: number;
  vision: 'cooperative' | 'scripted' | 'opencv';
  out: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Print each screen, prompt and SI call as it happens, as the demo does (make start). */
  transcript?: boolean;
}

interface Built {
  terminal: Terminal;
  outbox: Outbox;
  /** The simulated devices (sim profile), for the demo and the REPL's injection; null on hardware. */
  devices: SimDevices | null;
  /** The camera the terminal watches (the panel unplugs it); null on hardware. */
  camera: CameraPort | null;
  screenSize: Size;
}

async function build(
  options: DaemonOptions,
  parts: { clock: Clock; seed: number; notifier: SystemdNotifier; onOutput: (o: Output) => void; onView: (view: ScreenView) => void; hooks?: TerminalHooks | undefined; panel: Panel | null },
): Promise<Built> {
  const { config, logger } = options;
  const common = { config, logger, clock: parts.clock, seed: parts.seed, history: config.ops.history, onOutput: parts.onOutput, ...(parts.hooks ? { hooks: parts.hooks } : {}) };
  if (config.profile === 'hardware') {
    if (config.vision.modelCache && !existsSync(config.vision.modelCache)) {
      // The model is converted once, synchronously: systemd must not take it for a hung start.
      parts.notifier.extendStartup(FIRST_START_BUDGET_MS, 'first start: converting the landmark model (once)');
      logger.info({ cache: config.vision.modelCache }, 'first start: converting the landmark model, once');
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Real devices only: no simulated person, nothing for the REPL to inject into.
    const hw = await createHardwareTerminal({ ...common, ...(options.env ? { env: options.env } : {}), ...(parts.panel ? { screen: parts.panel.screen } : {}) });
    return { terminal: hw.terminal, outbox: hw.outbox, devices: null, camera: null, screenSize: hw.display.size };
  }
  const sim = createSimTerminal({ ...common, vision: options.vision, onView: parts.onView, ...(parts.panel ? { screen: parts.panel.screen } : {}) });
  return { terminal: sim.terminal, outbox: sim.outbox, devices: sim.devices, camera: sim.camera, screenSize: { width: config.devices.display.width, height: config.devices.display.height } };
}

/**
 * What a first start may take beyond TimeoutStartSec (60 s): the landmark model's conversion is
 * ~15 s on this machine and can be several times that on a kiosk board.
 */
const FIRST_START_BUDGET_MS = 300_000;

/** Bounded wait for shutdown work, inside systemd's stop timeout (TimeoutStopSec=15). */
const SHUTDOWN_BUDGET_MS = 10_000;

export async function runDaemon(options: DaemonOptions): Promise<number> {
  const { config, logger, out } = options;
  const env = options.env ?? process.env;
  const pausable = options.speed === 1 ? new PausableClock() : null;
  const clock: Clock = pausable ?? new ScaledClock(options.speed);
  const started = clock.now();
  const notifier = new SystemdNotifier(env, logger);
  let demo: DemoPerson | null = null;
  let completed = false;
  let finish: (reason: string) => void = () => {};
  const done = new Promise<string>((resolve) => (finish = resolve));
  const recorder = new TraceRecorder({ config, clock, logger });
  // Fleet metrics only when an address is configured: off, nothing is counted.
  const metrics = config.ops.metrics.listen ? new TerminalMetrics({ profile: config.profile, actions: config.liveness.actions }) : null;
  // The browser panel (ops.panel.listen): the screen, touches and, on the sim profile, the devices.
  const panel = config.ops.panel.listen ? new Panel({ config, logger, listen: parseListenAddress(config.ops.panel.listen), qrSvg: await qrSvg(config.terminal.qrUrl) }) : null;
  const transcript = options.demo || options.transcript === true;

  const onOutput = (o: Output) => {
    recorder.output(o);
    metrics?.output(o);
    panel?.output(o, clock.now() - started);
    if (transcript) out.write(describeOutput(o, clock.now() - started) + '\n');
  };
  const seed = (Math.random() * 2 ** 31) | 0;
  let built: Built;
  try {
    built = await build(options, { clock, seed, notifier, onOutput, onView: (view) => demo?.onView(view), hooks: metrics?.hooks, panel });
  } catch (e) {
    // The notify socket (opened by a first start's request for time) must not hold the process.
    notifier.stop();
    if (e instanceof ConfigError) throw e;
    // A framebuffer sysfs describes in a way it cannot be used: no restart will change that.
    if (e instanceof FramebufferGeometryError) throw new ConfigError(e.message);
    // A device the terminal cannot be built without (no framebuffer geometry): say which; systemd
    // tries again, as the device may yet appear.
    logger.fatal({ err: (e as Error).message }, 'the terminal cannot start');
    return 1;
  }
  const { terminal, outbox, devices } = built;
  recorder.attach(terminal);
  metrics?.attach({ terminal, outbox, clock });
  const metricsServer = metrics ? new MetricsServer({ listen: parseListenAddress(config.ops.metrics.listen), metrics, logger }) : null;
  if (options.demo) {
    if (!devices) throw new Error('the demo needs the simulated devices (sim profile)');
    demo = new DemoPerson(clock, devices, () => {
      completed = true;
      finish('demo finished');
    });
  }

  const commands: CommandContext = {
    terminal,
    clock: pausable,
    logger,
    screenSize: built.screenSize,
    fonts: config.devices.display.fonts,
    devices,
    allowInjection: injectionAllowed(config),
    siKind: config.si.kind,
    recording: { start: (file) => recorder.start(file), stop: () => recorder.stop() },
  };
  const control = new ControlServer({
    path: replSocketPath(config, env),
    mode: parseInt(config.ops.replSocketMode, 8),
    logger,
    context: commands,
  });

  const onSignal = (signal: string) => () => finish(signal);
  const term = onSignal('SIGTERM');
  const int = onSignal('SIGINT');
  process.once('SIGTERM', term);
  process.once('SIGINT', int);

  try {
    await terminal.start();
  } catch (e) {
    // A device the terminal cannot run without (no framebuffer): say which, release the rest, and
    // let systemd try again.
    logger.fatal({ err: (e as Error).message }, 'the terminal cannot start');
    await terminal.stop().catch(() => {});
    notifier.stop();
    process.off('SIGTERM', term);
    process.off('SIGINT', int);
    return 1;
  }
  try {
    await control.start();
  } catch (e) {
    // The terminal's job comes first: it serves people without a REPL.
    logger.error({ err: (e as Error).message }, 'debug REPL not available');
  }
  // Like the REPL, never a reason not to serve people: a failed bind is logged and tried again.
  await metricsServer?.start();
  if (panel) {
    // Like /metrics: a panel that cannot listen is said clearly, and the terminal serves on.
    await panel.start({ terminal, devices, camera: built.camera, commands });
    if (panel.url && transcript) out.write(`panel: ${panel.url}  (the terminal in a browser; Ctrl-C stops it)\n`);
    if (panel.problem) process.stderr.write(`lifecheck: ${panel.problem}\n`);
  }
  // STATUS= for `systemctl status`: where the terminal is, what is broken, what waits to be sent.
  const statusLine = (): string => {
    const devicesNow = terminal.machineActor.getSnapshot().context.devices;
    const faults = Object.entries(devicesNow).filter(([, h]) => !h.ok).map(([d]) => d);
    const stats = outbox.stats();
    const link = outbox.siLink();
    const setAside = stats.failed ? `, ${stats.failed} set aside` : '';
    const siProblem = link ? `; SI: TLS handshake failing since ${new Date(link.since).toISOString()}` : '';
    const metricsProblem = metricsServer?.problem ? '; no /metrics (see the log)' : '';
    return `screen ${terminal.view?.screen ?? 'home'}; outbox ${stats.pending} pending${setAside}${faults.length ? `; faults: ${faults.join(', ')}` : ''}${siProblem}${metricsProblem}`;
  };
  notifier.ready(statusLine());
  notifier.startWatchdog(statusLine);

  const reason = await done;
  logger.info({ reason }, 'stopping');
  // A maintainer may have paused the clock: work in flight must be able to finish.
  pausable?.resume();
  notifier.stopping();
  demo?.stop();
  await recorder.stop();
  await control.stop();
  await metricsServer?.stop();
  await panel?.stop();
  // Give a submission in flight its chance to reach the outbox before the devices go.
  let budget: NodeJS.Timeout | undefined;
  await Promise.race([terminal.drain(), new Promise((r) => (budget = setTimeout(r, SHUTDOWN_BUDGET_MS)))]);
  clearTimeout(budget);
  await terminal.stop();
  notifier.stop();
  process.off('SIGTERM', term);
  process.off('SIGINT', int);
  if (options.demo) out.write(completed ? 'demo finished: one whole session, back on the home screen\n' : 'demo stopped before the session ended\n');
  return 0;
}
