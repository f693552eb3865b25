/**
 * The clock check on a terminal: systemd's own word on synchronisation (`timedatectl show -p
 * NTPSynchronized --value`: yes/no) and a sanity floor (no time before this release's date can be
 * right), asked every `pollMs`. What timedatectl cannot answer (no systemd, a hung bus) leaves the
 * floor to judge alone, said once in the log: refusing service for a missing tool would be worse.
 */
import { execFile } from 'node:child_process';
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import type { DeviceEvent } from '../../machine/types.js';
import { Emitter } from '../emitter.js';
import { HealthReporter } from '../health.js';
import type { TimeSyncPort } from './port.js';

/** Whether systemd says the clock is synchronised; null when it cannot be asked. */
export type SyncReader = () => Promise<boolean | null>;

export interface TimedatectlOptions {
  clock: Clock;
  logger: Logger;
  /** Epoch ms before which the wall clock cannot be right. */
  floor: number;
  pollMs: number;
  /** Defaults to asking timedatectl. */
  read?: SyncReader;
}

/** Asks systemd through timedatectl (2 s at most: a hung D-Bus must not hold the check). */
export const readTimedatectl: SyncReader = () =>
  new Promise((resolve) => {
    execFile('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 2_000 }, (err, stdout) => {
      const answer = String(stdout).trim();
      if (err || (answer !== 'yes' && answer !== 'no')) resolve(null);
      else resolve(answer === 'yes');
    });
  });

export class TimedatectlSync implements TimeSyncPort {
  private readonly status = new Emitter<DeviceEvent>();
  private readonly health: HealthReporter;
  private readonly read: SyncReader;
  private timer: unknown = null;
  private running = false;
  private saidUnknown = false;
  private checking: Promise<void> = Promise.resolve();

  constructor(private readonly options: TimedatectlOptions) {
    this.health = new HealthReporter('clock', (e) => this.status.emit(e), options.logger);
    this.read = options.read ?? readTimedatectl;
  }

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.status.on(listener);
  }

  /** Judges the clock once before the terminal serves anybody, then every pollMs. */
  async start(): Promise<void> {
    this.running = true;
    await this.runCheck();
  }

  /** Resolves when the check under way (a timedatectl process) has answered: tests step a clock with it. */
  settled(): Promise<void> {
    return this.checking;
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private async check(): Promise<void> {
    const { clock, floor, logger } = this.options;
    const synced = await this.read();
    if (!this.running) return;
    if (synced === null && !this.saidUnknown) {
      this.saidUnknown = true;
      logger.warn('timedatectl cannot tell whether the clock is synchronised: only the date floor is checked');
    }
    if (clock.now() < floor) this.health.fault('before-floor', new Date(clock.now()).toISOString());
    else if (synced === false) this.health.fault('unsynchronised');
    else this.health.healthy();
    this.timer = clock.setTimeout(() => {
      this.timer = null;
      void this.runCheck();
    }, this.options.pollMs);
  }

  private runCheck(): Promise<void> {
    this.checking = this.check();
    return this.checking;
  }
}

/** systemd's clock check as configured (devices.clock: floor, pollMs). */
export function timedatectlSync(config: { floor: string; pollMs: number }, clock: Clock, logger: Logger): TimedatectlSync {
  return new TimedatectlSync({ clock, logger, floor: Date.parse(`${config.floor}T00:00:00Z`), pollMs: config.pollMs });
}
