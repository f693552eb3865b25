/**
 * Judging the liveness actions from per-frame observations (src/vision/observation.ts). Pure logic:
 * no timers, no I/O; time comes only from `FrameObservation.at`, so a recorded sequence of
 * observations always gives the same events.
 *
 * Everything is judged relative to the person's own neutral (the baseline), taken first from a few
 * hundred milliseconds of a steady, near-frontal single face. Pose actions compare yaw/pitch with the
 * baseline's; blink and open_mouth compare eye/mouth *aspect ratios* with the baseline's, which do not
 * change when a face (or a photo of one) is moved, turned in plane or scaled. Each detector has an
 * enter threshold and a lower release threshold (hysteresis), so jitter around a threshold neither
 * passes an action twice nor makes the progress bar flicker.
 *
 * Sign conventions are src/vision/pose.ts's: yaw > 0 = the person turns to their own left,
 * pitch > 0 = head raised, roll > 0 = counter-clockwise in the image.
 */
import type { FaceObservation, FrameObservation } from './observation.js';
import type { Action } from './port.js';

// ---------------------------------------------------------------------------------------------
// Thresholds

/** A Schmitt trigger on a signal: active once it reaches `enter`, inactive again below `release`. */
export interface HoldThresholds {
  readonly enter: number;
  readonly release: number;
}

export interface ActionThresholds {
  readonly baseline: {
    /** How long the neutral must be steady (first to last frame of the window), ms. */
    readonly ms: number;
    /** And in at least this many frames. */
    readonly minFrames: number;
    /** Near frontal: |yaw| below this, degrees (absolute, as the pipeline measures it). */
    readonly maxYaw: number;
    /** Near frontal: |pitch| below this, degrees. */
    readonly maxPitch: number;
    /** Steady: max − min of yaw, of pitch and of roll over the window stay within this, degrees. */
    readonly maxSpread: number;
  };
  /** Minimum hold for raise/lower/turn/open_mouth: both this long and this many frames beyond `enter`. */
  readonly hold: { readonly ms: number; readonly frames: number };
  /** The face may be missing this long (dropped frames) before the challenge restarts, ms. */
  readonly lostMs: number;
  /** nod and shake_head: from leaving the neutral band to coming back, at most this long, ms. */
  readonly maxGestureMs: number;
  /** nod and shake_head: frames in a row beyond an extreme for it to count (one-frame outliers do not). */
  readonly gestureFrames: number;
  /** Δpitch, degrees (head up). */
  readonly raise_head: HoldThresholds;
  /** −Δpitch, degrees (head down). */
  readonly lower_head: HoldThresholds;
  /** Δyaw, degrees (to the person's left). */
  readonly turn_left: HoldThresholds;
  /** −Δyaw, degrees (to the person's right). */
  readonly turn_right: HoldThresholds;
  /** Down past −`down`° Δpitch, then back up above −`back`° (the neutral band is |Δpitch| < `back`). */
  readonly nod: { readonly down: number; readonly back: number };
  /** Past +`side`° and −`side`° Δyaw (any order), then back within |Δyaw| < `back`. */
  readonly shake_head: { readonly side: number; readonly back: number };
  readonly blink: {
    /** Closed: mean EAR below closeRatio × baseline EAR. */
    readonly closeRatio: number;
    /** Open again: mean EAR above openRatio × baseline EAR. */
    readonly openRatio: number;
    /** Both eyes must close together: in one closed frame each eye below eyeRatio × its own baseline. */
    readonly eyeRatio: number;
    /** From the first closed frame to the first re-opened frame, ms: shorter = a glitch… */
    readonly minMs: number;
    /** …longer = eyes just closed, not a blink. */
    readonly maxMs: number;
    /** Ignored while |Δyaw| above this (a turned head foreshortens the eyes), degrees. */
    readonly maxYaw: number;
    /** Ignored while |Δpitch| above this, degrees. */
    readonly maxPitch: number;
  };
  /** Δ mouth aspect ratio (inner lips; a ratio, so scale-free). */
  readonly open_mouth: HoldThresholds;
  /**
   * A rigid jump between two consecutive face frames: the face's width changes by more than
   * `maxScaleJump` (fraction) or its roll by more than `maxRollJump` degrees. That is a photo being
   * waved, not a person: an eye closure that starts within `guardMs` after a jump, or sees one while
   * closed, is not a blink, and an open-mouth hold restarts.
   */
  readonly spoof: { readonly maxScaleJump: number; readonly maxRollJump: number; readonly guardMs: number };
  /**
   * Progress events: the 0–1 value is smoothed (time constant `smoothMs`), a new value is emitted
   * when it rose by `step` or more, and it only falls when it dropped by `fall` or more (or back to
   * near zero), so noise does not make the bar flicker.
   */
  readonly progress: { readonly step: number; readonly fall: number; readonly smoothMs: number };
}

