// The photo gate and the choice of the best frame (pure: observations in, frame out).
import t from 'tap';
import { AutoCapture, gateProblems, photoQuality, DEFAULT_QUALITY, type QualityInput } from '../../src/vision/capture.js';
import type { FrameObservation, FaceObservation } from '../../src/vision/observation.js';

const good: QualityInput = {
  pose: { yaw: 2, pitch: -3, roll: 1 },
  ear: 0.3,
  placement: { size: 0.3, dx: 0.02, dy: -0.03 },
  sharpness: 400,
  brightness: 130,
  clipped: 0.001,
};

t.test('each gate names its problem; a good face passes with a score', async (t) => {
  t.same(gateProblems(good), []);
  t.ok(photoQuality(good).score > 0.5);
  const cases: Array<[Partial<QualityInput>, string]> = [
    [{ pose: { yaw: 20, pitch: 0, roll: 0 } }, 'not-frontal'],
    [{ pose: { yaw: 0, pitch: -15, roll: 0 } }, 'not-frontal'],
    [{ pose: { yaw: 0, pitch: 0, roll: 14 } }, 'tilted'],
    [{ ear: 0.1 }, 'eyes-closed'],
    [{ sharpness: 20 }, 'blurred'],
    [{ brightness: 40 }, 'too-dark'],
    [{ brightness: 230 }, 'too-bright'],
    [{ clipped: 0.2 }, 'too-bright'],
    [{ placement: { size: 0.1, dx: 0, dy: 0 } }, 'too-far'],
    [{ placement: { size: 0.3, dx: 0.2, dy: 0.1 } }, 'off-centre'],
  ];
  for (const [change, problem] of cases) {
    const q = { ...good, ...change };
    t.same(gateProblems(q), [problem], problem);
    t.equal(photoQuality(q).score, 0, `${problem}: no score`);
  }
  // better centred and more frontal scores higher
  t.ok(photoQuality({ ...good, pose: { yaw: 0, pitch: 0, roll: 0 }, placement: { size: 0.3, dx: 0, dy: 0 } }).score > photoQuality(good).score);
  t.ok(photoQuality({ ...good, pose: { yaw: 10, pitch: 0, roll: 0 } }).score < photoQuality(good).score);
  t.equal(DEFAULT_QUALITY.maxYaw, 12);
});

function frame(at: number, scores: number[], pose = { yaw: 0, pitch: 0, roll: 0 }): FrameObservation {
  const faces = scores.map((score, i) => ({ track: i + 1, pose, quality: { sharpness: 1, brightness: 1, clipped: 0, score } }) as unknown as FaceObservation);
  return { index: at / 100, at, width: 640, height: 480, faces };
}

t.test('AutoCapture waits for a steady run, then answers the best frame of the window', async (t) => {
  const c = new AutoCapture<string>({ windowMs: 800, steadyFrames: 3 });
  const seq: Array<[number, number[]]> = [
    [0, [0.5]], [100, [0]], // broken run
    [200, [0.5]], [300, [0.6]], [400, [0.55]], // steady: window opens at 400
    [500, [0.9]], [600, [0.7]], [700, [0.5, 0.8]], // two faces: not a candidate, breaks the run
    [800, [0.6]], [900, [0.6]], [1000, [0.95]], [1100, [0.6]], [1200, [0.6]],
  ];
  let chosen = null as ReturnType<typeof c.observe>;
  for (const [at, scores] of seq) {
    const r = c.observe(frame(at, scores), () => `frame@${at}`);
    if (r) {
      chosen = r;
      t.equal(at, 1200, 'answers when the window (opened at 400) has run 800 ms');
      break;
    }
  }
  t.ok(chosen);
  t.equal(chosen!.frame, 'frame@1000', 'the best frame of a steady run');
  t.equal(chosen!.score, 0.95);
});

