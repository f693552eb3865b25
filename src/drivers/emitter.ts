import type { DeviceEvent } from '../machine/types.js';

/** A minimal typed listener list: ports emit typed events, the composition root listens. */
export class Emitter<E> {
  private listeners = new Set<(event: E) => void>();

  on(listener: (event: E) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: E): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** Lifecycle every device driver owns: start() opens the hardware, stop() releases it. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** An input device: a lifecycle plus typed events. */
export interface InputPort<E> extends Lifecycle {
  onEvent(listener: (event: E) => void): () => void;
}

/** A device whose health the terminal watches (output devices have no other events to send). */
export interface HealthSource {
  onStatus(listener: (event: DeviceEvent) => void): () => void;
}
