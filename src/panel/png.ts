/**
 * PNG of a rectangle of a B,G,R,X framebuffer, without a canvas: the rows are packed as RGB here
 * (one pass, no RGBA copy) and compressed by zlib on libuv's thread pool, so the daemon's event loop
 * only pays for the packing. Measured against @napi-rs/canvas (copy to RGBA, putImageData, encode):
 * see docs/panel.md.
 */
import { crc32, deflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { Rect } from '../screens/layout.js';

const deflateAsync = promisify(deflate);
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** The rectangle's rows as PNG scanlines: filter byte 0 ("none") then R,G,B per pixel. */
export function scanlines(bgrx: Buffer, stride: number, rect: Rect): Buffer {
  const rowBytes = 1 + rect.width * 3;
  const out = Buffer.allocUnsafe(rowBytes * rect.height);
  if (bgrx.byteOffset % 4 === 0 && stride % 4 === 0) {
    // Whole pixels as 32-bit words (little-endian B,G,R,X reads as 0xXXRRGGBB): half the reads.
    const px = new Uint32Array(bgrx.buffer, bgrx.byteOffset, bgrx.byteLength >> 2);
    const words = stride >> 2;
    for (let y = 0; y < rect.height; y++) {
      let o = y * rowBytes;
      out[o++] = 0;
      let s = (rect.y + y) * words + rect.x;
      for (let x = 0; x < rect.width; x++, s++) {
        const v = px[s]!;
        out[o++] = (v >>> 16) & 0xff;
        out[o++] = (v >>> 8) & 0xff;
        out[o++] = v & 0xff;
      }
    }
    return out;
  }
  for (let y = 0; y < rect.height; y++) {
    let o = y * rowBytes;
    out[o++] = 0;
    let s = (rect.y + y) * stride + rect.x * 4;
    for (let x = 0; x < rect.width; x++, s += 4) {
      out[o++] = bgrx[s + 2]!;
      out[o++] = bgrx[s + 1]!;
      out[o++] = bgrx[s]!;
    }
  }
  return out;
}

/** Encodes a rectangle of a B,G,R,X picture (rows `stride` bytes apart) as an RGB PNG. */
export async function encodePng(bgrx: Buffer, stride: number, rect: Rect): Promise<Buffer> {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(rect.width, 0);
  header.writeUInt32BE(rect.height, 4);
  header[8] = 8; // bits per channel
  header[9] = 2; // colour type: RGB
  // compression, filter method, interlace: 0
  // Flat colours and text: a fast level compresses them almost as well as the default.
  const data = await deflateAsync(scanlines(bgrx, stride, rect), { level: 3 });
  return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
}
