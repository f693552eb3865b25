/**
 * Structured logs as JSON on stdout (journald keeps them). Personal data must never be logged:
 * callers log ids and states only, and these redaction paths are the safety net if a field slips in.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'name',
  'idNumber',
  'identity',
  'photo',
  'token',
  'cardNumber',
  '*.name',
  '*.idNumber',
  '*.identity',
  '*.photo',
  '*.token',
  '*.cardNumber',
  'context.session',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'lifecheck' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Synchronous writes: a line is in the journal's pipe before the next statement runs, so a
    // SIGKILL or power cut never eats the last lines (an audit trail of session ends and
    // submissions). An async destination lost them; at a terminal's few lines a minute it costs nothing.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that drops everything: replay benchmarks and quiet CLI runs. */
const silent = pino({ level: 'silent' });
export function silentLogger(): Logger {
  return silent;
}
