/**
 * The face pipeline, one frame at a time: find faces (OpenCV cascade on a small equalised copy of the
 * frame), follow each face from frame to frame by its own landmarks (a turned or raised head is no
 * longer "frontal" for the cascade, but its landmarks still place next frame's box), fit 68
 * landmarks, estimate head pose (solvePnP on the rigid points of a 3D reference head), and measure
 * eyes, mouth, placement and photo quality.
 *
 * A followed face must be seen again by the cascade from time to time while it looks at the camera:
 * two full detections in a row that miss a near-frontal face end the track (the person left; the
 * landmarks would otherwise go on fitting the background).
 */
import type { CV, Mat } from './cv.js';
import type { FaceObservation, FrameObservation } from './observation.js';
import { CONTOUR, referenceHead, RIGID } from './face-model.js';
import { eyeAspectRatio, landmarkBox, mouthAspectRatio, placement, turnAsymmetry } from './measures.js';
import { applyMat3, estimateIntrinsics, eulerFromMatrix, rodrigues, type HeadPose, type Intrinsics } from './pose.js';
import type { Box, GrayImage, ShapePredictor } from './landmarks/predictor.js';
import { photoQuality, type QualityThresholds, DEFAULT_QUALITY } from './capture.js';

export interface PipelineOptions {
  /** OpenCV cascade file (opencv-data: /usr/share/opencv4/haarcascades/…). */
  cascadePath: string;
  /** Detection runs on a copy of the frame scaled to this width: a kiosk face is big. */
  detectWidth: number;
  /**
   * While a face is followed, the periodic detection (confirming it, noticing a second face) runs
   * on a smaller copy: it need not find small faces, and it is the costliest frame.
   */
  followDetectWidth: number;
  /**
   * Smallest face the detector reports, as a fraction of the frame width: small enough that a
   * person two steps back is found (and told to come closer) rather than "no face".
   */
  minFaceFraction: number;
  /**
   * The cascade's smallest window is 20 px, so faces under 20 px at detectWidth are looked for on a
   * larger copy of this width, and only when nothing was found at detectWidth: the usual kiosk face
   * costs nothing more. A far face being followed is confirmed at the width where it is ~22 px.
   */
  farDetectWidth: number;
  /**
   * While a face is followed, the periodic detection looks only for faces at least this fraction of
   * its size: a second person at the terminal is about as close as the first, while faces further
   * back than ~1.7x the person's distance are passers-by. The small scales it skips are most of the
   * detector's cost (at 180 px: 8.4 ms for every size, 4.9 ms from 0.6x a kiosk face).
   */
  secondFaceFraction: number;
  /** Cascade parameters (OpenCV detectMultiScale). */
  scaleFactor: number;
  /**
   * The periodic detection's step between sizes. Each size costs a pass over the image (~0.25 ms at
   * 160 px, measured), so a coarser step while following (the face's own size is known from its
   * landmarks) roughly halves the costliest frames; finding a face the first time keeps the finer one.
   */
  followScaleFactor: number;
  minNeighbors: number;
  /** While following faces, a full detection (new or second faces) runs every this many frames. */
  detectEvery: number;
  /** Focal length as a multiple of the frame width when the camera is not calibrated. */
  focalFactor: number;
  /** Near-frontal frames that learn the person's own head before the pose is fitted on it (0: never, the generic head only). */
  personalFrames: number;
  /** A track the cascade has not confirmed for this long is dropped, whatever its pose. */
  unconfirmedMs: number;
  quality: QualityThresholds;
}

export const DEFAULT_PIPELINE: Omit<PipelineOptions, 'cascadePath'> = {
  detectWidth: 240,
  followDetectWidth: 160,
  minFaceFraction: 0.06,
  farDetectWidth: 340,
  secondFaceFraction: 0.6,
  scaleFactor: 1.1,
  followScaleFactor: 1.2,
  minNeighbors: 3,
  detectEvery: 5,
  focalFactor: 1.0,
  unconfirmedMs: 3_000,
  personalFrames: 5,
  quality: DEFAULT_QUALITY,
};

