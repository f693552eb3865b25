/** Accuracy report of bench/vision (filled in once the clip synthesiser lands). */
import type { VisionEngine } from '../src/vision/engine.js';

export async function accuracyReport(_engine: VisionEngine, out: (line: string) => void): Promise<void> {
  out('accuracy: (pending the clip synthesiser)');
}
