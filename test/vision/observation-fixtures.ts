/**
 * Deterministic FrameObservation sequences for the action-judge tests: a scripted person (pose, eye
 * and mouth openness, face size and position) sampled at a frame rate, with seeded uniform noise.
 *
 * Landmarks come from a simple 68-point frontal template (iBUG layout) scaled, rotated by roll and
 * placed; ear/mar/box/placement are computed from those landmarks with src/vision/measures.ts, as the
 * pipeline does. Yaw and pitch are reported but not drawn into the landmarks (only roll and scale
 * are), except in `photoClip`, which foreshortens a flat photo.
 */
import { Rng as FuzzRng } from '../drivers/fuzz-input.js';
import { eyeAspectRatio, landmarkBox, mouthAspectRatio, placement } from '../../src/vision/measures.js';
import { ActionJudge, type JudgeEvent, type ThresholdOverrides } from '../../src/vision/actions.js';
import type { FaceObservation, FrameObservation } from '../../src/vision/observation.js';

export interface Person {
  yaw: number;
  pitch: number;
  roll: number;
  /** Eye aspect ratio of the person's right eye (image left) and left eye. */
  earRight: number;
  earLeft: number;
  /** Inner-mouth aspect ratio. */
  mar: number;
  /** Face (jaw) width in pixels. */
  size: number;
  /** Face centre in pixels. */
  cx: number;
  cy: number;
}

export const NEUTRAL: Person = { yaw: 0, pitch: 0, roll: 0, earRight: 0.3, earLeft: 0.3, mar: 0.02, size: 220, cx: 320, cy: 240 };

/** Uniform noise amplitudes (± each). */
export interface Noise {
  /** Degrees on yaw, pitch and roll. */
  pose: number;
  /** On each eye's aspect ratio. */
  ear: number;
  mar: number;
  /** Relative, on the face size. */
  size: number;
}

export const REALISTIC: Noise = { pose: 1.5, ear: 0.01, mar: 0.01, size: 0.01 };
export const QUIET: Noise = { pose: 0, ear: 0, mar: 0, size: 0 };

/** The fuzz tests' seeded source (mulberry32), with a symmetric draw for noise. */
export class Rng extends FuzzRng {
  /** Uniform in [−a, a). */
  pm(a: number): number {
    return a === 0 ? 0 : (this.next() * 2 - 1) * a;
  }
}

/**
 * 68 landmarks of a frontal face in face units (jaw width 1, origin at the face centre, y down), with
 * the given eye and mouth aspect ratios (eyes 0.2 wide, inner mouth 0.26 wide).
 */
export function templateLandmarks(earRight: number, earLeft: number, mar: number): Float64Array {
  const p = new Float64Array(136);
  const set = (i: number, x: number, y: number) => {
    p[2 * i] = x;
    p[2 * i + 1] = y;
  };
  for (let i = 0; i <= 16; i++) {
    const th = (Math.PI * i) / 16;
    set(i, -0.5 * Math.cos(th), -0.1 + 0.7 * Math.sin(th));
  }
  for (let k = 0; k < 5; k++) {
    set(17 + k, -0.4 + 0.08 * k, -0.32 - 0.02 * Math.sin((Math.PI * k) / 4));
    set(22 + k, 0.08 + 0.08 * k, -0.32 - 0.02 * Math.sin((Math.PI * (4 - k)) / 4));
  }
  for (let k = 0; k < 4; k++) set(27 + k, 0, -0.2 + 0.08 * k);
  for (let k = 0; k < 5; k++) set(31 + k, -0.1 + 0.05 * k, 0.1 + (k === 2 ? 0.02 : 0));
  const eye = (first: number, cx: number, ear: number, mirrored: boolean) => {
    const h = (ear * 0.2) / 2;
    const y = -0.2;
    const o = mirrored ? -1 : 1; // right eye: 36 outer (image left) → 39 inner
    set(first, cx - 0.1 * o, y);
    set(first + 1, cx - 0.0333 * o, y - h);
    set(first + 2, cx + 0.0333 * o, y - h);
    set(first + 3, cx + 0.1 * o, y);
    set(first + 4, cx + 0.0333 * o, y + h);
    set(first + 5, cx - 0.0333 * o, y + h);
  };
  eye(36, -0.2, earRight, false);
  eye(42, 0.2, earLeft, false);
  const o = (mar * 0.26) / 2;
  const my = 0.3;
  // Outer lips 48–59: corners 48 / 54, upper 49–53, lower 55–59.
  set(48, -0.18, my);
  for (let k = 1; k <= 5; k++) set(48 + k, -0.18 + 0.06 * k, my - o - 0.04);
  set(54, 0.18, my);
  for (let k = 1; k <= 5; k++) set(54 + k, 0.18 - 0.06 * k, my + o + 0.05);
  // Inner lips 60–67: corners 60 / 64, upper 61–63, lower 65–67.
  set(60, -0.13, my);
  set(61, -0.065, my - o);
  set(62, 0, my - o);
  set(63, 0.065, my - o);
  set(64, 0.13, my);
  set(65, 0.065, my + o);
  set(66, 0, my + o);
  set(67, -0.065, my + o);
  return p;
}

