/**
 * The real speaker: each prompt is a WAV piped into `aplay -D DEVICE`. play() returns at once.
 *
 * - Prompts asked for in the same turn are one utterance, said in order (the result and
 *   「请取走回执」 come together); a later utterance interrupts the one playing.
 * - Asking again for a prompt that is still being said (the machine's PROMPT_REPEAT while a slow
 *   prompt is still running) lets it finish instead of restarting it mid-sentence.
 * - A missing sound card or aplay is logged once, and again only after it worked in between;
 *   the terminal goes on without voice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { PrerenderReport, PromptSound, SoundSource } from '../../audio/prompt-sounds.js';
import type { PromptId } from '../../audio/prompts.js';
import { encodeWav, scaleVolume } from '../../audio/wav.js';
import type { Logger } from '../../log/logger.js';
import { Emitter } from '../emitter.js';
import type { SpeakerPort } from './port.js';

export interface PromptSource {
  sound(id: PromptId): Promise<PromptSound>;
  prerender(signal?: AbortSignal): Promise<PrerenderReport>;
}

export interface AlsaSpeakerOptions {
  /** ALSA PCM name, as for `aplay -D`. */
  device: string;
  /** 0–100, applied to the samples (the same for recorded and synthetic prompts). */
  volume: number;
  sounds: PromptSource;
  logger: Logger;
  /** The aplay program. */
  aplay?: string;
  /** aplay's environment; HOME decides which ~/.asoundrc ALSA reads (tests use a file PCM). */
  env?: NodeJS.ProcessEnv;
  /** Render the whole catalogue in the background on start (default true). */
  prerender?: boolean;
}

export type SpeakerEvent =
  | { type: 'played'; prompt: PromptId; source: SoundSource; ms: number }
  | { type: 'interrupted'; prompt: PromptId }
  | { type: 'failed'; prompt: PromptId; reason: string };

type Outcome = 'played' | 'interrupted' | 'failed';

export class AlsaSpeaker implements SpeakerPort {
  private pending: PromptId[] = [];
  /** Bumped by every utterance and by silence(): older utterances stop at their next step. */
  private generation = 0;
  private chain: Promise<void> = Promise.resolve();
  private saying: { ids: PromptId[]; index: number } | null = null;
  private child: ChildProcess | null = null;
  private fault: string | null = null;
  private readonly missing = new Set<PromptId>();
  private stopped = false;
  private readonly events = new Emitter<SpeakerEvent>();
  /** The background prerender; null when it was not asked for. */
  ready: Promise<PrerenderReport | null> = Promise.resolve(null);
  private prerendering: AbortController | null = null;

