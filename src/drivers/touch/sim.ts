/** Simulated touchscreen: taps at screen coordinates, or a button pressed by id. */
import type { ButtonId } from '../../machine/types.js';
import { SimInputPort } from '../sim-input.js';
import type { TouchEvent, TouchPort } from './port.js';

export class SimTouch extends SimInputPort<TouchEvent> implements TouchPort {
  constructor() {
    super('touch');
  }

  tap(x: number, y: number): boolean {
    return this.deliver({ type: 'touch.tap', x, y });
  }

  press(button: ButtonId): boolean {
    return this.deliver({ type: 'touch.button', button });
  }
}
