/** Simulated ID card reader: cards are "tapped" by the trace replayer, the demo or the REPL's `inject card`. */
import type { Clock } from '../../clock/clock.js';
import type { Identity } from '../../domain/identity.js';
import type { ReadErrorReason } from '../../machine/types.js';
import { SimInputPort } from '../sim-input.js';
import type { IdReaderEvent, IdReaderPort } from './port.js';

export class SimIdReader extends SimInputPort<IdReaderEvent> implements IdReaderPort {
  constructor(private readonly clock: Clock) {
    super('idReader');
  }

  tap(identity: Omit<Identity, 'source'>): boolean {
    return this.deliver({ type: 'identify.idCard', identity: { ...identity, source: 'id-card' }, at: this.clock.now() });
  }

  fail(reason: ReadErrorReason): boolean {
    return this.deliver({ type: 'identify.readError', device: 'idReader', reason });
  }
}