/**
 * The defaults; every value can be overridden (see `resolveThresholds`). The head-pose thresholds are
 * in the pipeline's degrees, which read turns and tilts at 0.7–0.9x on the synthesised clips (a 20°
 * raise measures ~14°, a 28° turn ~23°; bench/vision, docs/vision.md). They were set from that
 * response, lenient for people who move little, and the neutral jitter (±2–4° frame to frame):
 * re-tune them on real recordings.
 * Blink's 60 ms minimum lets one closed frame at 15 fps (67 ms) count; the neutral may spread over
 * 8° (the pipeline's pose jitters ±2–4° from frame to frame on a still face).
 */
export const DEFAULT_ACTION_THRESHOLDS: ActionThresholds = deepFreeze({
  baseline: { ms: 600, minFrames: 5, maxYaw: 15, maxPitch: 15, maxSpread: 8 },
  hold: { ms: 150, frames: 3 },
  lostMs: 400,
  maxGestureMs: 2500,
  gestureFrames: 2,
  raise_head: { enter: 8, release: 5 },
  lower_head: { enter: 8, release: 5 },
  turn_left: { enter: 9, release: 6 },
  turn_right: { enter: 9, release: 6 },
  nod: { down: 7, back: 4 },
  shake_head: { side: 8, back: 4 },
  blink: { closeRatio: 0.6, openRatio: 0.85, eyeRatio: 0.75, minMs: 60, maxMs: 700, maxYaw: 20, maxPitch: 15 },
  open_mouth: { enter: 0.25, release: 0.12 },
  spoof: { maxScaleJump: 0.08, maxRollJump: 6, guardMs: 150 },
  progress: { step: 0.05, fall: 0.2, smoothMs: 100 },
});

/** Overrides: any top-level number, or any subset of a group's fields. */
export type ThresholdOverrides = {
  [K in keyof ActionThresholds]?: ActionThresholds[K] extends object ? Partial<ActionThresholds[K]> : ActionThresholds[K];
};

/** Defaults merged with overrides (two levels), checked for consistency; throws RangeError on nonsense. */
export function resolveThresholds(overrides: ThresholdOverrides = {}): ActionThresholds {
  const base = DEFAULT_ACTION_THRESHOLDS as unknown as Record<string, unknown>;
  const over = overrides as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(over)) {
    if (!(key in base)) throw new RangeError(`unknown action threshold "${key}"`);
  }
  for (const [key, def] of Object.entries(base)) {
    const o = over[key];
    if (typeof def === 'object' && def !== null) {
      if (o !== undefined && (typeof o !== 'object' || o === null)) throw new RangeError(`action threshold "${key}" must be an object`);
      for (const sub of Object.keys(o ?? {})) {
        if (!(sub in def)) throw new RangeError(`unknown action threshold "${key}.${sub}"`);
      }
      out[key] = { ...def, ...(o as object | undefined) };
    } else {
      out[key] = o ?? def;
    }
  }
  const t = out as unknown as ActionThresholds;
  check(t);
  return deepFreeze(t);
}

