/** The screen. It draws a ScreenView; the framebuffer display and the simulated twin (sim.ts) both implement it. */
import type { ScreenView } from '../../screens/view.js';
import type { Lifecycle } from '../emitter.js';

export interface Size {
  width: number;
  height: number;
}

export interface DisplayPort extends Lifecycle {
  readonly size: Size;
  show(view: ScreenView): void;
}
