/**
 * The real PC/SC driver against a private pcscd with vsmartcard's vpcd and our card emulator, as
 * a twin the sim profile drives: insert() puts a holder's card in and takes it out once it was
 * read; fail() inserts a damaged, foreign or pulled-out card; unplug()/replug() stop and start
 * pcscd (the driver sees pcscd die and come back). Needs pcscd, vsmartcard-vpcd and unshare
 * (root or user namespaces): see private-pcscd.ts.
 */
import type { Clock } from '../../clock/clock.js';
import type { Identity } from '../../domain/identity.js';
import type { Logger } from '../../log/logger.js';
import type { ReadErrorReason } from '../../machine/types.js';
import { EmulatedTwin } from '../emulated-twin.js';
import { birthDateOf } from '../emulated-holder.js';
import { PCSC_DEFAULTS, PcscSscReader } from './pcsc-reader.js';
import type { SscReaderEvent } from './port.js';
import { PrivatePcscd, VPCD_READERS } from './private-pcscd.js';
import { SscApplet, type CardProfile } from './ssc-applet.js';
import { VirtualCard, type VirtualCardOptions } from './vpcd-card.js';
import type { SscReaderTwin } from './twin.js';

export interface EmulatedSscReaderOptions {
  clock: Clock;
  logger: Logger;
}

/** Cards, unplug and replug take turns (the base's work queue): vpcd must see one card leave before the next comes. */
export class EmulatedSscReader extends EmulatedTwin<SscReaderEvent, PcscSscReader> implements SscReaderTwin {
  private pcscd: PrivatePcscd | null = null;
  private card: VirtualCard | null = null;

  constructor(private readonly options: EmulatedSscReaderOptions) {
    super();
  }

  protected async setUp(): Promise<void> {
    this.pcscd = await PrivatePcscd.start({});
  }

  protected createDriver(): PcscSscReader {
    const { clock, logger } = this.options;
    return new PcscSscReader({ ...PCSC_DEFAULTS, reader: VPCD_READERS[0], socketPath: this.pcscd!.socketPath, clock, logger });
  }

  protected override async beforeDriverStops(): Promise<void> {
    await this.card?.remove();
  }

  protected async tearDown(): Promise<void> {
    await this.pcscd?.close();
    this.pcscd = null;
  }

  /** Unplugging stops pcscd: the driver sees it die, and come back on replug. */
  protected async plugIn(): Promise<void> {
    await this.pcscd?.start();
  }

  protected async pullOut(): Promise<void> {
    await this.pcscd?.stop();
  }

  insert(identity: Omit<Identity, 'source'>): boolean {
    const card = {
      cardNumber: identity.cardNumber ?? 'A00000001',
      idNumber: identity.idNumber,
      name: identity.name,
      gender: identity.gender,
      birthDate: birthDateOf(identity),
      ...(identity.nation ? { nation: identity.nation } : {}),
      ...(identity.validFrom ? { issuedOn: identity.validFrom } : {}),
      ...(identity.validTo && identity.validTo !== 'long-term' ? { validTo: identity.validTo } : {}),
    };
    return this.put({ kind: 'ssc', card });
  }

  fail(reason: ReadErrorReason): boolean {
    const card = { cardNumber: 'A00000002', idNumber: '440604194803150220', name: '测试', gender: 'female' as const, birthDate: '1948-03-15' };
    if (reason === 'unsupported-card') return this.put({ kind: 'other' });
    if (reason === 'removed-too-soon') return this.put({ kind: 'ssc', card }, { pullAtApdu: 3 });
    return this.put({ kind: 'ssc', card, damage: 'status' });
  }

  private put(profile: CardProfile, options: VirtualCardOptions = {}): boolean {
    const reader = this.driver;
    const pcscd = this.pcscd;
    if (!reader || !pcscd || !this.plugged) return false;
    this.work = this.work.then(async () => {
      await this.takeOut();
      const card = await VirtualCard.insert(pcscd.port, new SscApplet(profile), options);
      this.card = card;
      // The person takes the card out once it was read (or refused).
      const off = reader.onEvent((e) => {
        if (e.type !== 'identify.ssc' && e.type !== 'identify.readError') return;
        off();
        if (this.card === card) void (this.work = this.work.then(() => this.takeOut()));
      });
    }).catch((e: unknown) => this.options.logger.warn({ err: (e as Error).message }, 'emulated social security card not inserted'));
    return true;
  }

  /** Takes the card out and waits until pcscd has seen it go (vpcd notices at its next poll). */
  private async takeOut(): Promise<void> {
    const card = this.card;
    const reader = this.driver;
    if (!card || !reader) return;
    this.card = null;
    const name = VPCD_READERS[0];
    const gone = reader.cardPresent(name)
      ? new Promise<void>((resolve) => {
          const timer = setTimeout(done, 3_000);
          timer.unref();
          const off = reader.onPresence((p) => {
            if (p.reader === name && !p.present) done();
          });
          function done() {
            clearTimeout(timer);
            off();
            resolve();
          }
        })
      : Promise.resolve();
    await card.remove();
    await gone;
  }
}
