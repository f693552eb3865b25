/**
 * Clips with known truth from a prepared source photo (./source.ts) and a script (./script.ts).
 *
 * Live clips: per frame, the control points are turned in 3D about the pivot (matrixFromEuler of the
 * truth pose, replacing the photo's rest pose), eyelids and jaw moved in the head's own frame first,
 * projected with the pipeline's pinhole camera, and the photo warped through the triangle mesh.
 * Spoof clips: the placed photo as a flat sheet, turned and moved rigidly (one homography,
 * warpPerspective) — no blink and no mouth, by construction.
 *
 * Both add seeded sensor noise and a slight brightness flicker, so the same seed gives the same
 * bytes, and a test that passes does not depend on a noiseless image.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { opencv, type CV, type Mat } from '../cv.js';
import { applyMat3, matrixFromEuler, type HeadPose } from '../pose.js';
import { fillPolygon, warpMesh, type MeshFrame } from './mesh.js';
import { prng, scriptSampler, type Script, type ScriptState } from './script.js';
import type { SynthSource } from './source.js';

export interface SynthOptions {
  fps: number;
  seed: number;
  /** Sensor noise, standard deviation in grey levels (0: none). */
  noise: number;
  /** Brightness flicker, ± relative gain per frame. */
  flicker: number;
}

export const DEFAULT_SYNTH: SynthOptions = { fps: 15, seed: 1, noise: 2, flicker: 0.02 };

/** The truth of one frame: the script's state at `t`, and where the 68 landmarks really are. */
export interface FrameTruth extends ScriptState {
  index: number;
  /** ms from the clip's start. */
  t: number;
  /** 68 × (x, y), pixels, as drawn (the pipeline's landmarks should land here). */
  landmarks: number[];
}

export interface SynthClip {
  label: string;
  kind: 'live' | 'spoof';
  fps: number;
  width: number;
  height: number;
  seed: number;
  /** The pipeline's estimate on the untouched photo, and the pose the truth angles start from (see source.ts). */
  sourcePose: HeadPose;
  restPose: HeadPose;
  frames: Mat[];
  truth: FrameTruth[];
}

/** Mouth interior: a dark, reddish throat. */
const MOUTH_BGR: [number, number, number] = [32, 30, 58];
/** The "room" around a photo held up to the camera. */
const ROOM_BGR: [number, number, number] = [96, 104, 112];
/** How far the mouth opens at mouthOpen = 1, as a fraction of nose-bridge-to-chin height. */
const MOUTH_DROP_FRACTION = 0.2;
/** Eyeball triangles sit this much behind the lids (mm), so a closing lid covers them. */
const EYEBALL_DEPTH = 3;

/** Frame times of a script at `fps`: 0, 1000/fps, … up to the duration. */
function frameTimes(script: Script, fps: number): number[] {
  const n = Math.floor((script.durationMs * fps) / 1000) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * 1000) / fps));
}

/** Renders a live clip frame by frame (a generator, so long clips need not sit in memory). */
export function* liveFrames(source: SynthSource, script: Script, options: Partial<SynthOptions> = {}): Generator<{ mat: Mat; truth: FrameTruth }> {
  const cv = opencv();
  const o = { ...DEFAULT_SYNTH, ...options };
  const render = liveRenderer(source, o);
  const sample = scriptSampler(script);
  const times = frameTimes(script, o.fps);
  for (let index = 0; index < times.length; index++) {
    const { data, truth } = render(sample(times[index]!), index, times[index]!);
    yield { mat: new cv.Mat(data, source.height, source.width, cv.CV_8UC3), truth };
  }
}

/**
 * The live renderer behind liveFrames: any state at any time, one frame per call (the sim profile's
 * synthesised person renders on the terminal's clock, not at fixed frame times). `index` seeds the
 * frame's sensor noise. Returns the frame's BGR bytes (source.width × source.height × 3): a camera
 * frame as is, no Mat needed.
 */
