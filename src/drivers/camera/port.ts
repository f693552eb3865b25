/**
 * Camera: a stream of timestamped frames while open. The vision pipeline consumes it; the machine
 * never sees frames, only the camera's health (device.fault / device.ok, e.g. on USB unplug).
 */
import type { HealthSource, Lifecycle } from '../emitter.js';

interface FrameBase {
  /** Capture time, epoch ms on the terminal's clock. */
  at: number;
  /** Counts frames from the camera's start: a gap shows dropped frames. */
  seq?: number;
}

/** As delivered by the device or a file: MJPEG frames are JPEG. */
export interface EncodedFrame extends FrameBase {
  format: 'jpeg' | 'png';
  data: Buffer;
}

/** Decoded pixels, 3 bytes a pixel in B, G, R order, rows packed (width * 3 bytes a row). */
export interface RawFrame extends FrameBase {
  format: 'bgr';
  width: number;
  height: number;
  data: Buffer;
}

export type Frame = EncodedFrame | RawFrame;

export interface CameraPort extends Lifecycle, HealthSource {
  /** Frames arrive through the listener between start() and stop(). */
  onFrame(listener: (frame: Frame) => void): () => void;
  onError(listener: (reason: string) => void): () => void;
}
