/** A simulated terminal on a SimClock, for tests that drive it step by step. */
import { advanceTo, SimClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ScreenView } from '../../src/screens/view.js';
import type { Identity } from '../../src/domain/identity.js';
import type { Output } from '../../src/terminal/outputs.js';
import { createSimTerminal, type SimTerminalOptions } from '../../src/terminal/sim-profile.js';

export const START = Date.parse('2026-11-28T09:00:00+08:00');

export async function simTerminal(overrides: Record<string, unknown> = {}, options: Pick<SimTerminalOptions, 'engine'> & { vision?: SimTerminalOptions['vision'] } = {}) {
  const clock = new SimClock(START);
  const views: ScreenView[] = [];
  const outputs: Output[] = [];
  const config = loadConfig({ ignoreSystemFile: true, env: {}, overrides });
  const sim = createSimTerminal({
    config,
    clock,
    logger: silentLogger(),
    seed: 7,
    vision: options.vision ?? 'scripted',
    ...(options.engine ? { engine: options.engine } : {}),
    onView: (v) => views.push(v),
    onOutput: (o) => outputs.push(o),
  });
  await sim.terminal.start();
  /** Moves the clock to `ms` after start, firing timers and settling promises on the way. */
  const at = (ms: number) => advanceTo(clock, START + ms);
  return { ...sim, clock, views, outputs, at, view: () => sim.terminal.view! };
}

/** From home to the capture screen, the person's ID card tapped; returns the time it got there (ms after start). */
export async function walkToCapture(s: Awaited<ReturnType<typeof simTerminal>>, identity: Omit<Identity, 'source'>): Promise<number> {
  s.devices.touch.press('start');
  await s.at(1000);
  s.devices.idReader.tap(identity);
  await s.at(2000);
  s.devices.touch.press('enter');
  await s.at(3000);
  s.devices.touch.press('apply');
  await s.at(4000);
  s.devices.touch.press('agree');
  await s.at(5000);
  return 5000;
}
