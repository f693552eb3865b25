/**
 * Vision as the machine sees it: a session opened while the capture screen is up. The machine
 * tells it what to look for (expect / capture); it answers with typed vision.* events. Pixels,
 * landmarks and poses stay behind this port.
 */
import type { Hint } from './hints.js';

export const ACTIONS = [
  'raise_head',
  'lower_head',
  'turn_left',
  'turn_right',
  'nod',
  'shake_head',
  'open_mouth',
  'blink',
] as const;
export type Action = (typeof ACTIONS)[number];

export type { Hint } from './hints.js';

export function isAction(value: unknown): value is Action {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Commands from the machine to the running vision session. */
export type VisionCommand =
  /** Watch for the person's neutral pose and report faceReady once stable. */
  | { type: 'baseline' }
  | { type: 'expect'; action: Action }
  /** Take the photo automatically once the quality gate passes. */
  | { type: 'capture' };

export type VisionEvent =
  /** Exactly one face, neutral baseline captured. */
  | { type: 'vision.faceReady' }
  | { type: 'vision.actionPassed'; action: Action }
  | { type: 'vision.faceLost' }
  | { type: 'vision.multipleFaces' }
  /**
   * What the person should fix now (src/vision/hints.ts), debounced: sent when a condition has
   * lasted Delays.HINT_SETTLE, and with `hint: null` once it has been fixed for Delays.HINT_CLEAR.
   */
  | { type: 'vision.hint'; hint: Hint | null }
  | { type: 'vision.photo'; photoRef: string; quality: number }
  | { type: 'vision.cameraError'; reason: string };

export interface VisionSession {
  command(command: VisionCommand): void;
  stop(): void;
}

export interface VisionPort {
  /** Opens the camera and starts analysing; events arrive through `emit` until stop(). */
  open(emit: (event: VisionEvent) => void): VisionSession;
}