function check(t: ActionThresholds): void {
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || v < 0) throw new RangeError(`action threshold ${path} must be a finite number ≥ 0, got ${v}`);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    } else throw new RangeError(`action threshold ${path} must be a number`);
  };
  walk(t, '');
  const fail = (what: string) => {
    throw new RangeError(`action thresholds: ${what}`);
  };
  for (const k of ['raise_head', 'lower_head', 'turn_left', 'turn_right', 'open_mouth'] as const) {
    if (!(t[k].enter > t[k].release)) fail(`${k}.enter must be above ${k}.release`);
  }
  if (!(t.nod.down > t.nod.back)) fail('nod.down must be above nod.back');
  if (!(t.shake_head.side > t.shake_head.back)) fail('shake_head.side must be above shake_head.back');
  const b = t.blink;
  if (!(b.closeRatio > 0 && b.closeRatio < b.openRatio && b.openRatio <= 1)) fail('blink needs 0 < closeRatio < openRatio ≤ 1');
  if (!(b.eyeRatio > 0 && b.eyeRatio <= 1)) fail('blink.eyeRatio must be in (0, 1]');
  if (!(b.minMs < b.maxMs)) fail('blink.minMs must be below blink.maxMs');
  if (!(t.progress.step > 0 && t.progress.fall >= t.progress.step)) fail('progress needs 0 < step ≤ fall');
  if (t.gestureFrames < 1 || t.hold.frames < 1 || t.baseline.minFrames < 1) fail('frame counts must be at least 1');
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// Baseline

/** The person's neutral. */
export interface Baseline {
  track: number;
  /** Time of the frame that completed it. */
  at: number;
  /** Frames it was taken from. */
  frames: number;
  /** Medians over the window, degrees. */
  yaw: number;
  pitch: number;
  roll: number;
  /** Median of the mean EAR, and of each eye's. */
  ear: number;
  earRight: number;
  earLeft: number;
  /** Median inner-mouth aspect ratio. */
  mar: number;
  /** Median face width, pixels (see faceScale). */
  scale: number;
}

/** One frame's contribution to the neutral: the Baseline's measures, at one time. */
type BaselineSample = Omit<Baseline, 'track' | 'frames'>;

/**
 * Face size in pixels, for the rigid-jump check: the landmark box's width (the jaw outline sets it;
 * an opening mouth does not change it), else placement.size × frame width.
 */
export function faceScale(face: FaceObservation, frameWidth: number): number {
  const w = face.box[2];
  return w > 0 ? w : face.placement.size * frameWidth;
}

/**
 * Collects the neutral: a sliding window of consecutive near-frontal frames of one face. A frame
 * that is not near frontal, or another track, empties the window; a window whose pose spread is too
 * large drops its oldest frames until it is steady again. Ready once the window spans
 * `baseline.ms` and holds `baseline.minFrames` frames.
 */
export class BaselineCollector {
  private samples: BaselineSample[] = [];
  private track: number | null = null;

  constructor(private readonly t: ActionThresholds['baseline'] = DEFAULT_ACTION_THRESHOLDS.baseline) {}

  reset(): void {
    this.samples = [];
    this.track = null;
  }

  /** Frames and milliseconds in the current window. */
  get collected(): { frames: number; ms: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    return { frames: this.samples.length, ms: first && last ? last.at - first.at : 0 };
  }

  /** Adds one frame's face; returns the baseline once the window is long and steady enough, else null. */
  add(face: FaceObservation, at: number, scale: number): Baseline | null {
    if (this.track !== null && face.track !== this.track) this.samples = [];
    this.track = face.track;
    const { yaw, pitch, roll } = face.pose;
    const s: BaselineSample = {
      at,
      yaw,
      pitch,
      roll,
      ear: face.ear.mean,
      earRight: face.ear.right,
      earLeft: face.ear.left,
      mar: face.mar,
      scale,
    };
    const finite = Object.values(s).every((v) => Number.isFinite(v));
    if (!finite || !(Math.abs(yaw) < this.t.maxYaw && Math.abs(pitch) < this.t.maxPitch)) {
      this.samples = [];
      return null;
    }
    this.samples.push(s);
    while (this.samples.length > 1 && !this.steady()) this.samples.shift();
    const { frames, ms } = this.collected;
    if (frames < this.t.minFrames || ms < this.t.ms) return null;
    const med = (k: keyof BaselineSample) => median(this.samples.map((x) => x[k]));
    return {
      track: face.track,
      at,
      frames,
      yaw: med('yaw'),
      pitch: med('pitch'),
      roll: med('roll'),
      ear: med('ear'),
      earRight: med('earRight'),
      earLeft: med('earLeft'),
      mar: med('mar'),
      scale: med('scale'),
    };
  }