  constructor(private readonly options: AlsaSpeakerOptions) {
    if (!(options.volume >= 0 && options.volume <= 100)) throw new RangeError(`speaker volume ${options.volume} is outside 0-100`);
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.options.prerender === false) return;
    const { logger, sounds } = this.options;
    this.prerendering = new AbortController();
    this.ready = sounds.prerender(this.prerendering.signal).then((report) => {
      logger.info({ ...report }, report.stopped ? 'voice prerender stopped (the terminal is stopping)' : 'voice prompts prerendered');
      return report;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // A first start renders the whole catalogue (minutes on a slow box): stopping must not wait
    // for it past systemd's stop timeout, only for the prompt being rendered now.
    this.prerendering?.abort();
    this.silence();
    await this.chain;
    await this.ready;
  }

  onEvent(listener: (event: SpeakerEvent) => void): () => void {
    return this.events.on(listener);
  }

  play(prompt: PromptId): void {
    if (this.stopped) return;
    this.pending.push(prompt);
    if (this.pending.length === 1) queueMicrotask(() => this.flush());
  }

  silence(): void {
    this.pending = [];
    this.generation++;
    this.saying = null;
    this.child?.kill('SIGKILL');
  }

  /** Resolves once everything asked for so far has been said (or cut short). Tests and tools. */
  async idle(): Promise<void> {
    for (;;) {
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      const chain = this.chain;
      await chain;
      if (chain === this.chain && this.pending.length === 0) return;
    }
  }

  private flush(): void {
    const ids = this.pending;
    this.pending = [];
    if (ids.length === 0 || this.stopped) return;
    if (ids.length === 1 && this.isStillSaying(ids[0]!)) return;
    const generation = ++this.generation;
    this.saying = { ids, index: 0 };
    // SIGKILL, not SIGTERM: aplay's TERM handler drains what is buffered first, and a wedged
    // device can hold it there; the kernel releases the card when the process is gone.
    this.child?.kill('SIGKILL');
    // The next aplay starts only after the old one exited: a hw device takes one player at a time.
    this.chain = this.chain.then(() => this.say(ids, generation));
  }

  private isStillSaying(id: PromptId): boolean {
    const s = this.saying;
    return s !== null && s.ids.indexOf(id, s.index) >= 0;
  }

  private async say(ids: PromptId[], generation: number): Promise<void> {
    for (let i = 0; i < ids.length; i++) {
      if (generation !== this.generation) return;
      this.saying = { ids, index: i };
      const id = ids[i]!;
      let sound: PromptSound;
      try {
        sound = await this.options.sounds.sound(id);
      } catch (e) {
        this.soundMissing(id, (e as Error).message);
        continue;
      }
      if (generation !== this.generation) return;
      // A card that just failed will fail the rest of this utterance too.
      if ((await this.playOne(sound)) === 'failed') break;
    }
    if (generation === this.generation) this.saying = null;
  }

  private playOne(sound: PromptSound): Promise<Outcome> {
    const { device, volume, aplay = 'aplay', env } = this.options;
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      let stderr = '';
      const child = spawn(aplay, ['-q', '-D', device, '-t', 'wav', '-'], { stdio: ['pipe', 'ignore', 'pipe'], ...(env ? { env } : {}) });
      this.child = child;
      const finish = (outcome: Outcome, reason = '') => {
        if (settled) return;
        settled = true;
        if (this.child === child) this.child = null;
        if (outcome === 'played') this.events.emit({ type: 'played', prompt: sound.id, source: sound.source, ms: Math.round(performance.now() - started) });
        this.report(sound.id, outcome, reason);
        resolve(outcome);
      };
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.stdin.on('error', () => {}); // EPIPE when aplay dies early; its exit says why
      child.on('error', (e) => finish('failed', `${aplay} cannot be started: ${e.message}`));
      child.on('close', (code, signal) => {
        if (code === 0) finish('played');
        else if (signal) finish('interrupted');
        else finish('failed', lastLine(stderr) || `aplay exited with ${code}`);
      });
      child.stdin.end(encodeWav(scaleVolume(sound.wav, volume)));
    });
  }

  private report(prompt: PromptId, outcome: Outcome, reason: string): void {
    const { logger, device } = this.options;
    if (outcome === 'played') {
      if (this.fault !== null) logger.info({ device }, 'sound output works again');
      this.fault = null;
      return;
    }
    if (outcome === 'interrupted') {
      this.events.emit({ type: 'interrupted', prompt });
      return;
    }
    this.events.emit({ type: 'failed', prompt, reason });
    if (this.fault === null) logger.warn({ device, prompt, reason }, 'voice prompts cannot be played; the terminal goes on without voice');
    this.fault = reason;
  }

  /** A prompt with no sound (TTS broken, nothing cached): said once per prompt, others still play. */
  private soundMissing(prompt: PromptId, reason: string): void {
    this.events.emit({ type: 'failed', prompt, reason });
    if (this.missing.has(prompt)) return;
    this.missing.add(prompt);
    this.options.logger.warn({ prompt, reason }, 'prompt has no sound; it is skipped');
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? '';
}
