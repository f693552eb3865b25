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
import { Emitter } from '../emitter.js';
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

export class EmulatedBarcode implements BarcodeTwin {
  private readonly events = new Emitter<BarcodeEvent>();
  private dir: string | null = null;
  private driver: BarcodePort | null = null;
  private pair: PtyPair | null = null;
  private serial: SerialScannerEmulator | null = null;
  private hid: HidScannerEmulator | null = null;
  private work: Promise<void> = Promise.resolve();
  private plugged = true;

  constructor(private readonly options: EmulatedBarcodeOptions) {}

  onEvent(listener: (event: BarcodeEvent) => void): () => void {
    return this.events.on(listener);
  }

  async start(): Promise<void> {
    if (this.driver) return;
    const { mode, terminator, clock, logger } = this.options;
    this.dir = mkdtempSync(join(tmpdir(), 'lifecheck-scanner-'));
    await this.plugIn();
    this.driver =
      mode === 'serial'
        ? new SerialScanner({ port: this.device, baudRate: 9_600, terminator, reopenMs: REOPEN_MS, partialTimeoutMs: PARTIAL_MS, clock, logger })
        : new HidScanner({ device: this.device, recordSize: defaultRecordSize(), terminator, reopenMs: REOPEN_MS, partialTimeoutMs: PARTIAL_MS, clock, logger });
    this.driver.onEvent((e) => this.events.emit(e));
    await this.driver.start();
  }

  async stop(): Promise<void> {
    await this.work;
    await this.driver?.stop();
    this.driver = null;
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

  unplug(): void {
    this.plugged = false;
    this.work = this.work.then(() => this.pullOut());
  }

  replug(): void {
    this.plugged = true;
    this.work = this.work.then(() => this.plugIn());
  }

  private get device(): string {
    return join(this.dir!, this.options.mode === 'serial' ? 'scanner' : 'event-scanner');
  }

  private async plugIn(): Promise<void> {
    if (!this.dir || this.pair || this.hid) return;
    if (this.options.mode === 'serial') {
      this.pair = await PtyPair.open(this.device, join(this.dir, 'scanner-emulator'));
      this.serial = await SerialScannerEmulator.open(this.pair.far);
    } else {
      this.hid = new HidScannerEmulator(this.device, defaultRecordSize());
      this.hid.plug();
    }
  }

  private async pullOut(): Promise<void> {
    await this.serial?.close();
    await this.pair?.close();
    this.hid?.close();
    this.serial = null;
    this.pair = null;
    this.hid = null;
  }
}
