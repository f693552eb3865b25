/**
 * Base of the simulated input devices: the trace replayer, the demo (`make start`) and the debug
 * REPL's `inject` push inputs into them; they emit exactly the events the real driver would. Inputs while stopped or
 * unplugged are dropped, as a real unplugged device would drop them.
 */
import type { DeviceId, DeviceEvent } from '../machine/types.js';
import { Emitter } from './emitter.js';

export class SimInputPort<E extends { type: string }> {
  protected readonly events = new Emitter<E | DeviceEvent>();
  protected running = false;
  protected plugged = true;

  constructor(readonly device: DeviceId) {}

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
  }

  onEvent(listener: (event: E | DeviceEvent) => void): () => void {
    return this.events.on(listener);
  }

  /** USB unplug: the driver reports a fault and stops delivering. */
  unplug(reason = 'unplugged'): void {
    this.plugged = false;
    this.events.emit({ type: 'device.fault', device: this.device, reason });
  }

  replug(): void {
    this.plugged = true;
    this.events.emit({ type: 'device.ok', device: this.device });
  }

  /** Emits when running and plugged; returns whether the input was delivered. */
  protected deliver(event: E): boolean {
    if (!this.running || !this.plugged) return false;
    this.events.emit(event);
    return true;
  }
}
