/** Simulated camera: frames are pushed in (from trace files, a folder, or a generator). */
import type { DeviceEvent } from '../../machine/types.js';
import { Emitter } from '../emitter.js';
import type { CameraPort, Frame } from './port.js';

export class SimCamera implements CameraPort {
  private readonly frames = new Emitter<Frame>();
  private readonly errors = new Emitter<string>();
  private readonly status = new Emitter<DeviceEvent>();
  running = false;
  plugged = true;

  async start(): Promise<void> {
    if (!this.plugged) throw new Error('camera not connected');
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  onFrame(listener: (frame: Frame) => void): () => void {
    return this.frames.on(listener);
  }

  onError(listener: (reason: string) => void): () => void {
    return this.errors.on(listener);
  }

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.status.on(listener);
  }

  push(frame: Frame): boolean {
    if (!this.running) return false;
    this.frames.emit(frame);
    return true;
  }

  unplug(): void {
    this.plugged = false;
    if (this.running) this.errors.emit('camera disconnected');
    this.running = false;
    this.status.emit({ type: 'device.fault', device: 'camera', reason: 'unplugged' });
  }

  replug(): void {
    this.plugged = true;
    this.status.emit({ type: 'device.ok', device: 'camera' });
  }
}
