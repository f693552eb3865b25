/**
 * Outbox: a submission is committed here before anything is sent, then delivered until the SI
 * system answers. The person gets an answer within `answerWithinMs` — the SI's own, or "queued" with
 * a local receipt number — while delivery goes on in the background with backoff. The photo is wiped
 * once the SI has answered.
 *
 * This implementation keeps entries in memory (lost on power loss): trace replays and benchmarks
 * use it. The terminal's durable, encrypted outbox is SqliteOutbox (sqlite-outbox.ts).
 */
import type { Clock } from '../clock/clock.js';
import { localDate } from '../clock/clock.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { DeviceEvent } from '../machine/types.js';
import { SiError, type SiPort, type SubmitOutcome, type SubmitRequest } from './port.js';

export type OutboxState = 'pending' | 'delivered';

export interface OutboxStats {
  pending: number;
  delivered: number;
  /** Set aside: the SI refused the request as such, or the stored entry cannot be opened. Kept for `lifecheck outbox retry`. */
  failed: number;
  /** Epoch ms of the oldest undelivered entry. */
  oldestPendingAt: number | null;
  /** Epoch ms of the oldest entry set aside (when it was committed). */
  oldestFailedAt: number | null;
}

/**
 * Why the outbox could not store the next submission: the terminal is out of service (device
 * `storage`) until it can, rather than let a person do the whole capture for nothing.
 */
export type StorageProblem =
  /** maxPending undelivered entries, or the file at outbox.maxBytes: the SI must take some first. */
  | 'outbox-full'
  /** Less than outbox.minFreeBytes left on the disk, or SQLite found it full. */
  | 'disk-full'
  /** The disk turned read-only (an SD card remounted after errors), or refuses writes otherwise. */
  | 'read-only'
  | 'store-failed';

/**
 * The storage's health as the device `storage`, for both outboxes: a listener hears the current
 * fault at once (if any), then every change; repeats are not sent.
 */
export class StorageStatus {
  private problem: StorageProblem | null = null;
  private readonly listeners = new Set<(event: DeviceEvent) => void>();

  get current(): StorageProblem | null {
    return this.problem;
  }

  on(listener: (event: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.problem) listener({ type: 'device.fault', device: 'storage', reason: this.problem });
    return () => this.listeners.delete(listener);
  }

  /** Returns whether it changed. */
  set(problem: StorageProblem | null): boolean {
    if (problem === this.problem) return false;
    this.problem = problem;
    const event: DeviceEvent = problem ? { type: 'device.fault', device: 'storage', reason: problem } : { type: 'device.ok', device: 'storage' };
    for (const l of this.listeners) l(event);
    return true;
  }
}

/** A problem with the link to the SI that only a maintainer can fix (resending will not). */
export interface SiLinkProblem {
  /** 'tls': the TLS handshake fails (the SI's certificate, ours, or this terminal's clock). */
  problem: 'tls';
  /** Epoch ms of the first delivery that failed this way since the last one that got through. */
  since: number;
}

export interface Outbox {
  submit(request: Omit<SubmitRequest, 'idempotencyKey'>): Promise<SubmitOutcome>;
  stats(): OutboxStats;
  /** When an undelivered submission for this ID number was committed (epoch ms), or null. */
  pendingSince(idNumber: string): number | null;
  /** What keeps deliveries from getting through that a maintainer must fix, or null. */
  siLink(): SiLinkProblem | null;
  /**
   * The health of the outbox's storage as the device `storage`: a listener hears the current fault
   * at once (if any), then every change. The memory outbox has no storage to watch.
   */
  onStatus?(listener: (event: DeviceEvent) => void): () => void;
  stop(): void;
}

export interface OutboxOptions {
  terminalNumber: string;
  utcOffsetMinutes: number;
  /** The person waits at most this long for the SI's own answer before hearing "queued". */
  answerWithinMs: number;
  /** One delivery attempt is abandoned after this long. */
  requestTimeoutMs: number;
  retry: BackoffOptions;
  random: () => number;
  /** Undelivered entries kept at most; a full outbox refuses new submissions instead of dropping old ones. */
  maxPending: number;
}

interface Entry {
  key: string;
  localReceiptNo: string;
  request: SubmitRequest;
  state: OutboxState;
  attempts: number;
  committedAt: number;
  outcome: SubmitOutcome | null;
  retryTimer: unknown;
}

/**
 * The person's answer: the SI's own when the first delivery attempt brings it within `ms`, else
 * `queued` (also when the attempt ends without an answer; the outbox goes on delivering).
 */
