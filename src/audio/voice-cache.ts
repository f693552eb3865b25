/**
 * Prerendered prompts on disk, one WAV per (engine, voice, rate, text). The key is a hash of all
 * four, so changing a text, the language or the rate renders anew and never plays a stale file.
 * Files are written whole (temporary name, then rename): a power cut leaves no half prompt.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SpeechKey {
  engine: string;
  voice: string;
  rate: number;
  text: string;
}

export class VoiceCache {
  constructor(readonly dir: string) {}

  fileOf(key: SpeechKey): string {
    const hash = createHash('sha256').update(JSON.stringify([key.engine, key.voice, key.rate, key.text])).digest('hex');
    return join(this.dir, `${hash.slice(0, 32)}.wav`);
  }

  async get(key: SpeechKey): Promise<Buffer | null> {
    try {
      return await readFile(this.fileOf(key));
    } catch {
      // Missing, or a cache folder that cannot be read: either way the prompt is rendered anew.
      return null;
    }
  }

  async put(key: SpeechKey, wav: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.fileOf(key);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, wav);
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}
