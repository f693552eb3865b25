/**
 * Simulated receipt printer with a settable status. Printing takes PRINT_MS on the injected clock,
 * so a replay sees the same timing as the demo.
 */
import type { Clock } from '../../clock/clock.js';
import type { DeviceEvent, PrinterProblem } from '../../machine/types.js';
import { Emitter } from '../emitter.js';
import { PrinterError, type PrinterPort, type Receipt } from './port.js';

/** A thermal receipt of this size takes about 2.5 s to print and cut. */
const PRINT_MS = 2_500;

export type SimPrinterStatus = 'ok' | Exclude<PrinterProblem, 'timeout' | 'error'> | 'jammed';

export class SimPrinter implements PrinterPort {
  private current: SimPrinterStatus = 'ok';
  private readonly health = new Emitter<DeviceEvent>();

  constructor(private readonly clock: Clock) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  get status(): SimPrinterStatus {
    return this.current;
  }

  /** Changes the printer's state and reports its health, as the real driver's status poll does. */
  setStatus(status: SimPrinterStatus): void {
    if (status === this.current) return;
    this.current = status;
    this.health.emit(status === 'ok' ? { type: 'device.ok', device: 'printer' } : { type: 'device.fault', device: 'printer', reason: status });
  }

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.health.on(listener);
  }

  print(_receipt: Receipt, signal: AbortSignal): Promise<void> {
    // Status is asked before printing, as the real driver does (DLE EOT).
    if (this.status === 'paper-out' || this.status === 'cover-open' || this.status === 'offline') {
      return Promise.reject(new PrinterError(this.status, `printer reports ${this.status}`));
    }
    return new Promise((resolve, reject) => {
      // A jam never finishes: the machine's PRINT_TIMEOUT must cut in.
      if (this.status === 'jammed') return;
      // The receipt is in the terminal's outputs; nothing of it is kept here (a sim daemon runs for days).
      const timer = this.clock.setTimeout(() => resolve(), PRINT_MS);
      signal.addEventListener('abort', () => {
        this.clock.clearTimeout(timer);
        reject(new PrinterError('timeout', 'print aborted'));
      });
    });
  }
}
