/**
 * Camera: a stream of timestamped frames while open. The vision pipeline consumes it; the machine
 * never sees frames, only the camera's health (device.fault / device.ok, e.g. on USB unplug).
 */
import type { HealthSource, Lifecycle } from '../emitter.js';

export interface Frame {
  /** Capture time, epoch ms on the terminal's clock. */
  at: number;
  /** Encoded image as delivered by the device (MJPEG frames are JPEG). */
  format: 'jpeg' | 'png';
  data: Buffer;
}

export interface CameraPort extends Lifecycle, HealthSource {
  /** Frames arrive through the listener between start() and stop(). */
  onFrame(listener: (frame: Frame) => void): () => void;
  onError(listener: (reason: string) => void): () => void;
}
