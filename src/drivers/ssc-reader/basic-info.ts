/**
 * Reading a social security card's basic information over any APDU channel (PC/SC in the
 * driver, the emulator's applet directly in unit tests):
 *   SELECT by name "sx1.sh.社会保障" → READ RECORD 07 (05, 06) of EF05 by SFI →
 *   SELECT EF06 → READ RECORD 08, 09, 0A, 0B, 0D of the current EF.
 * The outcome is the card's holder or a reason the terminal can act on.
 */
import type { Identity } from '../../domain/identity.js';
import type { ReadErrorReason } from '../../machine/types.js';
import { CardSilent, exchange, MalformedResponse, readRecord, selectByName, selectFile, SW_OK, SW_RECORD_NOT_FOUND, swText, type Transmit } from './apdu.js';
import {
  decodeCardNumber,
  decodeDate,
  decodeName,
  decodeNation,
  decodeSex,
  decodeSsn,
  EF05_SFI,
  EF06,
  parseTlv,
  RECORD,
  SSC_DF_NAME,
  type Field,
} from './ssc-records.js';

export interface SscHolder {
  cardNumber: string;
  identity: Omit<Identity, 'source'>;
}

export type BasicInfoRead = { ok: true; holder: SscHolder; apdus: number } | { ok: false; reason: ReadErrorReason; detail: string; apdus: number };

/** A step failed in a way that ends the read. */
class ReadFailure extends Error {
  constructor(
    readonly reason: ReadErrorReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** Status words that mean "this is not a social security card" when selecting its application. */
const NOT_THIS_APPLICATION = new Set([0x6a82, 0x6a81, 0x6a86, 0x6d00, 0x6e00]);

/**
 * Runs the sequence. Errors thrown by `transmit` (the card left, the reader went away) end the
 * read as `removed-too-soon`; nothing else escapes.
 */
export async function readBasicInfo(transmit: Transmit): Promise<BasicInfoRead> {
  let apdus = 0;
  const counted: Transmit = (c) => {
    apdus++;
    return transmit(c);
  };
  const record = async (no: number, sfi: number, optional = false): Promise<Buffer | null> => {
    const r = await exchange(counted, readRecord(no, sfi));
    if (optional && r.sw === SW_RECORD_NOT_FOUND) return null;
    if (r.sw !== SW_OK) throw new ReadFailure('unreadable', `record ${no}: SW ${swText(r.sw)}`);
    const tlv = parseTlv(r.data);
    if (!tlv || tlv.tag !== no) throw new ReadFailure('unreadable', `record ${no}: not a TLV of tag ${no}`);
    return tlv.value;
  };
  const value = <T>(f: Field<T>): T => {
    if (!f.ok) throw new ReadFailure('unreadable', f.problem);
    return f.value;
  };
  try {
    const app = await exchange(counted, selectByName(SSC_DF_NAME));
    if (NOT_THIS_APPLICATION.has(app.sw)) return { ok: false, reason: 'unsupported-card', detail: `no social security application (SW ${swText(app.sw)})`, apdus };
    if (app.sw !== SW_OK) throw new ReadFailure('unreadable', `select application: SW ${swText(app.sw)}`);
    const cardNumber = value(decodeCardNumber((await record(RECORD.cardNumber, EF05_SFI))!));
    const issued = await record(RECORD.issueDate, EF05_SFI, true);
    const expiry = await record(RECORD.expiryDate, EF05_SFI, true);
    const validFrom = issued ? value(decodeDate(issued, 'issue date')) : null;
    const validTo = expiry ? value(decodeDate(expiry, 'expiry date')) : null;
    const ef06 = await exchange(counted, selectFile(EF06));
    if (ef06.sw !== SW_OK) throw new ReadFailure('unreadable', `select EF06: SW ${swText(ef06.sw)}`);
    const idNumber = value(decodeSsn((await record(RECORD.ssn, 0))!));
    const name = value(decodeName((await record(RECORD.name, 0))!));
    const gender = value(decodeSex((await record(RECORD.sex, 0))!));
    const nation = value(decodeNation((await record(RECORD.nation, 0))!));
    const birthDate = value(decodeDate((await record(RECORD.birthDate, 0))!, 'birth date'));
    if (birthDate === null) throw new ReadFailure('unreadable', 'birth date is blank');
    const identity: Omit<Identity, 'source'> = {
      name,
      gender,
      idNumber,
      birthDate,
      ...(nation ? { nation } : {}),
      ...(validFrom ? { validFrom } : {}),
      ...(validTo ? { validTo } : {}),
      cardNumber,
    };
    return { ok: true, holder: { cardNumber, identity }, apdus };
  } catch (e) {
    if (e instanceof ReadFailure) return { ok: false, reason: e.reason, detail: e.message, apdus };
    // vpcd (and some readers) answer nothing at all once the card has left in mid-command.
    if (e instanceof MalformedResponse && e.length === 0) return { ok: false, reason: 'removed-too-soon', detail: `card went silent: ${e.message}`, apdus };
    if (e instanceof MalformedResponse || e instanceof CardSilent) return { ok: false, reason: 'unreadable', detail: e.message, apdus };
    return { ok: false, reason: 'removed-too-soon', detail: `card channel: ${(e as Error).message}`, apdus };
  }
}
