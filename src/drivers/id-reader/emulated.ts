/**
 * The real GA/T 467 driver against our reader emulator on a socat pty pair, as a twin the sim
 * profile drives: tap() lays a card on the emulated reader and takes it away once it was read;
 * fail() lays a card that fails the way asked; unplug()/replug() remove and restore the pty pair
 * (the driver sees a USB unplug). Needs socat. Files live in a temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../clock/clock.js';
import type { Identity } from '../../domain/identity.js';
import type { Logger } from '../../log/logger.js';
import type { ReadErrorReason } from '../../machine/types.js';
import { EmulatedTwin } from '../emulated-twin.js';
import { birthDateOf } from '../emulated-holder.js';
import { PtyPair } from '../pty-pair.js';
import { encodeCardText, type CardTextInput } from './card-text.js';
import { Gat467Emulator } from './emulator.js';
import { GAT467_DEFAULTS, Gat467Reader } from './gat467-reader.js';
import type { IdReaderEvent } from './port.js';
import type { IdReaderTwin } from './twin.js';

export interface EmulatedIdReaderOptions {
  clock: Clock;
  logger: Logger;
  pollMs?: number;
}

export class EmulatedIdReader extends EmulatedTwin<IdReaderEvent, Gat467Reader> implements IdReaderTwin {
  private dir: string | null = null;
  private pair: PtyPair | null = null;
  private emulator: Gat467Emulator | null = null;
  /** Resolves once the driver has polled enough to notice the last card left. */
  private leaving: Promise<void> | null = null;

  constructor(private readonly options: EmulatedIdReaderOptions) {
    super();
  }

  protected async setUp(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'lifecheck-idreader-'));
    await this.plugIn();
  }

  protected createDriver(): Gat467Reader {
    const { clock, logger } = this.options;
    return new Gat467Reader({ ...GAT467_DEFAULTS, ...(this.options.pollMs ? { pollMs: this.options.pollMs } : {}), port: this.device, clock, logger });
  }

  protected async tearDown(): Promise<void> {
    await this.pullOut();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  tap(identity: Omit<Identity, 'source'>): boolean {
    return this.lay({ ...identity, birthDate: birthDateOf(identity) });
  }

  fail(reason: ReadErrorReason): boolean {
    const someone = { name: '测试', gender: 'female' as const, idNumber: '440604194803150220', birthDate: '1948-03-15' };
    if (reason === 'unsupported-card') return this.lay({ ...someone, kind: 'foreign-permanent' });
    if (reason === 'removed-too-soon') {
      if (!this.emulator || !this.plugged) return false;
      this.emulator.misbehave.pullDuringRead = 300;
      return this.lay(someone);
    }
    const text = encodeCardText(someone);
    text.writeUInt16LE(0x0001, 0); // a control character in the name: a damaged read
    return this.lay({ text });
  }

  private get device(): string {
    return join(this.dir!, 'idreader');
  }

  private lay(card: CardTextInput | { text: Buffer }): boolean {
    const reader = this.driver;
    if (!reader || !this.emulator || !this.plugged) return false;
    this.work = this.work.then(async () => {
      const emulator = this.emulator;
      if (!emulator) return;
      // The driver must have seen the last card go (find failing twice) before the next comes,
      // as it takes a person a moment to put one card away and tap another.
      if (this.leaving) await this.leaving;
      emulator.place(card);
      // The person takes the card away once the reader has read it (or given up on it).
      const off = reader.onEvent((e) => {
        if (e.type !== 'identify.idCard' && e.type !== 'identify.readError') return;
        off();
        emulator.remove();
        this.leaving = findPolls(emulator, GAT467_DEFAULTS.missesForLeave + 1);
      });
    });
    return true;
  }

  protected async plugIn(): Promise<void> {
    if (this.pair || !this.dir) return;
    this.pair = await PtyPair.open(this.device, join(this.dir, 'idreader-emulator'));
    this.emulator = await Gat467Emulator.open(this.pair.far);
  }

  protected async pullOut(): Promise<void> {
    this.leaving = null;
    await this.emulator?.close();
    await this.pair?.close();
    this.emulator = null;
    this.pair = null;
  }
}

/** Resolves after the emulator has answered `n` find-card polls (or a few seconds, whichever first). */
function findPolls(emulator: Gat467Emulator, n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, 5_000);
    timer.unref();
    const off = emulator.commands.on((c) => {
      if (c === 'findCard' && ++seen >= n) done();
    });
  });
}
