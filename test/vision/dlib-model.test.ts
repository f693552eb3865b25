import t from 'tap';
import { mkdtempSync, writeFileSync, readFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadShapeModel, ModelFormatError, parseConverted, parseDlibShapePredictor, serializeConverted } from '../../src/vision/landmarks/dlib-model.js';
import { ShapePredictor, similarity, fitBox, contrastGain } from '../../src/vision/landmarks/predictor.js';
import { writeDlibModel, type TinyModel, dlibInt, dlibFloat } from './dlib-writer.js';

// Two landmarks, one level, one tree of depth 1: pixel at landmark 0 brighter than at landmark 1 by
// more than 10 → move landmark 0 right by 0.1 box widths, else move landmark 1 up by 0.1.
const tiny: TinyModel = {
  initialShape: [0.25, 0.5, 0.75, 0.5],
  forests: [[{ splits: [[0, 1, 10]], leaves: [[0.125, 0, 0, 0], [0, 0, 0, -0.125]] }]],
  anchors: [[0, 1]],
  deltas: [[[0, 0], [0, 0]]],
};

function image(values: Record<string, number>) {
  const data = new Uint8Array(81);
  for (const [k, v] of Object.entries(values)) {
    const [x, y] = k.split(',').map(Number) as [number, number];
    data[y * 9 + x] = v;
  }
  return { width: 9, height: 9, stride: 9, data };
}

t.test('integers and floats decode as dlib writes them', async (t) => {
  t.same([...dlibInt(0)], [1, 0]);
  t.same([...dlibInt(-300)], [0x82, 44, 1]);
  const m = parseDlibShapePredictor(writeDlibModel({ ...tiny, initialShape: [0.25, -0.5, 1e-3 * 1024, 3] }));
  t.same([...m.initialShape], [0.25, -0.5, Math.fround(1.024), 3]);
});

t.test('a tiny model parses into flat arrays', async (t) => {
  const m = parseDlibShapePredictor(writeDlibModel(tiny));
  t.equal(m.parts, 2);
  t.equal(m.levels, 1);
  t.equal(m.treesPerLevel, 1);
  t.equal(m.splitsPerTree, 1);
  t.equal(m.pixelsPerLevel, 2);
  t.same([...m.splitThresh], [10]);
  t.same([...m.leafValues], [0.125, 0, 0, 0, 0, 0, 0, -0.125]);
});

t.test('the predictor walks the tree on the pixels under the landmarks', async (t) => {
  const p = new ShapePredictor(parseDlibShapePredictor(writeDlibModel(tiny)), null, false);
  const box = { left: 0, top: 0, right: 8, bottom: 8 };
  // landmarks start at (2, 4) and (6, 4)
  t.same([...p.predict(image({ '2,4': 200, '6,4': 50 }), box)], [3, 4, 6, 4], 'brighter left: landmark 0 moves right');
  t.same([...p.predict(image({ '2,4': 50, '6,4': 200 }), box)], [2, 4, 6, 3], 'else landmark 1 moves up');
  t.same([...p.predict(image({ '2,4': 20, '6,4': 10 }), box)], [2, 4, 6, 3], 'a difference of exactly the threshold goes right');
  // The same shape shifted out of the image: pixels outside read as 0, so 0 - 0 > 10 is false.
  t.same([...p.predict(image({ '2,4': 200 }), { left: 100, top: 0, right: 108, bottom: 8 })], [102, 4, 106, 3]);
});

t.test('feature pixels follow the rotation and scale of the current shape', async (t) => {
  const [a, b] = similarity(new Float32Array([0, 0, 1, 0]), new Float32Array([5, 5, 5, 7]), 2);
  t.ok(Math.abs(a) < 1e-9, 'no cosine part for a quarter turn');
  t.ok(Math.abs(b - 2) < 1e-9, 'scale 2, quarter turn');
  // Level 2 reads a pixel 0.25 box widths "right" of landmark 0 in the mean shape's frame; after
  // level 1 turned the shape a quarter turn, that pixel lies below landmark 0.
  const turned: TinyModel = {
    initialShape: [0.5, 0.25, 0.5, 0.75],
    forests: [
      [{ splits: [[0, 0, 1]], leaves: [[0, 0, 0, 0], [0.25, 0.25, -0.25, -0.25]] }],
      [{ splits: [[0, 1, 10]], leaves: [[1 / 8, 0, 0, 0], [0, 0, 0, 0]] }],
    ],
    anchors: [[0, 0], [0, 0]],
    deltas: [[[0, 0], [0, 0]], [[0, 0.25], [0, 0]]],
  };
  const p = new ShapePredictor(parseDlibShapePredictor(writeDlibModel(turned)), null, false);
  // After level 1 the landmarks are (0.75, 0.5) and (0.25, 0.5): the mean shape turned a quarter
  // turn; the delta (0, 0.25) turned alike is (-0.25, 0): the pixel at (0.5, 0.5) → image (4, 4).
  const box = { left: 0, top: 0, right: 8, bottom: 8 };
  t.same([...p.predict(image({ '4,4': 200 }), box)], [7, 4, 2, 4], 'reads the turned pixel');
  t.same([...p.predict(image({ '6,6': 200 }), box)], [6, 4, 2, 4], 'not the unturned one at (0.75, 0.75)');
});

