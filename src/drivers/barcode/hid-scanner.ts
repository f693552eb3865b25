/**
 * A barcode / QR scanner in HID keyboard-wedge mode, read from its evdev device
 * (/dev/input/event*, best a udev symlink by the scanner's USB id). Key events become text
 * (keyboard-wedge.ts); the terminator key ends a scan. The device is reopened after an unplug.
 * The kernel also hands these keys to the console: deployments keep no login on the kiosk's
 * virtual terminal (Node cannot take the device exclusively without a native EVIOCGRAB).
 * The device is read through a `cat` child (src/drivers/device-reader.ts: stop() never hangs).
 */
import { DeviceReader, probeDevice } from '../device-reader.js';
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import { Emitter } from '../emitter.js';
import { HealthReporter } from '../health.js';
import { InputEventParser } from '../touch/evdev.js';
import { WedgeDecoder } from './keyboard-wedge.js';
import type { Scan, Terminator } from './payload.js';
import type { BarcodeEvent, BarcodePort } from './port.js';

export interface HidScannerOptions {
  device: string;
  /** struct input_event size: 24 on 64-bit kernels, 16 on 32-bit ARM. */
  recordSize: 16 | 24;
  terminator: Terminator;
  reopenMs: number;
  /** Keys typed without a terminator for this long are dropped as an unreadable scan. */
  partialTimeoutMs: number;
  clock: Clock;
  logger: Logger;
}

export class HidScanner implements BarcodePort {
  private readonly events = new Emitter<BarcodeEvent>();
  private readonly health: HealthReporter;
  private reader: DeviceReader | null = null;
  private running = false;
  private reopenTimer: unknown = null;
  private partialTimer: unknown = null;
  private decoder: WedgeDecoder;

  constructor(private readonly options: HidScannerOptions) {
    this.health = new HealthReporter('barcode', (e) => this.events.emit(e), options.logger);
    this.decoder = new WedgeDecoder(options.terminator);
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
    const reader = this.reader;
    this.reader = null;
    await reader?.stop();
  }

  private async open(): Promise<void> {
    const { device } = this.options;
    const missing = await probeDevice(device);
    if (missing !== null) {
      this.lost(missing);
      return;
    }
    if (!this.running) return;
    const parser = new InputEventParser(this.options.recordSize);
    this.decoder = new WedgeDecoder(this.options.terminator);
    const reader: DeviceReader = new DeviceReader(
      device,
      (chunk) => {
        for (const e of parser.push(chunk)) {
          const scan = this.decoder.feed(e);
          if (scan) this.deliver(scan);
        }
        this.armPartialTimer();
      },
      (reason) => {
        if (this.reader !== reader || !this.running) return;
        this.reader = null;
        this.lost(reason);
      },
    );
    this.reader = reader;
    this.health.healthy();
  }

  private lost(reason: string): void {
    if (!this.running) return;
    this.health.fault('unplugged', reason);
    this.reopenTimer = this.options.clock.setTimeout(() => {
      this.reopenTimer = null;
      if (this.running) void this.open();
    }, this.options.reopenMs);
  }

  private armPartialTimer(): void {
    const { clock } = this.options;
    if (this.partialTimer !== null) clock.clearTimeout(this.partialTimer);
    this.partialTimer = null;
    if (!this.decoder.typing) return;
    this.partialTimer = clock.setTimeout(() => {
      this.partialTimer = null;
      const scan = this.decoder.flush();
      if (scan) this.deliver(scan);
    }, this.options.partialTimeoutMs);
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
