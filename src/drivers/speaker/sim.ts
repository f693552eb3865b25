/** Simulated speaker: knows what it is saying now (prompts go to the outputs, not kept here). */
import type { PromptId } from '../../audio/prompts.js';
import type { SpeakerPort } from './port.js';

export class SimSpeaker implements SpeakerPort {
  playing: PromptId | null = null;

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.playing = null;
  }

  play(prompt: PromptId): void {
    this.playing = prompt;
  }

  silence(): void {
    this.playing = null;
  }
}
