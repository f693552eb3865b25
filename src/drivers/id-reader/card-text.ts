/**
 * The 256-byte text block of an ID card's base information, UCS-2 little-endian, each field
 * space-padded to a fixed width. Three layouts share the block; the character at byte 248 tells
 * them apart: blank for the resident ID card, 'J' for the Hong Kong / Macau / Taiwan residence
 * permit (港澳台居民居住证, same fields plus pass number and issue count), 'I' or 'Y' for the
 * foreign permanent resident ID card (外国人永久居留身份证), which this terminal recognises and
 * refuses: its number is not a GB 11643 citizen number the SI system keys pensions by.
 * Decoding never throws: any bytes give a card or a reason.
 */
import type { Gender, Identity } from '../../domain/identity.js';
import { isValidDate } from '../../domain/id-number.js';
import { nationCode, nationName } from '../../domain/nations.js';

export const TEXT_BYTES = 256;
/** The photo is WLT-compressed and needs a licensed decoder: carried as opaque bytes. */
export const PHOTO_BYTES = 1024;

interface Field {
  at: number;
  bytes: number;
}
/** Resident and HMT layouts (bytes). */
const F = {
  name: { at: 0, bytes: 30 },
  gender: { at: 30, bytes: 2 },
  nation: { at: 32, bytes: 4 },
  birth: { at: 36, bytes: 16 },
  address: { at: 52, bytes: 70 },
  idNumber: { at: 122, bytes: 36 },
  issuer: { at: 158, bytes: 30 },
  validFrom: { at: 188, bytes: 16 },
  validTo: { at: 204, bytes: 16 },
  passNumber: { at: 220, bytes: 18 },
  issueCount: { at: 238, bytes: 4 },
  cardType: { at: 248, bytes: 2 },
} as const satisfies Record<string, Field>;

export type CardKind = 'resident' | 'hmt-residence' | 'foreign-permanent';

/** What the card says, as printed (dates YYYYMMDD, '长期' kept). */
export interface CardText {
  kind: 'resident' | 'hmt-residence';
  name: string;
  gender: Gender;
  /** Two digits; blank on HMT permits. */
  nationCode: string;
  nation?: string;
  birth: string;
  address: string;
  idNumber: string;
  issuer: string;
  validFrom: string;
  /** YYYYMMDD or 长期 */
  validTo: string;
  /** HMT permits: the travel permit number and how many times the permit was issued. */
  passNumber?: string;
  issueCount?: string;
}

export type TextDecode =
  | { ok: true; card: CardText; identity: Omit<Identity, 'source'> }
  | { ok: false; kind: CardKind | 'unknown'; reason: string };

const LONG_TERM = '长期';

function field(block: Buffer, f: Field): string {
  // Trailing spaces pad the field; NULs appear on some cards instead.
  return block.toString('utf16le', f.at, f.at + f.bytes).replace(/[\s\u0000]+$/u, '');
}

