/**
 * Receipt printer. print() resolves once the receipt is out, or rejects with a PrinterError the
 * machine shows honestly (paper out, cover open, offline, timeout).
 */
import type { PrinterProblem } from '../../machine/types.js';
import type { HealthSource, Lifecycle } from '../emitter.js';

export interface Receipt {
  title: string;
  name: string;
  idNumber: string;
  outcome: 'accepted' | 'review' | 'queued';
  resultText: string;
  receiptNo: string | null;
  time: string;
  terminalNumber: string;
  /** What the QR code encodes: the receipt number or a look-up URL. */
  qr: string | null;
  note: string | null;
}

export class PrinterError extends Error {
  constructor(
    readonly problem: PrinterProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PrinterError';
  }
}

/** Health (paper out, cover open, offline) is reported as it changes, so home can show it. */
export interface PrinterPort extends Lifecycle, HealthSource {
  print(receipt: Receipt, signal: AbortSignal): Promise<void>;
}
