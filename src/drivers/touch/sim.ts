/** Simulated touchscreen: taps at screen coordinates, or a button pressed by id. */
import type { ButtonId } from '../../machine/types.js';
import { SimInputPort } from '../sim-input.js';
import type { TouchEvent, TouchPort } from './port.js';

export class SimTouch extends SimInputPort<TouchEvent> implements TouchPort {
  constructor() {
    super('touch');
  }

  /** A quick tap at one point (as traces give it). */
  tap(x: number, y: number): boolean {
    return this.deliver({ type: 'touch.tap', x, y });
  }

  /** A finger coming down, to be lifted with lift(). */
  down(x: number, y: number): boolean {
    this.downAt = { x, y };
    return this.deliver({ type: 'touch.down', x, y });
  }

  lift(x: number, y: number): boolean {
    const d = this.downAt ?? { x, y };
    this.downAt = null;
    return this.deliver({ type: 'touch.tap', x, y, downX: d.x, downY: d.y });
  }

  private downAt: { x: number; y: number } | null = null;

  press(button: ButtonId): boolean {
    return this.deliver({ type: 'touch.button', button });
  }
}