export function liveRenderer(source: SynthSource, options: Partial<SynthOptions> = {}): (s: ScriptState, index: number, t: number) => { data: Buffer; truth: FrameTruth } {
  const o = { ...DEFAULT_SYNTH, ...options };
  const { width: W, height: H, camera: cam, count, head, follow, pivot } = source;
  const n = count + source.fixed;
  const R0 = matrixFromEuler(source.restPose);
  // Two geometries per frame: with the expression (blink, mouth) and without it, for the eyeballs.
  type Placed = Pick<MeshFrame, 'dx' | 'dy' | 'z'>;
  const mesh: Placed = { dx: new Float64Array(n), dy: new Float64Array(n), z: new Float64Array(n) };
  const open: Placed = { dx: new Float64Array(n), dy: new Float64Array(n), z: new Float64Array(n) };
  // Border points never move and are far behind everything.
  for (let i = count; i < n; i++) {
    mesh.dx[i] = open.dx[i] = source.sx[i]!;
    mesh.dy[i] = open.dy[i] = source.sy[i]!;
    mesh.z[i] = open.z[i] = pivot[2] + 1000;
  }
  const map = new Float32Array(W * H * 2), depth = new Float32Array(W * H);
  // The eyeball triangles use the open-eye geometry: index into a merged vertex list [mesh | open].
  const tris = Uint16Array.from(source.tris);
  const merged: MeshFrame = { dx: new Float64Array(2 * n), dy: new Float64Array(2 * n), sx: new Float64Array(2 * n), sy: new Float64Array(2 * n), z: new Float64Array(2 * n) };
  merged.sx.set(source.sx); merged.sx.set(source.sx, n);
  merged.sy.set(source.sy); merged.sy.set(source.sy, n);
  for (let t = 0; t < source.eyeball.length; t++) if (source.eyeball[t]) for (let k = 3 * t; k < 3 * t + 3; k++) tris[k] = tris[k]! + n;

  /** Projects a point `follow` of the way from its rest position to its moved one (both about the pivot). */
  const place = (g: Placed, i: number, rest: number[], moved: number[], f: number, shift: number[]): void => {
    const X = pivot[0] + rest[0]! + (moved[0]! + shift[0]! - rest[0]!) * f;
    const Y = pivot[1] + rest[1]! + (moved[1]! + shift[1]! - rest[1]!) * f;
    const Z = pivot[2] + rest[2]! + (moved[2]! + shift[2]! - rest[2]!) * f;
    g.dx[i] = (cam.focal * X) / Z + cam.cx;
    g.dy[i] = (cam.focal * Y) / Z + cam.cy;
    g.z[i] = Z;
  };

  const lids: ([number, number, number] | undefined)[] = [];
  for (const [point, from, to, fraction] of source.blink) lids[point] = [from, to, fraction];
  const jaw: number[] = [];
  for (const [point, w] of source.mouth) jaw[point] = w;

  return (s, index, t) => {
    const R = matrixFromEuler(s);
    const drop = s.mouthOpen * MOUTH_DROP_FRACTION * source.faceHeight;
    // The head's translation: dx, dy as fractions of the frame, scale by coming closer.
    const shift = [(s.dx * W * pivot[2]) / cam.focal, (s.dy * H * pivot[2]) / cam.focal, pivot[2] * (1 / s.scale - 1)];
    for (let i = 0; i < count; i++) {
      let x = head[3 * i]!, y = head[3 * i + 1]!, z = head[3 * i + 2]!;
      const rest = applyMat3(R0, x, y, z);
      let moved = applyMat3(R, x, y, z);
      place(open, i, rest, moved, follow[i]!, shift);
      const lid = lids[i];
      if (lid) {
        const [from, to, fraction] = lid, k = fraction * s.eyesClosed;
        x += (head[3 * to]! - head[3 * from]!) * k;
        y += (head[3 * to + 1]! - head[3 * from + 1]!) * k;
        z += (head[3 * to + 2]! - head[3 * from + 2]!) * k;
      }
      y += drop * (jaw[i] ?? 0);
      moved = applyMat3(R, x, y, z);
      place(mesh, i, rest, moved, follow[i]!, shift);
    }
    merged.dx.set(mesh.dx); merged.dx.set(open.dx, n);
    merged.dy.set(mesh.dy); merged.dy.set(open.dy, n);
    merged.z.set(mesh.z);
    for (let i = 0; i < n; i++) merged.z[n + i] = open.z[i]! + EYEBALL_DEPTH;

    const out = Buffer.alloc(W * H * 3);
    warpMesh(source.canvas, out, W, H, tris, merged, map, depth);
    if (s.mouthOpen > 0.01) {
      const inner = [60, 61, 62, 63, 64, 65, 66, 67];
      fillPolygon(out, W, H, inner.map((i) => mesh.dx[i]!), inner.map((i) => mesh.dy[i]!), MOUTH_BGR);
    }
    camera(out, o, index);
    const landmarks: number[] = [];
    for (let i = 0; i < 68; i++) landmarks.push(round2(mesh.dx[i]!), round2(mesh.dy[i]!));
    return { data: out, truth: { index, t, ...rounded(s), landmarks } };
  };
}

