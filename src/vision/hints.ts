/**
 * Hints: what the person should fix, one reason at a time, derived from the same measures as the
 * photo gate (src/vision/capture.ts) so a hint always names the limit that refuses the frames.
 * `frameHint` judges one frame; `HintDebounce` turns the per-frame answers into hint changes the
 * machine hears (`vision.hint`): a condition must persist before it is told, a fixed one clears.
 *
 * Off-centre directions are in the person's mirror-view words: the capture screen shows the camera
 * picture mirrored, so `off-centre-left` means the face sits left of the oval as the person sees
 * it (they should move to their right). The camera image itself is not mirrored: a face at the
 * image's right (dx > 0) is seen at the mirror view's left.
 */
import { DEFAULT_QUALITY, type QualityThresholds } from './capture.js';
import type { FrameObservation } from './observation.js';

export const HINTS = [
  'multiple-faces',
  'too-far',
  'too-close',
  'off-centre-left',
  'off-centre-right',
  'off-centre-up',
  'off-centre-down',
  'too-dark',
  'too-bright',
  'turned-away',
  'eyes-hidden',
  'blurred',
] as const;
export type Hint = (typeof HINTS)[number];

export function isHint(value: unknown): value is Hint {
  return typeof value === 'string' && (HINTS as readonly string[]).includes(value);
}

export interface HintThresholds {
  /** The photo gate's limits: too far, off-centre, light, pose, eyes and sharpness are told against these. */
  gate: QualityThresholds;
  /**
   * Face width as a fraction of the frame width above which the person is too close: the whole
   * head no longer fits the oval (forehead or chin cut off), and landmarks at the image edge drift.
   */
  maxSize: number;
}

export const DEFAULT_HINT_THRESHOLDS: HintThresholds = { gate: DEFAULT_QUALITY, maxSize: 0.6 };

/**
 * What the person is doing while the frame was taken. Pose, eyes and blur are not hinted while an
 * action is asked for: turning, blinking and moving are then what we want.
 */
export type HintPhase = 'placing' | 'acting';

/**
 * The one thing to fix in this frame, the most basic first (who, where, then light, then pose, eyes
 * and sharpness, which cannot be judged well on a face that is badly placed or lit); null when the
 * frame has nothing to fix or no face (no face is the machine's own 「请将脸对准摄像头」).
 */
export function frameHint(frame: FrameObservation, phase: HintPhase, t: HintThresholds = DEFAULT_HINT_THRESHOLDS): Hint | null {
  if (frame.faces.length > 1) return 'multiple-faces';
  const face = frame.faces[0];
  if (!face) return null;
  const g = t.gate;
  const { size, dx, dy } = face.placement;
  if (size < g.minSize) return 'too-far';
  if (size > t.maxSize) return 'too-close';
  if (Math.hypot(dx, dy) > g.maxOffset) {
    // Mirror view: the image's right is the person's left on screen; up and down are not mirrored.
    if (Math.abs(dx) >= Math.abs(dy)) return dx > 0 ? 'off-centre-left' : 'off-centre-right';
    return dy < 0 ? 'off-centre-up' : 'off-centre-down';
  }
  const q = face.quality;
  if (q.brightness < g.minBrightness) return 'too-dark';
  if (q.brightness > g.maxBrightness || q.clipped > g.maxClipped) return 'too-bright';
  if (phase === 'acting') return null;
  const p = face.pose;
  if (Math.abs(p.yaw) > g.maxYaw || Math.abs(p.pitch) > g.maxPitch || Math.abs(p.roll) > g.maxRoll) return 'turned-away';
  if (face.ear.mean < g.minEar) return 'eyes-hidden';
  if (q.sharpness < g.minSharpness) return 'blurred';
  return null;
}

export interface HintTiming {
  /** A condition is told once it has lasted this long (Delays.HINT_SETTLE). */
  settleMs: number;
  /** A told hint clears once the condition has been gone this long (Delays.HINT_CLEAR). */
  clearMs: number;
  /** The same hint is told again no sooner than this after it was last told (Delays.PROMPT_REPEAT). */
  repeatMs: number;
}

/**
 * Debounces per-frame hints into changes. Time comes only from `at`. `observe` answers the new
 * current hint when it changes (a hint, or null when cleared), else undefined.
 */
export class HintDebounce {
  private current: Hint | null = null;
  private candidate: Hint | null = null;
  private since: number | null = null;
  /** Last frame that showed the candidate: a face missed for a frame or two is a gap, not a fix. */
  private lastSeen: number | null = null;
  /** When each hint was last told. */
  private readonly told = new Map<Hint, number>();

  constructor(private readonly timing: HintTiming) {}

  get hint(): Hint | null {
    return this.current;
  }

  /** Forgets the condition being watched (not when hints were told: repeats stay spaced). */
  reset(): void {
    this.current = null;
    this.candidate = null;
    this.since = null;
    this.lastSeen = null;
  }

  observe(raw: Hint | null, at: number): Hint | null | undefined {
    // The detector misses a far face now and then: a gap shorter than clearMs keeps a hint settling.
    if (raw === null && this.candidate !== null && this.candidate !== this.current && this.lastSeen !== null && at - this.lastSeen < this.timing.clearMs) return undefined;
    if (raw !== null) this.lastSeen = at;
    if (raw === this.current) {
      this.candidate = raw;
      this.since = null;
      return undefined;
    }
    if (raw !== this.candidate || this.since === null) {
      this.candidate = raw;
      this.since = at;
    }
    const wait = raw === null ? this.timing.clearMs : this.timing.settleMs;
    if (at - this.since < wait) return undefined;
    if (raw !== null) {
      const last = this.told.get(raw);
      if (last !== undefined && at - last < this.timing.repeatMs) return undefined;
      this.told.set(raw, at);
    }
    this.current = raw;
    this.since = null;
    return raw;
  }
}
