/**
 * A frontal photo made ready to be moved in 3D: placed in the output frame like a person at the
 * kiosk, its 68 landmarks lifted to 3D with the reference head's depth, extra control points added
 * and the whole triangulated once (Delaunay), in the source.
 *
 * Lifting: each landmark keeps its detected image position and gets the depth the reference head
 * (src/vision/face-model.ts, the same one the pipeline's solvePnP uses) gives that point, at the
 * distance the head's size implies under the pipeline's own pinhole camera; back-projecting through
 * that camera gives its 3D point. The rest frame is therefore exactly the photo.
 *
 * The photo's own small pose (a few degrees: nobody is perfectly frontal, and the generic head is not
 * this person's) is undone by default: the head is taken to be at the pipeline's estimated pose in
 * the placed photo, so truth pose 0 is "frontal as the pipeline sees this face" and the truth angles
 * are absolute angles in the pipeline's frame. This removes a per-person constant offset (here
 * −2.7° pitch and 2.5° roll on grace-hopper, −3° roll on astronaut; ~10° of pitch on astronaut's
 * unplaced photo) that the kiosk removes anyway with its neutral baseline, and leaves what we want
 * to measure: how well changes of pose are estimated. `undoSourcePose: false` treats the photo as
 * frontal instead (truth = rotation applied to the photo).
 *
 * Extra control points: forehead rows, temples, cheekbones and cheeks on a rounded head (so a
 * turned face's far side is foreshortened, not folded), eyelid creases (blinks), two rings round the
 * head at the depth of its outline (hair and ears move with the head, the neck and the outer ring
 * only part of the way) and fixed points outside the frame (the background stays).
 */
import type { CV, Mat } from '../cv.js';
import type { FacePipeline } from '../face-pipeline.js';
import { referenceHead } from '../face-model.js';
import { landmarkBox } from '../measures.js';
import { applyMat3, estimateIntrinsics, matrixFromEuler, type HeadPose, type Intrinsics, type Mat3 } from '../pose.js';
import { delaunay } from './mesh.js';

export interface SourceOptions {
  width: number;
  height: number;
  /** Face (jaw outline) width as a fraction of the frame width: ~0.35 for a person at the kiosk. */
  faceFraction: number;
  /** Where the face's centre goes, as a fraction of the frame height (a little above the middle). */
  faceCentreY: number;
  undoSourcePose: boolean;
  /** Camera focal length / frame width: the pipeline's default, so its estimate compares with the truth. */
  focalFactor: number;
}

export const DEFAULT_SOURCE: SourceOptions = { width: 640, height: 480, faceFraction: 0.35, faceCentreY: 0.47, undoSourcePose: true, focalFactor: 1.0 };

/** The face the synthesiser starts from: landmarks (68 × x, y pixels) and pose, from the face pipeline. */
export interface SourceFace {
  landmarks: Float32Array;
  pose: HeadPose;
}

export type SourceDetector = (frame: Mat) => SourceFace;

/** The FacePipeline as a source detector (it is reset: use a pipeline of its own or reset it after). */
export function pipelineDetector(pipeline: FacePipeline): SourceDetector {
  return (frame) => {
    pipeline.reset();
    // The second frame refits from the first one's landmarks: a steadier fit than a fresh detection.
    pipeline.analyze(frame, 0);
    const faces = pipeline.analyze(frame, 66).faces;
    const face = faces.sort((a, b) => b.box[2] - a.box[2])[0];
    if (!face) throw new Error('no face found in the source photo');
    return { landmarks: face.landmarks, pose: face.pose };
  };
}

/** Pivot of head rotations in the reference head's frame (mm): behind the ears, below the eye line (the top of the neck). */
const PIVOT: [number, number, number] = [0, 40, 90];

/**
 * How much each landmark drops when the mouth opens (× the drop): the lower lip fully, the chin
 * nearly, the jaw less towards the ears; the corners a little.
 */
export const MOUTH_DROP: Record<number, number> = {
  55: 0.75, 56: 1, 57: 1, 58: 1, 59: 0.75, 65: 1, 66: 1, 67: 1, 48: 0.15, 54: 0.15, 60: 0.2, 64: 0.2,
  8: 0.95, 7: 0.85, 9: 0.85, 6: 0.65, 10: 0.65, 5: 0.4, 11: 0.4, 4: 0.15, 12: 0.15,
};