export const DEFAULT_CASCADE = '/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml';

/**
 * Where dlib's model puts its box relative to this cascade's box (measured on the two portraits in
 * assets/faces after the landmark fit converged): a little lower and smaller. Only the start
 * of the fit: the box is then refitted from the landmarks.
 */
const CASCADE_TO_MODEL = { dx: 0.01, dy: 0.09, w: 0.98, h: 0.93 };

/** The inner rigid points (no outline): the personal head's points. */
const INNER = RIGID.filter((i) => !CONTOUR.has(i));
/** Frames learn the personal head only while the face is this symmetric (turnAsymmetry: ≈ a 5–8° turn) … */
const PERSONAL_MAX_ASYMMETRY = 0.25;
/** … and the generic fit reads it this near level (degrees; it reads tilts at about half) … */
const PERSONAL_MAX_DEG = 10;
/** … and its inner points moved less than this since the last frame (fraction of the eye corners' distance; landmark jitter is ~0.5%). */
const PERSONAL_MAX_TRAVEL = 0.02;

/**
 * A face found again within this long of losing one, where it was, keeps the lost face's learnt
 * head: the cascade loses faces turned far both ways at once, and the person at the terminal does
 * not change in a second (the judges still restart: it is a new track).
 */
const KEEP_HEAD_MS = 1_000;

/** Turned copies searched when nothing upright is found (degrees, counter-clockwise first). */
const ROTATED_SEARCH = [25, -25];

/** Landmark fits on a face the cascade just found (each from the box the previous fit gives). */
const NEW_FACE_PASSES = 3;

interface Track {
  id: number;
  box: Box;
  landmarks: Float32Array;
  confirmedAt: number;
  missed: number;
  /**
   * Reported to the judges. A face that appears while another is followed waits for a second
   * detection first: one false detection (a pattern on a coat) must not restart a challenge.
   */
  reported: boolean;
  rvec: Vec3 | null;
  tvec: Vec3 | null;
  /** The person's own head (see Personal), once learnt from their first near-frontal frames. */
  personal: Personal;
  /** The last fit on the personal head (the next one starts from it). */
  personalFit?: { r: Vec3; t: Vec3 } | null;
}

/**
 * A head model fitted to this person: the reference head's depths with the person's own layout
 * (where their eye corners, nose and mouth corners are relative to each other), learnt from the
 * first near-frontal frames of the track by back-projecting the landmarks onto the reference depths
 * at the generic fit's pose. A generic head reads a person whose proportions differ from it as
 * turned or tilted; the personal head answers turns and tilts with their true size. Only the inner
 * points are used: the outline landmarks follow the silhouette, which no fixed 3D point does.
 */
interface Personal {
  sum: Float64Array;
  frames: number;
  points: Float64Array | null;
  /** The last frame's landmarks, while learning. */
  previous: Float32Array | null;
}

export interface FrameTimings {
  /** Whether this frame ran the cascade (a full or periodic detection). */
  detected: boolean;
  detect: number;
  landmarks: number;
  pose: number;
  measure: number;
}

export class FacePipeline {
  private readonly cascade;
  private readonly head: Float64Array;
  /** Jaw-to-jaw width of the reference head (mm): a new face's distance from its size. */
  private readonly headWidth: number;
  private tracks: Track[] = [];
  private nextTrack = 1;
  private frames = 0;
  /** The learnt head of the last followed face that was lost, and where and when (see KEEP_HEAD_MS). */
  private lostHead: { points: Float64Array; box: Box; at: number } | null = null;
  /** Milliseconds spent per stage in the last frame (bench/vision). */
  readonly timings: FrameTimings = { detected: false, detect: 0, landmarks: 0, pose: 0, measure: 0 };

