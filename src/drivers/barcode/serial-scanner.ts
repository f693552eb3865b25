/**
 * A barcode / QR scanner in serial mode (a USB-serial port, or RS-232): bytes, then the
 * configured terminator, per scan. The port is reopened after a USB unplug until it is back.
 * Scanned tokens are personal data (an electronic SSC code identifies a person): never logged.
 */
import { access } from 'node:fs/promises';
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
  private presenceTimer: unknown = null;

  constructor(private readonly options: SerialScannerOptions) {
    super(options);
    this.splitter = new PayloadSplitter(options.terminator);
  }

  protected async close(): Promise<void> {
    this.stopWatching();
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
      this.stopWatching();
      this.lost(err?.message ?? 'port closed');
    });
    this.health.healthy();
    this.watchPresence(port);
  }

  /**
   * An unplugged adapter's node goes (udev removes it and its by-id link), but the open port does not
   * always hear of it (seen on a pty whose far end vanished: no error, no close): so while open, the
   * node is looked for too, as often as a reopen is tried (at least every 250 ms).
   */
  private watchPresence(port: SerialPort): void {
    const { clock, reopenMs } = this.options;
    this.presenceTimer = clock.setTimeout(() => {
      this.presenceTimer = null;
      void access(this.options.port).then(
        () => {
          if (this.port === port && this.running) this.watchPresence(port);
        },
        () => {
          if (this.port !== port || !this.running) return;
          this.port = null;
          if (port.isOpen) port.close(() => {});
          this.lost('the device node is gone');
        },
      );
    }, Math.max(reopenMs, 250));
  }

  private stopWatching(): void {
    if (this.presenceTimer !== null) this.options.clock.clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
  }
}
