/** Simulated barcode / QR scanner. */
import type { ReadErrorReason } from '../../machine/types.js';
import { SimInputPort } from '../sim-input.js';
import type { BarcodeEvent, BarcodePort } from './port.js';

export class SimBarcode extends SimInputPort<BarcodeEvent> implements BarcodePort {
  constructor() {
    super('barcode');
  }

  scan(token: string): boolean {
    return this.deliver({ type: 'identify.barcode', token });
  }

  fail(reason: ReadErrorReason): boolean {
    return this.deliver({ type: 'identify.readError', device: 'barcode', reason });
  }
}
