/**
 * The SI client over HTTPS (docs/si-api.md): a client certificate, the SI's CA pinned (the
 * system's CA store is not trusted), a timeout per request, retries with backoff and jitter only
 * where a second send is harmless (reads, and submits that carry an idempotency key), and every
 * answer parsed against the API schema before it is used. Failures come out as SiError.
 */
import { Agent } from 'node:https';
import { performance } from 'node:perf_hooks';
import got, { type Got } from 'got';
import type { z } from 'zod';
import type { Clock } from '../clock/clock.js';
import type { Identity } from '../domain/identity.js';
import type { Logger } from '../log/logger.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { httpStatusError, toSiError } from './errors.js';
import { identityOfPerson } from './person.js';
import { SiError, type Eligibility, type HistoryRecord, type SiPort, type SubmitOutcome, type SubmitRequest } from './port.js';
import {
  ErrorAnswer,
  describeIssues,
  HistoryAnswer,
  IDEMPOTENCY_HEADER,
  IdempotencyKey,
  LookupAnswer,
  Paths,
  ResolveTokenAnswer,
  SubmitAnswer,
  SubmitRequestBody,
} from './schema.js';

export interface TlsMaterial {
  /** The SI's CA certificate (PEM): the only one trusted for the server. */
  ca: Buffer;
  /** This terminal's client certificate and key (PEM). */
  cert: Buffer;
  key: Buffer;
}

export interface HttpsSiOptions {
  url: string;
  tls: TlsMaterial;
  /** One request (one attempt) is abandoned after this. */
  timeoutMs: number;
  /** Tries of a read (lookup, token, history) in one call, including the first. */
  readAttempts: number;
  /** Tries of a submit in one call; the outbox retries further in the background. */
  submitAttempts: number;
  retry: BackoffOptions;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /** Told about every finished call (latency measurements, tests). */
  onCall?: (call: SiCallRecord) => void;
}

export interface SiCallRecord {
  op: SiOpName;
  ms: number;
  attempts: number;
  /** 'ok', or the SiError code. */
  result: string;
}

export type SiOpName = 'lookup' | 'lookupByCard' | 'resolveToken' | 'history' | 'submit';

export class HttpsSi implements SiPort {
  private readonly agent: Agent;
  private readonly http: Got;

  constructor(private readonly options: HttpsSiOptions) {
    const { ca, cert, key } = options.tls;
    this.agent = new Agent({ keepAlive: true, maxSockets: 4 });
    this.http = got.extend({
      prefixUrl: options.url,
      agent: { https: this.agent },
      // Only the SI's CA is trusted (not the system store); the client certificate proves the terminal.
      https: { certificateAuthority: ca, ...(cert.length ? { certificate: cert, key } : {}), rejectUnauthorized: true },
      timeout: { request: options.timeoutMs },
      // Retries are ours: got's would not know which calls are safe to repeat, nor our clock.
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      responseType: 'text',
      headers: { 'user-agent': 'lifecheck-terminal', accept: 'application/json' },
    });
  }

  async lookupPerson(idNumber: string, signal: AbortSignal): Promise<Eligibility> {
    const answer = await this.call('lookup', Paths.lookup, { idNumber }, LookupAnswer, signal, this.options.readAttempts);
    if (answer.person && answer.person.idNumber !== idNumber) {
      throw new SiError('bad-answer', 'lookup: the SI answered about another person', 'mismatch', false);
    }
    return answer.eligibility;
  }

  /** Look-up by social security card number (EF05); the terminal's flow uses the ID number. */
  async lookupByCardNumber(sscCardNumber: string, signal: AbortSignal): Promise<{ identity: Identity | null; eligibility: Eligibility }> {
    const answer = await this.call('lookupByCard', Paths.lookup, { sscCardNumber }, LookupAnswer, signal, this.options.readAttempts);
    return { identity: answer.person ? identityOfPerson(answer.person, 'ssc') : null, eligibility: answer.eligibility };
  }

