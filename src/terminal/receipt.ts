/** Builds the receipt a person takes home, from the machine's request. Name and ID are masked. */
import { localDateTime } from '../clock/clock.js';
import { maskIdNumber, maskName } from '../domain/identity.js';
import type { Receipt } from '../drivers/printer/port.js';
import type { ReceiptRequest } from '../machine/types.js';

export interface ReceiptSettings {
  terminalNumber: string;
  utcOffsetMinutes: number;
  /** Look-up URL; `{receiptNo}` is replaced. Empty: the QR code holds the receipt number itself. */
  lookupUrl: string;
}

const RESULT_TEXT = {
  accepted: '验证成功',
  review: '已提交，待人工审核',
  queued: '已受理，待网络恢复后自动提交',
} as const;

export function buildReceipt(request: ReceiptRequest, now: number, settings: ReceiptSettings): Receipt {
  const { result, identity } = request;
  if (result.outcome !== 'accepted' && result.outcome !== 'review' && result.outcome !== 'queued') {
    throw new Error(`no receipt for outcome ${result.outcome}`);
  }
  const receiptNo = result.receiptNo;
  const qr = receiptNo === null ? null : settings.lookupUrl ? settings.lookupUrl.replace('{receiptNo}', receiptNo) : receiptNo;
  return {
    title: '离退休人员生存验证回执',
    name: maskName(identity.name),
    idNumber: maskIdNumber(identity.idNumber),
    outcome: result.outcome,
    resultText: RESULT_TEXT[result.outcome],
    receiptNo,
    time: localDateTime(now, settings.utcOffsetMinutes),
    terminalNumber: settings.terminalNumber,
    qr,
    note: result.outcome === 'queued' ? '网络恢复后系统将自动提交，无需重复办理。' : null,
  };
}
