/**
 * A GA/T 467 ID card reader of our own, on the far end of a serial line (a socat pty pair in tests
 * and in the sim profile's emulated devices). It answers find / select / read base / SAM status
 * like a reader does — a card that was read is not found again until it leaves the field — and
 * can misbehave on purpose: silence, line noise, corrupt checksums, answers in pieces, a stale
 * frame before the answer, a card pulled away in the middle of a read.
 */
import { SerialPort } from 'serialport';
import { Emitter } from '../emitter.js';
import { encodeCardText, PHOTO_BYTES, type CardTextInput } from './card-text.js';
import { encodeResponse, FrameParser, joinBaseInfo, parseRequest, SW3, type CommandName } from './gat467.js';

export interface EmulatedCard {
  /** The 256-byte text block, as encodeCardText builds it (or damaged bytes on purpose). */
  text: Buffer;
  photo?: Buffer;
}

/** Ways the emulator misbehaves; each applies to every answer until changed. */
export interface Misbehaviour {
  /** Answer nothing at all (a reader without power behind a live USB-serial chip). */
  silent: boolean;
  /** Bytes written before every answer. */
  noise: Buffer | null;
  /** Answers go out in pieces of this many bytes, one write each (0: whole). */
  pieceBytes: number;
  /** The next N answers carry a wrong checksum. */
  corruptAnswers: number;
  /** Before the next answer, an extra answer nobody asked for, in the same write. */
  staleFrame: boolean;
  /** Find keeps succeeding while the card lies there, as some readers do. */
  stickyFind: boolean;
  /** The next read base sends only this many bytes of its answer, then the card is gone. */
  pullDuringRead: number | null;
}

export interface EmulatorStats {
  commands: Record<CommandName | 'unknown', number>;
}

export class Gat467Emulator {
  readonly misbehave: Misbehaviour = {
    silent: false,
    noise: null,
    pieceBytes: 0,
    corruptAnswers: 0,
    staleFrame: false,
    stickyFind: false,
    pullDuringRead: null,
  };
  readonly stats: EmulatorStats = { commands: { findCard: 0, selectCard: 0, readBase: 0, samStatus: 0, unknown: 0 } };
  /** Every command received, as it arrives: tests wait on these instead of sleeping. */
  readonly commands = new Emitter<CommandName | 'unknown'>();
  private card: EmulatedCard | null = null;
  /** Found and selected since it was placed; read once (not found again until it leaves). */
  private found = false;
  private selected = false;
  private read = false;
  private readonly parser = new FrameParser();
  /** Answers leave in order, also when one goes out in pieces. */
  private writes: Promise<void> = Promise.resolve();

  private constructor(private readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => this.take(chunk));
    port.on('error', () => {});
  }

  /** Opens the reader's end of the line. */
  static open(path: string, baudRate = 115_200): Promise<Gat467Emulator> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new Gat467Emulator(port))));
    });
  }

  /** Puts a card in the field (replacing any). */
  place(card: EmulatedCard | CardTextInput): void {
    this.card = 'text' in card && Buffer.isBuffer(card.text) ? (card as EmulatedCard) : { text: encodeCardText(card as CardTextInput) };
    this.found = this.selected = this.read = false;
  }

  /** Takes the card out of the field. */
  remove(): void {
    this.card = null;
    this.found = this.selected = this.read = false;
  }

  get hasCard(): boolean {
    return this.card !== null;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }

  private take(chunk: Buffer): void {
    for (const item of this.parser.push(chunk)) {
      if (item.kind === 'bad-checksum') this.answer(encodeResponse(SW3.checksumError));
      if (item.kind !== 'frame') continue;
      const request = parseRequest(item.body);
      const name = request?.command ?? 'unknown';
      this.stats.commands[name]++;
      this.commands.emit(name);
      this.answer(this.respond(name));
    }
  }

  private respond(command: CommandName | 'unknown'): Buffer | null {
    switch (command) {
      case 'samStatus':
        return encodeResponse(SW3.ok);
      case 'findCard':
        if (this.card && (!this.read || this.misbehave.stickyFind)) {
          this.found = true;
          return encodeResponse(SW3.cardFound, Buffer.alloc(4));
        }
        return encodeResponse(SW3.findFailed, Buffer.alloc(4));
      case 'selectCard':
        if (this.card && this.found) {
          this.selected = true;
          return encodeResponse(SW3.ok, Buffer.alloc(8));
        }
        return encodeResponse(SW3.selectFailed, Buffer.alloc(8));
      case 'readBase': {
        if (!this.card || !this.selected) return encodeResponse(SW3.readFailed);
        const answer = encodeResponse(SW3.ok, joinBaseInfo(this.card.text, this.card.photo ?? Buffer.alloc(PHOTO_BYTES, 0x57)));
        this.read = true;
        this.found = this.selected = false;
        if (this.misbehave.pullDuringRead !== null) {
          const cut = this.misbehave.pullDuringRead;
          this.misbehave.pullDuringRead = null;
          this.remove();
          return answer.subarray(0, cut);
        }
        return answer;
      }
      default:
        return encodeResponse(SW3.commandError);
    }
  }

  private answer(frame: Buffer | null): void {
    const m = this.misbehave;
    if (m.silent || frame === null) return;
    let out = Buffer.from(frame);
    if (m.corruptAnswers > 0 && out.length > 7) {
      m.corruptAnswers--;
      out[out.length - 1] = out[out.length - 1]! ^ 0x5a;
    }
    if (m.staleFrame) {
      m.staleFrame = false;
      out = Buffer.concat([encodeResponse(SW3.findFailed, Buffer.alloc(4)), out]);
    }
    if (m.noise) out = Buffer.concat([m.noise, out]);
    if (m.pieceBytes > 0) {
      // One piece per turn of the event loop, so the driver's end reads them apart.
      for (let i = 0; i < out.length; i += m.pieceBytes) {
        const piece = out.subarray(i, i + m.pieceBytes);
        this.writes = this.writes.then(() => new Promise<void>((resolve) => setImmediate(() => this.port.write(piece, () => resolve()))));
      }
    } else {
      this.writes = this.writes.then(() => void this.port.write(out));
    }
  }
}
