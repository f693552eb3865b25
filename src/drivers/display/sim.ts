/** Simulated display: keeps the last view and hands each new one to an optional observer. */
import type { ScreenView } from '../../screens/view.js';
import type { DisplayPort, Size } from './port.js';

export class SimDisplay implements DisplayPort {
  current: ScreenView | null = null;

  constructor(
    readonly size: Size = { width: 1280, height: 800 },
    private readonly observer?: (view: ScreenView) => void,
  ) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.current = null;
  }

  show(view: ScreenView): void {
    this.current = view;
    this.observer?.(view);
  }
}
