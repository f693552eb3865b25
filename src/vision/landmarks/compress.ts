/**
 * Compression of a shape predictor's leaves for speed. A landmark fit adds one leaf (136 floats)
 * per tree, 7,500 trees: ~1M additions and ~4 MB of scattered reads, which dominate a frame. The
 * leaves of one cascade level lie close to a low-dimensional subspace (face shapes vary in few
 * ways), so each leaf is stored as K coefficients on that level's principal directions: the fit sums
 * K numbers per tree and turns the sum back into a shape once per level. Error is measured by the
 * tests against the uncompressed fit (within the model's own jitter: a 1 px shift of the box moves its landmarks ~2 px).
 */
import type { ShapeModel } from './dlib-model.js';

export interface CompressedLeaves {
  components: number;
  /** [level][row][component]: the level's principal directions. */
  basis: Float32Array;
  /** [level][tree][leaf][component]: each leaf's coordinates on them. */
  leafCoeffs: Float32Array;
}

export const DEFAULT_COMPONENTS = 32;

export function compressLeaves(m: ShapeModel, components = DEFAULT_COMPONENTS): CompressedLeaves {
  const rows = 2 * m.parts;
  const k = Math.min(components, rows);
  const leavesPerLevel = m.treesPerLevel * (m.splitsPerTree + 1);
  const basis = new Float32Array(m.levels * rows * k);
  const leafCoeffs = new Float32Array(m.levels * leavesPerLevel * k);
  const cov = new Float64Array(rows * rows);
  for (let level = 0; level < m.levels; level++) {
    cov.fill(0);
    const base = level * leavesPerLevel * rows;
    for (let l = 0; l < leavesPerLevel; l++) {
      const o = base + l * rows;
      for (let i = 0; i < rows; i++) {
        const vi = m.leafValues[o + i]!;
        if (vi === 0) continue;
        const ri = i * rows;
        for (let j = i; j < rows; j++) cov[ri + j]! += vi * m.leafValues[o + j]!;
      }
    }
    for (let i = 0; i < rows; i++) for (let j = 0; j < i; j++) cov[i * rows + j] = cov[j * rows + i]!;
    const { vectors, order } = symmetricEigen(cov, rows);
    const b = level * rows * k;
    for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) basis[b + r * k + c] = vectors[r * rows + order[c]!]!;
    for (let l = 0; l < leavesPerLevel; l++) {
      const o = base + l * rows;
      const co = (level * leavesPerLevel + l) * k;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += basis[b + r * k + c]! * m.leafValues[o + r]!;
        leafCoeffs[co + c] = s;
      }
    }
  }
  return { components: k, basis, leafCoeffs };
}

/**
 * Eigen-decomposition of a symmetric n x n matrix (cyclic Jacobi): eigenvectors as columns of
 * `vectors`, `order` lists the columns by decreasing eigenvalue.
 */
export function symmetricEigen(matrix: Float64Array, n: number): { values: Float64Array; vectors: Float64Array; order: number[] } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i]! * a[i]!;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! ** 2;
    if (off <= 1e-24 * scale) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => values[y]! - values[x]!);
  return { values, vectors: v, order };
}
