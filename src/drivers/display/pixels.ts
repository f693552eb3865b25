/**
 * RGBA → framebuffer pixel formats. XRGB8888 is stored B,G,R,X in memory (little-endian 32 bpp);
 * RGB565 is little-endian 16 bpp, ordered-dithered so gradients do not band.
 */
export type PixelFormat = 'xrgb8888' | 'rgb565';

export function bytesPerPixel(format: PixelFormat): number {
  return format === 'xrgb8888' ? 4 : 2;
}

// 4x4 Bayer matrix, scaled to the 565 quantisation steps (8 for red/blue, 4 for green).
const BAYER = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5];

/**
 * Converts `width` x `height` RGBA pixels (rows `srcStride` bytes apart) into `out` at `outOffset`,
 * rows `outStride` bytes apart. `x0`, `y0` are the screen position of the first pixel (for dithering).
 */
export function convert(
  src: Uint8ClampedArray | Uint8Array,
  srcStride: number,
  width: number,
  height: number,
  format: PixelFormat,
  out: Buffer,
  outOffset: number,
  outStride: number,
  x0 = 0,
  y0 = 0,
  srcOffset = 0,
): void {
  if (srcOffset === 0 && format === 'xrgb8888' && aligned(src, srcStride) && (out.byteOffset + outOffset) % 4 === 0 && outStride % 4 === 0) {
    // Whole pixels as 32-bit words: RGBA bytes read as 0xAABBGGRR become 0xFFRRGGBB (B,G,R,X in memory).
    const s32 = new Uint32Array(src.buffer, src.byteOffset, src.byteLength >> 2);
    const o32 = new Uint32Array(out.buffer, out.byteOffset, out.byteLength >> 2);
    for (let y = 0; y < height; y++) {
      let s = (y * srcStride) >> 2;
      let o = (outOffset + y * outStride) >> 2;
      for (let x = 0; x < width; x++, s++, o++) {
        const v = s32[s]!;
        o32[o] = (0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff)) >>> 0;
      }
    }
    return;
  }
  for (let y = 0; y < height; y++) {
    let s = srcOffset + y * srcStride;
    let o = outOffset + y * outStride;
    if (format === 'xrgb8888') {
      for (let x = 0; x < width; x++, s += 4, o += 4) {
        out[o] = src[s + 2]!;
        out[o + 1] = src[s + 1]!;
        out[o + 2] = src[s]!;
        out[o + 3] = 0xff;
      }
    } else {
      const row = ((y0 + y) & 3) << 2;
      for (let x = 0; x < width; x++, s += 4, o += 2) {
        const d = BAYER[row + ((x0 + x) & 3)]!;
        const r = Math.min(255, src[s]! + (d >> 1));
        const g = Math.min(255, src[s + 1]! + (d >> 2));
        const b = Math.min(255, src[s + 2]! + (d >> 1));
        const v = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
        out[o] = v & 0xff;
        out[o + 1] = v >> 8;
      }
    }
  }
}

function aligned(src: Uint8ClampedArray | Uint8Array, stride: number): boolean {
  return src.byteOffset % 4 === 0 && stride % 4 === 0;
}

/**
 * Scales an RGBA image (nearest neighbour) straight into a device-format buffer at `rect`: the
 * camera preview path, one pass, no intermediate picture.
 */
export function scaleInto(
  src: Uint8ClampedArray | Uint8Array,
  sw: number,
  sh: number,
  rect: { x: number; y: number; width: number; height: number },
  /** Rows of the scaled picture to draw (the rest is hidden under the caption). */
  rows: number,
  format: PixelFormat,
  out: Buffer,
  outStride: number,
): void {
  const { x: x0, y: y0, width: w, height: h } = rect;
  const bpp = bytesPerPixel(format);
  const xs = new Uint32Array(w);
  for (let x = 0; x < w; x++) xs[x] = Math.min(sw - 1, Math.floor((x * sw) / w));
  const fast = format === 'xrgb8888' && aligned(src, sw * 4) && out.byteOffset % 4 === 0 && outStride % 4 === 0;
  const s32 = fast ? new Uint32Array(src.buffer, src.byteOffset, src.byteLength >> 2) : null;
  const o32 = fast ? new Uint32Array(out.buffer, out.byteOffset, out.byteLength >> 2) : null;
  for (let y = 0; y < Math.min(rows, h); y++) {
    const srow = Math.min(sh - 1, Math.floor((y * sh) / h)) * sw;
    const orow = (y0 + y) * outStride + x0 * bpp;
    if (s32 && o32) {
      let o = orow >> 2;
      for (let x = 0; x < w; x++, o++) {
        const v = s32[srow + xs[x]!]!;
        o32[o] = (0xff000000 | ((v & 0xff) << 16) | (v & 0xff00) | ((v >>> 16) & 0xff)) >>> 0;
      }
    } else {
      for (let x = 0; x < w; x++) convert(src, 0, 1, 1, format, out, orow + x * bpp, 0, x0 + x, y0 + y, (srow + xs[x]!) * 4);
    }
  }
}

/**
 * Scales a camera frame (packed BGR, OpenCV's layout; nearest neighbour) straight into a
 * device-format buffer at `rect`, optionally mirrored left to right — people expect the picture of
 * themselves to move like a looking glass. One pass over the drawn pixels, no RGBA copy of the frame.
 */
export function scaleBgrInto(
  src: Uint8Array,
  sw: number,
  sh: number,
  rect: { x: number; y: number; width: number; height: number },
  /** Rows of the scaled picture to draw (the rest is hidden under the caption). */
  rows: number,
  format: PixelFormat,
  out: Buffer,
  outStride: number,
  mirror: boolean,
): void {
  if (src.length < sw * sh * 3) throw new RangeError(`scaleBgrInto: ${src.length} bytes is not a ${sw}x${sh} BGR frame`);
  const { x: x0, y: y0, width: w, height: h } = rect;
  const bpp = bytesPerPixel(format);
  const xs = new Uint32Array(w);
  for (let x = 0; x < w; x++) {
    const sx = Math.min(sw - 1, Math.floor((x * sw) / w));
    xs[x] = (mirror ? sw - 1 - sx : sx) * 3;
  }
  const fast = format === 'xrgb8888' && out.byteOffset % 4 === 0 && outStride % 4 === 0;
  const o32 = fast ? new Uint32Array(out.buffer, out.byteOffset, out.byteLength >> 2) : null;
  // Other formats go through one RGBA row and convert(), which dithers.
  const row = fast ? null : new Uint8ClampedArray(w * 4);
  for (let y = 0; y < Math.min(rows, h); y++) {
    const srow = Math.min(sh - 1, Math.floor((y * sh) / h)) * sw * 3;
    const orow = (y0 + y) * outStride + x0 * bpp;
    if (o32) {
      let o = orow >> 2;
      for (let x = 0; x < w; x++, o++) {
        const i = srow + xs[x]!;
        o32[o] = (0xff000000 | (src[i + 2]! << 16) | (src[i + 1]! << 8) | src[i]!) >>> 0;
      }
    } else {
      for (let x = 0, o = 0; x < w; x++, o += 4) {
        const i = srow + xs[x]!;
        row![o] = src[i + 2]!;
        row![o + 1] = src[i + 1]!;
        row![o + 2] = src[i]!;
        row![o + 3] = 255;
      }
      convert(row!, w * 4, w, 1, format, out, orow, outStride, x0, y0 + y);
    }
  }
}
