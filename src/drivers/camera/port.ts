/**
 * Camera: a stream of timestamped frames while open. The vision pipeline consumes it; the machine
 * never sees frames, only the camera's health (device.fault / device.ok, e.g. on USB unplug).
 */
import type { HealthSource, Lifecycle } from '../emitter.js';

interface FrameTiming {
  /** Capture time, epoch ms on the terminal's clock. */
  at: number;
  /**
   * Counts the frames the source produced, across restarts of the driver: a gap means frames were
   * dropped (by the driver, e.g. a stale one, or an unreadable image in a folder) before delivery.
   * Absent when the source does not number its frames (the simulated camera).
   */
  seq?: number;
}

/** An encoded image as delivered by the device (MJPEG frames are JPEG). */
export interface EncodedFrame extends FrameTiming {
  format: 'jpeg' | 'png';
  data: Buffer;
}

/** A decoded image: packed BGR bytes, row after row, `width * height * 3` bytes (OpenCV's layout). */
export interface BgrFrame extends FrameTiming {
  format: 'bgr';
  width: number;
  height: number;
  data: Buffer;
}

export type Frame = EncodedFrame | BgrFrame;

export interface CameraPort extends Lifecycle, HealthSource {
  /** Frames arrive through the listener between start() and stop(). */
  onFrame(listener: (frame: Frame) => void): () => void;
  onError(listener: (reason: string) => void): () => void;
  /**
   * Optional: report the camera's presence (onStatus) while it is not streaming, from the
   * terminal's start to its stop. Devices that can come and go implement it.
   */
  watch?(): void;
  unwatch?(): void;
}
