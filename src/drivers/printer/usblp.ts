/**
 * The real receipt printer on the kernel's usblp device (/dev/usb/lp0). One job at a time: open,
 * ask the status (DLE EOT), send the receipt, wait for the answer to its closing GS r 1, close.
 * Every problem is a PrinterError the result screen can put into words. Health (paper out, cover
 * open, offline) is asked while idle and after each job, and reported when it changes.
 * libusb is not used: usblp is in every kernel and needs no native module.
 */
import type { Clock } from '../../clock/clock.js';
import type { Logger } from '../../log/logger.js';
import type { DeviceEvent, PrinterProblem } from '../../machine/types.js';
import { Emitter } from '../emitter.js';
import { DeviceLink } from './device-link.js';
import { renderEscPos, type QrMode } from './escpos.js';
import { PrinterError, type PrinterPort, type Receipt } from './port.js';
import type { PaperWidth } from './receipt-markup.js';
import { ASK_OFFLINE_CAUSE, ASK_PAPER, ASK_PRINTER, isStatusByte, paperEndAfterJob, problemOf } from './status.js';

export interface UsblpPrinterOptions {
  device: string;
  paper: PaperWidth;
  qr: QrMode;
  /** Ask DLE EOT before printing and wait for GS r after; off for printers without a back channel. */
  statusQuery: boolean;
  statusTimeoutMs: number;
  timeoutMs: number;
  /** Health is asked this often while idle (0: never). */
  pollMs: number;
  clock: Clock;
  logger: Logger;
}

type Health = 'ok' | PrinterProblem;

/**
 * While the printer is down (unplugged, out of paper, cover open) it is asked this often instead of
 * every pollMs: the hall staff who plug it back or load paper see the terminal take receipts again
 * within the 2 s a replug is allowed (docs/hardware.md). Asking a missing node costs one failed open.
 */
export const DOWN_POLL_MS = 1_000;

export class UsblpPrinter implements PrinterPort {
  private readonly health = new Emitter<DeviceEvent>();
  private current: Health = 'ok';
  /** Jobs and health checks take turns on the device. */
  private turn: Promise<unknown> = Promise.resolve();
  private pollTimer: unknown = null;
  private running = false;

  constructor(private readonly options: UsblpPrinterOptions) {}

  async start(): Promise<void> {
    this.running = true;
    this.schedulePoll(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer !== null) this.options.clock.clearTimeout(this.pollTimer);
    this.pollTimer = null;
    await this.idle();
  }

  onStatus(listener: (event: DeviceEvent) => void): () => void {
    return this.health.on(listener);
  }

  /** The last known health. */
  get status(): Health {
    return this.current;
  }

  /** Resolves when no job or health check is using the device. Tests and replays. */
  async idle(): Promise<void> {
    let turn;
    do {
      turn = this.turn;
      await turn.catch(() => {});
    } while (turn !== this.turn);
  }

  print(receipt: Receipt, signal: AbortSignal): Promise<void> {
    const bytes = renderEscPos(receipt, { paper: this.options.paper, qr: this.options.qr });
    return this.exclusive(async () => {
      try {
        await this.job(bytes, signal);
        this.setHealth('ok');
        this.options.logger.info({ bytes: bytes.length }, 'receipt printed');
      } catch (e) {
        const error = e instanceof PrinterError ? e : new PrinterError('error', (e as Error).message);
        if (error.problem !== 'timeout') this.setHealth(error.problem);
        // The receipt's content is personal: only the problem is logged.
        this.options.logger.warn({ problem: error.problem, reason: error.message }, 'receipt not printed');
        throw error;
      }
    });
  }

  /** Asks the printer now; reports a change through onStatus. */
  checkHealth(): Promise<Health> {
    return this.exclusive(async () => {
      const health = await this.probe().catch((e: unknown) => (e instanceof PrinterError ? e.problem : 'error'));
      // A status request that cannot even be sent means the same to the home screen as no answer.
      if (health === 'timeout') {
        this.setHealth('offline');
        return 'offline';
      }
      this.setHealth(health);
      return health;
    });
  }

  private async job(bytes: Buffer, signal: AbortSignal): Promise<void> {
    const { device, statusQuery, timeoutMs } = this.options;
    if (signal.aborted) throw new PrinterError('timeout', 'print aborted');
    const link = await DeviceLink.open(device, statusQuery);
    try {
      if (statusQuery) {
        const problem = await this.askStatus(link, signal);
        if (problem) throw new PrinterError(problem, `printer reports ${problem}`);
      }
      const deadline = Date.now() + timeoutMs;
      await link.write(bytes, deadline, signal);
      if (!statusQuery) return;
      // The answer to the closing GS r 1 comes once everything before it, the cut too, was processed.
      const answer = await link.readByte(deadline, signal);
      if (answer === null) throw new PrinterError('timeout', 'printer did not confirm the receipt');
      if (paperEndAfterJob(answer)) throw new PrinterError('paper-out', 'paper ran out during the receipt');
    } finally {
      await link.close();
    }
  }

  /** Health without printing: the status when the printer can answer, else whether the device is there. */
  private async probe(): Promise<Health> {
    const link = await DeviceLink.open(this.options.device, this.options.statusQuery);
    try {
      if (!this.options.statusQuery) return 'ok';
      return (await this.askStatus(link, new AbortController().signal)) ?? 'ok';
    } finally {
      await link.close();
    }
  }

  private async askStatus(link: DeviceLink, signal: AbortSignal): Promise<Exclude<PrinterProblem, 'timeout'> | null> {
    await link.discardInput();
    const ask = async (question: Buffer): Promise<number> => {
      const deadline = Date.now() + this.options.statusTimeoutMs;
      await link.write(question, deadline, signal);
      const answer = await link.readByte(deadline, signal);
      // Silence means switched off or cable pulled: usblp keeps the node while the hub is powered.
      if (answer === null) throw new PrinterError('offline', 'printer does not answer status requests');
      if (!isStatusByte(answer)) throw new PrinterError('error', `printer answered 0x${answer.toString(16).padStart(2, '0')} to a status request`);
      return answer;
    };
    const printer = await ask(ASK_PRINTER);
    const offlineCause = await ask(ASK_OFFLINE_CAUSE);
    const paper = await ask(ASK_PAPER);
    return problemOf({ printer, offlineCause, paper });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.catch(() => {}).then(work);
    this.turn = result;
    return result;
  }

  private setHealth(health: Health): void {
    if (health === this.current) return;
    this.current = health;
    if (health === 'ok') this.options.logger.info({ device: 'printer' }, 'printer back');
    else this.options.logger.warn({ device: 'printer', reason: health }, 'printer fault');
    this.health.emit(health === 'ok' ? { type: 'device.ok', device: 'printer' } : { type: 'device.fault', device: 'printer', reason: health });
  }

  private schedulePoll(ms: number): void {
    const { pollMs, clock } = this.options;
    if (!this.running || (pollMs <= 0 && ms > 0)) return;
    this.pollTimer = clock.setTimeout(() => {
      this.pollTimer = null;
      void this.checkHealth().finally(() => this.schedulePoll(this.current === 'ok' ? pollMs : Math.min(pollMs, DOWN_POLL_MS)));
    }, ms);
  }
}
