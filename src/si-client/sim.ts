/**
 * Simulated SI system: answers from the test persons, with latency on the terminal's clock. A trace
 * (or a test) can script the next answer of an operation — a reply, a failure, or silence — to
 * drive every error branch deterministically.
 */
import type { Clock } from '../clock/clock.js';
import type { Identity } from '../domain/identity.js';
import {
  SiError,
  type Eligibility,
  type HistoryRecord,
  type SiErrorKind,
  type SiPort,
  type SubmitOutcome,
  type SubmitRequest,
} from './port.js';
import { TEST_PERSONS, type TestPerson } from './test-persons.js';

export const SI_OPS = ['lookup', 'resolveToken', 'history', 'submit'] as const;
export type SiOp = (typeof SI_OPS)[number];

export type ScriptedAnswer =
  | { reply: unknown; latencyMs?: number }
  | { fail: SiErrorKind; latencyMs?: number }
  /** Never answers (a dead connection): the caller's timeout must cut in. */
  | { hang: true };

/** Typical answer time of the SI service over the terminal's link. */
const DEFAULT_LATENCY_MS = 400;

export class SimSi implements SiPort {
  private readonly scripts = new Map<SiOp, ScriptedAnswer[]>();
  private receiptSeq = 0;
  /** Submissions accepted, by idempotency key: a retried submit returns the first answer. */
  readonly accepted = new Map<string, SubmitOutcome>();
  /** Every verified person this run, so a second session sees 'already-verified'. */
  private readonly verifiedOn = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    private readonly persons: TestPerson[] = TEST_PERSONS,
    private readonly latencyMs = DEFAULT_LATENCY_MS,
  ) {}

  /** Queues the answer to the next call of `op`. */
  script(op: SiOp, answer: ScriptedAnswer): void {
    const queue = this.scripts.get(op) ?? [];
    queue.push(answer);
    this.scripts.set(op, queue);
  }

  lookupPerson(idNumber: string, signal: AbortSignal): Promise<Eligibility> {
    return this.answer('lookup', signal, () => {
      const p = this.find(idNumber);
      if (!p || !p.known) return { status: 'unknown-person' };
      const done = this.verifiedOn.get(idNumber);
      if (done && p.eligibility.status === 'eligible') return { status: 'already-verified', cycle: p.eligibility.cycle, verifiedOn: done };
      return p.eligibility;
    });
  }

  resolveToken(token: string, signal: AbortSignal): Promise<Identity | null> {
    return this.answer('resolveToken', signal, () => {
      const p = this.persons.find((t) => t.token === token);
      return p ? { ...p.identity, source: 'barcode' as const } : null;
    });
  }

  history(idNumber: string, signal: AbortSignal): Promise<HistoryRecord[]> {
    return this.answer('history', signal, () => this.find(idNumber)?.history ?? []);
  }

  submit(request: SubmitRequest, signal: AbortSignal): Promise<SubmitOutcome> {
    return this.answer('submit', signal, () => {
      const earlier = this.accepted.get(request.idempotencyKey);
      if (earlier) return earlier;
      const p = this.find(request.idNumber);
      let outcome: SubmitOutcome;
      if (!p || p.eligibility.status === 'not-retiree' || p.eligibility.status === 'unknown-person') {
        outcome = { outcome: 'rejected', reason: 'not-eligible' };
      } else if (request.photo.length === 0) {
        outcome = { outcome: 'rejected', reason: 'no-photo' };
      } else {
        outcome = { outcome: 'accepted', receiptNo: `SI${String(++this.receiptSeq).padStart(8, '0')}` };
        this.verifiedOn.set(request.idNumber, new Date(request.at + 8 * 3600_000).toISOString().slice(0, 10));
      }
      this.accepted.set(request.idempotencyKey, outcome);
      return outcome;
    });
  }

  private find(idNumber: string): TestPerson | undefined {
    return this.persons.find((p) => p.identity.idNumber === idNumber);
  }

  private answer<T>(op: SiOp, signal: AbortSignal, compute: () => T): Promise<T> {
    const scripted = this.scripts.get(op)?.shift();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (timer !== null) this.clock.clearTimeout(timer);
        reject(new SiError('timeout', `${op} aborted`));
      };
      let timer: unknown = null;
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      if (scripted && 'hang' in scripted) return;
      const latency = scripted?.latencyMs ?? this.latencyMs;
      timer = this.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        if (scripted && 'fail' in scripted) reject(new SiError(scripted.fail, `simulated ${scripted.fail} on ${op}`));
        else if (scripted && 'reply' in scripted) resolve(scripted.reply as T);
        else {
          try {
            resolve(compute());
          } catch (e) {
            reject(e);
          }
        }
      }, latency);
    });
  }
}
