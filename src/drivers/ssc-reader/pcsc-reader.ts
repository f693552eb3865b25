/**
 * The real social security card reader: PC/SC through pcscd. Watches the readers whose name
 * contains the configured text (any reader when empty); a card put in is read once (basic-info.ts)
 * and becomes identify.ssc or identify.readError. Health: pcscd-unavailable (pcscd down or died:
 * the context is rebuilt when it is back), no-reader (no matching reader plugged in).
 * A context is created only after pcscd's socket answered, so the event loop never sits in the
 * library's busy-wait. Logs carry outcomes and timings, never the holder.
 */
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import type { ReadErrorReason } from '../../machine/types.js';
import { sleep } from '../clock-sleep.js';
import { Emitter } from '../emitter.js';
import { CardSilent } from './apdu.js';
import { readBasicInfo, type SscHolder } from './basic-info.js';
import { closeReaders, createContext, pcscdSocket, socketAnswers, trackReader, type PcscContext, type PcscReader } from './pcsc.js';
import type { SscReaderEvent, SscReaderPort } from './port.js';

export interface PcscSscReaderOptions {
  /** Part of the reader's name; empty: every reader. */
  reader: string;
  /** pcscd's socket; default PCSCLITE_CSOCK_NAME or /run/pcscd/pcscd.comm (libpcsclite reads the same). */
  socketPath?: string;
  /** How often a down pcscd is asked again. */
  retryMs: number;
  /** How long after (re)connecting a matching reader may take to show up before no-reader is reported. */
  readerWaitMs: number;
  /** Longest wait for the card's answer to one command. */
  transmitTimeoutMs: number;
  clock: Clock;
  logger: Logger;
}

export const PCSC_DEFAULTS = { retryMs: 1_000, readerWaitMs: 1_500, transmitTimeoutMs: 3_000 } as const;

export type SscCardRead =
  | { outcome: 'card'; reader: string; holder: SscHolder; ms: number; apdus: number }
  | { outcome: 'error'; reader: string; reason: ReadErrorReason; detail: string };

interface ReaderState {
  reader: PcscReader;
  present: boolean;
}

type Health = { ok: true } | { ok: false; reason: string };

/** 256 data bytes and the status word. */
const RESPONSE_BYTES = 258;

export class PcscSscReader implements SscReaderPort {
  private readonly events = new Emitter<SscReaderEvent>();
  private readonly reads = new Emitter<SscCardRead>();
  private readonly presence = new Emitter<{ reader: string; present: boolean }>();
  private readonly readers = new Map<string, ReaderState>();
  /** Every reader object of the context, matching or not: each runs a thread until closed. */
  private handles: PcscReader[] = [];
  private context: PcscContext | null = null;
  private health: Health = { ok: true };
  private abort = new AbortController();
  private readerCheck: unknown = null;
  private connecting: Promise<void> | null = null;

  constructor(private readonly options: PcscSscReaderOptions) {}

  onEvent(listener: (event: SscReaderEvent) => void): () => void {
    return this.events.on(listener);
  }

  onRead(listener: (read: SscCardRead) => void): () => void {
    return this.reads.on(listener);
  }

  /** A card came or went, as pcscd reports it (diagnostics, tests). */
  onPresence(listener: (change: { reader: string; present: boolean }) => void): () => void {
    return this.presence.on(listener);
  }

  /** Whether pcscd last reported a card in `reader`. */
  cardPresent(reader: string): boolean {
    return this.readers.get(reader)?.present ?? false;
  }

  /** Names of the matching readers seen now. */
  get readerNames(): string[] {
    return [...this.readers.keys()];
  }

  get socketPath(): string {
    return this.options.socketPath ?? pcscdSocket();
  }

  async start(): Promise<void> {
    this.abort = new AbortController();
    this.connecting = this.connect(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.connecting;
    await this.closeContext();
  }

  /** Waits until pcscd answers on its socket, then opens a context. */
  private async connect(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (await socketAnswers(this.socketPath)) {
        if (signal.aborted) return;
        this.openContext();
        return;
      }
      this.setHealth({ ok: false, reason: 'pcscd-unavailable' }, `no pcscd on ${this.socketPath}`);
      await sleep(this.options.clock, this.options.retryMs, signal);
    }
  }

  private openContext(): void {
    // libpcsclite takes its socket from the environment, once per process.
    if (this.options.socketPath) process.env.PCSCLITE_CSOCK_NAME = this.options.socketPath;
    const context = createContext();
    this.context = context;
    context.on('error', (e) => this.contextLost(context, e.message));
    context.on('reader', (r) => this.addReader(context, r));
    this.scheduleReaderCheck();
    this.options.logger.info({ socket: this.socketPath }, 'PC/SC context open');
  }

  private contextLost(context: PcscContext, reason: string): void {
    if (context !== this.context || this.abort.signal.aborted) return;
    void this.closeContext();
    this.setHealth({ ok: false, reason: 'pcscd-unavailable' }, reason);
    // pcscd restarts (systemd) or comes back later: keep asking, with a new context.
    this.connecting = this.connect(this.abort.signal);
  }

  /** Drops the context and its readers (closed safely: see closeReaders in pcsc.ts). */
  private async closeContext(): Promise<void> {
    if (this.readerCheck !== null) this.options.clock.clearTimeout(this.readerCheck);
    this.readerCheck = null;
    const handles = this.handles;
    const context = this.context;
    this.handles = [];
    this.readers.clear();
    this.context = null;
    await closeReaders(handles);
    try {
      context?.close();
    } catch {
      // a context whose pcscd died may refuse to close; it is dropped either way
    }
  }

