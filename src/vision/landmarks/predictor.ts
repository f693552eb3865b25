/**
 * Landmark inference with a dlib-format shape predictor, on an 8-bit grey image. Follows dlib's
 * shape_predictor::operator(): start from the mean shape in the box, and per cascade level read
 * feature pixels placed relative to the current shape (rotated and scaled like the current shape
 * against the mean shape), walk every tree and add its leaf to the shape.
 */
import type { ShapeModel } from './dlib-model.js';
import type { CompressedLeaves } from './compress.js';

const EMPTY = new Float32Array(0);

export interface GrayImage {
  width: number;
  height: number;
  /** Row-major, one byte a pixel, `stride` bytes a row. */
  data: Uint8Array;
  stride: number;
}

/** A box in dlib's convention: left, top, right, bottom are all inside the box (inclusive). */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export class ShapePredictor {
  private readonly pixels: Float32Array;
  private readonly shape: Float64Array;
  private readonly coeffs: Float64Array;

  /**
   * With `compressed`, leaves are summed as coefficients (src/vision/landmarks/compress.ts);
   * `normalizeContrast` false reads the pixels as dlib does (tests of dlib's semantics).
   */
  constructor(
    readonly model: ShapeModel,
    private readonly compressed: CompressedLeaves | null = null,
    private readonly normalizeContrast = true,
  ) {
    this.pixels = new Float32Array(model.pixelsPerLevel);
    this.shape = new Float64Array(model.parts * 2);
    this.coeffs = new Float64Array(compressed?.components ?? 0);
  }

  /** Landmarks as x0, y0, x1, y1, … in image pixels (sub-pixel; dlib rounds them). */
  predict(img: GrayImage, box: Box, out: Float32Array = new Float32Array(this.model.parts * 2)): Float32Array {
    const m = this.model;
    // Hot loop (~1M additions a face): every field in a local so V8 keeps them in registers.
    const { initialShape, anchorIdx, deltas, splitIdx1, splitIdx2, splitThresh, leafValues, levels, treesPerLevel, splitsPerTree, pixelsPerLevel } = m;
    const shape = this.shape;
    const pixels = this.pixels;
    const coeffs = this.coeffs;
    const K = this.compressed?.components ?? 0;
    const leafCoeffs = this.compressed?.leafCoeffs ?? EMPTY;
    const basis = this.compressed?.basis ?? EMPTY;
    coeffs.fill(0);
    shape.set(initialShape);
    const n = m.parts;
    const rows = 2 * n;
    const left = box.left, top = box.top;
    const bw = box.right - box.left;
    const bh = box.bottom - box.top;
    const leaves = splitsPerTree + 1;
    const { data, stride, width, height } = img;
    // dlib's trees compare raw grey differences with fixed thresholds: a dim or flat face takes
    // other branches. Scale the face's contrast to that of a typical training face first.
    const gain = this.normalizeContrast ? contrastGain(img, box) : 1;
    for (let level = 0; level < levels; level++) {
      // Rotation and scale of the current shape against the mean shape (least-squares similarity).
      const [a, b] = similarity(initialShape, shape, n);
      const pixBase = level * pixelsPerLevel;
      for (let i = 0; i < pixelsPerLevel; i++) {
        const anchor = anchorIdx[pixBase + i]! << 1;
        const dx = deltas[(pixBase + i) << 1]!;
        const dy = deltas[((pixBase + i) << 1) + 1]!;
        const u = a * dx - b * dy + shape[anchor]!;
        const v = b * dx + a * dy + shape[anchor + 1]!;
        const x = Math.floor(left + u * bw + 0.5);
        const y = Math.floor(top + v * bh + 0.5);
        pixels[i] = x >= 0 && y >= 0 && x < width && y < height ? data[y * stride + x]! * gain : 0;
      }
      const treeBase = level * treesPerLevel;
      for (let t = 0; t < treesPerLevel; t++) {
        const tree = treeBase + t;
        const splitBase = tree * splitsPerTree;
        let node = 0;
        while (node < splitsPerTree) {
          const k = splitBase + node;
          node = pixels[splitIdx1[k]!]! - pixels[splitIdx2[k]!]! > splitThresh[k]! ? 2 * node + 1 : 2 * node + 2;
        }
        if (K > 0) {
          const leaf = (tree * leaves + (node - splitsPerTree)) * K;
          for (let c = 0; c < K; c++) coeffs[c] = coeffs[c]! + leafCoeffs[leaf + c]!;
        } else {
          const leaf = (tree * leaves + (node - splitsPerTree)) * rows;
          for (let j = 0; j < rows; j++) shape[j] = shape[j]! + leafValues[leaf + j]!;
        }
      }
      if (K > 0) {
        // The level's summed coefficients back into a shape increment.
        const b = level * rows * K;
        for (let j = 0; j < rows; j++) {
          let s = 0;
          for (let c = 0; c < K; c++) s += basis[b + j * K + c]! * coeffs[c]!;
          shape[j] = shape[j]! + s;
        }
        coeffs.fill(0);
      }
    }
    for (let i = 0; i < n; i++) {
      out[2 * i] = left + shape[2 * i]! * bw;
      out[2 * i + 1] = top + shape[2 * i + 1]! * bh;
    }
    return out;
  }

  /**
   * The box a shape sits in, in this model's convention: the least-squares fit of the mean shape
   * (scaled and shifted per axis) onto the points. Lets a tracker carry the box from one frame's
   * landmarks to the next frame, and maps another detector's boxes onto the model's.
   */
  boxOf(points: Float32Array): Box {
    return fitBox(this.model.initialShape, points, this.model.parts);
  }
}

