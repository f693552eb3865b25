/** A durable outbox in a temporary directory, delivering to a real si-dev over HTTPS. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { advanceTo, RealClock, settle, type Clock, SimClock } from '../../src/clock/clock.js';
import type { LifecheckConfig } from '../../src/config/config.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { openSqliteOutbox } from '../../src/si-client/from-config.js';
import { createOutboxKey } from '../../src/si-client/outbox-crypto.js';
import type { SiPort, SubmitRequest } from '../../src/si-client/port.js';
import type { DeliveredEntry, SqliteOutbox } from '../../src/si-client/sqlite-outbox.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { jpeg, SI_NOW, type TestSi } from '../si-dev/helpers.js';

export function outboxConfig(ts: TestSi, dir: string, outbox: Record<string, unknown> = {}): LifecheckConfig {
  const keyFile = join(dir, 'outbox.key');
  createOutboxKey(keyFile);
  return ts.config({
    terminal: { number: '0042' },
    outbox: { store: 'sqlite', path: join(dir, 'outbox.sqlite'), keyFile, answerWithinMs: 10_000, requestTimeoutMs: 5_000, retryBaseMs: 5_000, retryMaxMs: 60_000, pollMs: 30_000, ...outbox },
  });
}

export interface OutboxUnderTest {
  outbox: SqliteOutbox;
  clock: SimClock;
  delivered: DeliveredEntry[];
  /** Moves the simulated clock, letting every delivery in flight finish before the next timer. */
  advance(ms: number): Promise<void>;
}

/** The outbox on a simulated clock; the client's own short retries run on real time. */
export function openOutbox(config: LifecheckConfig, si: SiPort, clock = new SimClock(SI_NOW), logger: Logger = silentLogger()): OutboxUnderTest {
  const delivered: DeliveredEntry[] = [];
  const outbox = openSqliteOutbox(config, si, clock, logger, () => 0.5, (e) => delivered.push(e));
  const pause = async () => {
    await settle();
    await outbox.whenIdle();
    await settle();
  };
  return { outbox, clock, delivered, advance: (ms) => advanceTo(clock, clock.monotonic() + ms, pause) };
}

export function realClockClient(ts: TestSi, readAttempts = 3) {
  return ts.client({ clock: new RealClock() as Clock, readAttempts, timeoutMs: 3_000 });
}

export function verification(person = 'due', marker = 'PHOTO-MARKER'): Omit<SubmitRequest, 'idempotencyKey'> {
  const p = testPerson(person).identity;
  return { idNumber: p.idNumber, name: p.name, photo: jpeg(marker), liveness: { actions: ['blink', 'nod'], failures: 0, restarts: 0, photoQuality: 0.9 }, terminalNumber: '0042', at: SI_NOW };
}

export function fileBytes(path: string): Buffer {
  const parts: Buffer[] = [];
  for (const suffix of ['', '-wal']) {
    try {
      parts.push(readFileSync(path + suffix));
    } catch {
      // no WAL right now
    }
  }
  return Buffer.concat(parts);
}
