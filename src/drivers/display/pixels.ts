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
): void {
  for (let y = 0; y < height; y++) {
    let s = y * srcStride;
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

/** Scales an RGBA image into a w x h box, nearest neighbour: cheap enough for live camera preview. */
export function scaleNearest(src: Uint8ClampedArray | Uint8Array, sw: number, sh: number, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(w * h * 4);
  const xs = new Uint32Array(w);
  for (let x = 0; x < w; x++) xs[x] = Math.min(sw - 1, Math.floor((x * sw) / w)) * 4;
  for (let y = 0; y < h; y++) {
    const srow = Math.min(sh - 1, Math.floor((y * sh) / h)) * sw * 4;
    let o = y * w * 4;
    for (let x = 0; x < w; x++, o += 4) {
      const s = srow + xs[x]!;
      out[o] = src[s]!;
      out[o + 1] = src[s + 1]!;
      out[o + 2] = src[s + 2]!;
      out[o + 3] = 255;
    }
  }
  return out;
}
