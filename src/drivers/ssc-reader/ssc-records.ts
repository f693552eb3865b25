/**
 * The records of a social security card (社会保障卡) that identify its holder, as TLV: the tag is
 * the record number, then a length, then the value.
 *   EF05 (SFI 5): 05 issue date (BCD YYYYMMDD), 06 expiry date (BCD), 07 card number (ASCII, 9)
 *   EF06:         08 social security number = citizen ID number (ASCII, 18), 09 name (GBK, 30),
 *                 0A sex ('1' male, '2' female), 0B nation (BCD code), 0D birth date (BCD)
 * Decoding never throws: a value either decodes or the record is named as the problem.
 */
import iconv from 'iconv-lite';
import type { Gender } from '../../domain/identity.js';
import { isValidDate } from '../../domain/id-number.js';
import { nationCode, nationName } from '../../domain/nations.js';

export const RECORD = {
  issueDate: 0x05,
  expiryDate: 0x06,
  cardNumber: 0x07,
  ssn: 0x08,
  name: 0x09,
  sex: 0x0a,
  nation: 0x0b,
  birthDate: 0x0d,
} as const;

/** DF name of the social security application: "sx1.sh." + GBK "社会保障". */
export const SSC_DF_NAME = Buffer.concat([Buffer.from('sx1.sh.', 'ascii'), iconv.encode('社会保障', 'gbk')]);
export const EF05_SFI = 5;
export const EF06 = 0xef06;

export interface Tlv {
  tag: number;
  value: Buffer;
}

/**
 * One TLV from the start of `bytes` (1-byte tag; length in one byte, or 81 xx / 82 xx xx);
 * null when the bytes are not one.
 */
export function parseTlv(bytes: Buffer): Tlv | null {
  if (bytes.length < 2) return null;
  const tag = bytes[0]!;
  let len = bytes[1]!;
  let at = 2;
  if (len === 0x81) {
    if (bytes.length < 3) return null;
    len = bytes[2]!;
    at = 3;
  } else if (len === 0x82) {
    if (bytes.length < 4) return null;
    len = bytes.readUInt16BE(2);
    at = 4;
  } else if (len > 0x7f) return null;
  if (at + len > bytes.length) return null;
  return { tag, value: bytes.subarray(at, at + len) };
}

export function encodeTlv(tag: number, value: Buffer): Buffer {
  const len = value.length;
  const head = len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : [tag, 0x82, len >> 8, len & 0xff];
  return Buffer.concat([Buffer.from(head), value]);
}

/** BCD digits, two per byte; null if any nibble is not a digit. */
export function bcdDigits(value: Buffer): string | null {
  let s = '';
  for (const b of value) {
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) return null;
    s += `${hi}${lo}`;
  }
  return s;
}

export function toBcd(digits: string): Buffer {
  if (!/^(\d\d)*$/.test(digits)) throw new RangeError('BCD needs an even number of digits');
  const out = Buffer.alloc(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (Number(digits[2 * i]) << 4) | Number(digits[2 * i + 1]);
  return out;
}

/** Padding cards use after text values. */
function unpad(value: Buffer): Buffer {
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x00 || value[end - 1] === 0x20 || value[end - 1] === 0xff)) end--;
  return value.subarray(0, end);
}

function printableAscii(value: Buffer): string | null {
  const v = unpad(value);
  for (const b of v) if (b < 0x21 || b > 0x7e) return null;
  return v.toString('ascii');
}

export type Field<T> = { ok: true; value: T } | { ok: false; problem: string };
const bad = (problem: string): { ok: false; problem: string } => ({ ok: false, problem });

/** A BCD date (YYYYMMDD) as YYYY-MM-DD; null for a blank one (all 00 or all FF). */
export function decodeDate(value: Buffer, what: string): Field<string | null> {
  if (value.length === 4 && (value.every((b) => b === 0) || value.every((b) => b === 0xff))) return { ok: true, value: null };
  const digits = value.length === 4 ? bcdDigits(value) : null;
  if (!digits || !isValidDate(digits)) return bad(`${what} is not a BCD date`);
  return { ok: true, value: `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}` };
}

export function decodeCardNumber(value: Buffer): Field<string> {
  const s = printableAscii(value);
  return s && s.length >= 6 && s.length <= 20 ? { ok: true, value: s } : bad('card number is not printable ASCII');
}

export function decodeSsn(value: Buffer): Field<string> {
  const s = printableAscii(value)?.toUpperCase();
  return s && /^\d{17}[\dX]$/.test(s) ? { ok: true, value: s } : bad('social security number is not 18 digits (and X)');
}

export function decodeName(value: Buffer): Field<string> {
  const v = unpad(value);
  if (v.length === 0) return bad('name is empty');
  const name = iconv.decode(v, 'gbk').trim();
  // iconv marks undecodable bytes with U+FFFD; control characters mean a damaged record.
  if (name === '' || /[\u0000-\u001f\u007f\ufffd]/u.test(name)) return bad('name is not GBK text');
  return { ok: true, value: name };
}

/** ASCII '1' / '2' as cards store it; a raw 1 / 2 byte is taken too. */
export function decodeSex(value: Buffer): Field<Gender> {
  if (value.length !== 1) return bad('sex is not one byte');
  const b = value[0]!;
  if (b === 0x31 || b === 0x01) return { ok: true, value: 'male' };
  if (b === 0x32 || b === 0x02) return { ok: true, value: 'female' };
  return { ok: true, value: 'unknown' };
}

/** One BCD byte (0x01 汉 … 0x56 基诺, 0x97, 0x98); an unknown code gives no nation, not an error. */
export function decodeNation(value: Buffer): Field<string | null> {
  const digits = value.length === 1 ? bcdDigits(value) : null;
  if (digits === null) return { ok: true, value: null };
  return { ok: true, value: nationName(Number(digits)) ?? null };
}

/** A social security card's holder, as the card holds it (for the emulator and tests to write). */
export interface SscCardData {
  cardNumber: string;
  idNumber: string;
  name: string;
  gender: Gender;
  nation?: string;
  birthDate: string;
  issuedOn?: string;
  validTo?: string;
}

/** The record values of `card`, by record number. */
export function encodeRecords(card: SscCardData): Map<number, Buffer> {
  const name = iconv.encode(card.name, 'gbk');
  if (name.length > 30) throw new RangeError('SSC name holds at most 30 GBK bytes');
  const nation = card.nation !== undefined ? (nationCode(card.nation) ?? 0) : 1;
  const bcdDate = (d: string) => toBcd(d.replaceAll('-', ''));
  const records = new Map<number, Buffer>([
    [RECORD.cardNumber, Buffer.from(card.cardNumber.padEnd(9, ' '), 'ascii')],
    [RECORD.ssn, Buffer.from(card.idNumber, 'ascii')],
    [RECORD.name, Buffer.concat([name, Buffer.alloc(30 - name.length, 0x00)])],
    [RECORD.sex, Buffer.from(card.gender === 'male' ? '1' : card.gender === 'female' ? '2' : '0', 'ascii')],
    [RECORD.nation, toBcd(String(nation).padStart(2, '0'))],
    [RECORD.birthDate, bcdDate(card.birthDate)],
  ]);
  if (card.issuedOn) records.set(RECORD.issueDate, bcdDate(card.issuedOn));
  if (card.validTo) records.set(RECORD.expiryDate, bcdDate(card.validTo));
  return records;
}
