/**
 * What the face pipeline sees in one frame: the input of the action judges, auto-capture and
 * `lifecheck vision analyze`. Angles follow src/vision/pose.ts (degrees; yaw > 0 = the person turns
 * to their left, pitch > 0 = head raised, roll > 0 = counter-clockwise in the image).
 */
import type { HeadPose } from './pose.js';
import type { Placement } from './measures.js';

export interface FaceQuality {
  /** Variance of the Laplacian over the face, on a face scaled to a fixed size (blur → small). */
  sharpness: number;
  /** Mean grey level of the face, 0–255. */
  brightness: number;
  /** Fraction of face pixels at 0–5 or 250–255 (burnt out or black). */
  clipped: number;
  /** 0–1: how good a photo this frame would make (src/vision/capture.ts). */
  score: number;
}

export interface FaceObservation {
  /** Same number while the pipeline follows the same face from frame to frame. */
  track: number;
  /** Bounding box of the landmarks, [x, y, w, h] in pixels. */
  box: [number, number, number, number];
  /** 68 landmarks, x0, y0, x1, y1, … in pixels. */
  landmarks: Float32Array;
  pose: HeadPose;
  /** Eye aspect ratio of the person's right eye (image left), left eye, and their mean. */
  ear: { right: number; left: number; mean: number };
  /** Inner-lip mouth aspect ratio. */
  mar: number;
  placement: Placement;
  quality: FaceQuality;
}

export interface FrameObservation {
  index: number;
  /** Capture time, ms. */
  at: number;
  width: number;
  height: number;
  faces: FaceObservation[];
}
