/** Simulated social security card reader. */
import type { Clock } from '../../clock/clock.js';
import type { Identity } from '../../domain/identity.js';
import type { ReadErrorReason } from '../../machine/types.js';
import { SimInputPort } from '../sim-input.js';
import type { SscReaderEvent, SscReaderPort } from './port.js';

export class SimSscReader extends SimInputPort<SscReaderEvent> implements SscReaderPort {
  constructor(private readonly clock: Clock) {
    super('sscReader');
  }

  insert(identity: Omit<Identity, 'source'>): boolean {
    return this.deliver({ type: 'identify.ssc', identity: { ...identity, source: 'ssc' }, at: this.clock.now() });
  }

  fail(reason: ReadErrorReason): boolean {
    return this.deliver({ type: 'identify.readError', device: 'sscReader', reason });
  }
}
