/**
 * What the operations side (the fleet metrics, src/ops/metrics.ts) may watch in a terminal's
 * composition. None of it is on the machine's path: the machine never knows it is watched, and
 * the profiles only pass these hooks on to the parts they build.
 */
import type { Clock } from '../clock/clock.js';
import type { Outbox } from '../si-client/outbox.js';
import type { SiPort } from '../si-client/port.js';
import type { Output } from './outputs.js';
import type { Terminal } from './terminal.js';

export interface TerminalHooks {
  /** Wraps the SI port the terminal and its outbox talk to (to time every call). */
  si?: (port: SiPort) => SiPort;
  /** Seconds the face pipeline spent on one camera frame. */
  visionFrame?: (seconds: number) => void;
  /** A voice prompt that could not be played (no sound for it, or the sound card failed). */
  promptError?: () => void;
}

/** An observer of a whole terminal: hooks into its parts, its outputs, and the built terminal. */
export interface TerminalObserver {
  readonly hooks: TerminalHooks;
  output(output: Output): void;
  /** The terminal once built (before it starts): state is read from it when asked for. */
  attach(parts: { terminal: Terminal; outbox: Outbox; clock: Clock }): void;
}
