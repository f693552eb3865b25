/** Shared by the simulated vision sessions: remember the newest frame, turn it into a stored photo. */
import type { CameraPort, Frame } from '../drivers/camera/port.js';
import type { PhotoStore } from '../terminal/photo-store.js';
import { frameMat, jpegOf } from './cv.js';

/** 1x1 grey PNG, used only when a simulated session has seen no frame at all. */
const BLANK_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010800000000376ef9240000000a49444154789c6360000000020001e221bc330000000049454e44ae426082',
  'hex',
);

export class FrameTap {
  private last: Frame | null = null;
  private readonly off: Array<() => void> = [];

  constructor(
    private readonly camera: CameraPort,
    onError: (reason: string) => void,
  ) {
    this.off.push(camera.onFrame((f) => (this.last = f)));
    this.off.push(camera.onError(onError));
  }

  /** Stores the newest frame as the photo (raw camera pixels as JPEG) and returns its ref. */
  photo(photos: PhotoStore): string {
    const last = this.last;
    if (last?.format === 'bgr') {
      // A real camera (devices.camera.kind clip/device) under a simulated person: encode its pixels.
      const mat = frameMat(last);
      const jpeg = jpegOf(mat);
      mat.release();
      return photos.put(jpeg);
    }
    return photos.put(Buffer.from(last?.data ?? BLANK_PNG));
  }

  close(): void {
    for (const off of this.off) off();
    this.last = null;
    void this.camera.stop();
  }
}
