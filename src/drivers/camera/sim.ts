/** Simulated camera: frames are pushed in (from trace files, a folder, or a generator). */
import { Emitter } from '../emitter.js';
import type { CameraPort, Frame } from './port.js';

export class SimCamera implements CameraPort {
  private readonly frames = new Emitter<Frame>();
  private readonly errors = new Emitter<string>();
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

  push(frame: Frame): boolean {
    if (!this.running) return false;
    this.frames.emit(frame);
    return true;
  }

  unplug(): void {
    this.plugged = false;
    if (this.running) this.errors.emit('camera disconnected');
    this.running = false;
  }

  replug(): void {
    this.plugged = true;
  }
}
