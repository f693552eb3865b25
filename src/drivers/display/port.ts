/** The screen. It draws a ScreenView; the framebuffer renderer and the simulator both implement it. */
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
