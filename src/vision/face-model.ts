/**
 * The 68-point landmark layout (iBUG 300-W) and a 3D reference head built on it, used both by the
 * head-pose estimate (solvePnP) and by the clip synthesiser (which turns a frontal photo's landmarks
 * in 3D). Units: millimetres. Axes as the camera sees a frontal face: x to the image's right (the
 * person's left), y down, z away from the camera (into the head).
 */

export const LANDMARKS = 68;

/** Index ranges of the 300-W layout. */
export const JAW = range(0, 16);
export const BROW_RIGHT = range(17, 21); // the person's right: the image's left
export const BROW_LEFT = range(22, 26);
export const NOSE_BRIDGE = range(27, 30);
export const NOSE_BASE = range(31, 35);
export const EYE_RIGHT = range(36, 41); // 36 outer corner, 39 inner, 37/38 upper lid, 40/41 lower lid
export const EYE_LEFT = range(42, 47); // 42 inner, 45 outer, 43/44 upper, 46/47 lower
export const MOUTH_OUTER = range(48, 59); // 48/54 corners, 51 upper lip top, 57 lower lip bottom
export const MOUTH_INNER = range(60, 67); // 60/64 corners, 61-63 upper inner, 65-67 lower inner

/**
 * Points that move with the skull, not with expressions: the pose is fitted on these only. The jaw
 * outline is kept at cheek height only (lower down it drops with an open mouth); eyelids blink and
 * brows rise, so they are out. Fitting on fewer, flatter points (nose, eye and mouth corners)
 * leaves pitch badly constrained: the cheek points give the fit its height and depth.
 */
export const RIGID = [0, 1, 2, 14, 15, 16, 27, 28, 29, 30, 31, 33, 35, 36, 39, 42, 45, 48, 54];

/**
 * The outline points among them: on a turned head they mark the silhouette, not fixed points of the
 * skull (src/vision/face-pipeline.ts slides them round the head with the yaw).
 */
export const CONTOUR = new Set([0, 1, 2, 14, 15, 16]);

/** Distance between the outer eye corners of an adult (biocular width), to give the model a size. */
const BIOCULAR_MM = 92;

/**
 * How far each landmark stands out towards the camera from the plane of the outer eye corners (mm),
 * from average adult facial anthropometry: nose tip ~27 mm forward, chin ~14, jaw angle ~75 back.
 */
function forward(i: number, xNorm: number): number {
  if (i <= 16) return 14 - 85 * ((i - 8) / 8) ** 2;
  if (i <= 26) return 10 - 14 * Math.min(1, Math.abs(xNorm) / 0.5);
  if (i <= 30) return [8, 14, 20, 27][i - 27]!;
  if (i <= 35) return [8, 13, 18, 13, 8][i - 31]!;
  if (i <= 47) {
    const corner = i === 36 || i === 45 ? 0 : i === 39 || i === 42 ? 10 : 9;
    return corner;
  }
  if (i <= 59) return 14 - 12 * Math.min(1, (Math.abs(xNorm) / 0.27) ** 2);
  return 12 - 10 * Math.min(1, (Math.abs(xNorm) / 0.22) ** 2);
}

/**
 * 3D reference points (x, y, z per landmark, mm) made from a landmark model's mean frontal shape
 * (x, y in the detection box's unit square) and the depth table above. The origin is between the
 * eyes, at the depth of the outer eye corners.
 */
export function referenceHead(meanShape: Float32Array): Float64Array {
  const n = meanShape.length / 2;
  if (n !== LANDMARKS) throw new Error(`the 3D head needs the 68-point layout, the model has ${n} points`);
  const ex = (meanShape[36 * 2]! + meanShape[45 * 2]!) / 2;
  const ey = (meanShape[36 * 2 + 1]! + meanShape[45 * 2 + 1]!) / 2;
  const scale = BIOCULAR_MM / Math.hypot(meanShape[45 * 2]! - meanShape[36 * 2]!, meanShape[45 * 2 + 1]! - meanShape[36 * 2 + 1]!);
  const faceWidth = meanShape[16 * 2]! - meanShape[0]!;
  const out = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const x = meanShape[2 * i]! - ex;
    const y = meanShape[2 * i + 1]! - ey;
    out[3 * i] = x * scale;
    out[3 * i + 1] = y * scale;
    out[3 * i + 2] = -forward(i, x / faceWidth);
  }
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, k) => a + k);
}