  constructor(
    private readonly cv: CV,
    private readonly predictor: ShapePredictor,
    private readonly options: PipelineOptions,
  ) {
    this.cascade = new cv.CascadeClassifier(options.cascadePath);
    this.head = referenceHead(predictor.model.initialShape);
    this.headWidth = this.head[16 * 3]! - this.head[0]!;
  }

  /** Forget every followed face (a new session, another clip). */
  reset(): void {
    this.tracks = [];
    this.frames = 0;
    this.lostHead = null;
  }

  /** Analyses one BGR or grey frame. */
  analyze(frame: Mat, at: number, index = this.frames): FrameObservation {
    const cv = this.cv;
    const now = () => performance.now();
    let t0 = now();
    const gray = frame.channels === 1 ? frame : frame.bgrToGray();
    const width = gray.cols, height = gray.rows;
    const bytes = gray.getData();
    const image: GrayImage = { width, height, stride: width, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };

    const detectNow = this.tracks.length === 0 || this.frames % this.options.detectEvery === 0;
    const detections = detectNow ? this.detect(gray) : null;
    this.timings.detect = now() - t0;
    this.timings.detected = detectNow;

    t0 = now();
    // Follow known faces: last frame's landmarks give this frame's box.
    for (const track of this.tracks) {
      track.landmarks = this.predictor.predict(image, track.box, track.landmarks);
      track.box = this.predictor.boxOf(track.landmarks);
    }
    if (detections) {
      const claimed = new Set<number>();
      const following = this.tracks.some((t) => t.reported);
      for (const track of this.tracks) {
        const k = detections.findIndex((d, i) => !claimed.has(i) && overlap(d, track.box) > 0.3);
        if (k >= 0) {
          claimed.add(k);
          track.confirmedAt = at;
          track.missed = 0;
          track.reported = true;
        } else {
          track.missed++;
        }
      }
      detections.forEach((d, i) => {
        if (claimed.has(i)) return;
        // A new face: the cascade's box is only roughly the model's; refit from its own landmarks.
        let landmarks = this.predictor.predict(image, d);
        for (let pass = 0; pass < NEW_FACE_PASSES - 1; pass++) landmarks = this.predictor.predict(image, this.predictor.boxOf(landmarks), landmarks);
        const box = this.predictor.boxOf(landmarks);
        const personal = newPersonal();
        // Found again where a face was lost a moment ago: the same person, with the head learnt for them.
        if (this.lostHead && at - this.lostHead.at <= KEEP_HEAD_MS && overlap(this.lostHead.box, box) > 0.3) personal.points = this.lostHead.points;
        this.tracks.push({ id: this.nextTrack++, box, landmarks, confirmedAt: at, missed: 0, reported: !following, rvec: null, tvec: null, personal });
      });
    }
    this.timings.landmarks = now() - t0;

    t0 = now();
    const poses = new Map<Track, { pose: HeadPose; generic: HeadPose }>();
    for (const track of this.tracks) poses.set(track, this.pose(track, width, height));
    this.timings.pose = now() - t0;

    this.tracks = this.tracks.filter((track) => {
      if (this.keep(track, poses.get(track)!.generic, at, width, height)) return true;
      if (track.reported && track.personal.points) this.lostHead = { points: track.personal.points, box: track.box, at };
      return false;
    });
    dropDuplicates(this.tracks);

    t0 = now();
    const faces: FaceObservation[] = this.tracks.filter((track) => track.reported).map((track) => {
      const pose = poses.get(track)!.pose;
      const lm = track.landmarks;
      const right = eyeAspectRatio(lm, 36), left = eyeAspectRatio(lm, 42);
      const place = placement(lm, width, height);
      const box = landmarkBox(lm);
      const ear = { right, left, mean: (right + left) / 2 };
      const stats = regionStats(cv, gray, box);
      const quality = photoQuality({ pose, ear: ear.mean, placement: place, ...stats }, this.options.quality);
      return { track: track.id, box, landmarks: Float32Array.from(lm), pose, ear, mar: mouthAspectRatio(lm), placement: place, quality };
    });
    this.timings.measure = now() - t0;
    this.frames++;
    if (gray !== frame) gray.release();
    return { index, at, width, height, faces };
  }

