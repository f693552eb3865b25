/**
 * Maps what can go wrong on an HTTPS call to the SiError kinds the machine already judges
 * (unreachable, timeout, server, bad-answer). The code keeps the finer cause for logs and the
 * outbox; no message here carries a request or an answer body (they hold personal data).
 */
import { HTTPError, RequestError, TimeoutError } from 'got';
import { SiError } from './port.js';

/** Socket-level failures: the SI (or the path to it) is not there right now. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** TLS failures: a wrong server certificate, or the server refusing ours. Resending cannot fix them. */
function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  );
}

export function httpStatusError(op: string, status: number, siCode?: string): SiError {
  // The SI's own error code (docs/si-api.md) says why, for the log and `lifecheck outbox list`; its
  // message is not kept (free text from the SI could name the person).
  const why = siCode ? ` (${siCode})` : '';
  if (status >= 500 || status === 429 || status === 408) {
    return new SiError('server', `${op}: the SI answered HTTP ${status}${why}`, `http-${status}`, true);
  }
  // 4xx: the SI refused this request as such; sending it again gives the same answer.
  return new SiError('bad-answer', `${op}: the SI refused the request with HTTP ${status}${why}`, `http-${status}`, false);
}

/** Any error thrown by a got call (or by our own checks) as an SiError. */
export function toSiError(op: string, err: unknown, callerAborted: boolean): SiError {
  if (err instanceof SiError) return err;
  if (callerAborted) return new SiError('timeout', `${op}: abandoned by the caller`, 'aborted', false);
  if (err instanceof TimeoutError) return new SiError('timeout', `${op}: no answer within the request timeout`, 'timeout', true);
  if (err instanceof HTTPError) return httpStatusError(op, err.response.statusCode);
  if (err instanceof RequestError) {
    const code = err.code ?? 'ERR_UNKNOWN';
    if (isTlsCode(code)) return new SiError('unreachable', `${op}: TLS handshake with the SI failed (${code})`, 'tls', false);
    if (UNREACHABLE_CODES.has(code)) return new SiError('unreachable', `${op}: the SI cannot be reached (${code})`, code, true);
    if (err.name === 'ReadError') return new SiError('unreachable', `${op}: the answer was cut off (${code})`, 'read', true);
    return new SiError('unreachable', `${op}: request failed (${code})`, code, true);
  }
  return new SiError('unreachable', `${op}: request failed (${(err as Error)?.name ?? 'unknown'})`, 'unknown', true);
}

/**
 * Whether the SI has refused this request itself, so that sending it again can only bring the same
 * refusal: an HTTP 4xx answer (408 and 429 are not refusals), or a request our own API check will
 * never let out. Nothing else is: our own timeout, a reset, a TLS failure (a late certificate
 * renewal, a clock years off), a 5xx or a garbled answer say nothing about the request, so an
 * outbox entry stays pending through all of them.
 */
export function isRefusal(err: SiError): boolean {
  return err.kind === 'bad-answer' && (/^http-4\d\d$/.test(err.code) || err.code === 'request-invalid');
}
