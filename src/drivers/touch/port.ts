/**
 * Touchscreen. A real panel reports positions (screen pixels after calibration); the composition
 * root hit-tests them against the current screen: a button fires when the finger lifts over the
 * same button it came down on. Traces may also press a button by id.
 */
import type { ButtonId, DeviceEvent } from '../../machine/types.js';
import type { InputPort } from '../emitter.js';

export type TouchEvent =
  /** A finger came down (drawn as the button's pressed state). */
  | { type: 'touch.down'; x: number; y: number }
  /** The finger lifted at (x, y); it came down at (downX, downY) when the panel reports that. */
  | { type: 'touch.tap'; x: number; y: number; downX?: number; downY?: number }
  | { type: 'touch.button'; button: ButtonId }
  | DeviceEvent;
export type TouchPort = InputPort<TouchEvent>;