/** Upper lid → lower lid pairs: a blink brings each upper-lid point onto the lower-lid point below it. */
export const LIDS: [number, number][] = [[37, 41], [38, 40], [43, 47], [44, 46]];

export interface SynthSource {
  width: number;
  height: number;
  camera: Intrinsics;
  /** The placed photo (BGR, width × height × 3): the rest frame. */
  base: Buffer;
  /**
   * The placed photo on a larger canvas, `margin` pixels more on every side (BGR): a turned head
   * brings in what lay just outside the frame (the top of the hair), not a smear of its edge.
   */
  canvas: { data: Buffer; width: number; height: number; margin: number };
  /** The detected landmarks on `base` and the pipeline's pose estimate there. */
  landmarks: Float32Array;
  sourcePose: HeadPose;
  /** The head's orientation in the photo as the synthesiser models it: sourcePose, or 0 when not undone. */
  restPose: HeadPose;
  /** Control points: 68 landmarks first, then forehead and ring points, then `fixed` border points. */
  count: number;
  fixed: number;
  /** Head-frame coordinates (mm, the reference head's axes) relative to the pivot. */
  head: Float64Array;
  /** 1: moves with the head; less: lags (hair and neck at the edge of the ring); border points: 0. */
  follow: Float64Array;
  /** Texture coordinates in `base` (frame pixels; may lie on the canvas outside the frame). */
  sx: Float64Array;
  sy: Float64Array;
  /** Distance of the face (its eye corners) from the camera at rest, mm. */
  distance: number;
  /** The pivot in camera coordinates (mm). */
  pivot: [number, number, number];
  tris: Uint16Array;
  /** Per triangle: 1 if it lies inside an eye (drawn behind the lids, as the eyeball). */
  eyeball: Uint8Array;
  /** Blink: [point, from, to, fraction]: at eyesClosed = 1 the point moves by (to − from) × fraction (from, to: lid landmarks). */
  blink: [number, number, number, number][];
  /** Open mouth: [point, fraction of the full drop]. */
  mouth: [number, number][];
  /** Nose-bridge-to-chin height, mm: the mouth opens by a fraction of it. */
  faceHeight: number;
}

/**
 * Places `photo` in the output frame, finds its face with `detect` and builds the 3D control mesh.
 * `meanShape` is the landmark model's mean shape (ShapeModel.initialShape), as the pipeline uses.
 */
