/**
 * ISO 7816-4 command and response APDUs, as far as reading a social security card needs them:
 * SELECT (by DF name, by file id), READ RECORD, GET RESPONSE; responses split into data and
 * status word. T=0 cards answer 61xx ("xx more bytes: GET RESPONSE") and 6Cxx ("wrong Le, ask
 * again with xx"); exchange() follows both, a bounded number of times.
 */

export interface ResponseApdu {
  data: Buffer;
  /** SW1 SW2 as one number, e.g. 0x9000. */
  sw: number;
}

export const SW_OK = 0x9000;
export const SW_FILE_NOT_FOUND = 0x6a82;
export const SW_RECORD_NOT_FOUND = 0x6a83;

export function selectByName(name: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x00, 0xa4, 0x04, 0x00, name.length]), name]);
}

export function selectFile(fileId: number): Buffer {
  return Buffer.from([0x00, 0xa4, 0x02, 0x00, 0x02, fileId >> 8, fileId & 0xff]);
}

/** READ RECORD `record` of the EF with short id `sfi`, or of the current EF when sfi is 0. Le 00: up to 256 bytes. */
export function readRecord(record: number, sfi = 0, le = 0): Buffer {
  return Buffer.from([0x00, 0xb2, record, ((sfi & 0x1f) << 3) | 0x04, le]);
}

export function getResponse(le: number): Buffer {
  return Buffer.from([0x00, 0xc0, 0x00, 0x00, le]);
}

/** Data and status word of a response; null when shorter than a status word. */
export function parseResponseApdu(bytes: Buffer): ResponseApdu | null {
  if (bytes.length < 2) return null;
  return { data: bytes.subarray(0, -2), sw: bytes.readUInt16BE(bytes.length - 2) };
}

export function swText(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/** A response that is not an APDU response (fewer than two bytes). */
export class MalformedResponse extends Error {
  constructor(readonly length: number) {
    super(`response of ${length} byte(s) has no status word`);
    this.name = 'MalformedResponse';
  }
}

/** The card did not answer a command in time (a mute or broken card, not a removed one). */
export class CardSilent extends Error {
  constructor(ms: number) {
    super(`card did not answer within ${ms} ms`);
    this.name = 'CardSilent';
  }
}

export type Transmit = (command: Buffer) => Promise<Buffer>;

/** How many 61xx / 6Cxx follow-ups one command may cause before the card is taken as broken. */
const MAX_FOLLOW_UPS = 8;

/**
 * Sends `command`, follows 61xx with GET RESPONSE (collecting the data) and 6Cxx by resending
 * with the Le the card asked for. Returns the final status word and all data.
 */
export async function exchange(transmit: Transmit, command: Buffer): Promise<ResponseApdu> {
  const parts: Buffer[] = [];
  let sent = command;
  for (let i = 0; ; i++) {
    const raw = await transmit(sent);
    const r = parseResponseApdu(raw);
    if (!r) throw new MalformedResponse(raw.length);
    const sw1 = r.sw >> 8;
    if (i >= MAX_FOLLOW_UPS || (sw1 !== 0x61 && sw1 !== 0x6c)) {
      parts.push(r.data);
      return { data: Buffer.concat(parts), sw: r.sw };
    }
    if (sw1 === 0x61) {
      parts.push(r.data);
      sent = getResponse(r.sw & 0xff);
    } else {
      sent = withLe(sent, r.sw & 0xff);
    }
  }
}

/** The same short command APDU with expected length `le` (replacing the one it had, if any). */
export function withLe(command: Buffer, le: number): Buffer {
  const header = command.subarray(0, 4);
  if (command.length <= 5) return Buffer.concat([header, Buffer.from([le])]);
  const lc = command[4]!;
  const body = command.subarray(4, 5 + lc);
  return Buffer.concat([header, body, Buffer.from([le])]);
}