/** Standard deviation of grey levels a well-lit face in the training set shows inside its box. */
export const TYPICAL_FACE_STD = 50;

/** Gain that brings the box's contrast to TYPICAL_FACE_STD (from a 16x16 sample grid; 0.5–4). */
export function contrastGain(img: GrayImage, box: Box): number {
  let n = 0, sum = 0, sq = 0;
  for (let gy = 0; gy < 16; gy++) {
    const y = Math.round(box.top + ((gy + 0.5) / 16) * (box.bottom - box.top));
    if (y < 0 || y >= img.height) continue;
    for (let gx = 0; gx < 16; gx++) {
      const x = Math.round(box.left + ((gx + 0.5) / 16) * (box.right - box.left));
      if (x < 0 || x >= img.width) continue;
      const v = img.data[y * img.stride + x]!;
      n++;
      sum += v;
      sq += v * v;
    }
  }
  if (n < 16) return 1;
  const std = Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
  return std > 0 ? Math.min(4, Math.max(0.5, TYPICAL_FACE_STD / std)) : 1;
}

/** [a, b] of the similarity x' = a·x − b·y, y' = b·x + a·y mapping centred `from` onto centred `to`. */
export function similarity(from: ArrayLike<number>, to: ArrayLike<number>, n: number): [number, number] {
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[2 * i]!;
    fy += from[2 * i + 1]!;
    tx += to[2 * i]!;
    ty += to[2 * i + 1]!;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const x = from[2 * i]! - fx, y = from[2 * i + 1]! - fy;
    const u = to[2 * i]! - tx, v = to[2 * i + 1]! - ty;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  return norm > 0 ? [dot / norm, cross / norm] : [1, 0];
}

/** Per-axis least squares: p = left + s_x·mean_x, q = top + s_y·mean_y. */
export function fitBox(mean: Float32Array, points: Float32Array, n: number): Box {
  const axis = (o: number): [number, number] => {
    let sm = 0, sp = 0, smm = 0, smp = 0;
    for (let i = 0; i < n; i++) {
      const m = mean[2 * i + o]!, p = points[2 * i + o]!;
      sm += m; sp += p; smm += m * m; smp += m * p;
    }
    const scale = (n * smp - sm * sp) / (n * smm - sm * sm);
    return [(sp - scale * sm) / n, scale];
  };
  const [left, sx] = axis(0);
  const [top, sy] = axis(1);
  return { left, top, right: left + sx, bottom: top + sy };
}
