/**
 * `lifecheck run`: builds the terminal for the configured profile, opens the debug REPL, tells
 * systemd when it is ready and that it is alive, and shuts down cleanly on SIGTERM.
 */
import { PausableClock, ScaledClock, type Clock } from '../clock/clock.js';
import { injectionAllowed, replSocketPath, type LifecheckConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { DemoPerson, describeOutput } from '../terminal/demo.js';
import { createSimTerminal } from '../terminal/sim-profile.js';
import { ControlServer } from './control-server.js';
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
}

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

  const { terminal, devices, outbox } = createSimTerminal({
    config,
    clock,
    logger,
    seed: (Math.random() * 2 ** 31) | 0,
    vision: options.vision,
    history: config.ops.history,
    onView: (view) => demo?.onView(view),
    onOutput: (o) => {
      recorder.output(o);
      if (options.demo) out.write(describeOutput(o, clock.now() - started) + '\n');
    },
  });
  recorder.attach(terminal);
  if (options.demo) {
    demo = new DemoPerson(clock, devices, () => {
      completed = true;
      finish('demo finished');
    });
  }

  const control = new ControlServer({
    path: replSocketPath(config, env),
    mode: parseInt(config.ops.replSocketMode, 8),
    logger,
    context: {
      terminal,
      clock: pausable,
      logger,
      screenSize: { width: config.devices.display.width, height: config.devices.display.height },
      devices,
      allowInjection: injectionAllowed(config),
      recording: { start: (file) => recorder.start(file), stop: () => recorder.stop() },
    },
  });

  const onSignal = (signal: string) => () => finish(signal);
  const term = onSignal('SIGTERM');
  const int = onSignal('SIGINT');
  process.once('SIGTERM', term);
  process.once('SIGINT', int);

  await terminal.start();
  try {
    await control.start();
  } catch (e) {
    // The terminal's job comes first: it serves people without a REPL.
    logger.error({ err: (e as Error).message }, 'debug REPL not available');
  }
  // STATUS= for `systemctl status`: where the terminal is, what is broken, what waits to be sent.
  const statusLine = (): string => {
    const devicesNow = terminal.machineActor.getSnapshot().context.devices;
    const faults = Object.entries(devicesNow).filter(([, h]) => !h.ok).map(([d]) => d);
    const stats = outbox.stats();
    return `screen ${terminal.view?.screen ?? 'home'}; outbox ${stats.pending} pending${faults.length ? `; faults: ${faults.join(', ')}` : ''}`;
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
