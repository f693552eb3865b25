/**
 * The real scanner drivers fed by our scanner emulators, as a twin the sim profile drives:
 * serial mode on a socat pty pair, HID keyboard-wedge mode on a FIFO of input_event records.
 * scan() sends a payload and its terminator; fail() sends garbage; unplug()/replug() remove and
 * restore the device. Files live in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import { defaultRecordSize, EV_KEY } from '../touch/evdev.js';
import { EmulatedTwin } from '../emulated-twin.js';
import { PtyPair } from '../pty-pair.js';
import { HidScannerEmulator, SerialScannerEmulator } from './emulator.js';
import { HidScanner } from './hid-scanner.js';
import { TERMINATOR_BYTES, type Terminator } from './payload.js';
import { typeText } from './keyboard-wedge.js';
import type { BarcodeEvent, BarcodePort } from './port.js';
import { SerialScanner } from './serial-scanner.js';
import type { BarcodeTwin } from './twin.js';

export interface EmulatedBarcodeOptions {
  mode: 'serial' | 'hid';
  terminator: Terminator;
  clock: Clock;
  logger: Logger;
}

const REOPEN_MS = 500;
const PARTIAL_MS = 500;

export class EmulatedBarcode extends EmulatedTwin<BarcodeEvent, BarcodePort> implements BarcodeTwin {
  private dir: string | null = null;
  private pair: PtyPair | null = null;
  private serial: SerialScannerEmulator | null = null;
  private hid: HidScannerEmulator | null = null;

  constructor(private readonly options: EmulatedBarcodeOptions) {
    super();
  }

  protected async setUp(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'lifecheck-scanner-'));
    await this.plugIn();
  }

  protected createDriver(): BarcodePort {
    const { mode, terminator, clock, logger } = this.options;
    return mode === 'serial'
      ? new SerialScanner({ port: this.device, baudRate: 9_600, terminator, reopenMs: REOPEN_MS, partialTimeoutMs: PARTIAL_MS, clock, logger })
      : new HidScanner({ device: this.device, recordSize: defaultRecordSize(), terminator, reopenMs: REOPEN_MS, partialTimeoutMs: PARTIAL_MS, clock, logger });
  }

  protected async tearDown(): Promise<void> {
    await this.pullOut();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  scan(token: string): boolean {
    if (!this.driver || !this.plugged) return false;
    const { terminator } = this.options;
    if (this.serial) void this.serial.scan(token, terminator);
    else if (this.hid) this.hid.scan(token, terminator);
    else return false;
    return true;
  }

  fail(): boolean {
    if (!this.driver || !this.plugged) return false;
    // A smudged code: bytes that are no text / a key outside the layout, then the terminator.
    const { terminator } = this.options;
    if (this.serial) void this.serial.raw(Buffer.concat([Buffer.from([0xff, 0xfe]), TERMINATOR_BYTES[terminator]]));
    else if (this.hid) this.hid.events([{ type: EV_KEY, code: 183, value: 1 }, ...typeText('', terminator)]);
    return true;
  }

  private get device(): string {
    return join(this.dir!, this.options.mode === 'serial' ? 'scanner' : 'event-scanner');
  }

  protected async plugIn(): Promise<void> {
    if (!this.dir || this.pair || this.hid) return;
    if (this.options.mode === 'serial') {
      this.pair = await PtyPair.open(this.device, join(this.dir, 'scanner-emulator'));
      this.serial = await SerialScannerEmulator.open(this.pair.far);
    } else {
      this.hid = new HidScannerEmulator(this.device, defaultRecordSize());
      this.hid.plug();
    }
  }

  protected async pullOut(): Promise<void> {
    await this.serial?.close();
    await this.pair?.close();
    this.hid?.close();
    this.serial = null;
    this.pair = null;
    this.hid = null;
  }
}
