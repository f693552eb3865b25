/**
 * What a synthetic person (or a waved photo) does over time: keyframes per channel, eased with a
 * cosine between keys, and builders for the standard clips (each action after a neutral second, the
 * neutral itself, pose sweeps, spoof moves). Angles follow src/vision/pose.ts: yaw > 0 = the person
 * turns to their own left, pitch > 0 = head raised, roll > 0 = counter-clockwise in the image.
 */
import type { HeadPose } from '../pose.js';
import type { Action } from '../port.js';

/** Timings of a blink, ms: closing, held closed, opening. */
export interface BlinkShape {
  closeMs: number;
  holdMs: number;
  openMs: number;
}

export const DEFAULT_BLINK: BlinkShape = { closeMs: 70, holdMs: 150, openMs: 100 };

/** A rigid move of the whole head (or photo): image offset as fractions of the frame width/height, size factor. */
export interface Move {
  dx: number;
  dy: number;
  scale: number;
}

/**
 * One keyframe: every channel it names reaches that value at `at` (ms). A channel holds its value
 * before its first key and after its last one; channels nobody names stay neutral (0, scale 1).
 */
export interface Key {
  at: number;
  pose?: Partial<HeadPose>;
  /** 0 open … 1 closed (both eyes). */
  eyesClosed?: number;
  /** 0 closed … 1 wide open (about 20% of the nose-bridge-to-chin height). */
  mouthOpen?: number;
  move?: Partial<Move>;
  /** A whole blink starting at `at` (keys on eyesClosed). */
  blink?: true | BlinkShape;
}

export interface Script {
  label: string;
  durationMs: number;
  keys: Key[];
  /** Smooth random wobble of yaw/pitch/roll (±deg, seeded): a person never holds perfectly still. */
  jitter?: { deg: number; seed: number; periodMs?: number };
}

/** The state at one instant: the clip's ground truth. */
export interface ScriptState extends HeadPose, Move {
  eyesClosed: number;
  mouthOpen: number;
}

type Channel = keyof ScriptState;
const CHANNELS: Channel[] = ['yaw', 'pitch', 'roll', 'eyesClosed', 'mouthOpen', 'dx', 'dy', 'scale'];

/** Cosine ease from a to b, s in 0..1: zero speed at both ends, like a head starting and stopping. */
const ease = (a: number, b: number, s: number): number => a + (b - a) * (1 - Math.cos(Math.PI * s)) / 2;

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The script's channels as functions of time (ms). */
export function scriptSampler(script: Script): (t: number) => ScriptState {
  const tracks = new Map<Channel, [number, number][]>(CHANNELS.map((c) => [c, []]));
  const add = (c: Channel, at: number, v: number | undefined) => {
    if (v !== undefined) tracks.get(c)!.push([at, v]);
  };
  for (const k of script.keys) {
    add('yaw', k.at, k.pose?.yaw);
    add('pitch', k.at, k.pose?.pitch);
    add('roll', k.at, k.pose?.roll);
    add('eyesClosed', k.at, k.eyesClosed);
    add('mouthOpen', k.at, k.mouthOpen);
    add('dx', k.at, k.move?.dx);
    add('dy', k.at, k.move?.dy);
    add('scale', k.at, k.move?.scale);
    if (k.blink) {
      const b = k.blink === true ? DEFAULT_BLINK : k.blink;
      add('eyesClosed', k.at, 0);
      add('eyesClosed', k.at + b.closeMs, 1);
      add('eyesClosed', k.at + b.closeMs + b.holdMs, 1);
      add('eyesClosed', k.at + b.closeMs + b.holdMs + b.openMs, 0);
    }
  }
  for (const keys of tracks.values()) keys.sort((a, b) => a[0] - b[0]);
  const value = (c: Channel, t: number): number => {
    const keys = tracks.get(c)!;
    if (keys.length === 0) return c === 'scale' ? 1 : 0;
    if (t <= keys[0]![0]) return keys[0]![1];
    for (let i = 1; i < keys.length; i++) {
      const [t1, v1] = keys[i]!;
      if (t <= t1) {
        const [t0, v0] = keys[i - 1]!;
        return t1 === t0 ? v1 : ease(v0, v1, (t - t0) / (t1 - t0));
      }
    }
    return keys[keys.length - 1]![1];
  };
  // Jitter: seeded knots every periodMs, eased like the keys.
  const j = script.jitter;
  const knots: number[][] = [];
  if (j && j.deg > 0) {
    const rnd = prng(j.seed);
    const count = Math.ceil(script.durationMs / (j.periodMs ?? 400)) + 2;
    for (let i = 0; i < count; i++) knots.push([0, 1, 2].map(() => (rnd() * 2 - 1) * j.deg));
  }
  const wobble = (axis: number, t: number): number => {
    if (knots.length === 0) return 0;
    const s = t / (j!.periodMs ?? 400), i = Math.max(0, Math.min(knots.length - 2, Math.floor(s)));
    return ease(knots[i]![axis]!, knots[i + 1]![axis]!, Math.min(1, Math.max(0, s - i)));
  };
  return (t) => {
    const s = Object.fromEntries(CHANNELS.map((c) => [c, value(c, t)])) as unknown as ScriptState;
    s.yaw += wobble(0, t);
    s.pitch += wobble(1, t);
    s.roll += wobble(2, t) * 0.6; // people roll their heads less than they turn or nod them
    s.eyesClosed = Math.min(1, Math.max(0, s.eyesClosed));
    s.mouthOpen = Math.min(1, Math.max(0, s.mouthOpen));
    return s;
  };
}