t.test('AutoCapture discards every candidate it does not answer', async (t) => {
  const discarded: string[] = [];
  const c = new AutoCapture<string>({ windowMs: 300, steadyFrames: 1 }, (f) => discarded.push(f));
  c.observe(frame(0, [0.5]), () => 'a');
  c.observe(frame(100, [0.7]), () => 'b');
  t.same(discarded, ['a'], 'the worse candidate, when a better one comes');
  const r = c.observe(frame(300, [0.6]), () => 'c');
  t.equal(r?.frame, 'b');
  t.same(discarded, ['a'], 'the answered frame is not discarded');
  c.observe(frame(400, [0.9]), () => 'd');
  c.reset();
  t.same(discarded, ['a', 'd'], 'a reset drops the pending candidate');
});

t.test('AutoCapture waits for the head to stop moving: frames of a head coming back from an action do not count', async (t) => {
  const c = new AutoCapture<number>({ windowMs: 300, steadyFrames: 3, maxMotionDeg: 2.5 });
  // Coming back from raise_head: pitch 10 → 0 in 3.5° steps, every frame passing the gate on its own.
  const pitches = [10, 6.5, 3, 0, 0.5, -0.3, 0.2, 0, 0.4, 0.1];
  let chosen: ReturnType<typeof c.observe> = null;
  let opened = -1;
  for (const [i, pitch] of pitches.entries()) {
    const r = c.observe(frame(i * 100, [0.5 + i / 100], { yaw: 0, pitch, roll: 0 }), () => i);
    if (r && !chosen) chosen = r;
    if (opened < 0 && (c as unknown as { openedAt: number | null }).openedAt !== null) opened = i;
  }
  t.equal(opened, 6, 'the window opens on the third still frame (frames 4, 5, 6)');
  t.ok(chosen && chosen.frame >= 5, `the photo is a still frame (frame ${chosen?.frame})`);
  const moving = new AutoCapture<number>({ windowMs: 300, steadyFrames: 3, maxMotionDeg: 2.5 });
  for (let i = 0; i < 30; i++) t.equal(moving.observe(frame(i * 100, [0.8], { yaw: 8 * Math.sin(i), pitch: 0, roll: 0 }), () => i), null, 'a head that keeps moving is never photographed');
});

t.test('AutoCapture never answers without a steady run', async (t) => {
  const c = new AutoCapture<number>({ windowMs: 300, steadyFrames: 3 });
  for (let i = 0; i < 50; i++) t.equal(c.observe(frame(i * 100, i % 3 === 2 ? [0] : [0.8]), () => i), null);
  for (let i = 0; i < 50; i++) t.equal(c.observe(frame(5000 + i * 100, []), () => i), null, 'no face');
});

t.test('the simulated person\'s photo from a real camera\'s raw frame is a JPEG of it', async (t) => {
  const { SimCamera } = await import('../../src/drivers/camera/sim.js');
  const { FrameTap } = await import('../../src/vision/frame-photo.js');
  const { PhotoStore } = await import('../../src/terminal/photo-store.js');
  const { opencv } = await import('../../src/vision/cv.js');
  const cv = opencv();
  const camera = new SimCamera();
  await camera.start();
  const tap = new FrameTap(camera, () => {});
  const mat = new cv.Mat(48, 64, cv.CV_8UC3, [10, 200, 30]);
  camera.push({ at: 0, format: 'bgr', width: 64, height: 48, data: mat.getData() });
  const photos = new PhotoStore();
  const jpeg = photos.get(tap.photo(photos))!;
  t.same([...jpeg.subarray(0, 2)], [0xff, 0xd8], 'JPEG');
  const back = cv.imdecode(jpeg);
  t.same([back.cols, back.rows], [64, 48]);
  const { x: b, y: g, z: r } = back.at(24, 32) as unknown as { x: number; y: number; z: number };
  t.ok(Math.abs(b - 10) < 8 && Math.abs(g - 200) < 8 && Math.abs(r - 30) < 8, `colour kept: ${b},${g},${r}`);
  tap.close();
});
