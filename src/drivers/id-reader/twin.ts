import type { Identity } from '../../domain/identity.js';
import type { ReadErrorReason } from '../../machine/types.js';
import type { IdReaderPort } from './port.js';

/**
 * An ID card reader the sim profile can put cards on (traces, the `make start` demo, the REPL's
 * `inject card`): the simulated twin, or the real GA/T 467 driver behind our reader emulator.
 */
export interface IdReaderTwin extends IdReaderPort {
  /** A card is tapped; false when the reader is stopped or unplugged. */
  tap(identity: Omit<Identity, 'source'>): boolean;
  /** A read goes wrong for `reason`. */
  fail(reason: ReadErrorReason): boolean;
  unplug(reason?: string): void;
  replug(): void;
}
