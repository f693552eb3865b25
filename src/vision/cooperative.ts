/**
 * A simulated person who does what the terminal asks, a little slowly, reported straight as vision
 * events (no pixels): the quick vision twin (`--vision cooperative`). `make start` instead films a
 * synthesised person (camera kind synth) and judges them with the OpenCV pipeline.
 */
import type { Clock } from '../clock/clock.js';
import type { CameraPort } from '../drivers/camera/port.js';
import type { PhotoStore } from '../terminal/photo-store.js';
import { FrameTap } from './frame-photo.js';
import type { Hint, VisionEvent, VisionPort, VisionSession } from './port.js';

export interface CooperativeTiming {
  /** Sitting down and finding the camera. */
  settleMs: number;
  /** Doing one asked action. */
  actionMs: number;
  /** Holding still for the photo. */
  photoMs: number;
}

export const DEFAULT_TIMING: CooperativeTiming = { settleMs: 2_000, actionMs: 2_500, photoMs: 1_500 };

export class CooperativeVision implements VisionPort {
  private active: ((event: VisionEvent) => void) | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly camera: CameraPort,
    private readonly photos: PhotoStore,
    private readonly timing: CooperativeTiming = DEFAULT_TIMING,
  ) {}

  open(emit: (event: VisionEvent) => void): VisionSession {
    const tap = new FrameTap(this.camera, (reason) => emit({ type: 'vision.cameraError', reason }));
    let pending: unknown = null;
    const later = (ms: number, event: () => VisionEvent) => {
      if (pending !== null) this.clock.clearTimeout(pending);
      pending = this.clock.setTimeout(() => {
        pending = null;
        emit(event());
      }, ms);
    };
    this.camera.start().catch((e: Error) => emit({ type: 'vision.cameraError', reason: e.message }));
    this.active = emit;
    return {
      command: (command) => {
        if (command.type === 'baseline') later(this.timing.settleMs, () => ({ type: 'vision.faceReady' }));
        else if (command.type === 'expect') later(this.timing.actionMs, () => ({ type: 'vision.actionPassed', action: command.action }));
        else later(this.timing.photoMs, () => ({ type: 'vision.photo', photoRef: tap.photo(this.photos), quality: 0.9 }));
      },
      stop: () => {
        if (pending !== null) this.clock.clearTimeout(pending);
        tap.close();
        if (this.active === emit) this.active = null;
      },
    };
  }

  /**
   * Tells the open session what the person should fix (the REPL, demos): this person does what is
   * asked, so only an outside voice can say they sit too far back. False when the camera screen is not up.
   */
  hint(hint: Hint | null): boolean {
    if (!this.active) return false;
    this.active({ type: 'vision.hint', hint });
    return true;
  }
}
