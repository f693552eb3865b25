/**
 * Scanners of our own for tests and the sim profile's emulated devices:
 *  - serial: the far end of a pty pair; a scan is the payload's bytes and the terminator;
 *  - HID keyboard wedge: a FIFO standing in for /dev/input/eventN, fed with input_event records
 *    as the kernel would write them; unplug closes and removes it, replug brings it back.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { InputEvent } from '../touch/evdev.js';
import { typeText } from './keyboard-wedge.js';
import { TERMINATOR_BYTES, type Terminator } from './payload.js';

export class SerialScannerEmulator {
  private constructor(private readonly port: SerialPort) {
    port.on('error', () => {});
  }

  static open(path: string, baudRate = 9_600): Promise<SerialScannerEmulator> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new SerialScannerEmulator(port))));
    });
  }

  /** Sends one scan; resolves once the bytes are written. */
  scan(text: string, terminator: Terminator = 'CR'): Promise<void> {
    return this.raw(Buffer.concat([Buffer.from(text, 'utf8'), TERMINATOR_BYTES[terminator]]));
  }

  raw(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => this.port.write(bytes, () => this.port.drain(() => resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}

/** A struct input_event as a 64-bit (24 bytes) or 32-bit ARM (16 bytes) kernel writes it. */
export function inputRecord(e: InputEvent, size: 16 | 24 = 24): Buffer {
  const b = Buffer.alloc(size);
  const t = size - 8;
  b.writeUInt16LE(e.type, t);
  b.writeUInt16LE(e.code, t + 2);
  b.writeInt32LE(e.value, t + 4);
  return b;
}

export class HidScannerEmulator {
  private fd: number | null = null;

  constructor(
    readonly path: string,
    private readonly recordSize: 16 | 24 = 24,
  ) {}

  /** The device appears (a FIFO, held open for writing so the reader never sees an early end). */
  plug(): void {
    if (this.fd !== null) return;
    if (!existsSync(this.path)) execFileSync('mkfifo', [this.path]);
    this.fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
  }

  /** The device goes: the reader sees the end of the stream, and the path is gone. */
  unplug(): void {
    if (this.fd === null) return;
    // Path first, then the writer: a reader opening now either finds no path or gets in before
    // the writer goes and then sees the end; it can never wait forever for a writer.
    rmSync(this.path, { force: true });
    closeSync(this.fd);
    this.fd = null;
  }

  /** Types `text` and the terminator key. */
  scan(text: string, terminator: Terminator = 'CR'): void {
    this.events(typeText(text, terminator));
  }

  events(events: InputEvent[]): void {
    if (this.fd === null) throw new Error('HID scanner emulator is unplugged');
    writeSync(this.fd, Buffer.concat(events.map((e) => inputRecord(e, this.recordSize))));
  }

  close(): void {
    this.unplug();
  }
}
