/**
 * Bytes to and from the printer's character device (/dev/usb/lp0, or a FIFO or pty in tests),
 * opened non-blocking: a stuck printer makes writes and reads return EAGAIN instead of holding a
 * thread of Node's pool forever, and every wait has a deadline.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrinterError } from './port.js';
import { problemOfErrno } from './status.js';

/** How often a busy device is tried again: a receipt is a few KB, the printer's buffer larger. */
const RETRY_MS = 5;

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

export class DeviceLink {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Opens for writing, and for reading too when the printer is asked its status. */
  static async open(path: string, read: boolean): Promise<DeviceLink> {
    const flags = (read ? constants.O_RDWR : constants.O_WRONLY) | constants.O_NONBLOCK | constants.O_NOCTTY;
    try {
      return new DeviceLink(await open(path, flags), path);
    } catch (e) {
      throw new PrinterError(problemOfErrno(errnoOf(e)), `printer device ${path} cannot be opened: ${(e as Error).message}`);
    }
  }

  async write(bytes: Buffer, deadline: number, signal: AbortSignal): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      let written = 0;
      try {
        ({ bytesWritten: written } = await this.handle.write(bytes, offset, bytes.length - offset));
      } catch (e) {
        if (errnoOf(e) !== 'EAGAIN') throw new PrinterError(problemOfErrno(errnoOf(e)), `writing to ${this.path} failed: ${(e as Error).message}`);
      }
      offset += written;
      if (offset < bytes.length && written === 0) await this.wait(deadline, signal, `the printer took ${offset} of ${bytes.length} bytes`);
    }
  }

  /** One byte from the printer, or null when none came by the deadline. */
  async readByte(deadline: number, signal: AbortSignal): Promise<number | null> {
    const one = Buffer.alloc(1);
    for (;;) {
      try {
        const { bytesRead } = await this.handle.read(one, 0, 1, null);
        if (bytesRead === 1) return one[0]!;
      } catch (e) {
        if (errnoOf(e) !== 'EAGAIN') throw new PrinterError(problemOfErrno(errnoOf(e)), `reading from ${this.path} failed: ${(e as Error).message}`);
      }
      if (Date.now() >= deadline) return null;
      await this.wait(Number.POSITIVE_INFINITY, signal, '');
    }
  }

  /** Throws away answers nobody waited for (a status reply that came after its deadline). */
  async discardInput(): Promise<void> {
    const buf = Buffer.alloc(256);
    for (;;) {
      try {
        if ((await this.handle.read(buf, 0, buf.length, null)).bytesRead === 0) return;
      } catch {
        return;
      }
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
  }

  private async wait(deadline: number, signal: AbortSignal, what: string): Promise<void> {
    if (signal.aborted) throw new PrinterError('timeout', 'print aborted');
    if (Date.now() >= deadline) throw new PrinterError('timeout', `printer timed out: ${what}`);
    try {
      await sleep(RETRY_MS, undefined, { signal });
    } catch {
      throw new PrinterError('timeout', 'print aborted');
    }
  }
}
