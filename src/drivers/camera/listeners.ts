/** What every camera (driver or twin) keeps for its listeners: frames, errors, health. */
import type { DeviceEvent } from '../../machine/types.js';
import { Emitter } from '../emitter.js';
import type { CameraPort, Frame } from './port.js';

export abstract class CameraListeners implements Pick<CameraPort, 'onFrame' | 'onError' | 'onStatus'> {
  protected readonly frames = new Emitter<Frame>();
  protected readonly errors = new Emitter<string>();
  protected readonly status = new Emitter<DeviceEvent>();

  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.on(listener);
  }

  onError(listener: (reason: string) => void): () => void {
    return this.errors.on(listener);
  }

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.status.on(listener);
  }
}
