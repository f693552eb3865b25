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
    destination ?? pino.destination(1),
  );
}

/** A logger that drops everything: replay benchmarks and quiet CLI runs. */
const silent = pino({ level: 'silent' });
export function silentLogger(): Logger {
  return silent;
}
