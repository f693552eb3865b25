/**
 * Touchscreen. A real panel reports positions (screen pixels after calibration); the composition
 * root hit-tests them against the current screen. Traces may also press a button by id.
 */
import type { ButtonId, DeviceEvent } from '../../machine/types.js';
import type { InputPort } from '../emitter.js';

export type TouchEvent = { type: 'touch.tap'; x: number; y: number } | { type: 'touch.button'; button: ButtonId } | DeviceEvent;
export type TouchPort = InputPort<TouchEvent>;
