/**
 * Which sound a prompt id makes: a recorded WAV dropped into `<recordingsDir>/<language>/<id>.wav`
 * if there is a usable one, else the synthetic voice from the cache (rendered on first need).
 * Recordings are looked up on every play, so a maintainer can drop one in without a restart.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { espeakVoiceOf, PROMPT_IDS, promptText, type VoiceLanguage } from './catalogue.js';
import type { PromptId } from './prompts.js';
import type { SpeechSynthesizer } from './tts.js';
import { VoiceCache, type SpeechKey } from './voice-cache.js';
import { parseWav, type Wav } from './wav.js';

export type SoundSource = 'recording' | 'cache' | 'synthesized';

export interface PromptSound {
  id: PromptId;
  wav: Wav;
  source: SoundSource;
}

export interface PromptSoundsOptions {
  language: VoiceLanguage;
  /** espeak-ng words per minute; below its default of 175 for elderly listeners. */
  rate: number;
  cacheDir: string;
  /** Folder of recorded prompts; empty: synthetic voice only. */
  recordingsDir: string;
  tts: SpeechSynthesizer;
  logger: Logger;
}

export interface PrerenderReport {
  synthesized: number;
  cached: number;
  recorded: number;
  failed: number;
  ms: number;
  /** Stopped before the end (the terminal was stopping); the rest is rendered when first said. */
  stopped?: boolean;
}

export class PromptSounds {
  private readonly cache: VoiceCache;
  private readonly rendering = new Map<string, Promise<Wav>>();
  private readonly badRecordings = new Set<string>();
  private cacheWarned = false;
  readonly stats = { recording: 0, cache: 0, synthesized: 0 };

  constructor(private readonly options: PromptSoundsOptions) {
    this.cache = new VoiceCache(options.cacheDir);
  }

  get language(): VoiceLanguage {
    return this.options.language;
  }

  async sound(id: PromptId): Promise<PromptSound> {
    const recorded = await this.recording(id);
    if (recorded) {
      this.stats.recording++;
      return { id, wav: recorded, source: 'recording' };
    }
    const { wav, source } = await this.synthetic(id);
    this.stats[source]++;
    return { id, wav, source };
  }

  /**
   * Renders every prompt of the language that is not cached yet; never throws. `signal` stops it
   * between prompts (daemon shutdown).
   */
  async prerender(signal?: AbortSignal): Promise<PrerenderReport> {
    const started = performance.now();
    const report: PrerenderReport = { synthesized: 0, cached: 0, recorded: 0, failed: 0, ms: 0 };
    // One after another: the terminal is starting on a 2-core box and nothing waits for all of them.
    for (const id of PROMPT_IDS) {
      if (signal?.aborted) {
        report.stopped = true;
        break;
      }
      try {
        if (await this.recording(id)) report.recorded++;
        else if ((await this.synthetic(id)).source === 'cache') report.cached++;
        else report.synthesized++;
      } catch (e) {
        report.failed++;
        this.options.logger.warn({ prompt: id, err: (e as Error).message }, 'prompt could not be prerendered');
      }
    }
    report.ms = Math.round(performance.now() - started);
    return report;
  }

  recordingFile(id: PromptId): string | null {
    return this.options.recordingsDir ? join(this.options.recordingsDir, this.options.language, `${id}.wav`) : null;
  }

  private async recording(id: PromptId): Promise<Wav | null> {
    const file = this.recordingFile(id);
    if (!file) return null;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.warnRecording(file, (e as Error).message);
      return null;
    }
    try {
      const wav = parseWav(bytes);
      if (wav.format.bitsPerSample !== 16) throw new Error(`${wav.format.bitsPerSample}-bit samples; record 16-bit PCM`);
      if (wav.data.length === 0) throw new Error('no audio in it');
      this.badRecordings.delete(file);
      return wav;
    } catch (e) {
      this.warnRecording(file, (e as Error).message);
      return null;
    }
  }

  /** Said once per bad file, not on every play; the synthetic voice stands in meanwhile. */
  private warnRecording(file: string, reason: string): void {
    if (this.badRecordings.has(file)) return;
    this.badRecordings.add(file);
    this.options.logger.warn({ file, reason }, 'recorded prompt ignored; the synthetic voice is used');
  }

  private keyOf(id: PromptId): SpeechKey {
    const { language, rate, tts } = this.options;
    return { engine: tts.engine, voice: espeakVoiceOf(language), rate, text: promptText(id, language) };
  }

  private async synthetic(id: PromptId): Promise<{ wav: Wav; source: 'cache' | 'synthesized' }> {
    const key = this.keyOf(id);
    const cached = await this.cache.get(key);
    if (cached) {
      try {
        return { wav: parseWav(cached), source: 'cache' };
      } catch {
        // A damaged cache file is rendered again and replaced.
      }
    }
    const file = this.cache.fileOf(key);
    let pending = this.rendering.get(file);
    if (!pending) {
      pending = this.render(key).finally(() => this.rendering.delete(file));
      this.rendering.set(file, pending);
    }
    return { wav: await pending, source: 'synthesized' };
  }

  private async render(key: SpeechKey): Promise<Wav> {
    const bytes = await this.options.tts.synthesize(key.text, key.voice, key.rate);
    try {
      await this.cache.put(key, bytes);
    } catch (e) {
      // Still say it; without a writable cache every start renders again, which is slow, not broken.
      if (!this.cacheWarned) this.options.logger.warn({ dir: this.cache.dir, err: (e as Error).message }, 'voice cache not writable');
      this.cacheWarned = true;
    }
    return parseWav(bytes);
  }
}