  private steady(): boolean {
    for (const k of ['yaw', 'pitch', 'roll'] as const) {
      let lo = Infinity, hi = -Infinity;
      for (const s of this.samples) {
        lo = Math.min(lo, s[k]);
        hi = Math.max(hi, s[k]);
      }
      if (hi - lo > this.t.maxSpread) return false;
    }
    return true;
  }
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Detectors

/** One frame relative to the baseline: what the detectors see. */
export interface Sample {
  at: number;
  /** Degrees relative to the baseline. */
  dYaw: number;
  dPitch: number;
  dRoll: number;
  /** Mouth aspect ratio minus the baseline's. */
  dMar: number;
  /** Mean EAR over the baseline's; and each eye over its own baseline. */
  ear: number;
  earRight: number;
  earLeft: number;
  /** This frame is a rigid jump from the previous one (see `spoof`). */
  jump: boolean;
  /** Time since the latest jump, ms (Infinity if none since the baseline). */
  sinceJump: number;
}

export function relativeSample(face: FaceObservation, baseline: Baseline, at: number, jump: boolean, sinceJump: number): Sample {
  const ratio = (v: number, b: number) => (b > 1e-6 && Number.isFinite(v) ? v / b : 1);
  return {
    at,
    dYaw: face.pose.yaw - baseline.yaw,
    dPitch: face.pose.pitch - baseline.pitch,
    dRoll: angleDiff(face.pose.roll, baseline.roll),
    dMar: face.mar - baseline.mar,
    ear: ratio(face.ear.mean, baseline.ear),
    earRight: ratio(face.ear.right, baseline.earRight),
    earLeft: ratio(face.ear.left, baseline.earLeft),
    jump,
    sinceJump,
  };
}

export interface DetectorStep {
  /** 0–1, raw (unsmoothed): how far toward the threshold. */
  progress: number;
  passed: boolean;
}

/** What a detector is doing, for `ActionJudge.state`. */
export interface DetectorState {
  action: Action;
  phase: string;
  [detail: string]: unknown;
}

export interface ActionDetector {
  readonly action: Action;
  /** Feeds one frame; frames must come in time order. */
  update(s: Sample): DetectorStep;
  describe(): DetectorState;
}

const clamp01 = (v: number) => (v <= 0 || Number.isNaN(v) ? 0 : v >= 1 ? 1 : v);

/**
 * A signal held beyond a threshold: raise_head, lower_head, turn_left, turn_right, open_mouth.
 * It must first be seen inside the release band (the action starts from neutral); it becomes active
 * at `enter` and stays active while at or above `release`; it passes once active for `hold.ms` with
 * at least `hold.frames` frames at or above `enter`.
 */
export class HoldDetector implements ActionDetector {
  private phase: 'wait-neutral' | 'ready' | 'active' = 'wait-neutral';
  private since = 0;
  private frames = 0;

  constructor(
    readonly action: Action,
    private readonly signal: (s: Sample) => number,
    private readonly t: HoldThresholds,
    private readonly hold: ActionThresholds['hold'],
    /** A rigid jump restarts the hold (open_mouth: a waved photo's landmarks are not to be trusted). */
    private readonly restartOnJump = false,
  ) {}

  update(s: Sample): DetectorStep {
    const v = this.signal(s);
    const progress = clamp01(v / this.t.enter);
    if (this.phase === 'wait-neutral') {
      if (v < this.t.release) this.phase = 'ready';
      return { progress: 0, passed: false };
    }
    if (this.phase === 'ready') {
      if (v < this.t.enter) return { progress, passed: false };
      this.phase = 'active';
      this.since = s.at;
      this.frames = 0;
    } else if (!(v >= this.t.release)) {
      this.phase = 'ready';
      return { progress, passed: false };
    } else if (this.restartOnJump && s.jump) {
      this.since = s.at;
      this.frames = 0;
    }
    if (v >= this.t.enter) this.frames++;
    const passed = s.at - this.since >= this.hold.ms && this.frames >= this.hold.frames;
    return { progress, passed };
  }

  describe(): DetectorState {
    return { action: this.action, phase: this.phase, since: this.phase === 'active' ? this.since : null, frames: this.frames };
  }
}

/**
 * nod and shake_head: gestures that start from the neutral band. Until the head has been seen in it,
 * nothing counts (an action armed while the head is already away waits for it to come back).
 */
abstract class GestureDetector<T extends { readonly back: number }> {
  protected lastNeutralAt: number | null = null;

  constructor(
    protected readonly t: T,
    protected readonly maxMs: number,
    protected readonly frames: number,
  ) {}

