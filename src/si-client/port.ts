/**
 * The SI (social insurance) system as the terminal sees it. The real HTTPS client and the
 * simulated service both implement SiPort; failures are SiError with a kind the machine can judge.
 */
import type { Identity } from '../domain/identity.js';
import type { Action } from '../vision/port.js';

export interface Cycle {
  /** YYYY-MM-DD, first day of the verification cycle. */
  from: string;
  /** YYYY-MM-DD, last day of the cycle. */
  to: string;
}

export type Eligibility =
  | { status: 'eligible'; cycle: Cycle }
  | { status: 'already-verified'; cycle: Cycle; verifiedOn: string }
  | { status: 'not-retiree' }
  | { status: 'unknown-person' }
  /** Pension suspended or another case the counter must handle. */
  | { status: 'refer-to-counter'; reason: string };

export interface HistoryRecord {
  year: number;
  /** YYYY-MM-DD */
  verifiedOn: string;
  channel: 'terminal' | 'counter' | 'mobile' | 'home-visit';
  result: 'passed' | 'review' | 'rejected';
}

export interface LivenessSummary {
  actions: Action[];
  /** Action timeouts during the attempt that produced the photo. */
  failures: number;
  /** Challenge restarts (face lost or a second face). */
  restarts: number;
  photoQuality: number;
}

export interface Submission {
  idNumber: string;
  name: string;
  /** Handle into the terminal's photo store; the bytes never travel through the machine. */
  photoRef: string;
  liveness: LivenessSummary;
}

/** What goes over the wire: the photo bytes and an idempotency key so a retry never doubles. */
export interface SubmitRequest {
  idempotencyKey: string;
  idNumber: string;
  name: string;
  photo: Buffer;
  liveness: LivenessSummary;
  terminalNumber: string;
  /** Epoch ms when the person pressed 提交. */
  at: number;
}

export type SubmitOutcome =
  | { outcome: 'accepted'; receiptNo: string }
  | { outcome: 'review'; receiptNo: string }
  | { outcome: 'rejected'; reason: string }
  | { outcome: 'already-verified'; verifiedOn: string }
  /** Stored in the outbox, delivery pending; receiptNo is the terminal's local number. */
  | { outcome: 'queued'; receiptNo: string | null };

export type SiErrorKind = 'unreachable' | 'timeout' | 'server' | 'bad-answer' | 'storage';

export class SiError extends Error {
  constructor(
    readonly kind: SiErrorKind,
    message: string,
    /** Finer cause for logs and the outbox (e.g. 'ECONNREFUSED', 'tls', 'http-503', 'schema'); never personal data. */
    readonly code: string = kind,
    /**
     * False when trying again within the same call cannot help (the SI refused the request, the TLS
     * handshake failed, the caller gave up). The outbox does not judge by this: it keeps an entry
     * until the SI has refused it (see isRefusal in errors.ts).
     */
    readonly retryable: boolean = kind !== 'bad-answer' && kind !== 'storage',
  ) {
    super(message);
    this.name = 'SiError';
  }
}

export interface SiPort {
  lookupPerson(idNumber: string, signal: AbortSignal): Promise<Eligibility>;
  /** Resolves a scanned barcode / QR token (e.g. electronic SSC); null when the token is unknown. */
  resolveToken(token: string, signal: AbortSignal): Promise<Identity | null>;
  history(idNumber: string, signal: AbortSignal): Promise<HistoryRecord[]>;
  submit(request: SubmitRequest, signal: AbortSignal): Promise<SubmitOutcome>;
}
