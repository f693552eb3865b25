/** Hints: which one reason a frame gets, and how per-frame reasons become told hints. */
import t from 'tap';
import { DEFAULT_QUALITY } from '../../src/vision/capture.js';
import { frameHint, HintDebounce, HINTS, isHint, type Hint } from '../../src/vision/hints.js';
import type { FaceObservation, FrameObservation } from '../../src/vision/observation.js';

/** A face that passes the photo gate; `change` spoils one measure. */
function face(change: { size?: number; dx?: number; dy?: number; brightness?: number; clipped?: number; yaw?: number; pitch?: number; roll?: number; ear?: number; sharpness?: number } = {}): FaceObservation {
  return {
    track: 1,
    box: [240, 140, 160, 200],
    landmarks: new Float32Array(136),
    pose: { yaw: change.yaw ?? 0, pitch: change.pitch ?? 0, roll: change.roll ?? 0 },
    ear: { right: change.ear ?? 0.3, left: change.ear ?? 0.3, mean: change.ear ?? 0.3 },
    mar: 0.02,
    placement: { size: change.size ?? 0.3, dx: change.dx ?? 0, dy: change.dy ?? 0 },
    quality: { sharpness: change.sharpness ?? 200, brightness: change.brightness ?? 130, clipped: change.clipped ?? 0, score: 0.8 },
  };
}

function frame(faces: FaceObservation[], at = 0): FrameObservation {
  return { index: 0, at, width: 640, height: 480, faces };
}

t.test('each way a frame goes wrong gets its own hint, at the photo gate\'s limits', async (t) => {
  const g = DEFAULT_QUALITY;
  const cases: [string, FrameObservation, Hint | null][] = [
    ['a good face', frame([face()]), null],
    ['no face (the machine asks for one itself)', frame([]), null],
    ['two faces', frame([face(), face()]), 'multiple-faces'],
    ['a face of 6% of the frame', frame([face({ size: 0.06 })]), 'too-far'],
    ['just under the gate\'s size', frame([face({ size: g.minSize - 0.001 })]), 'too-far'],
    ['at the gate\'s size', frame([face({ size: g.minSize })]), null],
    ['filling the frame', frame([face({ size: 0.65 })]), 'too-close'],
    // The camera image is not mirrored; the screen is: image right is the person's mirror-view left.
    ['at the image\'s right', frame([face({ dx: 0.25 })]), 'off-centre-left'],
    ['at the image\'s left', frame([face({ dx: -0.25 })]), 'off-centre-right'],
    ['high in the image', frame([face({ dy: -0.25 })]), 'off-centre-up'],
    ['low in the image', frame([face({ dy: 0.25 })]), 'off-centre-down'],
    ['just inside the offset limit', frame([face({ dx: g.maxOffset - 0.001 })]), null],
    ['dim', frame([face({ brightness: g.minBrightness - 1 })]), 'too-dark'],
    ['bright', frame([face({ brightness: g.maxBrightness + 1 })]), 'too-bright'],
    ['burnt out by a window', frame([face({ clipped: g.maxClipped + 0.01 })]), 'too-bright'],
    ['turned', frame([face({ yaw: g.maxYaw + 1 })]), 'turned-away'],
    ['looking down', frame([face({ pitch: -(g.maxPitch + 1) })]), 'turned-away'],
    ['tilted', frame([face({ roll: g.maxRoll + 1 })]), 'turned-away'],
    ['eyes hidden', frame([face({ ear: g.minEar - 0.01 })]), 'eyes-hidden'],
    ['blurred', frame([face({ sharpness: g.minSharpness - 1 })]), 'blurred'],
    // One reason at a time, the most basic first.
    ['far and dark', frame([face({ size: 0.1, brightness: 20 })]), 'too-far'],
    ['off-centre and turned', frame([face({ dx: 0.3, yaw: 30 })]), 'off-centre-left'],
  ];
  for (const [what, f, hint] of cases) t.equal(frameHint(f, 'placing'), hint, what);
});

t.test('while an action is asked for, moving, turning and blinking are not faults', async (t) => {
  t.equal(frameHint(frame([face({ yaw: 30 })]), 'acting'), null);
  t.equal(frameHint(frame([face({ ear: 0.05 })]), 'acting'), null);
  t.equal(frameHint(frame([face({ sharpness: 5 })]), 'acting'), null);
  t.equal(frameHint(frame([face({ size: 0.1 })]), 'acting'), 'too-far', 'placement still is');
  t.equal(frameHint(frame([face({ brightness: 20 })]), 'acting'), 'too-dark', 'and light');
});

