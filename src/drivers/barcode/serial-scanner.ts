/**
 * A barcode / QR scanner in serial mode (a USB-serial port, or RS-232): bytes, then the
 * configured terminator, per scan. The port is reopened after a USB unplug until it is back.
 * Scanned tokens are personal data (an electronic SSC code identifies a person): never logged.
 */
import { SerialPort } from 'serialport';
import { PayloadSplitter, type Terminator } from './payload.js';
import { ScannerDriver, type ScannerTiming } from './scanner-base.js';

export interface SerialScannerOptions extends ScannerTiming {
  port: string;
  baudRate: number;
  terminator: Terminator;
}

export class SerialScanner extends ScannerDriver {
  private port: SerialPort | null = null;
  private splitter: PayloadSplitter;

  constructor(private readonly options: SerialScannerOptions) {
    super(options);
    this.splitter = new PayloadSplitter(options.terminator);
  }

  protected async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  protected async open(): Promise<void> {
    const { port: path, baudRate } = this.options;
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    const error = await new Promise<Error | null>((resolve) => port.open((err) => resolve(err)));
    if (!this.running) {
      if (!error) port.close();
      return;
    }
    if (error) {
      this.lost(error.message);
      return;
    }
    this.port = port;
    this.splitter = new PayloadSplitter(this.options.terminator);
    port.on('data', (chunk: Buffer) => {
      for (const scan of this.splitter.push(chunk)) this.deliver(scan);
      this.armPartialTimer(this.splitter.pending > 0, () => this.splitter.flush());
    });
    port.on('error', () => {});
    port.on('close', (err: Error | null) => {
      if (this.port !== port || !this.running) return;
      this.port = null;
      this.lost(err?.message ?? 'port closed');
    });
    this.health.healthy();
  }
}
