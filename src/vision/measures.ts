/** Geometric measures on 68 landmarks (x0, y0, x1, y1, …): eyes, mouth, face size and centring. */

function dist(p: Float32Array, a: number, b: number): number {
  return Math.hypot(p[2 * a]! - p[2 * b]!, p[2 * a + 1]! - p[2 * b + 1]!);
}

/**
 * Eye aspect ratio (Soukupová & Čech 2016): mean lid opening over eye width; ~0.25–0.35 open, under
 * ~0.15 closed. `first` is 36 (the person's right eye) or 42 (left eye).
 */
export function eyeAspectRatio(p: Float32Array, first: 36 | 42): number {
  const [c1, u1, u2, c2, l2, l1] = [first, first + 1, first + 2, first + 3, first + 4, first + 5];
  const width = dist(p, c1, c2);
  return width > 0 ? (dist(p, u1, l1) + dist(p, u2, l2)) / (2 * width) : 0;
}

/** Mouth aspect ratio on the inner lips: mean opening over mouth width; ~0 closed, > 0.4 wide open. */
export function mouthAspectRatio(p: Float32Array): number {
  const width = dist(p, 60, 64);
  return width > 0 ? (dist(p, 61, 67) + dist(p, 62, 66) + dist(p, 63, 65)) / (3 * width) : 0;
}

export interface Placement {
  /** Face width (jaw outline, 0–16) as a fraction of the frame width. */
  size: number;
  /** Face centre's offset from the frame centre, as fractions of the frame size (−0.5…0.5). */
  dx: number;
  dy: number;
}

export function placement(p: Float32Array, width: number, height: number): Placement {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < p.length / 2; i++) {
    const x = p[2 * i]!, y = p[2 * i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { size: (maxX - minX) / width, dx: (minX + maxX) / 2 / width - 0.5, dy: (minY + maxY) / 2 / height - 0.5 };
}

/** Bounding box [x, y, w, h] of the landmarks, rounded to pixels. */
export function landmarkBox(p: Float32Array): [number, number, number, number] {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < p.length / 2; i++) {
    minX = Math.min(minX, p[2 * i]!);
    maxX = Math.max(maxX, p[2 * i]!);
    minY = Math.min(minY, p[2 * i + 1]!);
    maxY = Math.max(maxY, p[2 * i + 1]!);
  }
  return [Math.round(minX), Math.round(minY), Math.round(maxX - minX), Math.round(maxY - minY)];
}

/**
 * How turned the face looks from its landmarks alone, with no head model: the log of the ratio of
 * the nose tip's distances to the two cheek outline points (2 and 14), measured along the eye line
 * (so roll does not change it). 0 when the nose is midway; about ±0.15–0.4 at a 10° turn and beyond
 * ±0.5 at 25° (measured on the synthesised portraits), positive when the person turns to their left.
 */
export function turnAsymmetry(p: Float32Array): number {
  const ex = p[90]! - p[72]!, ey = p[91]! - p[73]!;
  const n = Math.hypot(ex, ey) || 1;
  const ux = ex / n, uy = ey / n;
  const toNose = (p[60]! - p[4]!) * ux + (p[61]! - p[5]!) * uy;
  const fromNose = (p[28]! - p[60]!) * ux + (p[29]! - p[61]!) * uy;
  if (!(toNose > 0 && fromNose > 0)) return toNose > fromNose ? Infinity : -Infinity;
  return Math.log(toNose / fromNose);
}
