/** Simulated camera: frames are pushed in (from trace files, a folder, or a generator). */
import { CameraListeners } from './listeners.js';
import type { CameraPort, Frame } from './port.js';

export class SimCamera extends CameraListeners implements CameraPort {
  running = false;
  plugged = true;

  async start(): Promise<void> {
    if (!this.plugged) throw new Error('camera not connected');
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
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