  async resolveToken(token: string, signal: AbortSignal): Promise<Identity | null> {
    const answer = await this.call('resolveToken', Paths.resolveToken, { token }, ResolveTokenAnswer, signal, this.options.readAttempts);
    return answer.person ? identityOfPerson(answer.person, 'barcode') : null;
  }

  async history(idNumber: string, signal: AbortSignal): Promise<HistoryRecord[]> {
    const answer = await this.call('history', Paths.history, { idNumber }, HistoryAnswer, signal, this.options.readAttempts);
    return answer.records;
  }

  async submit(request: SubmitRequest, signal: AbortSignal): Promise<SubmitOutcome> {
    // Without a key a resend could count twice at the SI: refuse rather than risk it.
    if (!IdempotencyKey.safeParse(request.idempotencyKey).success) throw new Error('submit needs a valid idempotency key');
    const body = {
      idNumber: request.idNumber,
      name: request.name,
      terminalNumber: request.terminalNumber,
      at: new Date(request.at).toISOString(),
      photo: { contentType: photoType(request.photo), base64: request.photo.toString('base64') },
      liveness: request.liveness,
    };
    const valid = SubmitRequestBody.safeParse(body);
    if (!valid.success) {
      throw new SiError('bad-answer', `submit: the request does not match the API: ${describeIssues(valid.error)}`, 'request-invalid', false);
    }
    return this.call('submit', Paths.submit, body, SubmitAnswer, signal, this.options.submitAttempts, {
      [IDEMPOTENCY_HEADER]: request.idempotencyKey,
    });
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private async call<S extends z.ZodType>(
    op: SiOpName,
    path: string,
    body: unknown,
    schema: S,
    signal: AbortSignal,
    attempts: number,
    headers: Record<string, string> = {},
  ): Promise<z.infer<S>> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.once(op, path, body, schema, signal, headers);
        this.options.onCall?.({ op, ms: performance.now() - started, attempts: attempt, result: 'ok' });
        return answer;
      } catch (e) {
        const err = toSiError(op, e, signal.aborted);
        if (!err.retryable || attempt >= attempts || signal.aborted) {
          this.options.onCall?.({ op, ms: performance.now() - started, attempts: attempt, result: err.code });
          throw err;
        }
        this.options.logger.warn({ op, attempt, code: err.code }, 'SI call failed; trying again');
        await this.pause(backoffDelay(attempt - 1, this.options.retry, this.options.random), signal);
      }
    }
  }

  private async once<S extends z.ZodType>(op: SiOpName, path: string, body: unknown, schema: S, signal: AbortSignal, headers: Record<string, string>) {
    const response = await this.http.post(path.slice(1), { json: body, headers, signal });
    if (response.statusCode !== 200) throw httpStatusError(op, response.statusCode, errorCodeOf(response.body));
    let data: unknown;
    try {
      data = JSON.parse(response.body);
    } catch {
      throw new SiError('bad-answer', `${op}: the SI's answer is not JSON`, 'not-json', true);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new SiError('bad-answer', `${op}: the SI's answer does not match the API: ${describeIssues(parsed.error)}`, 'schema', true);
    return parsed.data as z.infer<S>;
  }

  /** Waits on the terminal's clock; the caller's abort ends the wait (and the call) at once. */
  private pause(ms: number, signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clock.clearTimeout(timer);
        reject(new SiError('timeout', 'abandoned by the caller while waiting to retry', 'aborted', false));
      };
      const timer = clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** PNG by its signature, JPEG otherwise: the SI judges whether the bytes are really a picture. */
function photoType(photo: Buffer): 'image/jpeg' | 'image/png' {
  return photo.subarray(0, 8).equals(PNG_SIGNATURE) ? 'image/png' : 'image/jpeg';
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The SI's error code from an error answer's body, when it has the API's shape. */
function errorCodeOf(body: string): string | undefined {
  try {
    const parsed = ErrorAnswer.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.error.code : undefined;
  } catch {
    return undefined;
  }
}
