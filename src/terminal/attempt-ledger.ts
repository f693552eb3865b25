/**
 * Capture attempts per person per day. Keyed by a salted hash of the ID number so the terminal
 * never keeps who came, only how often a hash came today. In memory: resets when the daemon restarts.
 */
import { createHash, randomBytes } from 'node:crypto';

export class AttemptLedger {
  private counts = new Map<string, number>();
  private day = '';

  constructor(private readonly salt: Buffer = randomBytes(16)) {}

  private key(idNumber: string, today: string): string {
    if (today !== this.day) {
      this.counts.clear();
      this.day = today;
    }
    return createHash('sha256').update(this.salt).update(idNumber).digest('hex');
  }

  count(idNumber: string, today: string): number {
    return this.counts.get(this.key(idNumber, today)) ?? 0;
  }

  record(idNumber: string, today: string): void {
    const k = this.key(idNumber, today);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
}