t.test('contrast is brought to a typical face\'s before the trees compare pixels', async (t) => {
  const flat = { width: 32, height: 32, stride: 32, data: new Uint8Array(32 * 32).map((_, i) => 100 + ((i % 32) % 2) * 10) };
  const box = { left: 0, top: 0, right: 31, bottom: 31 };
  // a 0/10 checker: std 5 → the gain is capped at 4
  t.equal(contrastGain(flat, box), 4);
  const strong = { ...flat, data: new Uint8Array(32 * 32).map((_, i) => ((i % 32) % 2) * 200) };
  t.ok(Math.abs(contrastGain(strong, box) - 0.5) < 1e-9, 'std 100 → 0.5');
  // With the gain, a dim face's small differences cross thresholds a well-lit face's would.
  const p = new ShapePredictor(parseDlibShapePredictor(writeDlibModel(tiny)));
  const dim = image({ '2,4': 20, '6,4': 14 });
  t.same([...p.predict(dim, { left: 0, top: 0, right: 8, bottom: 8 })], [3, 4, 6, 4], 'difference 6 scaled up past the threshold 10');
});

t.test('boxOf inverts the mean-shape placement', async (t) => {
  const mean = new Float32Array([0.2, 0.3, 0.8, 0.3, 0.5, 0.9]);
  const pts = new Float32Array([10 + 0.2 * 50, 20 + 0.3 * 80, 10 + 0.8 * 50, 20 + 0.3 * 80, 10 + 0.5 * 50, 20 + 0.9 * 80]);
  const b = fitBox(mean, pts, 3);
  t.ok(Math.abs(b.left - 10) < 1e-4 && Math.abs(b.top - 20) < 1e-4 && Math.abs(b.right - 60) < 1e-4 && Math.abs(b.bottom - 100) < 1e-4, JSON.stringify(b));
});

t.test('broken files are refused with what and where', async (t) => {
  const good = writeDlibModel(tiny);
  t.throws(() => parseDlibShapePredictor(good.subarray(0, good.length - 3)), { name: 'ModelFormatError', message: /file ends/ });
  t.throws(() => parseDlibShapePredictor(writeDlibModel({ ...tiny, version: 2 })), { message: /version 2/ });
  t.throws(() => parseDlibShapePredictor(Buffer.concat([good, Buffer.from([1, 0])])), { message: /2 bytes left over/ });
  t.throws(() => parseDlibShapePredictor(writeDlibModel({ ...tiny, anchors: [[0, 5]] })), { message: /anchor index = 5 is out of range/ });
  t.throws(() => parseDlibShapePredictor(writeDlibModel({ ...tiny, forests: [[{ splits: [[0, 7, 1]], leaves: tiny.forests[0]![0]!.leaves }]] })), { message: /names a feature pixel/ });
  t.throws(() => parseDlibShapePredictor(Buffer.from('<?xml version="1.0"?>')), ModelFormatError);
  t.ok(dlibFloat(0.5).length > 0);
});

t.test('the converted copy: same model, refused when made from another file', async (t) => {
  const m = parseDlibShapePredictor(writeDlibModel(tiny));
  const copy = serializeConverted(m, { size: 10, mtimeMs: 20 });
  const back = parseConverted(copy, { size: 10, mtimeMs: 20 });
  t.ok(back);
  t.same([...back!.leafValues], [...m.leafValues]);
  t.same([...back!.anchorIdx], [...m.anchorIdx]);
  t.equal(parseConverted(copy, { size: 11, mtimeMs: 20 }), null, 'another source size');
  t.equal(parseConverted(Buffer.from('not a copy at all'), undefined), null);
  t.equal(parseConverted(copy.subarray(0, copy.length - 8)), null, 'truncated copy');
});

t.test('loadShapeModel converts once, then loads the copy; survives an unwritable cache', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-model-'));
  const model = join(dir, 'tiny.dat');
  writeFileSync(model, writeDlibModel(tiny));
  const cache = join(dir, 'cache', 'tiny.bin');
  const first = loadShapeModel(model, cache);
  t.equal(first.from, 'dlib');
  const second = loadShapeModel(model, cache);
  t.equal(second.from, 'cache');
  t.same([...second.model.leafValues], [...first.model.leafValues]);
  utimesSync(model, new Date(2020, 1, 1), new Date(2020, 1, 1));
  t.equal(loadShapeModel(model, cache).from, 'dlib', 'a replaced model file is converted again');
  t.throws(() => loadShapeModel(join(dir, 'missing.dat'), cache), { message: /missing.dat cannot be read: ENOENT/ });
  writeFileSync(join(dir, 'bad.dat'), 'hello');
  t.throws(() => loadShapeModel(join(dir, 'bad.dat'), cache), { message: /bad.dat is not a dlib shape predictor/ });
  // A cache path under a regular file cannot be made, whoever runs the test (root too).
  const r = loadShapeModel(model, join(model, 'x', 'copy.bin'));
  t.equal(r.from, 'dlib');
  t.match(r.cacheError, /ENOTDIR|EEXIST/);
  t.ok(readFileSync(cache).length > 0);
});
