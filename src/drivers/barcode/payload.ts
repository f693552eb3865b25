/**
 * What a scan is: the characters a scanner sends before its terminator (CR, LF, CR LF or TAB,
 * as the scanner is configured). A payload is checked before it becomes an identify event: text,
 * printable, not too long; anything else is an unreadable scan, never a crash or a guess.
 */

export const TERMINATORS = ['CR', 'LF', 'CRLF', 'TAB'] as const;
export type Terminator = (typeof TERMINATORS)[number];

export const TERMINATOR_BYTES: Record<Terminator, Buffer> = {
  CR: Buffer.from([0x0d]),
  LF: Buffer.from([0x0a]),
  CRLF: Buffer.from([0x0d, 0x0a]),
  TAB: Buffer.from([0x09]),
};

/** Electronic SSC codes and URLs are far shorter; a longer run is noise or a wrong terminator. */
export const MAX_PAYLOAD = 1_024;

export type Scan = { ok: true; token: string } | { ok: false; problem: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Checks one payload's text. Surrounding spaces (and stray CR/LF of another terminator) are dropped. */
export function checkText(text: string): Scan | null {
  const token = text.replace(/^[\s]+|[\s]+$/gu, '');
  if (token === '') return null;
  if (token.length > MAX_PAYLOAD) return { ok: false, problem: `payload longer than ${MAX_PAYLOAD} characters` };
  if (/[\u0000-\u001f\u007f\ufffd]/u.test(token)) return { ok: false, problem: 'payload holds control characters' };
  return { ok: true, token };
}

/** Checks a payload's bytes (serial scanners send UTF-8 or plain ASCII). */
export function checkBytes(bytes: Buffer): Scan | null {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, problem: 'payload is not UTF-8 text' };
  }
  return checkText(text);
}

/**
 * Splits a serial byte stream into payloads at the terminator. Bytes without a terminator are
 * held up to MAX_PAYLOAD (×4 for UTF-8); beyond that the run is dropped as unreadable.
 */
export class PayloadSplitter {
  private held: Buffer = Buffer.alloc(0);

  constructor(private readonly terminator: Terminator) {}

  get pending(): number {
    return this.held.length;
  }

  /** Drops a payload that never ended (the scanner's terminator is not the configured one). */
  flush(): Scan | null {
    if (this.held.length === 0) return null;
    this.held = Buffer.alloc(0);
    return { ok: false, problem: 'payload without terminator' };
  }

  push(chunk: Buffer): Scan[] {
    this.held = Buffer.concat([this.held, chunk]);
    const scans: Scan[] = [];
    const end = TERMINATOR_BYTES[this.terminator];
    for (;;) {
      const at = this.held.indexOf(end);
      if (at < 0) break;
      const scan = checkBytes(this.held.subarray(0, at));
      this.held = this.held.subarray(at + end.length);
      if (scan) scans.push(scan);
    }
    if (this.held.length > MAX_PAYLOAD * 4) {
      this.held = Buffer.alloc(0);
      scans.push({ ok: false, problem: 'payload longer than the longest code' });
    }
    if (this.held.length) this.held = Buffer.from(this.held);
    return scans;
  }
}