/**
 * A photo held up to the camera: the placed photo as a flat sheet at the face's distance, turned
 * about the face's centre (the script's pose is the sheet's) and moved; the script may not blink
 * or open the mouth.
 */
export function* spoofFrames(source: SynthSource, script: Script, options: Partial<SynthOptions> = {}): Generator<{ mat: Mat; truth: FrameTruth }> {
  if (script.keys.some((k) => k.blink || (k.eyesClosed ?? 0) > 0 || (k.mouthOpen ?? 0) > 0)) {
    throw new Error(`spoof script ${script.label}: a photo cannot blink or open its mouth`);
  }
  const cv = opencv();
  const o = { ...DEFAULT_SYNTH, ...options };
  const { width: W, height: H, camera: cam } = source;
  const sample = scriptSampler(script);
  const base = new cv.Mat(source.base, H, W, cv.CV_8UC3);
  // The sheet's depth: the face's (eye plane); it turns about the face's centre.
  const z0 = source.distance;
  let fx = 0, fy = 0;
  for (let i = 0; i < 68; i++) { fx += source.landmarks[2 * i]! / 68; fy += source.landmarks[2 * i + 1]! / 68; }
  const back = (u: number, v: number) => [((u - cam.cx) * z0) / cam.focal, ((v - cam.cy) * z0) / cam.focal, z0];
  const centre = back(fx, fy);
  const corners: [number, number][] = [[0, 0], [W, 0], [W, H], [0, H]];
  const times = frameTimes(script, o.fps);
  for (let index = 0; index < times.length; index++) {
    const t = times[index]!;
    const s = sample(t);
    const R = matrixFromEuler(s);
    const shift = [(s.dx * W * z0) / cam.focal, (s.dy * H * z0) / cam.focal, z0 * (1 / s.scale - 1)];
    const move = (u: number, v: number): [number, number] => {
      const P = back(u, v);
      const r = applyMat3(R, P[0]! - centre[0]!, P[1]! - centre[1]!, P[2]! - centre[2]!);
      const X = centre[0]! + r[0] + shift[0]!, Y = centre[1]! + r[1] + shift[1]!, Z = centre[2]! + r[2] + shift[2]!;
      return [(cam.focal * X) / Z + cam.cx, (cam.focal * Y) / Z + cam.cy];
    };
    const h = cv.getPerspectiveTransform(corners.map(([u, v]) => new cv.Point2(u, v)), corners.map(([u, v]) => new cv.Point2(...move(u, v))));
    const warped = base.warpPerspective(h, new cv.Size(W, H), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Vec3(...ROOM_BGR));
    const out = Buffer.from(warped.getData());
    camera(out, o, index);
    const landmarks: number[] = [];
    for (let i = 0; i < 68; i++) landmarks.push(...move(source.landmarks[2 * i]!, source.landmarks[2 * i + 1]!).map(round2));
    yield { mat: new cv.Mat(out, H, W, cv.CV_8UC3), truth: { index, t, ...rounded(s), landmarks } };
  }
}