export function answerWithin(clock: Clock, ms: number, attempt: Promise<SubmitOutcome | null>, queued: SubmitOutcome): Promise<SubmitOutcome> {
  return new Promise((resolve) => {
    let answered = false;
    const answer = (outcome: SubmitOutcome) => {
      if (answered) return;
      answered = true;
      clock.clearTimeout(deadline);
      resolve(outcome);
    };
    const deadline = clock.setTimeout(() => answer(queued), ms);
    void attempt.then((outcome) => answer(outcome ?? queued));
  });
}

export class MemoryOutbox implements Outbox {
  private readonly entries: Entry[] = [];
  private seq = 0;
  private stopped = false;
  private readonly storage = new StorageStatus();

  constructor(
    private readonly si: SiPort,
    private readonly clock: Clock,
    private readonly options: OutboxOptions,
    private readonly onDelivered: (entry: { key: string; outcome: SubmitOutcome; attempts: number }) => void = () => {},
  ) {}

  submit(request: Omit<SubmitRequest, 'idempotencyKey'>): Promise<SubmitOutcome> {
    if (this.stats().pending >= this.options.maxPending) {
      return Promise.reject(new SiError('storage', `outbox full: ${this.options.maxPending} submissions wait for delivery`));
    }
    const entry = this.commit(request);
    const queued: SubmitOutcome = { outcome: 'queued', receiptNo: entry.localReceiptNo };
    return answerWithin(this.clock, this.options.answerWithinMs, this.deliver(entry), queued);
  }

  stats(): OutboxStats {
    const pending = this.entries.filter((e) => e.state === 'pending');
    return {
      pending: pending.length,
      delivered: this.entries.length - pending.length,
      failed: 0,
      oldestPendingAt: pending.length ? Math.min(...pending.map((e) => e.committedAt)) : null,
      oldestFailedAt: null,
    };
  }

  /** The simulated SI has no TLS: nothing for a maintainer to fix. */
  siLink(): SiLinkProblem | null {
    return null;
  }

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.storage.on(listener);
  }

  /** Traces and tests: the storage as the durable outbox would report it (null: it takes submissions). */
  setStorage(problem: StorageProblem | null): void {
    this.storage.set(problem);
  }

  pendingSince(idNumber: string): number | null {
    const entry = this.entries.find((e) => e.state === 'pending' && e.request.idNumber === idNumber);
    return entry ? entry.committedAt : null;
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries) if (e.retryTimer !== null) this.clock.clearTimeout(e.retryTimer);
  }

  private commit(request: Omit<SubmitRequest, 'idempotencyKey'>): Entry {
    const n = ++this.seq;
    const date = localDate(this.clock.now(), this.options.utcOffsetMinutes).replaceAll('-', '');
    const localReceiptNo = `T${this.options.terminalNumber}${date}${String(n).padStart(4, '0')}`;
    const entry: Entry = {
      key: `${this.options.terminalNumber}-${this.clock.now()}-${n}`,
      localReceiptNo,
      request: { ...request, idempotencyKey: '' },
      state: 'pending',
      attempts: 0,
      committedAt: this.clock.now(),
      outcome: null,
      retryTimer: null,
    };
    entry.request.idempotencyKey = entry.key;
    this.entries.push(entry);
    return entry;
  }

  /** One delivery attempt; resolves with the SI's answer, or null when it must be retried. */
  private async deliver(entry: Entry): Promise<SubmitOutcome | null> {
    entry.retryTimer = null;
    if (this.stopped || entry.state !== 'pending') return entry.outcome;
    entry.attempts++;
    const abort = new AbortController();
    const timer = this.clock.setTimeout(() => abort.abort(), this.options.requestTimeoutMs);
    try {
      const outcome = await this.si.submit(entry.request, abort.signal);
      entry.state = 'delivered';
      entry.outcome = outcome;
      entry.request.photo.fill(0);
      entry.request = { ...entry.request, photo: Buffer.alloc(0) };
      this.onDelivered({ key: entry.key, outcome, attempts: entry.attempts });
      return outcome;
    } catch {
      if (!this.stopped) {
        const delay = backoffDelay(entry.attempts - 1, this.options.retry, this.options.random);
        entry.retryTimer = this.clock.setTimeout(() => void this.deliver(entry), delay);
      }
      return null;
    } finally {
      this.clock.clearTimeout(timer);
    }
  }
}
