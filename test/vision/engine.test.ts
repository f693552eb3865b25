/**
 * The vision engine's model load as a maintainer hears of it: a converted copy that cannot be
 * written means every start parses the whole model again, which the terminal's log and the
 * `lifecheck vision` commands say, naming the path. A tiny hand-made dlib model keeps it fast.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { RealClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { VisionEngine } from '../../src/vision/engine.js';
import { engineFor } from '../../src/cli/vision.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { memoryLogger } from '../helpers.js';
import { TINY_MODEL, writeDlibModel } from './dlib-writer.js';

const tiny = TINY_MODEL;

function fixture(t: { testdir: () => string }) {
  const dir = t.testdir();
  const modelPath = join(dir, 'tiny.dat');
  writeFileSync(modelPath, writeDlibModel(tiny));
  // Under a regular file no directory can be made, whoever runs the test (root too).
  return { dir, modelPath, good: join(dir, 'cache', 'tiny.bin'), bad: join(modelPath, 'cache', 'tiny.bin') };
}

t.test('cacheProblem: nothing to say when the copy is written or read; the path and the cost when it cannot be written', async (t) => {
  const f = fixture(t);
  const first = VisionEngine.create({ modelPath: f.modelPath, modelCache: f.good });
  t.equal(first.load.from, 'dlib');
  t.equal(first.cacheProblem(f.good), null);
  const second = VisionEngine.create({ modelPath: f.modelPath, modelCache: f.good });
  t.equal(second.load.from, 'cache');
  t.equal(second.cacheProblem(f.good), null);
  const unwritable = VisionEngine.create({ modelPath: f.modelPath, modelCache: f.bad });
  t.match(unwritable.cacheProblem(f.bad), /converted copy .*tiny\.dat\/cache\/tiny\.bin cannot be written \((ENOTDIR|EEXIST)\): every start parses the model again/);
});

t.test('the terminal logs the load, and warns when the copy cannot be written', async (t) => {
  const f = fixture(t);
  const { logger, lines } = memoryLogger('info');
  const config = loadConfig({ ignoreSystemFile: true, env: {}, overrides: { vision: { modelPath: f.modelPath, modelCache: f.bad } } });
  createSimTerminal({ config, clock: new RealClock(), logger, seed: 1, vision: 'opencv' });
  const loaded = lines.find((l) => /landmark model loaded/.test(String(l.msg)));
  t.match(loaded, { from: 'dlib' }, 'the load is logged');
  const warning = lines.find((l) => /cannot be written/.test(String(l.msg)));
  t.ok(warning, 'the unwritable copy is a warning');
  t.equal(warning?.level, 40, 'at warn level');
});

t.test('lifecheck vision commands say it on stderr (stdout keeps its JSON)', async (t) => {
  const f = fixture(t);
  let said = '';
  const stderr = new Writable({ write: (chunk: Buffer, _enc, done) => ((said += chunk.toString()), done()) });
  engineFor(loadConfig({ ignoreSystemFile: true, env: {}, overrides: { vision: { modelPath: f.modelPath, modelCache: f.bad } } }), stderr);
  t.match(said, /^lifecheck: warning: the landmark model's converted copy .* cannot be written/);
  said = '';
  engineFor(loadConfig({ ignoreSystemFile: true, env: {}, overrides: { vision: { modelPath: f.modelPath, modelCache: f.good } } }), stderr);
  t.equal(said, '', 'nothing when the copy is written');
});
