/**
 * Voice output. play() never blocks the flow; a new prompt interrupts the one playing. A missing
 * sound card is the driver's problem to log once: the terminal keeps working without voice.
 */
import type { PromptId } from '../../audio/prompts.js';
import type { Lifecycle } from '../emitter.js';

export interface SpeakerPort extends Lifecycle {
  play(prompt: PromptId): void;
  silence(): void;
}
