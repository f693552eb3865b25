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
 * A camera frame (packed BGR, OpenCV's layout) as RGBA into `out` (width * height * 4), optionally
 * mirrored left to right: people expect the picture of themselves to move like a looking glass.
 */
export function bgrToRgba(bgr: Uint8Array, width: number, height: number, out: Uint8ClampedArray, mirror: boolean): void {
  if (bgr.length < width * height * 3 || out.length < width * height * 4) throw new RangeError(`bgrToRgba: buffers too small for ${width}x${height}`);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const s = (row + (mirror ? width - 1 - x : x)) * 3;
      const o = (row + x) * 4;
      out[o] = bgr[s + 2]!;
      out[o + 1] = bgr[s + 1]!;
      out[o + 2] = bgr[s]!;
      out[o + 3] = 255;
    }
  }
}
