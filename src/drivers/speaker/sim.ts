/** Simulated speaker: remembers what was said, in order. */
import type { PromptId } from '../../audio/prompts.js';
import type { SpeakerPort } from './port.js';

export class SimSpeaker implements SpeakerPort {
  readonly played: PromptId[] = [];
  playing: PromptId | null = null;

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.playing = null;
  }

  play(prompt: PromptId): void {
    this.playing = prompt;
    this.played.push(prompt);
  }

  silence(): void {
    this.playing = null;
  }
}
