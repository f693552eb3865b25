/**
 * The card side of a social security card, as an APDU-in / APDU-out function: our emulator's
 * applet behind vpcd, and the counterpart of basic-info.ts in unit tests. Cards it can be:
 * a holder's SSC (optionally answering T=0 style: 61xx for FCI, 6Cxx when Le is not exact), a
 * damaged SSC, or some other card without the social security application.
 */
import { SW_FILE_NOT_FOUND, SW_OK, SW_RECORD_NOT_FOUND } from './apdu.js';
import { EF05_SFI, EF06, encodeRecords, encodeTlv, RECORD, SSC_DF_NAME, type SscCardData } from './ssc-records.js';

/** How a damaged card fails: a status word on the holder records, a broken TLV, an unreadable name. */
export type Damage = 'status' | 'tlv' | 'name';

export type CardProfile =
  | { kind: 'ssc'; card: SscCardData; t0Style?: boolean; damage?: Damage }
  /** A card without the SSC application (a bank card, a transit card). */
  | { kind: 'other' };

const sw = (word: number) => Buffer.from([word >> 8, word & 0xff]);
/** A small FCI, returned through GET RESPONSE by T=0-style cards. */
const FCI = Buffer.from([0x6f, 0x08, 0x84, 0x06, 0x73, 0x78, 0x31, 0x2e, 0x73, 0x68]);

export class SscApplet {
  private selectedApp = false;
  private currentEf: number | null = null;
  private pending: Buffer | null = null;
  private readonly records: Map<number, Buffer> | null;

  constructor(readonly profile: CardProfile) {
    this.records = profile.kind === 'ssc' ? encodeRecords(profile.card) : null;
  }

  /** Answers one command APDU. */
  process(apdu: Buffer): Buffer {
    if (apdu.length < 4) return sw(0x6700);
    const [cla, ins, p1, p2] = [apdu[0]!, apdu[1]!, apdu[2]!, apdu[3]!];
    if (cla !== 0x00) return sw(0x6e00);
    const t0 = this.profile.kind === 'ssc' && this.profile.t0Style === true;
    if (ins !== 0xc0) this.pending = null;
    switch (ins) {
      case 0xa4: {
        const lc = apdu[4] ?? 0;
        const data = apdu.subarray(5, 5 + lc);
        if (p1 === 0x04) {
          if (this.profile.kind !== 'ssc' || !data.equals(SSC_DF_NAME)) return sw(SW_FILE_NOT_FOUND);
          this.selectedApp = true;
          this.currentEf = null;
        } else if (p1 === 0x02 && data.length === 2) {
          if (!this.selectedApp || data.readUInt16BE(0) !== EF06) return sw(SW_FILE_NOT_FOUND);
          this.currentEf = EF06;
        } else return sw(0x6a86);
        if (t0) {
          this.pending = FCI;
          return sw(0x6100 | FCI.length);
        }
        return sw(SW_OK);
      }
      case 0xc0: {
        if (!this.pending) return sw(0x6985);
        const out = this.pending.subarray(0, p2 === 0 ? 256 : p2);
        this.pending = null;
        return Buffer.concat([out, sw(SW_OK)]);
      }
      case 0xb2:
        return this.readRecord(p1, p2, apdu.length >= 5 ? apdu[4]! : 0, t0);
      default:
        return sw(0x6d00);
    }
  }

  private readRecord(record: number, p2: number, le: number, t0: boolean): Buffer {
    if (!this.selectedApp || !this.records || this.profile.kind !== 'ssc') return sw(0x6985);
    if ((p2 & 0x07) !== 0x04) return sw(0x6a86);
    const sfi = p2 >> 3;
    const ef = sfi === 0 ? this.currentEf : sfi === EF05_SFI ? 0xef05 : -1;
    const inEf05 = record === RECORD.issueDate || record === RECORD.expiryDate || record === RECORD.cardNumber;
    if (ef === null || ef === -1 || (ef === 0xef05) !== inEf05) return sw(SW_RECORD_NOT_FOUND);
    let value = this.records.get(record);
    if (!value) return sw(SW_RECORD_NOT_FOUND);
    const damage = this.profile.damage;
    if (ef === EF06 && damage === 'status') return sw(0x6581);
    if (record === RECORD.name && damage === 'name') value = Buffer.from([0xff, 0x01, 0x81, 0x00, 0x07, 0x20]);
    let tlv = encodeTlv(record, value);
    if (record === RECORD.ssn && damage === 'tlv') tlv = tlv.subarray(0, 10);
    if (t0 && le !== tlv.length) return sw(0x6c00 | tlv.length);
    if (le !== 0 && le < tlv.length) return Buffer.concat([tlv.subarray(0, le), sw(0x6282)]);
    return Buffer.concat([tlv, sw(SW_OK)]);
  }
}
