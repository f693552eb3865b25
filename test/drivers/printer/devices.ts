/**
 * Stand-ins for /dev/usb/lp0 in tests: a FIFO (one way: what the driver sends is read back
 * exactly) and a pty pair made by socat with an ESC/POS printer emulator on the far end (two
 * ways: it answers DLE EOT status requests and the GS r 1 that closes every job).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';

/** A FIFO at `path`, read by the test; opened read-write so the test's end never sees EOF. */
export class FifoDevice {
  private readonly fd: number;
  private readonly socket: Socket | null = null;
  private readonly chunks: Buffer[] = [];
  private waiters: Array<() => void> = [];

  /** `jammed`: the test holds the FIFO open but never reads, and fills it: a printer that takes nothing. */
  constructor(
    readonly path: string,
    jammed = false,
  ) {
    execFileSync('mkfifo', [path]);
    this.fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
    if (jammed) {
      const block = Buffer.alloc(4096, 0xee);
      try {
        for (;;) writeSync(this.fd, block);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
      return;
    }
    this.socket = new Socket({ fd: this.fd, readable: true, writable: false });
    this.socket.on('data', (b: Buffer) => {
      this.chunks.push(b);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** Resolves once `n` bytes have arrived. */
  async received(n: number): Promise<Buffer> {
    while (this.bytes.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.bytes;
  }

  close(): void {
    if (this.socket) this.socket.destroy();
    else closeSync(this.fd);
  }
}

export interface StatusReply {
  printer: number;
  offlineCause: number;
  paper: number;
}

export const PRINTER_READY: StatusReply = { printer: 0x12, offlineCause: 0x12, paper: 0x12 };
export const PAPER_OUT: StatusReply = { printer: 0x1a, offlineCause: 0x32, paper: 0x72 };
export const COVER_OPEN: StatusReply = { printer: 0x1a, offlineCause: 0x16, paper: 0x12 };
export const OFFLINE: StatusReply = { printer: 0x1a, offlineCause: 0x12, paper: 0x12 };

/**
 * The printer end of a pty pair. Status requests (DLE EOT n) are answered from `status` (null:
 * silence); a job runs from ESC @ to GS r 1, which is answered with `jobAnswer` (null: silence).
 */
export class PrinterEmulator {
  status: StatusReply | null = PRINTER_READY;
  jobAnswer: number | null = 0x00;
  /** Everything the driver sent, in order. */
  readonly received: Buffer[] = [];
  readonly jobs: Buffer[] = [];
  readonly questions: number[] = [];
  private pending = Buffer.alloc(0);
  private inJob = false;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly fd: number) {}

  get all(): Buffer {
    return Buffer.concat(this.received);
  }

  take(data: Buffer): void {
    this.received.push(data);
    this.pending = Buffer.concat([this.pending, data]);
    for (;;) {
      if (!this.inJob && this.pending.length >= 3 && this.pending[0] === 0x10 && this.pending[1] === 0x04) {
        const n = this.pending[2]!;
        this.pending = this.pending.subarray(3);
        this.questions.push(n);
        const s = this.status;
        if (s) this.answer(n === 1 ? s.printer : n === 2 ? s.offlineCause : s.paper);
        continue;
      }
      if (!this.inJob && this.pending.length >= 2 && this.pending[0] === 0x1b && this.pending[1] === 0x40) this.inJob = true;
      if (this.inJob) {
        const end = this.pending.indexOf(Buffer.from([0x1d, 0x72, 0x01]));
        if (end < 0) break;
        this.jobs.push(this.pending.subarray(0, end + 3));
        this.pending = this.pending.subarray(end + 3);
        this.inJob = false;
        if (this.jobAnswer !== null) this.answer(this.jobAnswer);
        continue;
      }
      break;
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when the emulator has seen `n` jobs. */
  async jobCount(n: number): Promise<void> {
    while (this.jobs.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private answer(byte: number): void {
    writeSync(this.fd, Buffer.from([byte]));
  }
}

/** A pty pair from socat: the driver opens `device`, the emulator the other end. */
export class PtyPrinter {
  readonly device: string;
  emulator!: PrinterEmulator;
  private socat!: ChildProcess;
  private stream!: ReadStream;
  /** Holds the driver's end open between jobs: socat ends the pair when the last opener goes. */
  private keep = -1;

  private constructor(dir: string) {
    this.device = join(dir, 'lp0');
  }

  static async create(dir: string): Promise<PtyPrinter> {
    const p = new PtyPrinter(dir);
    const far = join(dir, 'printer-side');
    p.socat = spawn('socat', ['-d', '-d', `pty,rawer,link=${p.device}`, `pty,rawer,link=${far}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    // socat says "PTY is /dev/pts/N" once per end, then "starting data transfer loop".
    await new Promise<void>((resolve, reject) => {
      let log = '';
      p.socat.stderr!.on('data', (b: Buffer) => {
        log += b.toString();
        if (log.includes('starting data transfer loop')) resolve();
      });
      p.socat.once('exit', (code) => reject(new Error(`socat exited (${code}): ${log}`)));
    });
    p.keep = openSync(p.device, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
    const fd = openSync(far, constants.O_RDWR | constants.O_NOCTTY);
    p.emulator = new PrinterEmulator(fd);
    p.stream = new ReadStream(fd);
    p.stream.on('data', (b) => p.emulator.take(b as Buffer));
    return p;
  }

  async close(): Promise<void> {
    this.stream.destroy();
    closeSync(this.keep);
    const exited = new Promise((resolve) => this.socat.once('exit', resolve));
    this.socat.kill();
    await exited;
  }
}
