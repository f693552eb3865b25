/**
 * Receipt → ESC/POS bytes. receiptline does the layout, GB18030 text and Chinese mode (FS &); the
 * command set is its generic ESC/POS one (raster pictures as GS v 0, which Chinese kiosk printers
 * all take), with the QR code drawn by the printer itself (GS ( k) unless configured as a picture.
 */
import receiptline from 'receiptline';
import type { Receipt } from './port.js';
import { CHARS_PER_LINE, receiptMarkup, type PaperWidth } from './receipt-markup.js';

export type QrMode = 'native' | 'image';

export interface EscPosOptions {
  paper: PaperWidth;
  qr: QrMode;
}

/** QR error correction level → GS ( k fn 69 parameter. */
const QR_LEVEL: Record<string, number> = { l: 48, m: 49, q: 50, h: 51 };

/** GS ( k with cn 49 (QR): function fn and its parameters, length-prefixed. */
function qrFunction(fn: number, params: Buffer): Buffer {
  const length = params.length + 2;
  return Buffer.concat([Buffer.from([0x1d, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, fn]), params]);
}

/**
 * Native QR: model 2, module size, error correction, store the data, print it. The data is
 * stored as UTF-8 bytes (receipt numbers and URLs are ASCII anyway).
 */
export function nativeQr(data: string, cell: number, level: string): Buffer {
  return Buffer.concat([
    qrFunction(65, Buffer.from([50, 0])),
    qrFunction(67, Buffer.from([cell])),
    qrFunction(69, Buffer.from([QR_LEVEL[level] ?? QR_LEVEL.m!])),
    qrFunction(80, Buffer.concat([Buffer.from([48]), Buffer.from(data, 'utf8')])),
    qrFunction(81, Buffer.from([48])),
  ]);
}

// receiptline's command strings are "binary" strings: one char per byte.
const nativeQrCommand = {
  ...receiptline.commands.generic,
  qrcode(symbol: { data: string; cell: number; level: string }): string {
    return symbol.data ? nativeQr(symbol.data, symbol.cell, symbol.level).toString('latin1') : '';
  },
};

export function renderEscPos(receipt: Receipt, options: EscPosOptions): Buffer {
  const commands = receiptline.transform(receiptMarkup(receipt, options.paper), {
    cpl: CHARS_PER_LINE[options.paper],
    encoding: 'gb18030',
    spacing: true,
    cutting: true,
    // Text, not photos: QR pictures are thresholded, not dithered.
    gradient: false,
    command: options.qr === 'native' ? nativeQrCommand : 'generic',
  });
  return Buffer.from(commands, 'latin1');
}