/** A whole live clip in memory. */
export function synthesizeClip(source: SynthSource, script: Script, options: Partial<SynthOptions> = {}): SynthClip {
  return collect('live', liveFrames(source, script, options), source, script, options);
}

/** A whole spoof clip (the still photo moved rigidly) in memory. */
export function synthesizeSpoofClip(source: SynthSource, script: Script, options: Partial<SynthOptions> = {}): SynthClip {
  return collect('spoof', spoofFrames(source, script, options), source, script, options);
}

function collect(kind: SynthClip['kind'], frames: Iterable<{ mat: Mat; truth: FrameTruth }>, source: SynthSource, script: Script, options: Partial<SynthOptions>): SynthClip {
  const o = { ...DEFAULT_SYNTH, ...options };
  const clip: SynthClip = { label: script.label, kind, fps: o.fps, width: source.width, height: source.height, seed: o.seed, sourcePose: source.sourcePose, restPose: source.restPose, frames: [], truth: [] };
  for (const f of frames) {
    clip.frames.push(f.mat);
    clip.truth.push(f.truth);
  }
  return clip;
}

/**
 * Sensor noise (triangular, ~Gaussian, σ = options.noise grey levels) and a brightness flicker, both
 * from a PRNG seeded by (seed, frame index): any frame can be re-rendered alone, identically.
 */
function camera(buf: Uint8Array, o: SynthOptions, index: number): void {
  if (o.noise <= 0 && o.flicker <= 0) return;
  const seed = (o.seed * 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b);
  const gain = 1 + o.flicker * (prng(seed)() * 2 - 1);
  const k = (o.noise * Math.sqrt(6)) / 255; // a triangular variable on [−1, 1] has σ = 1/√6
  let x = seed | 1;
  for (let i = 0; i < buf.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    const v = buf[i]! * gain + ((x & 255) + ((x >>> 8) & 255) - 255) * k;
    buf[i] = v < 0 ? 0 : v > 255 ? 255 : v + 0.5;
  }
}

const round2 = (v: number) => Math.round(v * 100) / 100;

function rounded(s: ScriptState): ScriptState {
  const r = {} as ScriptState;
  for (const [k, v] of Object.entries(s) as [keyof ScriptState, number][]) r[k] = Math.round(v * 1e4) / 1e4;
  return r;
}

/**
 * Writes a clip: `.avi` → an MJPG video (OpenCV's VideoWriter, readable by cv.VideoCapture and
 * src/vision/clip.ts); any other path → a folder of lossless PNG frames (frame-00000.png, …). The
 * truth goes alongside as `<path>.truth.json`. Returns the truth file's path.
 */
export function writeClip(clip: SynthClip, path: string, fps = clip.fps, cv: CV = opencv()): string {
  const target = path.replace(/\/+$/, '');
  if (/\.avi$/i.test(target)) {
    const writer = new cv.VideoWriter(target, cv.VideoWriter.fourcc('MJPG'), fps, new cv.Size(clip.width, clip.height), true);
    try {
      for (const frame of clip.frames) writer.write(frame);
    } finally {
      writer.release();
    }
  } else {
    mkdirSync(target, { recursive: true });
    clip.frames.forEach((frame, i) => cv.imwrite(join(target, `frame-${String(i).padStart(5, '0')}.png`), frame));
  }
  const { frames: _frames, ...meta } = clip;
  const truthPath = `${target}.truth.json`;
  writeFileSync(truthPath, JSON.stringify({ ...meta, fps, frameCount: clip.frames.length }) + '\n');
  return truthPath;
}