  /**
   * Whether `delta` is in the neutral band; `wait` true while the first neutral frame has not been
   * seen yet (the frame is then not judged).
   */
  protected neutral(at: number, delta: number): { neutral: boolean; wait: boolean } {
    const neutral = Math.abs(delta) < this.t.back;
    if (this.lastNeutralAt !== null) return { neutral, wait: false };
    if (neutral) this.lastNeutralAt = at;
    return { neutral, wait: true };
  }
}

/**
 * nod: from the neutral band (|Δpitch| < back), down past −down for `gestureFrames` frames, then up
 * above −back again (back to neutral, or beyond), all within maxGestureMs of leaving neutral.
 */
export class NodDetector extends GestureDetector<ActionThresholds['nod']> implements ActionDetector {
  readonly action = 'nod' as const;
  private run = 0;
  /** When the recorded down excursion left neutral; null = no down yet. */
  private downStart: number | null = null;

  update(s: Sample): DetectorStep {
    const d = s.dPitch;
    const { neutral, wait } = this.neutral(s.at, d);
    if (wait) return { progress: 0, passed: false };
    if (this.downStart !== null) {
      const elapsed = s.at - this.downStart;
      if (d > -this.t.back) {
        this.downStart = null;
        this.run = 0;
        this.lastNeutralAt = neutral ? s.at : null;
        return elapsed <= this.maxMs ? { progress: 1, passed: true } : { progress: 0, passed: false };
      }
      if (elapsed > this.maxMs) {
        // Down for too long: that is lowering the head, not a nod. Start again from neutral.
        this.downStart = null;
        this.run = 0;
        this.lastNeutralAt = null;
        return { progress: 0, passed: false };
      }
      return { progress: 0.5 + 0.5 * clamp01((d + this.t.down) / (this.t.down - this.t.back)), passed: false };
    }
    if (d <= -this.t.down) {
      this.run++;
      if (this.run >= this.frames) this.downStart = this.lastNeutralAt;
    } else this.run = 0;
    if (neutral) this.lastNeutralAt = s.at;
    return { progress: this.downStart !== null ? 0.5 : 0.5 * clamp01(-d / this.t.down), passed: false };
  }

  describe(): DetectorState {
    const phase = this.lastNeutralAt === null ? 'wait-neutral' : this.downStart !== null ? 'down' : 'ready';
    return { action: this.action, phase, downStart: this.downStart };
  }
}

/**
 * shake_head: from the neutral band, past +side and past −side (each for `gestureFrames` frames, any
 * order; crossing neutral in between is part of the shake), then back within |Δyaw| < back; the
 * earliest excursion must have left neutral at most maxGestureMs before the return.
 */
export class ShakeDetector extends GestureDetector<ActionThresholds['shake_head']> implements ActionDetector {
  readonly action = 'shake_head' as const;
  private runLeft = 0;
  private runRight = 0;
  /** When the latest excursion to each side left neutral; null = none (in the window). */
  private left: number | null = null;
  private right: number | null = null;

  update(s: Sample): DetectorStep {
    const d = s.dYaw;
    const { neutral, wait } = this.neutral(s.at, d);
    if (wait) return { progress: 0, passed: false };
    if (this.left !== null && s.at - this.left > this.maxMs) this.left = null;
    if (this.right !== null && s.at - this.right > this.maxMs) this.right = null;
    if (d >= this.t.side) {
      this.runRight = 0;
      if (++this.runLeft === this.frames) this.left = this.lastNeutralAt;
    } else if (d <= -this.t.side) {
      this.runLeft = 0;
      if (++this.runRight === this.frames) this.right = this.lastNeutralAt;
    } else {
      this.runLeft = this.runRight = 0;
    }
    if (neutral) {
      if (this.left !== null && this.right !== null) {
        this.left = this.right = null;
        this.lastNeutralAt = s.at;
        return { progress: 1, passed: true };
      }
      this.lastNeutralAt = s.at;
    }
    const side = (recorded: number | null, v: number) => (recorded !== null ? 1 : clamp01(v / this.t.side));
    return { progress: 0.45 * (side(this.left, d) + side(this.right, -d)), passed: false };
  }