// ---------------------------------------------------------------------------------------------
// Standard clips

export interface ClipStyle {
  /** Neutral lead-in for the baseline, ms. */
  neutralMs?: number;
  /** Jitter amplitude, degrees (0: perfectly still). */
  jitter?: number;
  seed?: number;
  /** The action's size: degrees for head moves, 0..1 for open_mouth, ignored for blink. */
  amplitude?: number;
}

const DEFAULT_AMPLITUDE: Record<Action, number> = {
  raise_head: 20,
  lower_head: 20,
  turn_left: 28,
  turn_right: 28,
  nod: 18,
  shake_head: 25,
  open_mouth: 0.8,
  blink: 1,
};

/** A neutral second (baseline), then `action` at a realistic amplitude and speed, then back to neutral. */
export function actionScript(action: Action, style: ClipStyle = {}): Script {
  const n = style.neutralMs ?? 1000;
  const a = style.amplitude ?? DEFAULT_AMPLITUDE[action];
  const jitter = { deg: style.jitter ?? 0.4, seed: style.seed ?? 1 };
  const hold = (pose: Partial<HeadPose>): Key[] => [
    { at: n, pose: { yaw: 0, pitch: 0, roll: 0 } },
    { at: n + 600, pose },
    { at: n + 1400, pose },
    { at: n + 2000, pose: { yaw: 0, pitch: 0, roll: 0 } },
  ];
  const keys: Record<Action, Key[]> = {
    raise_head: hold({ pitch: a }),
    lower_head: hold({ pitch: -a }),
    turn_left: hold({ yaw: a }),
    turn_right: hold({ yaw: -a }),
    nod: [
      { at: n, pose: { pitch: 0 } },
      { at: n + 450, pose: { pitch: -a } },
      { at: n + 900, pose: { pitch: 3 } },
      { at: n + 1200, pose: { pitch: 0 } },
    ],
    shake_head: [
      { at: n, pose: { yaw: 0 } },
      { at: n + 400, pose: { yaw: a } },
      { at: n + 1100, pose: { yaw: -a } },
      { at: n + 1500, pose: { yaw: 0 } },
    ],
    blink: [{ at: n + 300, blink: true }],
    open_mouth: [
      { at: n, mouthOpen: 0 },
      { at: n + 250, mouthOpen: a },
      { at: n + 1050, mouthOpen: a },
      { at: n + 1300, mouthOpen: 0 },
    ],
  };
  const end = Math.max(...keys[action].map((k) => k.at)) + 400;
  return { label: action, durationMs: end + 400, keys: keys[action], jitter };
}

