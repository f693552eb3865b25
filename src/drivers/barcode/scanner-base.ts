/**
 * What the serial and HID scanner drivers share: the port's lifecycle, reopening after an unplug,
 * health, dropping a payload whose terminator never comes, and turning a scan into an event.
 * Scanned tokens are personal data (an electronic SSC code identifies a person): never logged.
 */
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import { Emitter } from '../emitter.js';
import { HealthReporter } from '../health.js';
import type { Scan } from './payload.js';
import type { BarcodeEvent, BarcodePort } from './port.js';

export interface ScannerTiming {
  /** How often a missing device is tried again. */
  reopenMs: number;
  /** A payload whose terminator has not come this long after its last byte is dropped as unreadable. */
  partialTimeoutMs: number;
  clock: Clock;
  logger: Logger;
}

export abstract class ScannerDriver implements BarcodePort {
  private readonly events = new Emitter<BarcodeEvent>();
  protected readonly health: HealthReporter;
  protected running = false;
  private reopenTimer: unknown = null;
  private partialTimer: unknown = null;

  constructor(private readonly timing: ScannerTiming) {
    this.health = new HealthReporter('barcode', (e) => this.events.emit(e), timing.logger);
  }

  /** Opens the device (or, if it is missing, calls lost()). */
  protected abstract open(): Promise<void>;
  /** Closes the device if open. */
  protected abstract close(): Promise<void>;

  onEvent(listener: (event: BarcodeEvent) => void): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.open();
  }

  async stop(): Promise<void> {
    this.running = false;
    const { clock } = this.timing;
    if (this.reopenTimer !== null) clock.clearTimeout(this.reopenTimer);
    if (this.partialTimer !== null) clock.clearTimeout(this.partialTimer);
    this.reopenTimer = this.partialTimer = null;
    await this.close();
  }

  /** The device is gone or cannot be opened: a fault, and another try in reopenMs. */
  protected lost(reason: string): void {
    if (!this.running) return;
    this.health.fault('unplugged', reason);
    this.reopenTimer = this.timing.clock.setTimeout(() => {
      this.reopenTimer = null;
      if (this.running) void this.open();
    }, this.timing.reopenMs);
  }

  /** After input: while part of a payload waits for its terminator, `flush` ends it in partialTimeoutMs. */
  protected armPartialTimer(pending: boolean, flush: () => Scan | null): void {
    const { clock } = this.timing;
    if (this.partialTimer !== null) clock.clearTimeout(this.partialTimer);
    this.partialTimer = null;
    if (!pending) return;
    this.partialTimer = clock.setTimeout(() => {
      this.partialTimer = null;
      const scan = flush();
      if (scan) this.deliver(scan);
    }, this.timing.partialTimeoutMs);
  }

  protected deliver(scan: Scan): void {
    if (scan.ok) {
      this.timing.logger.info({ length: scan.token.length }, 'barcode scanned');
      this.events.emit({ type: 'identify.barcode', token: scan.token });
    } else {
      this.timing.logger.warn({ problem: scan.problem }, 'barcode not read');
      this.events.emit({ type: 'identify.readError', device: 'barcode', reason: 'unreadable' });
    }
  }
}
