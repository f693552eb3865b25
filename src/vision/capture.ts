/**
 * Auto-capture: the photo is the best frame by a quality score among frames that pass the gate
 * (exactly one face, frontal, eyes open, sharp, well exposed, centred, big enough). The gate's
 * thresholds are named here; the score ranks frames that pass it.
 */
import type { HeadPose } from './pose.js';
import type { Placement } from './measures.js';
import type { FaceQuality, FrameObservation } from './observation.js';

export interface QualityThresholds {
  /** Largest |yaw| and |pitch| (deg) for a frontal photo; |roll| for an upright one. */
  maxYaw: number;
  maxPitch: number;
  maxRoll: number;
  /** Eyes open: mean eye aspect ratio at least this. */
  minEar: number;
  /** Laplacian variance on the 128 px face: below this the photo is blurred (motion, focus). */
  minSharpness: number;
  /** Mean grey level of the face. */
  minBrightness: number;
  maxBrightness: number;
  /** Fraction of burnt-out or black face pixels. */
  maxClipped: number;
  /** Face width as a fraction of the frame width. */
  minSize: number;
  /** Face centre's distance from the frame centre, as a fraction of the frame. */
  maxOffset: number;
}

export const DEFAULT_QUALITY: QualityThresholds = {
  maxYaw: 12,
  maxPitch: 12,
  maxRoll: 10,
  minEar: 0.2,
  minSharpness: 60,
  minBrightness: 70,
  maxBrightness: 200,
  maxClipped: 0.05,
  minSize: 0.18,
  maxOffset: 0.18,
};

export interface QualityInput {
  pose: HeadPose;
  ear: number;
  placement: Placement;
  sharpness: number;
  brightness: number;
  clipped: number;
}

/** Why a face fails the photo gate, in the words a prompt or a log would use; empty when it passes. */
export function gateProblems(q: QualityInput, t: QualityThresholds = DEFAULT_QUALITY): string[] {
  const problems: string[] = [];
  if (Math.abs(q.pose.yaw) > t.maxYaw || Math.abs(q.pose.pitch) > t.maxPitch) problems.push('not-frontal');
  if (Math.abs(q.pose.roll) > t.maxRoll) problems.push('tilted');
  if (q.ear < t.minEar) problems.push('eyes-closed');
  if (q.sharpness < t.minSharpness) problems.push('blurred');
  if (q.brightness < t.minBrightness) problems.push('too-dark');
  if (q.brightness > t.maxBrightness || q.clipped > t.maxClipped) problems.push('too-bright');
  if (q.placement.size < t.minSize) problems.push('too-far');
  if (Math.hypot(q.placement.dx, q.placement.dy) > t.maxOffset) problems.push('off-centre');
  return problems;
}

/**
 * Quality score 0–1 of a face for the photo: 0 when the gate fails, else higher for more frontal,
 * sharper, better exposed and better centred faces.
 */
export function photoQuality(q: QualityInput, t: QualityThresholds = DEFAULT_QUALITY): FaceQuality {
  const base = { sharpness: round(q.sharpness, 1), brightness: round(q.brightness, 1), clipped: round(q.clipped, 4) };
  if (gateProblems(q, t).length > 0) return { ...base, score: 0 };
  const frontal = 1 - (Math.hypot(q.pose.yaw / t.maxYaw, q.pose.pitch / t.maxPitch) / Math.SQRT2) * 0.5;
  const sharp = Math.min(1, q.sharpness / (4 * t.minSharpness));
  const mid = (t.minBrightness + t.maxBrightness) / 2;
  const exposure = 1 - (Math.abs(q.brightness - mid) / (t.maxBrightness - mid)) * 0.5;
  const centred = 1 - (Math.hypot(q.placement.dx, q.placement.dy) / t.maxOffset) * 0.5;
  const score = frontal * (0.5 + 0.5 * sharp) * exposure * centred;
  return { ...base, score: round(score, 4) };
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

export interface CaptureOptions {
  /** After the first frame that passes the gate, keep looking this long for a better one. */
  windowMs: number;
  /** Frames in a row that must pass the gate before the window opens (not a lucky single frame). */
  steadyFrames: number;
  /**
   * A frame counts only when the head moved at most this much since the last frame (degrees, on
   * any axis): a head still coming back from the last action is not photographed mid-move (a real
   * camera blurs it, and it is not yet looking at the camera). A still head jitters by ~1° per frame.
   */
  maxMotionDeg: number;
}

export const DEFAULT_CAPTURE: CaptureOptions = { windowMs: 800, steadyFrames: 3, maxMotionDeg: 2.5 };

/**
 * Picks the photo frame: watches observations, opens a window once `steadyFrames` pass the gate in a
 * row, and at the window's end answers the best frame seen in it. Time comes only from `at`.
 */
export class AutoCapture<F> {
  private streak = 0;
  private last: HeadPose | null = null;
  private openedAt: number | null = null;
  private best: { score: number; frame: F; at: number } | null = null;
  private readonly options: CaptureOptions;

  /** `discard` is told of every candidate frame dropped (a photo: to overwrite its bytes). */
  constructor(
    options: Partial<CaptureOptions> = {},
    private readonly discard: (frame: F) => void = () => {},
  ) {
    this.options = { ...DEFAULT_CAPTURE, ...options };
  }

  /** Forgets the run and drops the candidate (it is discarded). */
  reset(): void {
    if (this.best) this.discard(this.best.frame);
    this.clear();
  }

  private clear(): void {
    this.streak = 0;
    this.last = null;
    this.openedAt = null;
    this.best = null;
  }

  /**
   * Feeds one analysed frame; `frame` makes what the photo is made from (called only for a frame
   * that becomes the best so far, e.g. to encode it). Returns the chosen frame when done.
   */
  observe(observation: FrameObservation, frame: () => F): { frame: F; score: number; at: number } | null {
    const face = observation.faces.length === 1 ? observation.faces[0]! : null;
    // The first frame of a face has nothing to compare with; the run still needs steadyFrames.
    const moved = face && this.last ? Math.max(...(['yaw', 'pitch', 'roll'] as const).map((k) => Math.abs(face.pose[k] - this.last![k]))) : 0;
    this.last = face ? face.pose : null;
    const score = moved <= this.options.maxMotionDeg ? (face?.quality.score ?? 0) : 0;
    if (score > 0) {
      this.streak++;
      if (this.streak >= this.options.steadyFrames && (!this.best || score > this.best.score)) {
        if (this.best) this.discard(this.best.frame);
        this.best = { score, frame: frame(), at: observation.at };
      }
      if (this.streak >= this.options.steadyFrames && this.openedAt === null) this.openedAt = observation.at;
    } else {
      this.streak = 0;
    }
    if (this.openedAt !== null && observation.at - this.openedAt >= this.options.windowMs && this.best) {
      const chosen = this.best;
      this.clear();
      return chosen;
    }
    return null;
  }
}
