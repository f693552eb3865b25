/**
 * A barcode / QR scanner in serial mode (a USB-serial port, or RS-232): bytes, then the
 * configured terminator, per scan. The port is reopened after a USB unplug until it is back.
 * Scanned tokens are personal data (an electronic SSC code identifies a person): never logged.
 */
import { SerialPort } from 'serialport';
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import { Emitter } from '../emitter.js';
import { HealthReporter } from '../health.js';
import { PayloadSplitter, type Scan, type Terminator } from './payload.js';
import type { BarcodeEvent, BarcodePort } from './port.js';

export interface SerialScannerOptions {
  port: string;
  baudRate: number;
  terminator: Terminator;
  /** How often a missing port is tried again. */
  reopenMs: number;
  /** A payload whose terminator has not come this long after its last byte is dropped as unreadable. */
  partialTimeoutMs: number;
  clock: Clock;
  logger: Logger;
}

export class SerialScanner implements BarcodePort {
  private readonly events = new Emitter<BarcodeEvent>();
  private readonly health: HealthReporter;
  private port: SerialPort | null = null;
  private splitter: PayloadSplitter;
  private running = false;
  private reopenTimer: unknown = null;
  private partialTimer: unknown = null;

  constructor(private readonly options: SerialScannerOptions) {
    this.health = new HealthReporter('barcode', (e) => this.events.emit(e), options.logger);
    this.splitter = new PayloadSplitter(options.terminator);
  }

  onEvent(listener: (event: BarcodeEvent) => void): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.open();
  }

  async stop(): Promise<void> {
    this.running = false;
    const { clock } = this.options;
    if (this.reopenTimer !== null) clock.clearTimeout(this.reopenTimer);
    if (this.partialTimer !== null) clock.clearTimeout(this.partialTimer);
    this.reopenTimer = this.partialTimer = null;
    const port = this.port;
    this.port = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private async open(): Promise<void> {
    const { port: path, baudRate } = this.options;
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    const error = await new Promise<Error | null>((resolve) => port.open((err) => resolve(err)));
    if (!this.running) {
      if (!error) port.close();
      return;
    }
    if (error) {
      this.health.fault('unplugged', error.message);
      this.scheduleReopen();
      return;
    }
    this.port = port;
    this.splitter = new PayloadSplitter(this.options.terminator);
    port.on('data', (chunk: Buffer) => this.take(chunk));
    port.on('error', () => {});
    port.on('close', (err: Error | null) => {
      if (this.port !== port || !this.running) return;
      this.port = null;
      this.health.fault('unplugged', err?.message ?? 'port closed');
      this.scheduleReopen();
    });
    this.health.healthy();
  }

  private scheduleReopen(): void {
    this.reopenTimer = this.options.clock.setTimeout(() => {
      this.reopenTimer = null;
      if (this.running) void this.open();
    }, this.options.reopenMs);
  }

  private take(chunk: Buffer): void {
    for (const scan of this.splitter.push(chunk)) this.deliver(scan);
    const { clock } = this.options;
    if (this.partialTimer !== null) clock.clearTimeout(this.partialTimer);
    this.partialTimer = null;
    if (this.splitter.pending > 0) {
      this.partialTimer = clock.setTimeout(() => {
        this.partialTimer = null;
        const scan = this.splitter.flush();
        if (scan) this.deliver(scan);
      }, this.options.partialTimeoutMs);
    }
  }

  private deliver(scan: Scan): void {
    if (scan.ok) {
      this.options.logger.info({ length: scan.token.length }, 'barcode scanned');
      this.events.emit({ type: 'identify.barcode', token: scan.token });
    } else {
      this.options.logger.warn({ problem: scan.problem }, 'barcode not read');
      this.events.emit({ type: 'identify.readError', device: 'barcode', reason: 'unreadable' });
    }
  }
}
