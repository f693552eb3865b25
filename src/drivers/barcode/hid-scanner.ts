/**
 * A barcode / QR scanner in HID keyboard-wedge mode, read from its evdev device
 * (/dev/input/event*, best a udev symlink by the scanner's USB id). Key events become text
 * (keyboard-wedge.ts); the terminator key ends a scan. The device is reopened after an unplug.
 * The kernel also hands these keys to the console: deployments keep no login on the kiosk's
 * virtual terminal (Node cannot take the device exclusively without a native EVIOCGRAB).
 * The device is read through a `cat` child (src/drivers/device-reader.ts: stop() never hangs).
 */
import { DeviceReader, probeDevice } from '../device-reader.js';
import { InputEventParser } from '../touch/evdev.js';
import { WedgeDecoder } from './keyboard-wedge.js';
import type { Terminator } from './payload.js';
import { ScannerDriver, type ScannerTiming } from './scanner-base.js';

export interface HidScannerOptions extends ScannerTiming {
  device: string;
  /** struct input_event size: 24 on 64-bit kernels, 16 on 32-bit ARM. */
  recordSize: 16 | 24;
  terminator: Terminator;
}

export class HidScanner extends ScannerDriver {
  private reader: DeviceReader | null = null;
  private decoder: WedgeDecoder;

  constructor(private readonly options: HidScannerOptions) {
    super(options);
    this.decoder = new WedgeDecoder(options.terminator);
  }

  protected async close(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    await reader?.stop();
  }

  protected async open(): Promise<void> {
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
        this.armPartialTimer(this.decoder.typing, () => this.decoder.flush());
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
}
