/**
 * Vision whose judgements come from outside: a trace's recorded vision results, or the REPL.
 * The camera still runs, and the photo is the newest real frame it delivered, so traces with
 * frame files produce real photos.
 */
import type { CameraPort } from '../drivers/camera/port.js';
import type { PhotoStore } from '../terminal/photo-store.js';
import { FrameTap } from './frame-photo.js';
import type { VisionEvent, VisionPort, VisionSession } from './port.js';

/** A recorded judgement; for photos the ref is filled in from the newest frame. */
export type ScriptedVisionInput =
  | Exclude<VisionEvent, { type: 'vision.photo' }>
  | { type: 'vision.photo'; quality: number };

export class ScriptedVision implements VisionPort {
  private active: { emit: (e: VisionEvent) => void; tap: FrameTap } | null = null;

  constructor(
    private readonly camera: CameraPort,
    private readonly photos: PhotoStore,
  ) {}

  open(emit: (event: VisionEvent) => void): VisionSession {
    const tap = new FrameTap(this.camera, (reason) => emit({ type: 'vision.cameraError', reason }));
    this.active = { emit, tap };
    this.camera.start().catch((e: Error) => emit({ type: 'vision.cameraError', reason: e.message }));
    return {
      // The injected events stand for the judging: the machine's commands need no answer here.
      command: () => {},
      stop: () => {
        tap.close();
        if (this.active?.tap === tap) this.active = null;
      },
    };
  }

  get isOpen(): boolean {
    return this.active !== null;
  }

  /** Delivers a judgement to the open session; returns false when the camera screen is not up. */
  inject(input: ScriptedVisionInput): boolean {
    if (!this.active) return false;
    if (input.type === 'vision.photo') {
      this.active.emit({ type: 'vision.photo', photoRef: this.active.tap.photo(this.photos), quality: input.quality });
    } else {
      this.active.emit(input);
    }
    return true;
  }
}