/** No action at all: only the small natural wobble (and no blink). */
export function neutralScript(durationMs = 3000, style: Pick<ClipStyle, 'jitter' | 'seed'> = {}): Script {
  return { label: 'neutral', durationMs, keys: [], jitter: { deg: style.jitter ?? 0.8, seed: style.seed ?? 1, periodMs: 500 } };
}

export type SweepAxis = 'yaw' | 'pitch' | 'roll' | 'combined';

/**
 * A slow continuous sweep for pose accuracy: neutral, to +max, to −max, back to 0 (roll: ±max of
 * its own, 20° by default). 'combined' visits the four diagonal corners of yaw × pitch with a roll.
 */
export function sweepScript(axis: SweepAxis, options: { max?: number; durationMs?: number; neutralMs?: number } = {}): Script {
  const max = options.max ?? (axis === 'roll' ? 20 : 25);
  const n = options.neutralMs ?? 800;
  const d = options.durationMs ?? 6000;
  if (axis === 'combined') {
    const c = [[0, 0, 0], [1, 0.8, 0.5], [-1, 0.8, -0.5], [-1, -0.8, 0.5], [1, -0.8, -0.5], [0, 0, 0]];
    const keys = c.map(([y, p, r], i) => ({ at: n + (i * d) / (c.length - 1), pose: { yaw: y! * max, pitch: p! * max, roll: r! * max } }));
    return { label: 'sweep-combined', durationMs: n + d + 300, keys };
  }
  const keys: Key[] = [
    { at: n, pose: { [axis]: 0 } },
    { at: n + d / 4, pose: { [axis]: max } },
    { at: n + (3 * d) / 4, pose: { [axis]: -max } },
    { at: n + d, pose: { [axis]: 0 } },
  ];
  return { label: `sweep-${axis}`, durationMs: n + d + 300, keys };
}

export type SpoofMotion = 'translate' | 'rotate' | 'scale' | 'tilt' | 'mixed';

/**
 * A photo moved rigidly in front of the camera: slid, turned in its plane (roll), brought closer and
 * further (scale), tilted as a flat sheet (yaw/pitch of the sheet). No eye or mouth channel exists
 * for a photo: synthesizeSpoofClip refuses scripts that use them.
 */
export function spoofScript(motion: SpoofMotion, options: { neutralMs?: number } = {}): Script {
  const n = options.neutralMs ?? 1000;
  const at = (k: number) => n + k * 500;
  const moves: Record<SpoofMotion, Key[]> = {
    translate: [{ at: at(0), move: { dx: 0, dy: 0 } }, { at: at(1), move: { dx: 0.08, dy: -0.03 } }, { at: at(2), move: { dx: -0.08, dy: 0.04 } }, { at: at(3), move: { dx: 0, dy: 0 } }],
    rotate: [{ at: at(0), pose: { roll: 0 } }, { at: at(1), pose: { roll: 15 } }, { at: at(2), pose: { roll: -15 } }, { at: at(3), pose: { roll: 0 } }],
    scale: [{ at: at(0), move: { scale: 1 } }, { at: at(1), move: { scale: 1.2 } }, { at: at(2), move: { scale: 0.85 } }, { at: at(3), move: { scale: 1 } }],
    tilt: [{ at: at(0), pose: { yaw: 0, pitch: 0 } }, { at: at(1), pose: { yaw: 20 } }, { at: at(2), pose: { yaw: -20, pitch: 12 } }, { at: at(3), pose: { yaw: 0, pitch: -12 } }, { at: at(4), pose: { pitch: 0 } }],
    mixed: [
      { at: at(0), pose: { yaw: 0, pitch: 0, roll: 0 }, move: { dx: 0, dy: 0, scale: 1 } },
      { at: at(1), pose: { yaw: 15, roll: 8 }, move: { dx: 0.05, scale: 1.1 } },
      { at: at(2), pose: { yaw: -10, pitch: 10, roll: -6 }, move: { dx: -0.04, dy: 0.03, scale: 0.9 } },
      { at: at(3), pose: { yaw: 0, pitch: 0, roll: 0 }, move: { dx: 0, dy: 0, scale: 1 } },
    ],
  };
  const keys = moves[motion];
  return { label: `spoof-${motion}`, durationMs: keys[keys.length - 1]!.at + 400, keys };
}