  describe(): DetectorState {
    const phase = this.lastNeutralAt === null ? 'wait-neutral' : this.left !== null || this.right !== null ? 'shaking' : 'ready';
    return { action: this.action, phase, left: this.left, right: this.right };
  }
}

/**
 * blink: mean EAR ratio falls below closeRatio and rises above openRatio again minMs–maxMs after the
 * first closed frame, with both eyes below eyeRatio of their own baselines in one closed frame.
 * Not judged while the head is turned or raised/lowered (foreshortened eyes); a closure that starts
 * within spoof.guardMs of a rigid jump, or sees one, is not a blink. After any rejected closure the
 * eyes must be seen open again before the next one counts.
 */
export class BlinkDetector implements ActionDetector {
  readonly action = 'blink' as const;
  private phase: 'wait-open' | 'open' | 'closed' = 'wait-open';
  private closedAt = 0;
  private both = false;
  private tainted = false;
  /** Why the latest closure did not count, for debugging. */
  private rejected: string | null = null;

  constructor(
    private readonly t: ActionThresholds['blink'],
    private readonly spoof: ActionThresholds['spoof'],
  ) {}

  update(s: Sample): DetectorStep {
    const t = this.t;
    if (Math.abs(s.dYaw) > t.maxYaw || Math.abs(s.dPitch) > t.maxPitch) {
      if (this.phase === 'closed') this.rejected = 'pose';
      this.phase = 'wait-open';
      return { progress: 0, passed: false };
    }
    const r = s.ear;
    const bothClosed = s.earRight < t.eyeRatio && s.earLeft < t.eyeRatio;
    switch (this.phase) {
      case 'wait-open':
        if (r >= t.openRatio) this.phase = 'open';
        return { progress: 0, passed: false };
      case 'open':
        if (r < t.closeRatio) {
          this.phase = 'closed';
          this.closedAt = s.at;
          this.both = bothClosed;
          this.tainted = s.jump || s.sinceJump <= this.spoof.guardMs;
          return { progress: 0.5, passed: false };
        }
        return { progress: 0.5 * clamp01((1 - r) / (1 - t.closeRatio)), passed: false };
      case 'closed': {
        this.both ||= bothClosed;
        this.tainted ||= s.jump;
        const ms = s.at - this.closedAt;
        if (r >= t.openRatio) {
          this.phase = 'open';
          const why = this.tainted ? 'rigid-jump' : !this.both ? 'one-eye' : ms < t.minMs ? 'too-short' : ms > t.maxMs ? 'too-long' : null;
          this.rejected = why;
          return { progress: why ? 0 : 1, passed: why === null };
        }
        if (ms > t.maxMs) {
          this.rejected = 'too-long';
          this.phase = 'wait-open';
          return { progress: 0, passed: false };
        }
        return { progress: 0.5 + 0.5 * clamp01((r - t.closeRatio) / (t.openRatio - t.closeRatio)), passed: false };
      }
    }
  }

  describe(): DetectorState {
    return { action: this.action, phase: this.phase, closedAt: this.phase === 'closed' ? this.closedAt : null, rejected: this.rejected };
  }
}

/** A fresh detector for one action. */
export function createDetector(action: Action, t: ActionThresholds = DEFAULT_ACTION_THRESHOLDS): ActionDetector {
  switch (action) {
    case 'raise_head':
      return new HoldDetector(action, (s) => s.dPitch, t.raise_head, t.hold);
    case 'lower_head':
      return new HoldDetector(action, (s) => -s.dPitch, t.lower_head, t.hold);
    case 'turn_left':
      return new HoldDetector(action, (s) => s.dYaw, t.turn_left, t.hold);
    case 'turn_right':
      return new HoldDetector(action, (s) => -s.dYaw, t.turn_right, t.hold);
    case 'open_mouth':
      return new HoldDetector(action, (s) => s.dMar, t.open_mouth, t.hold, true);
    case 'nod':
      return new NodDetector(t.nod, t.maxGestureMs, t.gestureFrames);
    case 'shake_head':
      return new ShakeDetector(t.shake_head, t.maxGestureMs, t.gestureFrames);
    case 'blink':
      return new BlinkDetector(t.blink, t.spoof);
  }
}

// ---------------------------------------------------------------------------------------------
// Progress

/** Smoothed, hysteretic 0–1 progress: returns a value to emit, or null when nothing changed enough. */
export class ProgressMeter {
  private smoothed: number | null = null;
  private lastAt = 0;
  /** The last emitted value. */
  value = 0;

