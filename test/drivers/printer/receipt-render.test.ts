/**
 * The receipt's bytes (ESC/POS, GB18030, Chinese mode, native QR) and picture, on 58 and 80 mm:
 * golden files, plus checks that hold whatever the layout: masked data only, QR data exact,
 * markup characters in data printed literally. UPDATE_GOLDEN=1 rewrites the golden files.
 */
import iconv from 'iconv-lite';
import jsQRModule from 'jsqr';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { nativeQr, renderEscPos } from '../../../src/drivers/printer/escpos.js';
import { RECEIPT_FIXTURES, type ReceiptFixtureName } from '../../../src/drivers/printer/fixtures.js';
import { renderReceiptPng, renderReceiptSvg } from '../../../src/drivers/printer/picture.js';
import type { Receipt } from '../../../src/drivers/printer/port.js';
import { testPerson } from '../../../src/si-client/test-persons.js';
import { ROOT } from '../../helpers.js';
import { pixels, samePicture } from '../pictures.js';

// jsqr is CommonJS: Node hands the function itself as the default export; its types say module.default.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const GOLDEN = join(ROOT, 'test', 'golden', 'receipts');
const NAMES = Object.keys(RECEIPT_FIXTURES) as ReceiptFixtureName[];
const PAPERS = [58, 80] as const;

const gb = (s: string) => iconv.encode(s, 'gb18030');
const FS_AND = Buffer.from([0x1c, 0x26]);

/** Compares with the golden file, or writes it when updating (a missing one fails: look at it first). */
function golden(t: Test, file: string, actual: Buffer, same: (golden: Buffer) => boolean): void {
  const path = join(GOLDEN, file);
  if (UPDATE || !existsSync(path)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    if (!UPDATE) t.fail(`${path} was missing; it is written now: look at it, then commit it`);
    return;
  }
  const ok = same(readFileSync(path));
  if (!ok) writeFileSync(join(t.testdirName, '..', `actual-${file}`), actual);
  t.ok(ok, `${file} matches its golden file`);
}

t.test('ESC/POS bytes of every sample receipt on both papers equal their golden files', async (t) => {
  for (const name of NAMES) {
    for (const paper of PAPERS) {
      const bytes = renderEscPos(RECEIPT_FIXTURES[name](), { paper, qr: 'native' });
      golden(t, `${name}-${paper}.bin`, bytes, (g) => g.equals(bytes));
    }
  }
});

t.test('pictures equal their golden files, one printer dot per pixel', async (t) => {
  for (const [name, paper] of [['accepted', 58], ['accepted', 80], ['review', 80], ['queued', 58]] as const) {
    const png = renderReceiptPng(RECEIPT_FIXTURES[name](), paper);
    t.equal(pixels(png).width, paper === 58 ? 384 : 576);
    golden(t, `${name}-${paper}.png`, png, (g) => samePicture(g, png));
  }
});

t.test('the bytes: init, Chinese mode before GB18030 text, masked data only, cut, status request', async (t) => {
  const person = testPerson('due').identity;
  for (const paper of PAPERS) {
    const receipt = RECEIPT_FIXTURES.accepted();
    const bytes = renderEscPos(receipt, { paper, qr: 'native' });
    t.same([...bytes.subarray(0, 2)], [0x1b, 0x40], 'ESC @ first');
    const title = bytes.indexOf(gb('离退休人员生存验证回执'));
    t.ok(title > 0, 'title in GB18030');
    t.ok(bytes.lastIndexOf(FS_AND, title) > 0, 'FS & (Chinese mode) before it');
    for (const text of ['陈**', '4406**********0220', '验证成功', '2026-11-28 09:00:19', 'SI00000001', '0000', '请妥善保管本回执']) {
      t.ok(bytes.includes(gb(text)), `prints ${text}`);
    }
    t.notOk(bytes.includes(gb(person.name)), 'never the full name');
    t.notOk(bytes.includes(Buffer.from(person.idNumber)), 'never the full ID number');
    t.same([...bytes.subarray(-3)], [0x1d, 0x72, 0x01], 'ends asking the paper status (GS r 1): the answer means the job was processed');
    t.ok(bytes.includes(Buffer.from([0x1d, 0x56])), 'cuts the paper (GS V)');
  }
});