export function prepareSource(cv: CV, photo: Mat, detect: SourceDetector, meanShape: Float32Array, options: Partial<SourceOptions> = {}): SynthSource {
  const o = { ...DEFAULT_SOURCE, ...options };
  const W = o.width, H = o.height;
  // Scale and shift so the face has the kiosk size and position; what the photo does not cover is mirrored in.
  const first = detect(photo).landmarks;
  const [bx, by, bw, bh] = landmarkBox(first);
  const s = (o.faceFraction * W) / bw;
  const margin = Math.round(0.25 * W);
  const affine = (m: number) => new cv.Mat([[s, 0, m + W / 2 - s * (bx + bw / 2)], [0, s, m + o.faceCentreY * H - s * (by + bh / 2)]], cv.CV_64F);
  const place = (m: number) => photo.warpAffine(affine(m), new cv.Size(W + 2 * m, H + 2 * m), s > 1 ? cv.INTER_CUBIC : cv.INTER_AREA, cv.BORDER_REFLECT_101);
  const baseMat = place(0);
  const canvas = place(margin);
  const face = detect(baseMat);
  const p = face.landmarks;
  const cam = estimateIntrinsics(W, H, o.focalFactor);
  const restPose = o.undoSourcePose ? face.pose : { yaw: 0, pitch: 0, roll: 0 };
  const R0 = matrixFromEuler(restPose);
  const R0t: Mat3 = [R0[0], R0[3], R0[6], R0[1], R0[4], R0[7], R0[2], R0[5], R0[8]];

  // The reference head turned to the rest pose; its size against the landmarks gives the distance.
  const model = referenceHead(meanShape);
  const m = Array.from({ length: 68 }, (_, i) => applyMat3(R0, model[3 * i]!, model[3 * i + 1]!, model[3 * i + 2]!));
  let mx = 0, my = 0, px = 0, py = 0;
  for (let i = 0; i < 68; i++) { mx += m[i]![0]; my += m[i]![1]; px += p[2 * i]!; py += p[2 * i + 1]!; }
  mx /= 68; my /= 68; px /= 68; py /= 68;
  let num = 0, den = 0;
  for (let i = 0; i < 68; i++) {
    const ax = m[i]![0] - mx, ay = m[i]![1] - my;
    num += ax * (p[2 * i]! - px) + ay * (p[2 * i + 1]! - py);
    den += ax * ax + ay * ay;
  }
  const z0 = (cam.focal * den) / num; // the distance (mm): pixels per mm = focal / distance
  const back = (u: number, v: number, z: number): [number, number, number] => [((u - cam.cx) * z) / cam.focal, ((v - cam.cy) * z) / cam.focal, z];
  // The model's origin (between the outer eye corners, at their depth) is where the corners' midpoint is seen.
  const origin = back((p[72]! + p[90]!) / 2, (p[73]! + p[91]!) / 2, z0);
  // Face-frame coordinates relative to the origin (mm, model axes) of every landmark.
  const E = Array.from({ length: 68 }, (_, i) => {
    const P = back(p[2 * i]!, p[2 * i + 1]!, z0 + m[i]![2]);
    return applyMat3(R0t, P[0] - origin[0], P[1] - origin[1], P[2] - origin[2]);
  });

  const pts: { e: [number, number, number]; follow: number }[] = E.map((e) => ({ e, follow: 1 }));
  const chin = E[8]![1];
  const jawW = E[16]![0] - E[0]![0];
  const midX = (E[16]![0] + E[0]![0]) / 2;
  // Depth of the skull's surface across the head (mm): an ellipse from the forehead (10 mm before
  // the eye corners) round to the outline (the depth of jaw points 0/16, beside the ears).
  const halfHead = 0.52 * jawW, outline = (E[0]![2] + E[16]![2]) / 2, front = -10;
  const skull = (x: number) => outline - (outline - front) * Math.sqrt(Math.max(0, 1 - ((x - midX) / halfHead) ** 2));
  // Forehead: two rows above the brows at the brows' depth, sloping back as they rise.
  for (const b of [17, 19, 21, 22, 24, 26]) {
    const [x, y, z] = E[b]!;
    pts.push({ e: [x, y - 0.2 * chin, z + 3], follow: 1 });
    pts.push({ e: [midX + (x - midX) * 0.95, y - 0.45 * chin, z + 10], follow: 1 });
  }
  // Temples, beside the brows and well behind them: when the head turns, the far side's outline is
  // the temple, only a little outside the jaw line (a temple as far forward as the brows would
  // swing out past the outline).
  for (const side of [-1, 1]) {
    const x = midX + side * 0.88 * halfHead;
    for (const y of [E[17]![1], E[17]![1] - 0.25 * chin]) pts.push({ e: [x, y, skull(x)], follow: 1 });
  }
  // Cheekbones just inside the top of the jaw outline, and cheeks halfway from the nose and mouth to
  // the jaw, all on the rounded face (an ellipse from the outline point forward), not on the flat
  // triangle between nose and jaw: on the far side of a turned head the cheekbone is the outline,
  // a little outside where the jaw point (far back, beside the ear) is seen; a flat face would fold
  // there and leave the eye corner at the edge of the face.
  const rounded = (j: number[], towards: number[], t: number, depth = towards[2]!): [number, number, number] => {
    const u = 1 - t; // distance from the inner point, as a fraction of the way to the outline
    return [j[0]! + t * (towards[0]! - j[0]!), j[1]! + t * (towards[1]! - j[1]!), j[2]! - (j[2]! - depth) * Math.sqrt(1 - u * u)];
  };
  for (const jaw of [0, 1, 15, 16]) {
    const j = E[jaw]!;
    pts.push({ e: rounded(j, [midX, j[1]!, front], 0.12, front + 5), follow: 1 });
  }
  for (const [jaw, inner] of [[2, 31], [4, 48], [6, 48], [14, 35], [12, 54], [10, 54]] as const) {
    pts.push({ e: rounded(E[jaw]!, E[inner]!, 0.5), follow: 1 });
  }
  // Eyelid creases, 40% of the way from the upper lid to the brow, following the closing lid most
  // of the way: the skin above them stretches, the lid itself (and its lash line) only a little, so a
  // closed eye shows a thin dark line, not a band of stretched lashes.
  const blink: [number, number, number, number][] = LIDS.map(([upper, lower]) => [upper, upper, lower, 1]);
  for (const [upper, lower, brow] of [[37, 41, 19], [38, 40, 20], [43, 47, 23], [44, 46, 24]] as const) {
    const u = E[upper]!, b = E[brow]!;
    blink.push([pts.length, upper, lower, 0.7]);
    pts.push({ e: [u[0] + 0.4 * (b[0] - u[0]), u[1] + 0.4 * (b[1] - u[1]), u[2] + 0.4 * (b[2] - u[2]) - 1], follow: 1 });
  }
  // Rings round the head at the depth of its outline, where turning moves it little, as on a real
  // head. The outer ring and the neck follow only part of the way, so the background between them
  // and the fixed border takes up the stretch smoothly.
  const yc = 0.15 * chin;
  for (const [rx, ry, top, bottom] of [[0.62 * jawW, 1.15 * chin, 1, 0.5], [1.05 * jawW, 1.7 * chin, 0.35, 0.15]] as const) {
    for (let k = 0; k < 16; k++) {
      const a = (2 * Math.PI * k) / 16;
      const y = yc + ry * Math.sin(a);
      pts.push({ e: [midX + rx * Math.cos(a), y, outline], follow: y > 0.9 * chin ? bottom : top });
    }
  }

  const pivot = ((): [number, number, number] => {
    const r = applyMat3(R0, ...PIVOT);
    return [origin[0] + r[0], origin[1] + r[1], origin[2] + r[2]];
  })();
  const project = (P: [number, number, number]): [number, number] => [(cam.focal * P[0]) / P[2] + cam.cx, (cam.focal * P[1]) / P[2] + cam.cy];
  const inside = (u: number, v: number) => u > -margin && u < W + margin && v > -margin && v < H + margin;

  const head: number[] = [], follow: number[] = [], sx: number[] = [], sy: number[] = [];
  const kept = new Map<number, number>(); // index in pts → control point index
  pts.forEach(({ e, follow: f }, i) => {
    const r = applyMat3(R0, ...e);
    // Landmarks keep their detected position exactly; extra points are seen where they project.
    const [u, v] = i < 68 ? [p[2 * i]!, p[2 * i + 1]!] : project([origin[0] + r[0], origin[1] + r[1], origin[2] + r[2]]);
    // Extra points off the mesh's area or on top of another would only make slivers.
    if (i >= 68 && (!inside(u, v) || sx.some((x, j) => Math.hypot(x - u, sy[j]! - v) < 2))) return;
    kept.set(i, follow.length);
    head.push(e[0] - PIVOT[0], e[1] - PIVOT[1], e[2] - PIVOT[2]);
    follow.push(f);
    sx.push(u);
    sy.push(v);
  });
  const count = follow.length;
  // The frame's border, outside the frame: the background stays where it is.
  for (let k = 0; k <= 4; k++) {
    for (const [u, v] of [[-margin + (k * (W + 2 * margin)) / 4, -margin], [-margin + (k * (W + 2 * margin)) / 4, H + margin], [-margin, -margin + (k * (H + 2 * margin)) / 4], [W + margin, -margin + (k * (H + 2 * margin)) / 4]] as const) {
      if (sx.some((x, j) => x === u && sy[j] === v)) continue;
      head.push(0, 0, 0);
      follow.push(0);
      sx.push(u);
      sy.push(v);
    }
  }
  const tris = delaunay(sx, sy);
  const inEye = (i: number) => (i >= 36 && i <= 41 ? 1 : i >= 42 && i <= 47 ? 2 : 0);
  const eyeball = new Uint8Array(tris.length / 3);
  for (let t = 0; t < eyeball.length; t++) {
    const e = inEye(tris[3 * t]!);
    eyeball[t] = e !== 0 && inEye(tris[3 * t + 1]!) === e && inEye(tris[3 * t + 2]!) === e ? 1 : 0;
  }
  return {
    width: W,
    height: H,
    camera: cam,
    base: Buffer.from(baseMat.getData()),
    canvas: { data: Buffer.from(canvas.getData()), width: canvas.cols, height: canvas.rows, margin },
    landmarks: Float32Array.from(p),
    sourcePose: face.pose,
    restPose,
    count,
    fixed: follow.length - count,
    head: Float64Array.from(head),
    follow: Float64Array.from(follow),
    sx: Float64Array.from(sx),
    sy: Float64Array.from(sy),
    distance: z0,
    pivot,
    tris,
    eyeball,
    blink: blink.filter(([i]) => kept.has(i)).map(([i, from, to, f]) => [kept.get(i)!, from, to, f]),
    mouth: Object.entries(MOUTH_DROP).map(([i, w]) => [Number(i), w]),
    faceHeight: E[8]![1] - E[27]![1],
  };
}
