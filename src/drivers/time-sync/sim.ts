/** The simulated clock check: trusted unless a trace, a test or the REPL says otherwise. */
import type { DeviceEvent } from '../../machine/types.js';
import { Emitter } from '../emitter.js';
import type { ClockProblem, TimeSyncPort } from './port.js';

export class SimTimeSync implements TimeSyncPort {
  private readonly status = new Emitter<DeviceEvent>();
  private problem: ClockProblem | null = null;

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.status.on(listener);
  }

  /** The clock becomes untrusted (`problem`) or trusted again (null). */
  set(problem: ClockProblem | null): void {
    if (problem === this.problem) return;
    this.problem = problem;
    this.status.emit(problem ? { type: 'device.fault', device: 'clock', reason: problem } : { type: 'device.ok', device: 'clock' });
  }
}