/** Control characters or unpaired surrogates inside a field: a damaged read, not a card. */
function damaged(s: string): boolean {
  return /[\u0000-\u001f\u007f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u.test(s);
}

function isoDate(yyyymmdd: string): string {
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

export function kindOf(block: Buffer): CardKind | 'unknown' {
  if (block.length < TEXT_BYTES) return 'unknown';
  const flag = block.toString('utf16le', F.cardType.at, F.cardType.at + F.cardType.bytes);
  if (flag === ' ' || flag === '\u0000') return 'resident';
  if (flag === 'J') return 'hmt-residence';
  if (flag === 'I' || flag === 'Y') return 'foreign-permanent';
  return 'unknown';
}

export function decodeCardText(block: Buffer): TextDecode {
  if (block.length < TEXT_BYTES) return { ok: false, kind: 'unknown', reason: `text block has ${block.length} bytes, needs ${TEXT_BYTES}` };
  const kind = kindOf(block);
  if (kind === 'unknown') return { ok: false, kind, reason: 'unknown card type flag' };
  if (kind === 'foreign-permanent') return { ok: false, kind, reason: 'foreign permanent resident ID card: not a citizen ID number' };
  const get = (f: Field) => field(block, f);
  const text = {
    name: get(F.name),
    genderCode: get(F.gender),
    nationCode: get(F.nation),
    birth: get(F.birth),
    address: get(F.address),
    idNumber: get(F.idNumber).toUpperCase(),
    issuer: get(F.issuer),
    validFrom: get(F.validFrom),
    validTo: get(F.validTo),
    passNumber: kind === 'hmt-residence' ? get(F.passNumber) : '',
    issueCount: kind === 'hmt-residence' ? get(F.issueCount) : '',
  };
  for (const [key, value] of Object.entries(text)) {
    if (damaged(value)) return { ok: false, kind, reason: `field ${key} holds control characters` };
  }
  if (text.name.trim() === '') return { ok: false, kind, reason: 'name is empty' };
  if (!/^\d{17}[\dX]$/.test(text.idNumber)) return { ok: false, kind, reason: 'ID number field is not 18 characters of digits (and X)' };
  if (!isValidDate(text.birth)) return { ok: false, kind, reason: 'birth date field is not a date' };
  if (!isValidDate(text.validFrom)) return { ok: false, kind, reason: 'valid-from field is not a date' };
  if (text.validTo !== LONG_TERM && !isValidDate(text.validTo)) return { ok: false, kind, reason: 'valid-to field is neither a date nor 长期' };
  const gender: Gender = text.genderCode === '1' ? 'male' : text.genderCode === '2' ? 'female' : 'unknown';
  const nation = /^\d{2}$/.test(text.nationCode) ? nationName(Number(text.nationCode)) : undefined;
  const card: CardText = {
    kind,
    name: text.name,
    gender,
    nationCode: text.nationCode,
    ...(nation ? { nation } : {}),
    birth: text.birth,
    address: text.address,
    idNumber: text.idNumber,
    issuer: text.issuer,
    validFrom: text.validFrom,
    validTo: text.validTo,
    ...(kind === 'hmt-residence' ? { passNumber: text.passNumber, issueCount: text.issueCount } : {}),
  };
  const identity: Omit<Identity, 'source'> = {
    name: card.name,
    gender,
    idNumber: card.idNumber,
    birthDate: isoDate(card.birth),
    ...(nation ? { nation } : {}),
    validFrom: isoDate(card.validFrom),
    validTo: card.validTo === LONG_TERM ? 'long-term' : isoDate(card.validTo),
  };
  return { ok: true, card, identity };
}

/** What a card to be written holds (emulator, tests). Dates YYYY-MM-DD; validTo may be 'long-term'. */
export interface CardTextInput {
  kind?: CardKind;
  name: string;
  gender: Gender;
  idNumber: string;
  birthDate: string;
  nation?: string;
  address?: string;
  issuer?: string;
  validFrom?: string;
  validTo?: string;
  passNumber?: string;
  issueCount?: string;
}

/** Builds the 256-byte block a reader would deliver for `input`. Throws when a field does not fit. */
export function encodeCardText(input: CardTextInput): Buffer {
  const block = Buffer.alloc(TEXT_BYTES);
  const kind = input.kind ?? 'resident';
  block.write(' '.repeat(TEXT_BYTES / 2), 0, 'utf16le');
  const put = (name: keyof typeof F, value: string) => {
    const f = F[name];
    const bytes = Buffer.from(value, 'utf16le');
    if (bytes.length > f.bytes) throw new RangeError(`card text field ${name} holds at most ${f.bytes / 2} characters`);
    bytes.copy(block, f.at);
  };
  const compact = (d: string) => d.replaceAll('-', '');
  if (kind === 'foreign-permanent') {
    // Only the type flag matters: the terminal refuses these cards before reading any field.
    put('cardType', 'I');
    return block;
  }
  const code = input.nation !== undefined ? nationCode(input.nation) : 1;
  put('name', input.name);
  put('gender', input.gender === 'male' ? '1' : input.gender === 'female' ? '2' : '0');
  put('nation', kind === 'hmt-residence' ? '' : String(code ?? 1).padStart(2, '0'));
  put('birth', compact(input.birthDate));
  put('address', input.address ?? '广东省佛山市禅城区祖庙路1号');
  put('idNumber', input.idNumber);
  put('issuer', input.issuer ?? '佛山市公安局禅城分局');
  put('validFrom', compact(input.validFrom ?? '2016-05-10'));
  put('validTo', input.validTo === undefined || input.validTo === 'long-term' ? LONG_TERM : compact(input.validTo));
  if (kind === 'hmt-residence') {
    put('passNumber', input.passNumber ?? 'H00000000');
    put('issueCount', input.issueCount ?? '01');
    put('cardType', 'J');
  }
  return block;
}
