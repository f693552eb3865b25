/**
 * Builds the SI client and the outbox from the configuration (si.*, outbox.*). Used by the sim
 * profile's composition and by anything else that talks to the SI; a missing certificate or key
 * is a ConfigError naming the key, so `lifecheck run` stops with exit 78 and a clear message.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock/clock.js';
import { ConfigError, type LifecheckConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { HttpsSi, type HttpsSiOptions } from './https-client.js';
import { OutboxCipher, loadOutboxKey } from './outbox-crypto.js';
import { openOutboxDb } from './outbox-db.js';
import { MemoryOutbox, type Outbox, type OutboxOptions } from './outbox.js';
import type { SiPort } from './port.js';
import { SqliteOutbox, type DeliveredEntry } from './sqlite-outbox.js';

function readPem(key: string, path: string): Buffer {
  if (!path) throw new ConfigError(`${key}: not set; si.kind 'https' needs the CA, client certificate and key files`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ConfigError(`${key}: ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export function createHttpsSi(config: LifecheckConfig, clock: Clock, logger: Logger, random: () => number, onCall?: HttpsSiOptions['onCall']): HttpsSi {
  const { si, outbox } = config;
  return new HttpsSi({
    url: si.url,
    tls: { ca: readPem('si.caFile', si.caFile), cert: readPem('si.certFile', si.certFile), key: readPem('si.keyFile', si.keyFile) },
    timeoutMs: si.timeoutMs,
    readAttempts: Math.max(1, si.readAttempts),
    // One quick second try inside the call; the outbox keeps trying in the background.
    submitAttempts: 2,
    retry: { baseMs: si.retryBaseMs, maxMs: Math.max(si.retryBaseMs, Math.min(outbox.retryMaxMs, si.retryBaseMs * 8)) },
    clock,
    random,
    logger,
    ...(onCall ? { onCall } : {}),
  });
}

export function outboxOptionsOf(config: LifecheckConfig, random: () => number): OutboxOptions {
  return {
    terminalNumber: config.terminal.number,
    utcOffsetMinutes: config.terminal.utcOffsetMinutes,
    answerWithinMs: config.outbox.answerWithinMs,
    requestTimeoutMs: config.outbox.requestTimeoutMs,
    retry: { baseMs: config.outbox.retryBaseMs, maxMs: config.outbox.retryMaxMs },
    random,
    maxPending: config.outbox.maxPending,
  };
}

/** The durable outbox; refuses to start without a usable key file or database. */
export function openSqliteOutbox(
  config: LifecheckConfig,
  si: SiPort,
  clock: Clock,
  logger: Logger,
  random: () => number,
  onDelivered?: (entry: DeliveredEntry) => void,
): SqliteOutbox {
  // The key first: without it nothing may be written.
  const cipher = new OutboxCipher(loadOutboxKey(config.outbox.keyFile));
  const db = openOutboxDb(config.outbox.path, { maxBytes: config.outbox.maxBytes });
  return new SqliteOutbox(
    db,
    cipher,
    si,
    clock,
    { ...outboxOptionsOf(config, random), pollMs: config.outbox.pollMs, keepDeliveredDays: config.outbox.keepDeliveredDays, reportFailedAfterDays: config.outbox.reportFailedAfterDays, minFreeBytes: config.outbox.minFreeBytes },
    logger,
    onDelivered,
  );
}

/** The outbox the configuration asks for: memory (replays, tests) or sqlite (the terminal). */
export function createOutbox(config: LifecheckConfig, si: SiPort, clock: Clock, logger: Logger, random: () => number): Outbox {
  if (config.outbox.store === 'sqlite') return openSqliteOutbox(config, si, clock, logger, random);
  return new MemoryOutbox(si, clock, outboxOptionsOf(config, random));
}
