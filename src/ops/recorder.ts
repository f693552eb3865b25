/**
 * Live trace recording: what the devices and the SI did (inputs) and what the terminal showed,
 * said, asked and printed (outputs), in the format `lifecheck replay` reads. Personal data is
 * scrubbed unless privacy.recordPersonalData allows it (test devices only); camera frames are
 * never written. A recording begins with the terminal on its home screen, so a replay — which
 * starts there — follows the same path.
 */
import { writeFile } from 'node:fs/promises';
import type { Clock } from '../clock/clock.js';
import type { LifecheckConfig } from '../config/config.js';
import type { Logger } from '../log/logger.js';
import { TRACE_VERSION } from '../trace/format.js';
import { Scrubber } from '../trace/scrub.js';
import type { Output } from '../terminal/outputs.js';
import type { RecordedInput, Terminal } from '../terminal/terminal.js';

interface Line {
  at: number;
  order: number;
  json: Record<string, unknown>;
}

export interface RecorderOptions {
  config: LifecheckConfig;
  clock: Clock;
  logger: Logger;
}

export class TraceRecorder {
  private terminal: Terminal | null = null;
  private state: { file: string; startedAt: number | null; seed: number; lines: Line[]; scrub: Scrubber | null } | null = null;
  private order = 0;

  constructor(private readonly options: RecorderOptions) {}

  attach(terminal: Terminal): void {
    this.terminal = terminal;
    terminal.tap = (input) => this.input(input);
  }

  get recording(): boolean {
    return this.state !== null;
  }

  /** Starts recording into `file`: now if the terminal is on its home screen, else when it next is. */
  async start(file: string): Promise<string> {
    if (this.state) throw new Error(`already recording into ${this.state.file}`);
    const scrub = this.options.config.privacy.recordPersonalData ? null : new Scrubber();
    this.state = { file, startedAt: null, seed: 0, lines: [], scrub };
    if (this.terminal?.view?.screen === 'home') this.begin();
    this.options.logger.info({ scrubbed: scrub !== null }, 'trace recording armed');
    return file;
  }

  /** Writes the recording and ends it; null when nothing was being recorded. */
  async stop(): Promise<{ file: string; lines: number } | null> {
    const state = this.state;
    if (!state) return null;
    this.state = null;
    if (state.startedAt === null) return { file: state.file, lines: 0 };
    const until = this.options.clock.now() - state.startedAt;
    const c = this.options.config;
    const header = {
      trace: 'lifecheck',
      version: TRACE_VERSION,
      name: `live-${new Date(state.startedAt).toISOString()}`,
      description: `Recorded live on terminal ${c.terminal.number}${state.scrub ? '; names and ID numbers replaced by fakes' : ''}`,
      start: new Date(state.startedAt).toISOString(),
      seed: state.seed,
      config: { terminal: { number: c.terminal.number, utcOffsetMinutes: c.terminal.utcOffsetMinutes }, session: c.session, liveness: c.liveness, delays: c.delays, outbox: c.outbox },
      until,
    };
    const lines = state.lines.sort((a, b) => a.at - b.at || a.order - b.order).map((l) => JSON.stringify(l.json));
    await writeFile(state.file, [JSON.stringify(header), ...lines].join('\n') + '\n');
    this.options.logger.info({ lines: lines.length }, 'trace recording written');
    return { file: state.file, lines: lines.length };
  }

  /** An output of the terminal (screens, prompts, SI requests, receipts, sessions). */
  output(o: Output): void {
    const state = this.state;
    if (!state) return;
    if (state.startedAt === null) {
      // Armed mid-session: begin once the terminal is back home.
      if (o.kind === 'screen' && o.screen === 'home') this.begin();
      else return;
    }
    const { kind, ...rest } = o;
    this.push(this.options.clock.now(), { expect: kind, at: this.relative(this.options.clock.now()), ...rest }, Number.MAX_SAFE_INTEGER / 2);
  }

  private begin(): void {
    const state = this.state!;
    state.startedAt = this.options.clock.now();
    state.seed = this.terminal?.machineActor.getSnapshot().context.rng ?? 0;
    // The home screen the replay will start on.
    const view = this.terminal?.view;
    if (view) this.push(state.startedAt, { expect: 'screen', at: 0, screen: view.screen, mode: view.mode, overlay: view.overlay, fields: view.fields }, Number.MAX_SAFE_INTEGER / 2);
  }

  private input(input: RecordedInput): void {
    const state = this.state;
    if (!state || state.startedAt === null) return;
    const s = state.scrub;
    const json: Record<string, unknown> = { ...input.line };
    if (s) {
      if (json.person && typeof json.person === 'object') json.person = s.identity(json.person as { name: string; idNumber: string });
      if (typeof json.token === 'string') json.token = s.token(json.token);
      const reply = json.reply as Record<string, unknown> | null | undefined;
      if (json.in === 'si' && reply && typeof reply === 'object' && typeof reply.idNumber === 'string' && typeof reply.name === 'string') {
        json.reply = s.identity(reply as { name: string; idNumber: string });
      }
    }
    // An SI answer arms the call it answers: it must come before the input that made the call.
    this.push(input.at, { at: this.relative(input.at), ...json }, json.in === 'si' ? -Number.MAX_SAFE_INTEGER / 2 : 0);
  }

  private relative(at: number): number {
    return Math.max(0, Math.round(at - (this.state?.startedAt ?? at)));
  }

  private push(at: number, json: Record<string, unknown>, bias: number): void {
    this.state!.lines.push({ at, order: bias + this.order++, json });
  }
}
