/**
 * Sample receipts of the fictional test persons, built (and masked) by the terminal's own
 * buildReceipt: for `lifecheck receipt --fixture NAME` and the golden tests.
 */
import type { SubmitOutcome } from '../../si-client/port.js';
import { testPerson } from '../../si-client/test-persons.js';
import { buildReceipt, type ReceiptSettings } from '../../terminal/receipt.js';
import type { Receipt } from './port.js';

/** 2026-11-28 09:00:19 in Foshan: the time of the seed happy path's receipt. */
const AT = Date.parse('2026-11-28T09:00:19+08:00');
const SETTINGS: ReceiptSettings = { terminalNumber: '0000', utcOffsetMinutes: 480, lookupUrl: '' };
const LOOKUP_URL = 'https://si.foshan.example/lifecheck/receipt?no={receiptNo}';

function sample(person: string, result: SubmitOutcome, settings: Partial<ReceiptSettings> = {}): Receipt {
  const identity = { ...testPerson(person).identity, source: 'id-card' as const };
  return buildReceipt({ identity, result }, AT, { ...SETTINGS, ...settings });
}

export const RECEIPT_FIXTURES = {
  /** Seed step 8: verified, the QR holds the receipt number. */
  accepted: () => sample('due', { outcome: 'accepted', receiptNo: 'SI00000001' }),
  /** Sent for manual review, the QR a look-up URL from config. */
  review: () => sample('due-2', { outcome: 'review', receiptNo: 'SI00000002' }, { terminalNumber: 'FS-0815', lookupUrl: LOOKUP_URL }),
  /** The network was down: kept in the outbox under the terminal's own number, with the note. */
  queued: () => sample('due', { outcome: 'queued', receiptNo: 'T0000202611280001' }),
  /** Queued by the submit backstop before the outbox answered: no number, so no QR code. */
  'queued-no-number': () => sample('due-2', { outcome: 'queued', receiptNo: null }),
} satisfies Record<string, () => Receipt>;

export type ReceiptFixtureName = keyof typeof RECEIPT_FIXTURES;

export function isReceiptFixture(name: string): name is ReceiptFixtureName {
  return Object.hasOwn(RECEIPT_FIXTURES, name);
}
