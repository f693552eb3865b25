/**
 * A synthesised person sitting in front of a simulated camera, who does what the terminal asks:
 * the sim profile's camera (`devices.camera.kind: synth`), so `make start` runs the real face
 * pipeline, the action judges and auto-capture on frames rendered from a bundled portrait.
 *
 * The person hears the vision commands the way a retiree hears the prompts (listen() wraps the
 * vision port): after a moment to understand, they do the asked action once, and again after a
 * pause if the terminal is still waiting for it; otherwise they sit still, facing the camera, with
 * the small wobble nobody can help. Frames are rendered on the terminal's clock at `fps`, stamped
 * with its time; a slow machine renders fewer of them, never a backlog.
 */
import type { Clock } from '../../clock/clock.js';
import { CameraListeners } from '../../drivers/camera/listeners.js';
import type { CameraPort, Frame } from '../../drivers/camera/port.js';
import type { Action, VisionCommand, VisionPort } from '../port.js';
import { actionScript, neutralScript, scriptSampler, type ScriptState } from './script.js';
import type { SynthSource } from './source.js';
import { liveRenderer } from './synthesize.js';

export interface PerformerTiming {
  /** Frames per second of the simulated camera. */
  fps: number;
  /** From hearing the command to starting to move: an elderly listener takes a moment. */
  reactMs: number;
  /** Still asked for the same action this long after doing it: do it again (the prompt repeats). */
  againMs: number;
}

export const DEFAULT_PERFORMER: PerformerTiming = { fps: 15, reactMs: 1_500, againMs: 3_000 };

export interface PerformerOptions {
  clock: Clock;
  /** The person's face, prepared on first start (it needs the landmark model). */
  source: () => SynthSource;
  /** Seeds the wobble, the sensor noise and how big each move is. */
  seed?: number;
  timing?: Partial<PerformerTiming>;
}

/** The idle wobble loops over this long (its seam is a sub-degree step nobody can tell). */
const IDLE_MS = 60_000;

/** What the person is doing: a script started at `from` (terminal time). */
interface Doing {
  from: number;
  until: number;
  sample: (t: number) => ScriptState;
}

export class Performer extends CameraListeners implements CameraPort {
  private readonly timing: PerformerTiming;
  private readonly idle: (t: number) => ScriptState;
  /** The person's face made ready on the first start, and the size of the frames it gives. */
  private face: { render: ReturnType<typeof liveRenderer>; width: number; height: number } | null = null;
  private ticker: unknown = null;
  private next: unknown = null;
  private seq = 0;
  private moves = 0;
  /** The action the terminal is waiting for, if any. */
  private asked: Action | null = null;
  private doing: Doing | null = null;

  constructor(private readonly options: PerformerOptions) {
    super();
    this.timing = { ...DEFAULT_PERFORMER, ...options.timing };
    this.idle = scriptSampler(neutralScript(IDLE_MS, { jitter: 0.5, seed: options.seed ?? 1 }));
  }

  async start(): Promise<void> {
    if (this.ticker !== null) return;
    if (!this.face) {
      const source = this.options.source();
      this.face = { render: liveRenderer(source, { fps: this.timing.fps, seed: this.options.seed ?? 1 }), width: source.width, height: source.height };
    }
    this.tick();
  }

  async stop(): Promise<void> {
    this.clear('ticker');
    this.clear('next');
    this.asked = null;
    this.doing = null;
  }

  /** What the person hears: baseline and capture mean sit still; expect means do that action. */
  hear(command: VisionCommand): void {
    this.clear('next');
    if (command.type !== 'expect') {
      this.asked = null;
      return;
    }
    this.asked = command.action;
    // A new action waits until the last move is finished (the head back to neutral).
    const now = this.options.clock.now();
    const free = Math.max(now + this.timing.reactMs, this.doing?.until ?? 0);
    this.later(free - now, () => this.perform(command.action));
  }

  /** The vision port as this person hears it: every command reaches them, then the port. */
  listen(vision: VisionPort): VisionPort {
    return {
      open: (emit) => {
        const session = vision.open(emit);
        return {
          command: (command) => {
            this.hear(command);
            session.command(command);
          },
          stop: () => {
            this.hear({ type: 'baseline' });
            session.stop();
          },
        };
      },
    };
  }

  private perform(action: Action): void {
    if (this.asked !== action) return;
    // Asked to open the mouth, people open it wide (the clip default is a moderate opening).
    const amplitude = action === 'open_mouth' ? { amplitude: 1 } : {};
    const script = actionScript(action, { neutralMs: 0, jitter: 0.5, seed: (this.options.seed ?? 1) + ++this.moves, ...amplitude });
    const from = this.options.clock.now();
    this.doing = { from, until: from + script.durationMs, sample: scriptSampler(script) };
    this.later(script.durationMs + this.timing.againMs, () => this.perform(action));
  }

  private later(ms: number, fn: () => void): void {
    this.clear('next');
    this.next = this.options.clock.setTimeout(() => {
      this.next = null;
      fn();
    }, ms);
  }

  private clear(which: 'ticker' | 'next'): void {
    const handle = this[which];
    if (handle !== null) this.options.clock.clearTimeout(handle);
    this[which] = null;
  }

  private tick(): void {
    // The next frame is booked before this one is rendered and judged, so the pace holds when the
    // work fits in a frame, and frames thin out (never queue) when it does not.
    this.ticker = this.options.clock.setTimeout(() => this.tick(), Math.round(1000 / this.timing.fps));
    const now = this.options.clock.now();
    const doing = this.doing && now < this.doing.until ? this.doing : null;
    if (!doing) this.doing = null;
    const state = doing ? doing.sample(now - doing.from) : this.idle(now % IDLE_MS);
    const { render, width, height } = this.face!;
    const frame: Frame = { at: now, seq: this.seq, format: 'bgr', width, height, data: render(state, this.seq++, now).data };
    this.frames.emit(frame);
  }
}