t.test('the hint ids are the ones `vision analyze` and traces spell', async (t) => {
  t.same([...HINTS].sort(), ['blurred', 'eyes-hidden', 'multiple-faces', 'off-centre-down', 'off-centre-left', 'off-centre-right', 'off-centre-up', 'too-bright', 'too-close', 'too-dark', 'too-far', 'turned-away']);
  t.ok(isHint('too-far'));
  t.notOk(isHint('off-centre'));
});

/** Feeds `raw` every 100 ms from `from` to `to` (exclusive); returns the changes with their times. */
function run(d: HintDebounce, raw: Hint | null, from: number, to: number): [number, Hint | null][] {
  const changes: [number, Hint | null][] = [];
  for (let at = from; at < to; at += 100) {
    const change = d.observe(raw, at);
    if (change !== undefined) changes.push([at, change]);
  }
  return changes;
}

const TIMING = { settleMs: 1000, clearMs: 600, repeatMs: 7000 };

t.test('a condition is told once it has lasted the settle time, and cleared once fixed', async (t) => {
  const d = new HintDebounce(TIMING);
  t.same(run(d, null, 0, 1000), []);
  t.same(run(d, 'too-far', 1000, 5000), [[2000, 'too-far']], 'told once, after 1 s');
  t.same(run(d, null, 5000, 6000), [[5600, null]], 'cleared 0.6 s after it was fixed');
  t.equal(d.hint, null);
});

t.test('a passing condition is never told, and a single good frame does not clear', async (t) => {
  const d = new HintDebounce(TIMING);
  t.same(run(d, 'too-dark', 0, 900), []);
  t.same(run(d, null, 900, 2000), [], 'gone before it settled');
  t.same(run(d, 'too-dark', 2000, 3100), [[3000, 'too-dark']]);
  t.same(d.observe(null, 3100), undefined);
  t.same(run(d, 'too-dark', 3200, 4000), [], 'one good frame did not clear it');
  t.equal(d.hint, 'too-dark');
});

t.test('a frame or two without the face (a far face the detector misses) does not restart the settling', async (t) => {
  const d = new HintDebounce(TIMING);
  const changes: [number, Hint | null][] = [];
  for (let at = 0; at < 2000; at += 100) {
    const change = d.observe(at % 1000 === 500 ? null : 'too-far', at);
    if (change !== undefined) changes.push([at, change]);
  }
  t.same(changes, [[1000, 'too-far']]);
  // A longer absence is a fix (or a person who left): the settling starts over.
  const e = new HintDebounce(TIMING);
  t.same(run(e, 'too-far', 0, 500), []);
  t.same(run(e, null, 500, 1300), []);
  t.same(run(e, 'too-far', 1300, 2400), [[2300, 'too-far']]);
});

t.test('a new condition replaces the told one after settling', async (t) => {
  const d = new HintDebounce(TIMING);
  run(d, 'too-far', 0, 1100);
  t.same(run(d, 'off-centre-left', 1100, 3000), [[2100, 'off-centre-left']]);
});

t.test('the same hint is not told again sooner than the repeat delay', async (t) => {
  const d = new HintDebounce(TIMING);
  t.same(run(d, 'too-far', 0, 1100), [[1000, 'too-far']]);
  t.same(run(d, null, 1100, 2000), [[1700, null]]);
  // Back too far at 2 s: settled at 3 s, but told only 7 s after the first telling.
  t.same(run(d, 'too-far', 2000, 9000), [[8000, 'too-far']]);
  // A different hint is not held back by it.
  const e = new HintDebounce(TIMING);
  run(e, 'too-far', 0, 1100);
  run(e, null, 1100, 2000);
  t.same(run(e, 'too-dark', 2000, 3100), [[3000, 'too-dark']]);
});

t.test('reset forgets the condition but keeps repeats spaced', async (t) => {
  const d = new HintDebounce(TIMING);
  run(d, 'blurred', 0, 1100);
  d.reset();
  t.equal(d.hint, null);
  t.same(run(d, 'blurred', 1100, 9000), [[8000, 'blurred']]);
});
