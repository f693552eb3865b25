/**
 * The real ID card reader: GA/T 467 over a serial port. Polls find card; on a card, select and
 * read base info, decode the text, emit identify.idCard (or identify.readError). Then waits for the
 * card to leave the field before it reads again, so one tap is one event. Reports health as
 * device.fault / device.ok: unplugged (the port is gone; it is reopened until it comes back) and
 * not-responding (the port is there, the reader says nothing).
 * Personal data stays in the events: logs carry outcomes and timings only.
 */
import type { Clock } from '../../clock/clock.js';
import type { Identity } from '../../domain/identity.js';
import type { Logger } from '../../log/logger.js';
import type { ReadErrorReason } from '../../machine/types.js';
import { sleep } from '../clock-sleep.js';
import { Emitter } from '../emitter.js';
import { decodeCardText, type CardKind, type CardText } from './card-text.js';
import { splitBaseInfo, SW3, type CommandName } from './gat467.js';
import { Gat467Link, LinkLost, type Answer } from './gat467-link.js';
import type { IdReaderEvent, IdReaderPort } from './port.js';

export interface Gat467ReaderOptions {
  /** Serial device, e.g. /dev/ttyUSB0 or a udev symlink. */
  port: string;
  baudRate: number;
  /** Find card is asked this often while no card is being read. */
  pollMs: number;
  /** Longest wait for an answer to find, select or SAM status. */
  answerTimeoutMs: number;
  /** Longest wait for the base information (~1.3 kB; real readers take up to a second). */
  readTimeoutMs: number;
  /** How often a missing port is tried again. */
  reopenMs: number;
  /** Unanswered polls in a row before the reader counts as not responding. */
  silentPollsForFault: number;
  /** Polls without the card before it counts as gone and the next card may be read. */
  missesForLeave: number;
  clock: Clock;
  logger: Logger;
}

export const GAT467_DEFAULTS = {
  baudRate: 115_200,
  pollMs: 300,
  answerTimeoutMs: 500,
  readTimeoutMs: 2_000,
  reopenMs: 1_000,
  silentPollsForFault: 3,
  missesForLeave: 2,
} as const;

/** Every read, in detail, for diagnostics (`lifecheck devices read-id`). The machine gets port events. */
export type CardRead =
  | { outcome: 'card'; card: CardText; identity: Omit<Identity, 'source'>; photo: Buffer; ms: number }
  | { outcome: 'error'; reason: ReadErrorReason; detail: string; kind?: CardKind | 'unknown' };

type Health = { ok: true } | { ok: false; reason: string };

export class Gat467Reader implements IdReaderPort {
  private readonly events = new Emitter<IdReaderEvent>();
  private readonly reads = new Emitter<CardRead>();
  private link: Gat467Link | null = null;
  private health: Health = { ok: true };
  private abort = new AbortController();
  private loop: Promise<void> | null = null;
  private silentPolls = 0;
  /** The card that was read is (maybe) still in the field: polls that miss it, counted. */
  private present: { misses: number } | null = null;
  /** A read that failed on a card that may still be there: retried once, else reported. */
  private failedRead: string | null = null;

  constructor(private readonly options: Gat467ReaderOptions) {}

  onEvent(listener: (event: IdReaderEvent) => void): () => void {
    return this.events.on(listener);
  }

  onRead(listener: (read: CardRead) => void): () => void {
    return this.reads.on(listener);
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.link?.close();
    await this.loop;
    this.loop = null;
    this.link = null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    while (!signal.aborted) {
      if (!this.link) {
        await this.open(signal);
        if (!this.link) {
          await sleep(clock, this.options.reopenMs, signal);
          continue;
        }
      }
      try {
        await this.poll();
      } catch (e) {
        if (!(e instanceof LinkLost)) throw e;
        this.linkLost(e.message);
        continue;
      }
      await sleep(clock, this.options.pollMs, signal);
    }
  }

  private async open(signal: AbortSignal): Promise<void> {
    const { port, baudRate, clock, logger } = this.options;
    let link: Gat467Link;
    try {
      link = await Gat467Link.open(port, baudRate, clock);
    } catch (e) {
      this.setHealth({ ok: false, reason: 'unplugged' }, (e as Error).message);
      return;
    }
    if (signal.aborted) {
      await link.close();
      return;
    }
    this.link = link;
    this.silentPolls = 0;
    logger.info({ port }, 'ID card reader port open');
    // The SAM's status tells whether a reader (not just a port) is there.
    const answer = await this.ask('samStatus', this.options.answerTimeoutMs).catch((e: unknown) => {
      if (e instanceof LinkLost) return null;
      throw e;
    });
    if (answer === null) this.linkLost(link.lost ?? 'port closed');
    else if (answer.kind === 'response') this.setHealth({ ok: true });
  }

