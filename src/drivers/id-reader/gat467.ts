/**
 * GA/T 467 frames, the serial protocol of 2nd-generation ID card readers (the reader's "SAM").
 *
 *   AA AA AA 96 69 | LEN (2 bytes, big-endian) | body | CHK
 *
 * LEN counts from the byte after it through CHK; CHK is the XOR of every byte after the preamble
 * (LEN included). A request body is CMD PARA data; a response body is SW1 SW2 SW3 data.
 * The parser survives what a serial line does: garbage between frames, a frame split over many
 * reads or several in one, bad checksums, and a length field that is itself garbage.
 */

export const PREAMBLE = Buffer.from([0xaa, 0xaa, 0xaa, 0x96, 0x69]);

/** Commands: [CMD, PARA]. */
export const COMMANDS = {
  findCard: [0x20, 0x01],
  selectCard: [0x20, 0x02],
  readBase: [0x30, 0x01],
  samStatus: [0x11, 0xff],
} as const;
export type CommandName = keyof typeof COMMANDS;

/** SW3 result codes the driver acts on (GA/T 467, as reported). */
export const SW3 = {
  ok: 0x90,
  cardFound: 0x9f,
  checksumError: 0x10,
  lengthError: 0x11,
  commandError: 0x21,
  unknownCardType: 0x40,
  readFailed: 0x41,
  findFailed: 0x80,
  selectFailed: 0x81,
} as const;

/** Longest body accepted: read-base (1287) and the fingerprint read (~2.3 kB) fit; a garbage length does not. */
export const MAX_BODY = 4096;

export function checksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i]!;
  return x;
}

function frame(body: Buffer): Buffer {
  if (body.length + 1 > 0xffff) throw new RangeError('GA/T 467 frame body too long');
  const out = Buffer.alloc(PREAMBLE.length + 2 + body.length + 1);
  PREAMBLE.copy(out, 0);
  out.writeUInt16BE(body.length + 1, PREAMBLE.length);
  body.copy(out, PREAMBLE.length + 2);
  out[out.length - 1] = checksum(out, PREAMBLE.length, out.length - 1);
  return out;
}

export function encodeRequest(command: CommandName, data: Buffer = Buffer.alloc(0)): Buffer {
  const [cmd, para] = COMMANDS[command];
  return frame(Buffer.concat([Buffer.from([cmd, para]), data]));
}

export function encodeResponse(sw3: number, data: Buffer = Buffer.alloc(0), sw1 = 0, sw2 = 0): Buffer {
  return frame(Buffer.concat([Buffer.from([sw1, sw2, sw3]), data]));
}

export interface Response {
  sw1: number;
  sw2: number;
  sw3: number;
  data: Buffer;
}

/** A response body as SW1 SW2 SW3 data; null when too short to be one. */
export function parseResponse(body: Buffer): Response | null {
  if (body.length < 3) return null;
  return { sw1: body[0]!, sw2: body[1]!, sw3: body[2]!, data: body.subarray(3) };
}

/** A request body as command name (null if unknown) and data: for the emulator. */
export function parseRequest(body: Buffer): { command: CommandName | null; cmd: number; para: number; data: Buffer } | null {
  if (body.length < 2) return null;
  const cmd = body[0]!;
  const para = body[1]!;
  const command = (Object.keys(COMMANDS) as CommandName[]).find((k) => COMMANDS[k][0] === cmd && COMMANDS[k][1] === para) ?? null;
  return { command, cmd, para, data: body.subarray(2) };
}

export type ParsedItem =
  | { kind: 'frame'; body: Buffer }
  /** A complete frame whose checksum did not match: dropped, the line resynchronises after its preamble. */
  | { kind: 'bad-checksum' }
  /** Bytes that belong to no frame (noise, a partial frame from before we listened). */
  | { kind: 'garbage'; bytes: number };

/**
 * Splits a byte stream into frames. Keeps at most one incomplete frame between pushes; never
 * throws, whatever the bytes.
 */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Bytes held while waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  /** Drops what is held: after a timeout the rest of that frame is not coming. */
  reset(): void {
    this.buf = Buffer.alloc(0);
  }

  push(chunk: Buffer): ParsedItem[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
    const items: ParsedItem[] = [];
    let garbage = 0;
    let off = 0;
    const flushGarbage = () => {
      if (garbage > 0) items.push({ kind: 'garbage', bytes: garbage });
      garbage = 0;
    };
    for (;;) {
      const start = this.buf.indexOf(PREAMBLE, off);
      if (start < 0) {
        // Keep a tail that may be the beginning of a preamble split across reads.
        const keep = this.preambleTail(off);
        garbage += this.buf.length - off - keep;
        off = this.buf.length - keep;
        break;
      }
      garbage += start - off;
      off = start;
      const lenAt = start + PREAMBLE.length;
      if (this.buf.length < lenAt + 2) break;
      const len = this.buf.readUInt16BE(lenAt);
      if (len < 2 || len > MAX_BODY + 1) {
        // Not a frame we can take: skip this preamble's first byte and look again.
        garbage += 1;
        off = start + 1;
        continue;
      }
      const end = lenAt + 2 + len;
      if (this.buf.length < end) break;
      if (checksum(this.buf, lenAt, end - 1) !== this.buf[end - 1]) {
        flushGarbage();
        items.push({ kind: 'bad-checksum' });
        // The length may have been corrupt too: a good frame can start inside the bad one.
        off = start + 1;
        continue;
      }
      flushGarbage();
      items.push({ kind: 'frame', body: Buffer.from(this.buf.subarray(lenAt + 2, end - 1)) });
      off = end;
    }
    flushGarbage();
    this.buf = off >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(off));
    return items;
  }

  /** Length of the longest suffix of buf[from..] that is a proper prefix of the preamble. */
  private preambleTail(from: number): number {
    const max = Math.min(PREAMBLE.length - 1, this.buf.length - from);
    for (let n = max; n > 0; n--) {
      if (this.buf.subarray(this.buf.length - n).equals(PREAMBLE.subarray(0, n))) return n;
    }
    return 0;
  }
}

/** Read-base data: text length (2, BE), photo length (2, BE), text, photo. */
export function splitBaseInfo(data: Buffer): { text: Buffer; photo: Buffer } | { error: string } {
  if (data.length < 4) return { error: `read-base data has ${data.length} bytes` };
  const textLen = data.readUInt16BE(0);
  const photoLen = data.readUInt16BE(2);
  if (4 + textLen + photoLen !== data.length) {
    return { error: `read-base lengths ${textLen}+${photoLen} do not match the ${data.length - 4} bytes that came` };
  }
  return { text: data.subarray(4, 4 + textLen), photo: data.subarray(4 + textLen) };
}

export function joinBaseInfo(text: Buffer, photo: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(text.length, 0);
  head.writeUInt16BE(photo.length, 2);
  return Buffer.concat([head, text, photo]);
}
