/**
 * The bundled demo: a simulated retiree walks through the whole seed flow on the sim profile, on a
 * real (or sped-up) clock, while each screen and prompt is printed as it happens. It reacts to the
 * screens the terminal shows, like a person would, so it stays right when timings change.
 */
import { PROMPTS } from '../audio/prompts.js';
import type { Clock } from '../clock/clock.js';
import type { ButtonId } from '../machine/types.js';
import type { ScreenId, ScreenView } from '../screens/view.js';
import { testPerson } from '../si-client/test-persons.js';
import type { Output } from './outputs.js';
import type { SimDevices } from './sim-profile.js';

interface Step {
  /** How long the person looks at the screen before acting. */
  afterMs: number;
  act: (devices: SimDevices) => void;
}

const press = (button: ButtonId) => (d: SimDevices) => void d.touch.press(button);

/** What the demo person does on each screen (screens not listed: wait for the terminal). */
const SCRIPT: Partial<Record<ScreenId, Step>> = {
  home: { afterMs: 1_500, act: press('start') },
  identify: { afterMs: 2_000, act: (d) => void d.idReader.tap(testPerson('due').identity) },
  confirm: { afterMs: 2_500, act: press('enter') },
  service: { afterMs: 2_000, act: press('apply') },
  consent: { afterMs: 2_500, act: press('agree') },
  captured: { afterMs: 2_000, act: press('submit') },
  result: { afterMs: 4_000, act: press('exit') },
};

export class DemoPerson {
  private pending: unknown = null;
  private sessions = 0;
  private lastScreen: ScreenId | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly devices: SimDevices,
    /** Called when the person has finished one session and is back home. */
    private readonly onDone: () => void,
  ) {}

  onView(view: ScreenView): void {
    // Countdown ticks redraw the same screen: only a new screen makes the person act.
    if (view.screen === this.lastScreen) return;
    this.lastScreen = view.screen;
    if (view.screen === 'home' && this.sessions > 0) {
      this.onDone();
      return;
    }
    if (view.overlay) return;
    const step = SCRIPT[view.screen];
    if (!step) return;
    if (this.pending !== null) this.clock.clearTimeout(this.pending);
    this.pending = this.clock.setTimeout(() => {
      this.pending = null;
      if (view.screen === 'result') this.sessions++;
      step.act(this.devices);
    }, step.afterMs);
  }

  stop(): void {
    if (this.pending !== null) this.clock.clearTimeout(this.pending);
  }
}

/** One human-readable line per output, for the demo's console. */
export function describeOutput(o: Output, elapsedMs: number): string {
  const t = `[${(elapsedMs / 1000).toFixed(1).padStart(6)} s]`;
  switch (o.kind) {
    case 'screen': {
      const fields = Object.entries(o.fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      return `${t} 屏幕 ${o.screen}${o.mode ? `/${o.mode}` : ''}${o.overlay ? ` +${o.overlay}` : ''}${fields ? `  ${fields}` : ''}`;
    }
    case 'prompt':
      return `${t} 语音 「${PROMPTS[o.id]}」`;
    case 'si':
      return `${t} 社保 ${o.op}`;
    case 'receipt':
      return `${t} 回执 ${o.fields.resultText} ${o.fields.receiptNo ?? ''}`;
    case 'session':
      return `${t} 会话 ${o.event}${o.reason ? ` (${o.reason})` : ''}`;
  }
}