/**
 * Places template points in the image: scale by `size` (and by `sx`/`sy`, a flat photo's
 * foreshortening), rotate by roll (counter-clockwise as displayed), translate to (cx, cy), and jitter
 * each coordinate by ±`px` pixels.
 */
export function place(t: Float64Array, size: number, roll: number, cx: number, cy: number, rng?: Rng, px = 0, sx = 1, sy = 1): Float32Array {
  const c = Math.cos((roll * Math.PI) / 180), s = Math.sin((roll * Math.PI) / 180);
  const out = new Float32Array(t.length);
  for (let i = 0; i < t.length / 2; i++) {
    const x = t[2 * i]! * size * sx, y = t[2 * i + 1]! * size * sy;
    out[2 * i] = cx + x * c + y * s + (rng ? rng.pm(px) : 0);
    out[2 * i + 1] = cy - x * s + y * c + (rng ? rng.pm(px) : 0);
  }
  return out;
}

/** A face observation measured from landmarks, as the pipeline would produce it. */
export function faceFrom(landmarks: Float32Array, pose: { yaw: number; pitch: number; roll: number }, track: number, width: number, height: number): FaceObservation {
  const right = eyeAspectRatio(landmarks, 36);
  const left = eyeAspectRatio(landmarks, 42);
  return {
    track,
    box: landmarkBox(landmarks),
    landmarks,
    pose: { ...pose },
    ear: { right, left, mean: (right + left) / 2 },
    mar: mouthAspectRatio(landmarks),
    placement: placement(landmarks, width, height),
    quality: { sharpness: 120, brightness: 128, clipped: 0, score: 0.8 },
  };
}

export interface SceneOptions {
  fps: number;
  seed?: number;
  noise?: Partial<Noise>;
  start?: Partial<Person>;
  /** Time of the first frame, ms. */
  t0?: number;
  track?: number;
  width?: number;
  height?: number;
}

/**
 * A scripted clip. Each step appends frames (eagerly) at the frame rate; `frames` are the result.
 *
 *   new Scene({ fps: 30 }).hold(800).move(300, { pitch: 18 }).hold(400).move(300, { pitch: 0 }).hold(300)
 */
export class Scene {
  readonly frames: FrameObservation[] = [];
  readonly fps: number;
  /** The person as scripted now (without noise). */
  person: Person;
  private readonly noise: Noise;
  private readonly rng: Rng;
  private readonly t0: number;
  private readonly width: number;
  private readonly height: number;
  private k = 0;
  /** Script time, ms from t0. */
  private t = 0;
  private trackId: number;

