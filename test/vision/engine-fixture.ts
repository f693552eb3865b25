/**
 * One vision engine per test process, with the landmark model's converted copy shared by every
 * test file in the OS temp folder (written atomically, so parallel test files can race for it).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VisionEngine, DEFAULT_MODEL } from '../../src/vision/engine.js';
import type { Mat } from '../../src/vision/cv.js';

export const FACES = new URL('../../assets/faces/', import.meta.url).pathname;
export const MODEL_CACHE = join(tmpdir(), 'lifecheck-test-vision', 'landmarks-68.bin');

let engine: VisionEngine | null = null;

export function testEngine(): VisionEngine {
  engine ??= VisionEngine.create({ modelPath: DEFAULT_MODEL, modelCache: MODEL_CACHE });
  return engine;
}

export function face(name: 'grace-hopper' | 'astronaut'): Mat {
  return testEngine().cv.imread(join(FACES, `${name}.jpg`));
}
