/**
 * The receipt as one ReceiptLine document (receiptline's receipt markdown): the printer's ESC/POS
 * bytes and the picture for tests and the screen are both made from it, so they cannot disagree.
 * Fields are masked already (src/terminal/receipt.ts); here they are only laid out.
 */
import type { Receipt } from './port.js';

export type PaperWidth = 58 | 80;

/** Characters per line of the printer's 12-dot font A: 384 dots on 58 mm paper, 576 on 80 mm. */
export const CHARS_PER_LINE: Record<PaperWidth, number> = { 58: 32, 80: 48 };

/** Label column: four Chinese characters and a full-width colon. */
const LABEL_COLUMNS = 10;

/** Receipt data must never act as markup: every character receiptline treats specially is escaped. */
export function escapeText(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/[\\|{}\-=~_"`^]/g, (c) => `\\${c}`);
}

/** The same for a property value (the QR code's data): its own special characters. */
export function escapeProperty(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/[\\|{};]/g, (c) => `\\${c}`);
}

function row(label: string, value: string): string {
  // "label |value": the label column left-aligned, the value left-aligned after it.
  return `${label}： |${escapeText(value)}`;
}

export function receiptMarkup(receipt: Receipt, paper: PaperWidth): string {
  const rule = '-'.repeat(CHARS_PER_LINE[paper]);
  // 2x width and height on 80 mm; 58 mm has room for double height only (11 characters).
  const title = paper === 80 ? '^^^' : '^^';
  const lines = [
    '{align:center; width:auto}',
    `${title}${escapeText(receipt.title)}`,
    '',
    escapeText(rule),
    `{width:${LABEL_COLUMNS},*}`,
    row('姓　　名', receipt.name),
    row('身份证号', receipt.idNumber),
    `验证结果： |"${escapeText(receipt.resultText)}"`,
    row('办理时间', receipt.time),
    row('回执编号', receipt.receiptNo ?? '暂无'),
    row('终端编号', receipt.terminalNumber),
    '{width:auto}',
    escapeText(rule),
  ];
  // A single column opened by "|" is left-aligned, wrapped lines too.
  if (receipt.note) lines.push(`|注：${escapeText(receipt.note)}`, escapeText(rule));
  if (receipt.qr) {
    const cell = paper === 80 ? 6 : 5;
    lines.push(`{code:${escapeProperty(receipt.qr)}; option:qrcode,${cell},m}`, /^https?:/i.test(receipt.qr) ? '扫码查询验证结果' : '回执编号二维码');
  }
  lines.push('', '请妥善保管本回执', '=');
  return lines.join('\n') + '\n';
}