  constructor(private readonly t: ActionThresholds['progress'] = DEFAULT_ACTION_THRESHOLDS.progress) {}

  update(raw: number, at: number): number | null {
    const dt = Math.max(0, at - this.lastAt);
    const alpha = this.smoothed === null || this.t.smoothMs <= 0 ? 1 : 1 - Math.exp(-dt / this.t.smoothMs);
    this.smoothed = this.smoothed === null ? raw : this.smoothed + alpha * (raw - this.smoothed);
    this.lastAt = at;
    const next = Math.round(clamp01(this.smoothed) * 100) / 100;
    const rise = next - this.value >= this.t.step - 1e-9;
    const fall = this.value - next >= this.t.fall - 1e-9 || (next < this.t.step && this.value - next >= this.t.step - 1e-9);
    if (!rise && !fall) return null;
    this.value = next;
    return next;
  }

  /** The action passed: 1, unless already shown. */
  complete(): number | null {
    if (this.value >= 1) return null;
    this.value = 1;
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// The judge

export type RestartReason = 'face-lost' | 'multiple-faces' | 'face-changed';

export type JudgeEvent =
  /** The neutral is captured (exactly one steady, near-frontal face). */
  | { type: 'baseline' }
  /** How far the armed action is toward its threshold, 0–1; emitted when it changes by ≥ progress.step. */
  | { type: 'progress'; action: Action; value: number }
  /** The armed action passed; ms from the first frame it was watched (with the current baseline). */
  | { type: 'passed'; action: Action; ms: number }
  /** The challenge starts over: the baseline is collected again; the armed action stays armed. */
  | { type: 'restart'; reason: RestartReason };

export type JudgePhase = 'searching' | 'collecting' | 'ready';

export interface JudgeState {
  /** searching: no face followed; collecting: one face, taking its neutral; ready: baseline taken. */
  phase: JudgePhase;
  track: number | null;
  baseline: Baseline | null;
  collected: { frames: number; ms: number };
  armed: Action | null;
  detector: DetectorState | null;
  /** The last progress value emitted for the armed action. */
  progress: number;
  lastSeenAt: number | null;
  lastJumpAt: number | null;
  /** Time of the last frame observed. */
  at: number | null;
}

/**
 * Turns frames into judge events. Call `expect(action)` to arm a detector (it stays armed across
 * restarts, and is disarmed when it passes), then `observe(frame)` for each frame in time order.
 *
 * The same face must stay in view: more than one face, a different track id, or no face for longer
 * than `lostMs` (since the last frame that had it; shorter gaps and single dropped frames are
 * tolerated) restarts: the baseline is collected again. A frame whose time goes backwards is taken
 * as a camera restart (face-lost).
 */
export class ActionJudge {
  readonly thresholds: ActionThresholds;
  private phase: JudgePhase = 'searching';
  private track: number | null = null;
  private readonly collector: BaselineCollector;
  private baseline: Baseline | null = null;
  private armed: Action | null = null;
  private detector: ActionDetector | null = null;
  private meter: ProgressMeter;
  private startedAt: number | null = null;
  private lastSeenAt: number | null = null;
  private lastAt: number | null = null;
  private multipleFaces = false;
  private prev: { scale: number; roll: number } | null = null;
  private lastJumpAt: number | null = null;

  constructor(overrides: ThresholdOverrides = {}) {
    this.thresholds = resolveThresholds(overrides);
    this.collector = new BaselineCollector(this.thresholds.baseline);
    this.meter = new ProgressMeter(this.thresholds.progress);
  }

  /** Arms the detector for `action` (replacing any other); it starts on the next frame with a baseline. */
  expect(action: Action): void {
    this.armed = action;
    this.detector = null;
    this.startedAt = null;
    this.meter = new ProgressMeter(this.thresholds.progress);
  }

  /** Disarms. */
  clear(): void {
    this.armed = null;
    this.detector = null;
    this.startedAt = null;
  }

  /** Forgets the face and baseline without an event (the armed action stays armed). */
  reset(): void {
    this.toSearching();
    this.multipleFaces = false;
    this.lastAt = null;
  }

  get state(): JudgeState {
    return {
      phase: this.phase,
      track: this.track,
      baseline: this.baseline ? { ...this.baseline } : null,
      collected: this.collector.collected,
      armed: this.armed,
      detector: this.detector ? this.detector.describe() : null,
      progress: this.meter.value,
      lastSeenAt: this.lastSeenAt,
      lastJumpAt: this.lastJumpAt,
      at: this.lastAt,
    };
  }

  observe(frame: FrameObservation): JudgeEvent[] {
    const events: JudgeEvent[] = [];
    const at = frame.at;
    if (this.lastAt !== null && at < this.lastAt) this.restart(events, 'face-lost');
    this.lastAt = at;

    if (frame.faces.length > 1) {
      if (!this.multipleFaces || this.phase !== 'searching') {
        this.multipleFaces = true;
        this.restart(events, 'multiple-faces', true);
      }
      return events;
    }
    this.multipleFaces = false;

    const face = frame.faces[0];
    if (!face) {
      if (this.phase !== 'searching' && this.lastSeenAt !== null && at - this.lastSeenAt > this.thresholds.lostMs) {
        this.restart(events, 'face-lost');
      }
      return events;
    }

    if (this.phase !== 'searching') {
      if (face.track !== this.track) this.restart(events, 'face-changed');
      else if (this.lastSeenAt !== null && at - this.lastSeenAt > this.thresholds.lostMs) this.restart(events, 'face-lost');
    }
    if (this.phase === 'searching') {
      this.phase = 'collecting';
      this.track = face.track;
    }
    this.lastSeenAt = at;

    const scale = faceScale(face, frame.width);
    const jump = this.rigidJump(scale, face.pose.roll);
    if (jump) this.lastJumpAt = at;

    if (this.phase === 'collecting') {
      const baseline = this.collector.add(face, at, scale);
      if (baseline) {
        this.baseline = baseline;
        this.phase = 'ready';
        events.push({ type: 'baseline' });
      }
      return events;
    }

    // ready. A frame whose measures are not numbers (a failed pose solve) is seen but not judged.
    if (!this.armed || !this.baseline || !measurable(face)) return events;
    if (!this.detector) {
      this.detector = createDetector(this.armed, this.thresholds);
      this.startedAt = at;
      this.meter = new ProgressMeter(this.thresholds.progress);
    }
    const sinceJump = this.lastJumpAt === null ? Infinity : at - this.lastJumpAt;
    const step = this.detector.update(relativeSample(face, this.baseline, at, jump, sinceJump));
    const action = this.armed;
    if (step.passed) {
      const value = this.meter.complete();
      if (value !== null) events.push({ type: 'progress', action, value });
      events.push({ type: 'passed', action, ms: at - (this.startedAt ?? at) });
      this.clear();
      return events;
    }
    const value = this.meter.update(step.progress, at);
    if (value !== null) events.push({ type: 'progress', action, value });
    return events;
  }

  private rigidJump(scale: number, roll: number): boolean {
    const prev = this.prev;
    this.prev = { scale, roll };
    if (!prev || !(prev.scale > 0) || !(scale > 0)) return false;
    const s = this.thresholds.spoof;
    const ds = Math.max(scale / prev.scale, prev.scale / scale) - 1;
    return ds > s.maxScaleJump || Math.abs(angleDiff(roll, prev.roll)) > s.maxRollJump;
  }

  /** Back to searching; emits a restart when a face was being followed (or always, if `always`). */
  private restart(events: JudgeEvent[], reason: RestartReason, always = false): void {
    if (always || this.phase !== 'searching') events.push({ type: 'restart', reason });
    this.toSearching();
  }

  private toSearching(): void {
    this.phase = 'searching';
    this.track = null;
    this.baseline = null;
    this.collector.reset();
    this.detector = null;
    this.startedAt = null;
    this.meter = new ProgressMeter(this.thresholds.progress);
    this.lastSeenAt = null;
    this.prev = null;
    this.lastJumpAt = null;
  }
}

function measurable(face: FaceObservation): boolean {
  const { yaw, pitch, roll } = face.pose;
  return [yaw, pitch, roll, face.ear.mean, face.ear.right, face.ear.left, face.mar].every((v) => Number.isFinite(v));
}

function angleDiff(a: number, b: number): number {
  let d = (a - b) % 360;
  if (d > 180) d -= 360;
  if (d < -180) d += 360;
  return d;
}
