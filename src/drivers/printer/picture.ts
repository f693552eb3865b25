/**
 * The receipt as a picture, from the same ReceiptLine document as the printer's bytes: SVG from
 * receiptline, rasterised with Skia at one pixel per printer dot (384 px on 58 mm, 576 on 80 mm).
 * For golden tests, `lifecheck receipt --out x.png`, and for showing the receipt on screen.
 */
import { createCanvas, Image } from '@napi-rs/canvas';
import receiptline from 'receiptline';
import { registerFonts } from '../../screens/renderer.js';
import { FONT_FAMILY } from '../../screens/svg.js';
import type { Receipt } from './port.js';
import { CHARS_PER_LINE, receiptMarkup, type PaperWidth } from './receipt-markup.js';

export function renderReceiptSvg(receipt: Receipt, paper: PaperWidth): string {
  const svg = receiptline.transform(receiptMarkup(receipt, paper), { cpl: CHARS_PER_LINE[paper], encoding: 'gb18030', spacing: true });
  return (
    svg
      // receiptline names its filter with a random UUID: the same receipt must give the same SVG.
      .replace(/receipt-[0-9a-f-]{36}/g, 'receipt-filter')
      // The screens' fonts (Noto Sans CJK, and a fallback for rare characters in names), not "monospace":
      // every character is placed by its own x, so a proportional font keeps the columns.
      .replace(/font-family="monospace"/, `font-family="${FONT_FAMILY.replace(/"/g, '&quot;')}"`)
  );
}

export function renderReceiptPng(receipt: Receipt, paper: PaperWidth): Buffer {
  registerFonts();
  const svg = renderReceiptSvg(receipt, paper);
  const size = /<svg width="(\d+)px" height="(\d+)px"/.exec(svg);
  if (!size) throw new Error('receiptline returned an SVG without a size');
  const [width, height] = [Number(size[1]), Number(size[2])];
  const image = new Image();
  image.src = Buffer.from(svg);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.drawImage(image, 0, 0, width, height);
  return canvas.toBuffer('image/png');
}
