/**
 * One open serial line to a GA/T 467 reader: one command at a time, each answered by the next
 * frame or given up after a deadline. Frames that arrive when nothing was asked (a late answer
 * to a command already given up) are dropped.
 */
import { SerialPort } from 'serialport';
import type { Clock } from '../../clock/clock.js';
import { encodeRequest, FrameParser, parseResponse, type CommandName, type Response } from './gat467.js';

export type Answer = { kind: 'response'; response: Response } | { kind: 'timeout' } | { kind: 'corrupt' };

/** The port went away under a command (USB unplug, the pty's other end died). */
export class LinkLost extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'LinkLost';
  }
}

interface Waiter {
  resolve: (answer: Answer) => void;
  reject: (e: Error) => void;
  timer: unknown;
}

export class Gat467Link {
  private readonly parser = new FrameParser();
  private waiter: Waiter | null = null;
  private lostReason: string | null = null;
  private readonly lostListeners: Array<(reason: string) => void> = [];
  /** Bytes that belonged to no frame, frames with bad checksums: for logs and tests. */
  readonly stats = { garbageBytes: 0, badChecksums: 0, strayFrames: 0 };

  private constructor(
    private readonly port: SerialPort,
    private readonly clock: Clock,
  ) {
    port.on('data', (chunk: Buffer) => this.take(chunk));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => this.lose(err?.message ?? 'port closed'));
    // Errors also arrive as close on a disconnect; a write error shows up as the command's timeout.
    port.on('error', () => {});
  }

  /** Opens `path`; rejects with the system's message (ENOENT when the reader is unplugged). */
  static open(path: string, baudRate: number, clock: Clock): Promise<Gat467Link> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new Gat467Link(port, clock))));
    });
  }

  get lost(): string | null {
    return this.lostReason;
  }

  onLost(listener: (reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  /** Sends `command` and waits up to `timeoutMs` for its answer. Throws LinkLost if the port goes. */
  command(command: CommandName, timeoutMs: number): Promise<Answer> {
    if (this.lostReason !== null) return Promise.reject(new LinkLost(this.lostReason));
    if (this.waiter) return Promise.reject(new Error('GA/T 467: one command at a time'));
    return new Promise<Answer>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.waiter = null;
        // The rest of a half-received frame is not coming: do not let it swallow the next answer.
        this.parser.reset();
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
      this.port.write(encodeRequest(command));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }

  private settle(answer: Answer): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    this.clock.clearTimeout(w.timer);
    w.resolve(answer);
  }

  private take(chunk: Buffer): void {
    for (const item of this.parser.push(chunk)) {
      if (item.kind === 'garbage') this.stats.garbageBytes += item.bytes;
      else if (item.kind === 'bad-checksum') {
        this.stats.badChecksums++;
        this.settle({ kind: 'corrupt' });
      } else {
        const response = parseResponse(item.body);
        if (!this.waiter) this.stats.strayFrames++;
        this.settle(response ? { kind: 'response', response } : { kind: 'corrupt' });
      }
    }
  }

  private lose(reason: string): void {
    if (this.lostReason !== null) return;
    this.lostReason = reason;
    const w = this.waiter;
    this.waiter = null;
    if (w) {
      this.clock.clearTimeout(w.timer);
      w.reject(new LinkLost(reason));
    }
    for (const l of this.lostListeners) l(reason);
  }
}
