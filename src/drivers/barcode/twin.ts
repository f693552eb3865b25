import type { ReadErrorReason } from '../../machine/types.js';
import type { BarcodePort } from './port.js';

/** A scanner the sim profile can scan with: simulated, or the real driver fed by our scanner emulator. */
export interface BarcodeTwin extends BarcodePort {
  scan(token: string): boolean;
  fail(reason: ReadErrorReason): boolean;
  unplug(reason?: string): void;
  replug(): void;
}
