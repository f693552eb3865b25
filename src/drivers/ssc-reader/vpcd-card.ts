/**
 * A virtual card for vsmartcard's vpcd reader driver: we connect to the reader's TCP port as the
 * card. Every message both ways is a 2-byte big-endian length and a payload; a 1-byte payload
 * from the reader is a control (00 power off, 01 power on, 02 reset: no answer; 04: answer the
 * ATR); anything longer is a command APDU, answered with the response APDU. Closing the
 * connection takes the card out of the reader.
 */
import { connect, type Socket } from 'node:net';
import { Emitter } from '../emitter.js';

export interface Applet {
  process(apdu: Buffer): Buffer;
}

/** A T=1 ATR pcscd accepts; the applet decides how the card behaves. */
export const DEFAULT_ATR = Buffer.from('3b8080010101', 'hex');

export interface VirtualCardOptions {
  atr?: Buffer;
  /** Pull the card out instead of answering the Nth command APDU (1-based): a card taken away mid-read. */
  pullAtApdu?: number;
  /** Give up connecting after this long (pcscd may still be opening the port). */
  timeoutMs?: number;
}

export class VirtualCard {
  /** Command APDUs as they arrive. */
  readonly apdus = new Emitter<Buffer>();
  apduCount = 0;
  private buf = Buffer.alloc(0);
  private closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    private readonly applet: Applet,
    private readonly options: VirtualCardOptions,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    socket.on('error', () => {});
  }

  /** Connects to vpcd on `port` (retrying while it is not listening yet): the card is in the reader. */
  static async insert(port: number, applet: Applet, options: VirtualCardOptions = {}): Promise<VirtualCard> {
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    for (;;) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = connect({ port, host: '127.0.0.1' }, () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
        socket.setNoDelay(true);
        return new VirtualCard(socket, applet, options);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() > deadline) {
          throw new Error(`vpcd on port ${port} cannot be reached: ${(e as Error).message}`);
        }
        // vpcd opens its port a moment after pcscd starts: poll it, bounded by the deadline.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /** Takes the card out. */
  async remove(): Promise<void> {
    this.socket.destroy();
    await this.closed;
  }

  get inserted(): boolean {
    return !this.socket.destroyed;
  }

  private take(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= 2) {
      const n = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + n) return;
      const message = this.buf.subarray(2, 2 + n);
      this.buf = this.buf.subarray(2 + n);
      if (n === 1) {
        if (message[0] === 0x04) this.send(this.options.atr ?? DEFAULT_ATR);
        continue;
      }
      this.apduCount++;
      if (this.options.pullAtApdu === this.apduCount) {
        this.socket.destroy();
        return;
      }
      this.apdus.emit(Buffer.from(message));
      this.send(this.applet.process(Buffer.from(message)));
    }
  }

  private send(payload: Buffer): void {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length);
    this.socket.write(Buffer.concat([head, payload]));
  }
}
