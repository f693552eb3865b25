import type { Identity } from '../../domain/identity.js';
import type { ReadErrorReason } from '../../machine/types.js';
import type { SscReaderPort } from './port.js';

/** A social security card reader the sim profile can put cards in: simulated, or PC/SC with our card emulator. */
export interface SscReaderTwin extends SscReaderPort {
  insert(identity: Omit<Identity, 'source'>): boolean;
  fail(reason: ReadErrorReason): boolean;
  unplug(reason?: string): void;
  replug(): void;
}