  constructor(opts: SceneOptions) {
    this.fps = opts.fps;
    this.rng = new Rng(opts.seed ?? 1);
    this.noise = { ...REALISTIC, ...opts.noise };
    this.person = { ...NEUTRAL, ...opts.start };
    this.t0 = opts.t0 ?? 1_000;
    this.trackId = opts.track ?? 1;
    this.width = opts.width ?? 640;
    this.height = opts.height ?? 480;
  }

  /** Capture time of frame k. */
  timeOf(k: number): number {
    return this.t0 + Math.round((k * 1000) / this.fps);
  }

  /** Script time now (absolute ms, like `at`). */
  get now(): number {
    return this.t0 + this.t;
  }

  /** Capture time of the next frame to be generated. */
  get nextAt(): number {
    return this.timeOf(this.k);
  }

  /** Stays as is for `ms`. */
  hold(ms: number): this {
    return this.move(ms, {});
  }

  /** Moves linearly from the current person to `to` over `ms`. */
  move(ms: number, to: Partial<Person>): this {
    const from = this.person;
    const target = { ...from, ...to };
    const start = this.t;
    this.t += ms;
    while (this.timeOf(this.k) - this.t0 < this.t) {
      const f = ms > 0 ? (this.timeOf(this.k) - this.t0 - start) / ms : 1;
      const p = {} as Person;
      for (const key of Object.keys(target) as (keyof Person)[]) p[key] = from[key] + (target[key] - from[key]) * f;
      this.emit([this.face(p, this.trackId)]);
    }
    this.person = target;
    return this;
  }

  /** Changes at once (the next frame shows it). */
  set(to: Partial<Person>): this {
    this.person = { ...this.person, ...to };
    return this;
  }

  /** No face for `ms`. */
  absent(ms: number): this {
    return this.frameless(ms, () => []);
  }

  /** No face in the next `n` frames. */
  dropFrames(n: number): this {
    for (let i = 0; i < n; i++) this.emit([]);
    this.t = Math.max(this.t, this.timeOf(this.k - 1) - this.t0 + 1e-3);
    return this;
  }

  /** A second face (another track, smaller, to the side) next to the person for `ms`. */
  withSecondFace(ms: number, track = 99): this {
    return this.frameless(ms, () => [
      this.face(this.person, this.trackId),
      this.face({ ...NEUTRAL, size: 120, cx: 560, cy: 200 }, track),
    ]);
  }

  /** The following frames carry track `id` (the pipeline lost and re-found, or swapped, the face). */
  track(id: number): this {
    this.trackId = id;
    return this;
  }

  /** No frames at all for `ms` (a camera stall): time jumps. */
  stall(ms: number): this {
    this.t += ms;
    while (this.timeOf(this.k) - this.t0 < this.t) this.k++;
    return this;
  }

  private frameless(ms: number, faces: () => FaceObservation[]): this {
    this.t += ms;
    while (this.timeOf(this.k) - this.t0 < this.t) this.emit(faces());
    return this;
  }

  private emit(faces: FaceObservation[]): void {
    this.frames.push({ index: this.k, at: this.timeOf(this.k), width: this.width, height: this.height, faces });
    this.k++;
  }

  private face(p: Person, track: number): FaceObservation {
    const n = this.noise, r = this.rng;
    const pose = { yaw: p.yaw + r.pm(n.pose), pitch: p.pitch + r.pm(n.pose), roll: p.roll + r.pm(n.pose) };
    const er = Math.max(0, p.earRight + r.pm(n.ear));
    const el = Math.max(0, p.earLeft + r.pm(n.ear));
    const mar = Math.max(0, p.mar + r.pm(n.mar));
    const size = p.size * (1 + r.pm(n.size));
    const lm = place(templateLandmarks(er, el, mar), size, pose.roll, p.cx, p.cy);
    return faceFrom(lm, pose, track, this.width, this.height);
  }
}

/** A rigid motion of a flat photo at time `at` (ms from the clip start). */
export interface PhotoMotion {
  /** Multiplies the photo's face size. */
  scale: number;
  /** In-plane rotation, degrees (added to roll). */
  roll: number;
  dx: number;
  dy: number;
  /** Photo tilted about its horizontal / vertical axis, degrees (small perspective: foreshortening). */
  tiltX: number;
  tiltY: number;
}