  /** After a grace period, no matching reader means none is plugged in. */
  private scheduleReaderCheck(): void {
    if (this.readerCheck !== null) this.options.clock.clearTimeout(this.readerCheck);
    this.readerCheck = this.options.clock.setTimeout(() => {
      this.readerCheck = null;
      if (this.context && this.readers.size === 0) this.setHealth({ ok: false, reason: 'no-reader' });
    }, this.options.readerWaitMs);
  }

  private matches(name: string): boolean {
    return this.options.reader === '' || name.includes(this.options.reader);
  }

  private addReader(context: PcscContext, reader: PcscReader): void {
    trackReader(reader);
    reader.on('error', (e) => this.options.logger.debug({ reader: reader.name, err: e.message }, 'PC/SC reader error'));
    this.handles.push(reader);
    if (context !== this.context || !this.matches(reader.name)) {
      reader.on('end', () => {});
      return;
    }
    const state: ReaderState = { reader, present: false };
    this.readers.set(reader.name, state);
    this.options.logger.info({ reader: reader.name }, 'PC/SC reader attached');
    this.setHealth({ ok: true });
    reader.on('status', (status) => this.onStatus(state, status.state));
    reader.on('end', () => {
      if (this.readers.get(reader.name) !== state) return;
      this.readers.delete(reader.name);
      this.options.logger.info({ reader: reader.name }, 'PC/SC reader detached');
      if (this.readers.size === 0) this.scheduleReaderCheck();
    });
  }

  private onStatus(state: ReaderState, flags: number): void {
    const { reader } = state;
    const present = (flags & reader.SCARD_STATE_PRESENT) !== 0;
    if (present === state.present) return;
    state.present = present;
    this.presence.emit({ reader: reader.name, present });
    if (!present) return;
    if ((flags & reader.SCARD_STATE_MUTE) !== 0) {
      this.readError(reader.name, 'unreadable', 'card does not answer reset (mute)');
      return;
    }
    void this.read(state);
  }

  private async read(state: ReaderState): Promise<void> {
    const { reader } = state;
    const started = this.options.clock.monotonic();
    let protocol: number;
    try {
      protocol = await new Promise<number>((resolve, reject) =>
        reader.connect({ share_mode: reader.SCARD_SHARE_SHARED }, (err, p) => (err ? reject(err) : resolve(p))),
      );
    } catch (e) {
      this.readError(reader.name, state.present ? 'unreadable' : 'removed-too-soon', `connect: ${(e as Error).message}`);
      return;
    }
    const result = await readBasicInfo((command) => this.transmit(reader, protocol, command));
    await new Promise<void>((resolve) => reader.disconnect(reader.SCARD_LEAVE_CARD, () => resolve()));
    if (this.abort.signal.aborted) return;
    if (!result.ok) {
      this.readError(reader.name, result.reason, result.detail);
      return;
    }
    const ms = this.options.clock.monotonic() - started;
    this.options.logger.info({ reader: reader.name, ms, apdus: result.apdus }, 'social security card read');
    this.reads.emit({ outcome: 'card', reader: reader.name, holder: result.holder, ms, apdus: result.apdus });
    this.events.emit({ type: 'identify.ssc', identity: { ...result.holder.identity, source: 'ssc' }, at: this.options.clock.now() });
  }

  private transmit(reader: PcscReader, protocol: number, command: Buffer): Promise<Buffer> {
    const { clock, transmitTimeoutMs } = this.options;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => reject(new CardSilent(transmitTimeoutMs)), transmitTimeoutMs);
      reader.transmit(command, RESPONSE_BYTES, protocol, (err, response) => {
        clock.clearTimeout(timer);
        if (err) reject(err);
        else resolve(response);
      });
    });
  }

  private readError(reader: string, reason: ReadErrorReason, detail: string): void {
    this.options.logger.warn({ reader, reason, detail }, 'social security card not read');
    this.reads.emit({ outcome: 'error', reader, reason, detail });
    this.events.emit({ type: 'identify.readError', device: 'sscReader', reason });
  }

  private setHealth(next: Health, detail?: string): void {
    if (this.abort.signal.aborted) return;
    if (next.ok === this.health.ok && (next.ok || (!this.health.ok && this.health.reason === next.reason))) return;
    this.health = next;
    if (next.ok) {
      this.options.logger.info({ device: 'sscReader' }, 'social security card reader back');
      this.events.emit({ type: 'device.ok', device: 'sscReader' });
    } else {
      this.options.logger.warn({ device: 'sscReader', reason: next.reason, detail }, 'social security card reader fault');
      this.events.emit({ type: 'device.fault', device: 'sscReader', reason: next.reason });
    }
  }
}

/**
 * The readers pcscd offers now (for `lifecheck devices`): [] when none; null when pcscd does not
 * answer. Readers arrive in one batch shortly after a context opens.
 */
export async function listPcscReaders(socketPath = pcscdSocket(), waitMs = 1_000): Promise<string[] | null> {
  if (!(await socketAnswers(socketPath))) return null;
  const context = createContext();
  const readers: PcscReader[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    context.on('error', () => {
      clearTimeout(timer);
      resolve();
    });
    context.on('reader', (r) => {
      trackReader(r);
      readers.push(r);
      // The whole batch is emitted in one go: the next turn has them all.
      clearTimeout(timer);
      setImmediate(resolve);
    });
  });
  await closeReaders(readers);
  try {
    context.close();
  } catch {
    // closing a context whose pcscd just died may fail; nothing is held
  }
  return readers.map((r) => r.name);
}