t.test('native QR (GS ( k) holds exactly the data; the image mode sends a raster (GS v 0) instead', async (t) => {
  const receipt = RECEIPT_FIXTURES.review();
  const native = renderEscPos(receipt, { paper: 80, qr: 'native' });
  t.ok(native.includes(nativeQr(receipt.qr!, 6, 'm')), 'model 2, 6-dot modules, level M, data, print');
  t.ok(native.includes(Buffer.from(receipt.qr!)), 'the look-up URL is stored as is');
  t.notOk(native.includes(Buffer.from([0x1d, 0x76, 0x30])), 'no raster');
  const image = renderEscPos(receipt, { paper: 80, qr: 'image' });
  t.notOk(image.includes(Buffer.from([0x1d, 0x28, 0x6b])), 'no GS ( k');
  t.ok(image.includes(Buffer.from([0x1d, 0x76, 0x30])), 'GS v 0 raster');
  // The store function's length covers cn, fn, m and the data.
  const store = nativeQr('SI00000001', 5, 'l').subarray(9 + 8 + 8);
  t.same([...store.subarray(0, 8)], [0x1d, 0x28, 0x6b, 13, 0, 0x31, 0x50, 0x30]);
  t.same([...nativeQr('x', 3, 'h').subarray(17, 25)], [0x1d, 0x28, 0x6b, 3, 0, 0x31, 0x45, 51], 'level H');
});

t.test('the picture’s QR code reads back as the receipt number or the look-up URL', async (t) => {
  for (const name of ['accepted', 'review', 'queued'] as const) {
    for (const paper of PAPERS) {
      const receipt = RECEIPT_FIXTURES[name]();
      const p = pixels(renderReceiptPng(receipt, paper));
      t.equal(jsQR(p.data, p.width, p.height)?.data, receipt.qr, `${name} ${paper} mm`);
    }
  }
  const none = pixels(renderReceiptPng(RECEIPT_FIXTURES['queued-no-number'](), 58));
  t.equal(jsQR(none.data, none.width, none.height), null, 'no number, no QR code');
  t.match(renderReceiptSvg(RECEIPT_FIXTURES['queued-no-number'](), 58), /暂/);
});

t.test('the queued note is printed only on queued receipts', async (t) => {
  const note = gb('网络恢复后系统将自动提交');
  t.ok(renderEscPos(RECEIPT_FIXTURES.queued(), { paper: 58, qr: 'native' }).includes(note));
  t.notOk(renderEscPos(RECEIPT_FIXTURES.accepted(), { paper: 58, qr: 'native' }).includes(note));
});

t.test('characters that are markup to receiptline are printed literally, in the text and in the QR code', async (t) => {
  const tricky = 'A|B{c}^_"~`=\\-';
  const receipt: Receipt = { ...RECEIPT_FIXTURES.accepted(), receiptNo: tricky, terminalNumber: '---', qr: `https://x.example/r?a=1;b={2}|c:${tricky}` };
  const bytes = renderEscPos(receipt, { paper: 80, qr: 'native' });
  t.ok(bytes.includes(Buffer.from(tricky)), 'receipt number as is');
  t.ok(bytes.includes(nativeQr(receipt.qr!, 6, 'm')), 'QR data as is');
  t.ok(bytes.includes(Buffer.from('---')), 'a terminal number of dashes is text, not a rule');
  const p = pixels(renderReceiptPng(receipt, 80));
  t.equal(jsQR(p.data, p.width, p.height)?.data, receipt.qr);
});

t.test('the same receipt gives the same SVG (receiptline’s random filter id is fixed)', async (t) => {
  const a = renderReceiptSvg(RECEIPT_FIXTURES.accepted(), 80);
  t.equal(a, renderReceiptSvg(RECEIPT_FIXTURES.accepted(), 80));
  t.notMatch(a, /monospace/);
});