/**
 * A still photo of `person` moved by `motion(ms)`: the same landmarks every frame, transformed
 * rigidly, with ±`px` pixels of landmark jitter; ear/mar measured from the landmarks. A tilted photo
 * shows up in the pose as pitch (tiltX) and yaw (tiltY), as a pose solver would roughly see it.
 */
export function photoClip(opts: { fps: number; ms: number; seed?: number; px?: number; person?: Partial<Person>; motion: (ms: number) => Partial<PhotoMotion>; t0?: number }): FrameObservation[] {
  const person = { ...NEUTRAL, ...opts.person };
  const rng = new Rng(opts.seed ?? 7);
  const template = templateLandmarks(person.earRight, person.earLeft, person.mar);
  const t0 = opts.t0 ?? 1_000;
  const frames: FrameObservation[] = [];
  for (let k = 0; ; k++) {
    const ms = Math.round((k * 1000) / opts.fps);
    if (ms >= opts.ms) break;
    const m: PhotoMotion = { scale: 1, roll: 0, dx: 0, dy: 0, tiltX: 0, tiltY: 0, ...opts.motion(ms) };
    const rad = Math.PI / 180;
    const roll = person.roll + m.roll;
    const lm = place(template, person.size * m.scale, roll, person.cx + m.dx, person.cy + m.dy, rng, opts.px ?? 0.4, Math.cos(m.tiltY * rad), Math.cos(m.tiltX * rad));
    const pose = { yaw: person.yaw + m.tiltY, pitch: person.pitch + m.tiltX, roll };
    frames.push({ index: k, at: t0 + ms, width: 640, height: 480, faces: [faceFrom(lm, pose, 1, 640, 480)] });
  }
  return frames;
}

/** A judge event with the time of the frame that produced it. */
export type TimedEvent = JudgeEvent & { at: number };

/** Feeds frames to a judge; returns every event stamped with its frame's time. */
export function feed(judge: ActionJudge, frames: readonly FrameObservation[]): TimedEvent[] {
  const out: TimedEvent[] = [];
  for (const f of frames) for (const e of judge.observe(f)) out.push({ ...e, at: f.at });
  return out;
}

export const ofType = <T extends JudgeEvent['type']>(events: readonly TimedEvent[], type: T) =>
  events.filter((e): e is Extract<JudgeEvent, { type: T }> & { at: number } => e.type === type);

/** A scene that has already given the judge its baseline (1 s of steady neutral). */
export function settled(opts: SceneOptions): Scene {
  return new Scene(opts).hold(1_000);
}

/**
 * The thresholds these scenes were written against: the scripted person moves in true degrees, so the
 * judge here uses thresholds in true degrees too (the shipped defaults are lower: they are in the
 * pipeline's degrees, which read large angles low).
 */
export const SCENE_THRESHOLDS: ThresholdOverrides = {
  raise_head: { enter: 12, release: 8 },
  lower_head: { enter: 12, release: 8 },
  turn_left: { enter: 15, release: 10 },
  turn_right: { enter: 15, release: 10 },
  nod: { down: 10, back: 5 },
  shake_head: { side: 12, back: 5 },
  blink: { minMs: 80 },
  baseline: { maxSpread: 6 },
};

/** An ActionJudge with SCENE_THRESHOLDS, then `overrides` on top (per group). */
export function sceneJudge(overrides: ThresholdOverrides = {}): ActionJudge {
  const merged: Record<string, unknown> = { ...SCENE_THRESHOLDS };
  for (const [k, v] of Object.entries(overrides)) {
    const base = merged[k];
    merged[k] = v !== null && typeof v === 'object' && base !== null && typeof base === 'object' ? { ...base, ...v } : v;
  }
  return new ActionJudge(merged as ThresholdOverrides);
}