  private detect(gray: Mat): Box[] {
    const o = this.options;
    const following = this.tracks.some((t) => t.reported);
    const followed = following ? Math.min(...this.tracks.filter((t) => t.reported).map((t) => t.box.right - t.box.left)) : 0;
    // A far face (a fraction of the frame) is confirmed on a copy where it is still ~22 px wide.
    const width = following
      ? Math.min(Math.max(o.followDetectWidth, Math.ceil((22 * gray.cols) / (1.1 * followed))), Math.max(o.followDetectWidth, o.farDetectWidth))
      : o.detectWidth;
    const found = this.detectAt(gray, width, following, followed, true);
    if (found.length > 0 || following || this.tracks.length > 0 || o.farDetectWidth <= o.detectWidth) return found;
    // Nothing at the usual size: look for a smaller face (someone sitting back) on a larger copy.
    return this.detectAt(gray, o.farDetectWidth, false, 0, false);
  }

  private detectAt(gray: Mat, width: number, following: boolean, followed: number, rotated: boolean): Box[] {
    const cv = this.cv;
    const o = this.options;
    // Finding a face the first time keeps the direct area resize (the landmark fit starts from this
    // box); the periodic detection takes the fast halving.
    const scaled = following ? shrink(cv, gray, width) : areaResize(cv, gray, width);
    const scale = scaled.cols / gray.cols;
    const small = scaled.equalizeHist();
    if (scaled !== gray) scaled.release();
    const step = following ? o.followScaleFactor : o.scaleFactor;
    let min = Math.max(20, Math.round(o.minFaceFraction * small.cols));
    if (following) {
      // The cascade's box is about 1.1x the model's box of the same face.
      min = Math.max(min, Math.round(o.secondFaceFraction * 1.1 * followed * scale));
    }
    const find = (img: Mat) => this.cascade.detectMultiScale(img, step, o.minNeighbors, 0, new cv.Size(min, min)).objects;
    let found = find(small).map((r) => ({ cx: r.x + r.width / 2, cy: r.y + r.height / 2, w: r.width, h: r.height }));
    // The cascade sees upright faces only (about ±15°): with no face followed yet, also look on
    // copies turned both ways, so a person who tilts the head is still found.
    if (rotated && found.length === 0 && this.tracks.length === 0) {
      for (const angle of ROTATED_SEARCH) {
        const centre = new cv.Point2(small.cols / 2, small.rows / 2);
        const turned = small.warpAffine(cv.getRotationMatrix2D(centre, angle, 1), new cv.Size(small.cols, small.rows), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
        const rad = (angle * Math.PI) / 180;
        const seen = find(turned);
        turned.release();
        found = seen.map((r) => {
          // back from the turned copy: rotate the box centre by -angle about the image centre
          const x = r.x + r.width / 2 - centre.x, y = r.y + r.height / 2 - centre.y;
          return { cx: centre.x + x * Math.cos(rad) - y * Math.sin(rad), cy: centre.y + x * Math.sin(rad) + y * Math.cos(rad), w: r.width, h: r.height };
        });
        if (found.length > 0) break;
      }
    }
    small.release();
    return found.map((r) => {
      const w = r.w / scale, h = r.h / scale;
      const left = (r.cx - r.w / 2) / scale + CASCADE_TO_MODEL.dx * w, top = (r.cy - r.h / 2) / scale + CASCADE_TO_MODEL.dy * h;
      return { left, top, right: left + CASCADE_TO_MODEL.w * w, bottom: top + CASCADE_TO_MODEL.h * h };
    });
  }

  /** The pose on the person's own head once learnt (`pose`), and on the generic head (`generic`). */
  private pose(track: Track, width: number, height: number): { pose: HeadPose; generic: HeadPose } {
    const cv = this.cv;
    const k = estimateIntrinsics(width, height, this.options.focalFactor);
    const camera = new cv.Mat([[k.focal, 0, k.cx], [0, k.focal, k.cy], [0, 0, 1]], cv.CV_64F);
    const imagePoints = RIGID.map((i) => new cv.Point2(track.landmarks[2 * i]!, track.landmarks[2 * i + 1]!));
    // The last pose seeds this one (steadier angles, fewer iterations); a new face starts frontal at
    // the distance its size gives. Without a seed the fit can land on the mirrored solution.
    if (!track.rvec || !track.tvec) {
      const [x, y, w] = landmarkBox(track.landmarks);
      const z = (k.focal * this.headWidth) / Math.max(1, w);
      track.rvec = [0, 0, 0];
      track.tvec = [((x + w / 2 - k.cx) * z) / k.focal, ((y + w / 2 - k.cy) * z) / k.focal, z];
    }
    let r = track.rvec, t = track.tvec;
    let pose = eulerFromMatrix(rodrigues(r));
    let ok = true;
    // The outline landmarks sit on the face's silhouette, which slides round the head as it turns:
    // fit with the outline points placed where the silhouette is at the current yaw, twice (the
    // second time at the yaw the first fit found). Once the person's own head is learnt the generic
    // fit only seeds it and judges the track's health: one pass does.
    const passes = track.personal.points ? 1 : 2;
    for (let pass = 0; pass < passes && ok; pass++) {
      const objectPoints = RIGID.map((i) => {
        const [x, y, z] = CONTOUR.has(i) ? silhouettePoint(this.head, i, pose.yaw) : [this.head[3 * i]!, this.head[3 * i + 1]!, this.head[3 * i + 2]!];
        return new cv.Point3(x, y, z);
      });
      ({ r, t, ok } = this.solve(objectPoints, imagePoints, camera, { r, t }));
      pose = eulerFromMatrix(rodrigues(r));
    }
    track.rvec = ok ? r : null;
    track.tvec = ok ? t : null;
    const generic = pose;
    if (ok && this.options.personalFrames > 0) pose = this.personalPose(track, pose, r, t, k, camera);
    camera.release();
    return { pose, generic };
  }

  /** Learns the person's head from near-frontal frames, then fits the pose on it (see Personal). */
  private personalPose(track: Track, generic: HeadPose, r: Vec3, t: Vec3, k: Intrinsics, camera: Mat): HeadPose {
    const cv = this.cv;
    const p = track.personal;
    if (!p.points) {
      // Learnt from consecutive frames of a still, frontal face. The generic head reads turns at
      // about half, so a turned face is recognised by its landmarks' symmetry instead; a moving one
      // by its landmarks' travel (they lag a moving head). A head learnt while turned would carry
      // that turn into every later pose.
      const steady = p.previous !== null && innerTravel(p.previous, track.landmarks) < PERSONAL_MAX_TRAVEL;
      p.previous = Float32Array.from(track.landmarks);
      if (!steady || Math.abs(turnAsymmetry(track.landmarks)) > PERSONAL_MAX_ASYMMETRY || Math.abs(generic.pitch) > PERSONAL_MAX_DEG) {
        p.sum.fill(0);
        p.frames = 0;
        return generic;
      }
      const R = rodrigues(r);
      INNER.forEach((i, j) => {
        // The reference point in the camera's frame gives the depth; the landmark gives x and y.
        const c = applyMat3(R, this.head[3 * i]!, this.head[3 * i + 1]!, this.head[3 * i + 2]!);
        const z = c[2] + t[2];
        const bx = ((track.landmarks[2 * i]! - k.cx) * z) / k.focal - t[0], by = ((track.landmarks[2 * i + 1]! - k.cy) * z) / k.focal - t[1], bz = z - t[2];
        // Back into the head's frame: R is orthonormal, so its transpose undoes it.
        p.sum[3 * j]! += R[0] * bx + R[3] * by + R[6] * bz;
        p.sum[3 * j + 1]! += R[1] * bx + R[4] * by + R[7] * bz;
        p.sum[3 * j + 2]! += R[2] * bx + R[5] * by + R[8] * bz;
      });
      if (++p.frames < this.options.personalFrames) return generic;
      p.points = p.sum.map((v) => v / p.frames);
      return generic;
    }
    const objectPoints = INNER.map((_, j) => new cv.Point3(p.points![3 * j]!, p.points![3 * j + 1]!, p.points![3 * j + 2]!));
    const imagePoints = INNER.map((i) => new cv.Point2(track.landmarks[2 * i]!, track.landmarks[2 * i + 1]!));
    const fit = this.solve(objectPoints, imagePoints, camera, track.personalFit ?? { r, t });
    track.personalFit = fit.ok ? { r: fit.r, t: fit.t } : null;
    return fit.ok ? eulerFromMatrix(rodrigues(fit.r)) : generic;
  }

  /**
   * solvePnP (iterative) from a guess. `ok` is false when it failed or put the head behind the
   * camera: a mirrored solution, not to seed the next frame with.
   */
  private solve(objectPoints: unknown[], imagePoints: unknown[], camera: Mat, guess: { r: Vec3; t: Vec3 }): { r: Vec3; t: Vec3; ok: boolean } {
    const cv = this.cv;
    const options = { useExtrinsicGuess: true, rvec: new cv.Vec3(...guess.r), tvec: new cv.Vec3(...guess.t), flags: cv.SOLVEPNP_ITERATIVE };
    const result = (cv.solvePnP as unknown as SolvePnPWithOptions)(objectPoints, imagePoints, camera, [0, 0, 0, 0], options);
    const r: Vec3 = [result.rvec.x, result.rvec.y, result.rvec.z];
    const t: Vec3 = [result.tvec.x, result.tvec.y, result.tvec.z];
    return { r, t, ok: result.returnValue && t[2] > 0 };
  }

  private keep(track: Track, pose: HeadPose, at: number, width: number, height: number): boolean {
    const lm = track.landmarks;
    const [x, y, w, h] = landmarkBox(lm);
    // Mostly outside the frame, or shrunk to nothing: gone.
    const inside = (Math.min(x + w, width) - Math.max(x, 0)) * (Math.min(y + h, height) - Math.max(y, 0));
    if (w < 0.04 * width || inside < 0.5 * w * h) return false;
    // Facing the camera, the cascade should see it: two misses in a row end the track. Judged on
    // the generic head's reading (what these limits were measured with): landmarks left behind on
    // the background collapse into a shape the personal head reads as a far turn.
    const frontal = Math.abs(pose.yaw) < 25 && Math.abs(pose.pitch) < 20;
    if (frontal && track.missed >= 2) return false;
    return at - track.confirmedAt <= this.options.unconfirmedMs;
  }
}

type Vec3 = [number, number, number];

/** solvePnP's options-object form (the binding takes rvec/tvec guesses only this way or positionally). */
type SolvePnPWithOptions = (
  objectPoints: unknown[],
  imagePoints: unknown[],
  camera: Mat,
  dist: number[],
  options: { useExtrinsicGuess: boolean; flags: number; rvec?: unknown; tvec?: unknown },
) => { returnValue: boolean; rvec: { x: number; y: number; z: number }; tvec: { x: number; y: number; z: number } };

/**
 * Where outline landmark `i` is on a head turned by `yawDeg`: the outline point lies on the head's
 * silhouette, modelled as a vertical cylinder through the point's frontal position (radius |x|,
 * axis at the point's depth). The silhouette is where the surface turns away from the camera,
 * azimuth ±90° − yaw from the front; at yaw 0 this is the reference point itself.
 */
export function silhouettePoint(head: Float64Array, i: number, yawDeg: number): [number, number, number] {
  const x = head[3 * i]!, y = head[3 * i + 1]!, z = head[3 * i + 2]!;
  const r = Math.abs(x);
  const phi = Math.sign(x) * (Math.PI / 2) - (yawDeg * Math.PI) / 180;
  return [r * Math.sin(phi), y, z - r * Math.cos(phi)];
}

/**
 * A copy about `width` pixels wide: halved with pyrDown while that stays at or above the width (fast
 * and anti-aliased: 640 → 160 in 0.08 ms), then area-resampled the rest of the way (an area resize
 * by a non-integer factor such as 640 → 180 costs 1.2 ms). Returns `gray` itself when narrow enough.
 */
function shrink(cv: CV, gray: Mat, width: number): Mat {
  let img = gray;
  while (img.cols / 2 >= width) {
    const half = img.pyrDown();
    if (img !== gray) img.release();
    img = half;
  }
  const out = areaResize(cv, img, width);
  if (img !== gray && out !== img) img.release();
  return out;
}

/** An area-resampled copy `width` pixels wide, or `gray` itself when it is not wider. */
function areaResize(cv: CV, gray: Mat, width: number): Mat {
  if (gray.cols <= width) return gray;
  return gray.resize(Math.round((gray.rows * width) / gray.cols), width, 0, 0, cv.INTER_AREA);
}

function newPersonal(): Personal {
  return { sum: new Float64Array(3 * INNER.length), frames: 0, points: null, previous: null };
}

/** Mean travel of the inner points between two frames, as a fraction of the outer eye corners' distance. */
function innerTravel(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (const i of INNER) sum += Math.hypot(b[2 * i]! - a[2 * i]!, b[2 * i + 1]! - a[2 * i + 1]!);
  return sum / INNER.length / (Math.hypot(b[90]! - b[72]!, b[91]! - b[73]!) || 1);
}

/** Intersection over the smaller box's area. */
function overlap(a: Box, b: Box): number {
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const area = (r: Box) => (r.right - r.left) * (r.bottom - r.top);
  return (w * h) / Math.min(area(a), area(b));
}

/** Two tracks that converged on one face: keep the older. */
function dropDuplicates(tracks: Track[]): void {
  for (let i = tracks.length - 1; i > 0; i--) {
    if (tracks.slice(0, i).some((t) => overlap(t.box, tracks[i]!.box) > 0.6)) tracks.splice(i, 1);
  }
}

/** Sharpness (variance of the Laplacian on the face scaled to 128 px), brightness and clipping. */
function regionStats(cv: CV, gray: Mat, box: [number, number, number, number]): { sharpness: number; brightness: number; clipped: number } {
  const x = Math.max(0, box[0]), y = Math.max(0, box[1]);
  const w = Math.min(gray.cols - x, box[2]), h = Math.min(gray.rows - y, box[3]);
  if (w < 8 || h < 8) return { sharpness: 0, brightness: 0, clipped: 1 };
  const face = gray.getRegion(new cv.Rect(x, y, w, h)).resize(128, 128, 0, 0, cv.INTER_AREA);
  const lap = face.laplacian(cv.CV_64F);
  const { mean, stddev } = lap.meanStdDev();
  const sd = stddev.at(0, 0) as number;
  const px = face.getData();
  for (const m of [face, lap, mean, stddev]) m.release();
  let sum = 0, clipped = 0;
  for (let i = 0; i < px.length; i++) {
    const v = px[i]!;
    sum += v;
    if (v <= 5 || v >= 250) clipped++;
  }
  return { sharpness: sd * sd, brightness: sum / px.length, clipped: clipped / px.length };
}
