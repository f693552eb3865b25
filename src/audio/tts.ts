/**
 * Text-to-speech with espeak-ng: one process per text, WAV on stdout. Only prerendering calls it
 * (about 40 ms a prompt); playback reads the cached result.
 */
import { spawn } from 'node:child_process';
import { encodeWav, parseWav } from './wav.js';

export interface SpeechSynthesizer {
  /** Names the engine in cache keys, so another engine never reuses these files. */
  readonly engine: string;
  /** A WAV of `text` said by `voice` at `rate` (words per minute). */
  synthesize(text: string, voice: string, rate: number): Promise<Buffer>;
}

export class TtsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TtsError';
  }
}

/** A prompt renders in well under a second; this only stops a hung process from piling up. */
const TTS_TIMEOUT_MS = 15_000;

export class EspeakTts implements SpeechSynthesizer {
  readonly engine = 'espeak-ng';

  constructor(private readonly command = 'espeak-ng') {}

  synthesize(text: string, voice: string, rate: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      // Text goes in on stdin, never as an argument: nothing in it can be read as an option.
      const child = spawn(this.command, ['-v', voice, '-s', String(rate), '--stdout', '--stdin'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), TTS_TIMEOUT_MS);
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.stdin.on('error', () => {}); // the process may die before reading: its exit reports why
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new TtsError(`${this.command} cannot be started: ${e.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code !== 0) {
          reject(new TtsError(`${this.command} -v ${voice} failed (${signal ?? `exit ${code}`}): ${err.trim().split('\n')[0] ?? ''}`));
          return;
        }
        try {
          resolve(encodeWav(parseWav(Buffer.concat(out))));
        } catch (e) {
          reject(new TtsError(`${this.command} gave no usable WAV: ${(e as Error).message}`));
        }
      });
      child.stdin.end(text);
    });
  }
}
