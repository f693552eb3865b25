/**
 * OpenCV (@u4/opencv4nodejs, built against Debian's libopencv-dev) loaded on first use only: the
 * simulated profile, replays and most tests never pay for the native module or need it installed.
 */
import { createRequire } from 'node:module';
import type * as OpenCV from '@u4/opencv4nodejs';
import type { Frame } from '../drivers/camera/port.js';

export type CV = typeof OpenCV;
export type Mat = OpenCV.Mat;

let loaded: CV | null = null;

export class OpenCvUnavailable extends Error {
  constructor(cause: Error) {
    super(`OpenCV bindings cannot be loaded (${cause.message.split('\n')[0]}): run \`make deps\` (needs Debian's libopencv-dev)`);
    this.name = 'OpenCvUnavailable';
  }
}

export function opencv(): CV {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  // With the bindings' external-memory accounting on, a Mat left to the garbage collector can abort
  // Node ("Check failed: marking_done_"); seen reading clips. Mats in hot paths are released
  // explicitly instead (face-pipeline.ts, opencv-vision.ts, the camera driver).
  process.env.OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING ??= '1';
  // OpenCV's own [ WARN ] lines (a device that does not open) would go to stderr unformatted.
  process.env.OPENCV_LOG_LEVEL ??= 'ERROR';
  try {
    // opencv-build logs its configuration to stdout on load; our stdout carries JSON lines.
    (require('@u4/opencv-build') as { Log: { silence: boolean } }).Log.silence = true;
  } catch {
    // not fatal: only the log lines
  }
  try {
    loaded = require('@u4/opencv4nodejs') as CV;
  } catch (e) {
    throw new OpenCvUnavailable(e as Error);
  }
  return loaded;
}

/** A camera frame as an OpenCV image (BGR); throws with the reason when its bytes are not one. */
export function frameMat(frame: Frame, cv: CV = opencv()): Mat {
  if (frame.format === 'bgr') {
    if (frame.data.length !== frame.width * frame.height * 3) throw new Error(`a ${frame.width}x${frame.height} BGR frame must have ${frame.width * frame.height * 3} bytes, it has ${frame.data.length}`);
    return new cv.Mat(frame.data, frame.height, frame.width, cv.CV_8UC3);
  }
  const mat = cv.imdecode(frame.data);
  if (mat.empty) throw new Error(`a ${frame.format} frame of ${frame.data.length} bytes cannot be decoded`);
  return mat;
}

/** An image as the JPEG a photo is stored as (what the outbox keeps and the captured screen shows). */
export function jpegOf(mat: Mat, quality = 90, cv: CV = opencv()): Buffer {
  return cv.imencode('.jpg', mat, [cv.IMWRITE_JPEG_QUALITY, quality]);
}