  private linkLost(reason: string): void {
    if (this.abort.signal.aborted) return; // stop() closed the port: no fault to report
    const link = this.link;
    this.link = null;
    this.present = null;
    if (this.failedRead !== null) this.readError('removed-too-soon', `port lost during a read: ${reason}`);
    void link?.close();
    this.setHealth({ ok: false, reason: 'unplugged' }, reason);
  }

  /** One command; counts silence toward the not-responding fault and clears it on any answer. */
  private async ask(command: CommandName, timeoutMs: number): Promise<Answer> {
    const link = this.link;
    if (!link) throw new LinkLost('port closed');
    const answer = await link.command(command, timeoutMs);
    if (answer.kind === 'timeout') {
      this.silentPolls++;
      if (this.silentPolls >= this.options.silentPollsForFault) this.setHealth({ ok: false, reason: 'not-responding' });
    } else {
      this.silentPolls = 0;
      this.setHealth({ ok: true });
    }
    return answer;
  }

  private async poll(): Promise<void> {
    const find = await this.ask('findCard', this.options.answerTimeoutMs);
    if (find.kind !== 'response') return;
    if (find.response.sw3 !== SW3.cardFound) {
      if (this.present && ++this.present.misses >= this.options.missesForLeave) this.present = null;
      if (this.failedRead !== null) this.readError('removed-too-soon', this.failedRead);
      return;
    }
    if (this.present) {
      // The same card is still lying on the reader: one tap, one read.
      this.present.misses = 0;
      return;
    }
    await this.readCard();
  }

  private async readCard(): Promise<void> {
    const started = this.options.clock.monotonic();
    const select = await this.ask('selectCard', this.options.answerTimeoutMs);
    if (select.kind !== 'response' || select.response.sw3 !== SW3.ok) return this.readFailed(`select: ${describe(select)}`);
    const read = await this.ask('readBase', this.options.readTimeoutMs);
    if (read.kind !== 'response' || read.response.sw3 !== SW3.ok) return this.readFailed(`read base: ${describe(read)}`);
    this.failedRead = null;
    this.present = { misses: 0 };
    const parts = splitBaseInfo(read.response.data);
    if ('error' in parts) return this.readError('unreadable', parts.error);
    const decoded = decodeCardText(parts.text);
    if (!decoded.ok) {
      const reason: ReadErrorReason = decoded.kind === 'foreign-permanent' || decoded.kind === 'unknown' ? 'unsupported-card' : 'unreadable';
      return this.readError(reason, decoded.reason, decoded.kind);
    }
    const ms = this.options.clock.monotonic() - started;
    this.options.logger.info({ kind: decoded.card.kind, ms }, 'ID card read');
    this.reads.emit({ outcome: 'card', card: decoded.card, identity: decoded.identity, photo: Buffer.from(parts.photo), ms });
    this.events.emit({ type: 'identify.idCard', identity: { ...decoded.identity, source: 'id-card' }, at: this.options.clock.now() });
  }

  /** A read broke off: try once more while the card is there; a second failure is reported. */
  private readFailed(detail: string): void {
    if (this.failedRead === null) {
      this.failedRead = detail;
      return;
    }
    this.present = { misses: 0 };
    this.readError('unreadable', detail);
  }

  private readError(reason: ReadErrorReason, detail: string, kind?: CardKind | 'unknown'): void {
    this.failedRead = null;
    this.options.logger.warn({ reason, detail }, 'ID card not read');
    this.reads.emit({ outcome: 'error', reason, detail, ...(kind ? { kind } : {}) });
    this.events.emit({ type: 'identify.readError', device: 'idReader', reason });
  }

  private setHealth(next: Health, detail?: string): void {
    if (next.ok === this.health.ok && (next.ok || (!this.health.ok && this.health.reason === next.reason))) return;
    this.health = next;
    if (next.ok) {
      this.options.logger.info({ device: 'idReader', port: this.options.port }, 'ID card reader back');
      this.events.emit({ type: 'device.ok', device: 'idReader' });
    } else {
      this.options.logger.warn({ device: 'idReader', port: this.options.port, reason: next.reason, detail }, 'ID card reader fault');
      this.events.emit({ type: 'device.fault', device: 'idReader', reason: next.reason });
    }
  }
}

function describe(answer: Answer): string {
  if (answer.kind !== 'response') return answer.kind;
  return `SW3 ${answer.response.sw3.toString(16).padStart(2, '0')}`;
}
