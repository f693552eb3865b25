import type { Logger } from '../log/logger.js';
import type { DeviceEvent, DeviceId } from '../machine/types.js';

/**
 * A device's health as the machine sees it: device.fault when it goes bad (or bad for another
 * reason), device.ok when it comes back; repeats are not sent. Starts healthy, as the machine does.
 */
export class HealthReporter {
  private reason: string | null = null;

  constructor(
    private readonly device: DeviceId,
    private readonly emit: (event: DeviceEvent) => void,
    private readonly logger: Logger,
  ) {}

  get ok(): boolean {
    return this.reason === null;
  }

  fault(reason: string, detail?: string): void {
    if (this.reason === reason) return;
    this.reason = reason;
    this.logger.warn({ device: this.device, reason, detail }, 'device fault');
    this.emit({ type: 'device.fault', device: this.device, reason });
  }

  healthy(): void {
    if (this.reason === null) return;
    this.reason = null;
    this.logger.info({ device: this.device }, 'device back');
    this.emit({ type: 'device.ok', device: this.device });
  }
}
