// Compressed leaves (principal directions per cascade level) against the exact fit.
import t from 'tap';
import { symmetricEigen, compressLeaves } from '../../src/vision/landmarks/compress.js';
import { ShapePredictor } from '../../src/vision/landmarks/predictor.js';
import { loadShapeModel } from '../../src/vision/landmarks/dlib-model.js';
import { DEFAULT_MODEL } from '../../src/vision/engine.js';
import { MODEL_CACHE, testEngine, face } from './engine-fixture.js';

t.test('symmetricEigen finds eigenpairs of a known matrix', async (t) => {
  // [[2,1],[1,2]]: eigenvalues 3 (1,1)/√2 and 1 (1,-1)/√2
  const { values, vectors, order } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
  t.ok(Math.abs(values[order[0]!]! - 3) < 1e-12 && Math.abs(values[order[1]!]! - 1) < 1e-12, `${values}`);
  const c = order[0]!;
  t.ok(Math.abs(Math.abs(vectors[c]!) - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[c]! - vectors[2 + c]!) < 1e-12, 'first vector along (1, 1)');
});

t.test('keeping every direction reproduces the exact fit; 32 stay within the model\'s own jitter', async (t) => {
  const engine = testEngine();
  const exact = new ShapePredictor(loadShapeModel(DEFAULT_MODEL, MODEL_CACHE).model);
  const gray = face('grace-hopper').bgrToGray();
  const data = gray.getData();
  const img = { width: gray.cols, height: gray.rows, stride: gray.cols, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const box = { left: 176, top: 160, right: 352, bottom: 330 };
  const reference = exact.predict(img, box);
  const oneLevel = { ...exact.model, levels: 1 };
  const full = new ShapePredictor(oneLevel, compressLeaves(oneLevel, 136));
  const twoLevels = new ShapePredictor(oneLevel);
  const a = twoLevels.predict(img, box), b = full.predict(img, box);
  t.ok(a.every((v, i) => Math.abs(v - b[i]!) < 1e-3), 'all 136 directions: the same landmarks (first level: same pixels, so same leaves)');

  const fast = engine.predictor;
  const c = fast.predict(img, box);
  let sum = 0;
  for (let i = 0; i < 68; i++) sum += Math.hypot(c[2 * i]! - reference[2 * i]!, c[2 * i + 1]! - reference[2 * i + 1]!);
  // The exact fit itself moves ~2 px when its box moves by 1 px: a tiny change in the shape moves a
  // feature pixel, a tree takes the other branch, and later levels diverge alike.
  t.ok(sum / 68 < 3.5, `mean deviation ${(sum / 68).toFixed(2)} px`);
  const p = engine.pipeline();
  const pose = p.analyze(face('grace-hopper'), 0).faces[0]!.pose;
  t.ok(Math.abs(pose.yaw) < 6 && Math.abs(pose.roll - 3) < 3, `pose with compressed leaves ${JSON.stringify(pose)}`);
});
