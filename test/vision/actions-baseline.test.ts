import t from 'tap';
import { BaselineCollector } from '../../src/vision/actions.js';
import { feed, ofType, Scene, sceneJudge } from './observation-fixtures.js';

t.test('a steady neutral face gives a baseline after 600 ms, at 15 and 30 fps', async (t) => {
  for (const fps of [15, 30]) {
    const scene = new Scene({ fps, seed: 1 }).hold(1_500);
    const judge = sceneJudge();
    const events = feed(judge, scene.frames);
    t.same(events.map((e) => e.type), ['baseline'], `${fps} fps: one event`);
    t.equal(events[0]!.at, 1_600, `${fps} fps: on the first frame 600 ms after the first`);
    const b = judge.state.baseline!;
    t.ok(Math.abs(b.yaw) < 1 && Math.abs(b.pitch) < 1 && Math.abs(b.roll) < 1, `${fps} fps: pose near 0 (${b.yaw}, ${b.pitch}, ${b.roll})`);
    t.ok(Math.abs(b.ear - 0.3) < 0.006 && Math.abs(b.earRight - 0.3) < 0.006 && Math.abs(b.earLeft - 0.3) < 0.006, `${fps} fps: EAR near 0.3`);
    t.ok(Math.abs(b.mar - 0.02) < 0.006, `${fps} fps: MAR near 0.02`);
    t.ok(Math.abs(b.scale - 220) <= 3, `${fps} fps: face width near 220 px (${b.scale})`);
    t.equal(b.frames, fps === 30 ? 19 : 10);
    t.equal(judge.state.phase, 'ready');
  }
});

t.test('the baseline waits for steadiness', async (t) => {
  for (const fps of [15, 30]) {
    // Swaying ±8° of yaw at 1 Hz for 2 s (within the frontal limits, but not steady), then still.
    const scene = new Scene({ fps, seed: 2 });
    for (let i = 0; i < 2 * fps; i++) scene.set({ yaw: 8 * Math.sin((2 * Math.PI * i) / fps) }).hold(1000 / fps);
    scene.set({ yaw: 0 });
    const still = scene.nextAt;
    scene.hold(1_500);
    const events = feed(sceneJudge(), scene.frames);
    const baselines = ofType(events, 'baseline');
    t.equal(baselines.length, 1, `${fps} fps: one baseline`);
    const after = baselines[0]!.at - still;
    t.ok(after >= 450 && after <= 700, `${fps} fps: ${after} ms after the head became still`);
  }
  // A slow drift counts as steady only while it stays within the spread.
  const drift = new Scene({ fps: 30, seed: 3, noise: { pose: 0 } }).move(3_000, { yaw: 14 }).hold(1_000);
  const j = sceneJudge({ baseline: { maxSpread: 2 } });
  const e = feed(j, drift.frames);
  t.ok(ofType(e, 'baseline')[0]!.at > drift.frames[0]!.at + 3_000, 'a 4.7°/s drift is not steady with maxSpread 2°');
  const j2 = sceneJudge({ baseline: { maxSpread: 6 } });
  t.equal(ofType(feed(j2, drift.frames), 'baseline')[0]!.at, 1_600, 'but is with the default 6°');
});

t.test('no baseline while the head is turned or raised away from frontal', async (t) => {
  const scene = new Scene({ fps: 30, seed: 4, start: { yaw: 25 } }).hold(2_000);
  const judge = sceneJudge();
  t.same(feed(judge, scene.frames), [], 'turned 25°: nothing');
  t.equal(judge.state.phase, 'collecting');
  t.equal(judge.state.collected.frames, 0);
  const up = new Scene({ fps: 30, seed: 5, start: { pitch: 18 }, t0: scene.nextAt }).hold(1_000).move(300, { pitch: 0 }).hold(1_000);
  const events = feed(judge, up.frames);
  t.equal(ofType(events, 'baseline').length, 1, 'frontal at last: a baseline');
  t.ok(events[0]!.at >= up.frames[0]!.at + 1_000 + 600, 'only from the frontal frames');
});

t.test('actions are judged relative to the baseline, not to the camera', async (t) => {
  // A person whose neutral is turned 10° left and looking 8° down (camera above and to one side).
  const start = { yaw: 10, pitch: -8 };
  const small = new Scene({ fps: 30, seed: 6, start }).hold(1_000).move(300, { yaw: 22 }).hold(500).move(300, { yaw: 10 });
  const j1 = sceneJudge();
  j1.expect('turn_left');
  t.equal(ofType(feed(j1, small.frames), 'passed').length, 0, 'yaw 22° absolute is only 12° from this neutral');
  t.ok(Math.abs(j1.state.baseline!.yaw - 10) < 1);
  const big = new Scene({ fps: 30, seed: 6, start }).hold(1_000).move(300, { yaw: 30 }).hold(500).move(300, { yaw: 10 });
  const j2 = sceneJudge();
  j2.expect('turn_left');
  t.equal(ofType(feed(j2, big.frames), 'passed').length, 1, '20° from this neutral passes');
  // Looking down 8° already: raising to +6° absolute is 14° up from here.
  const raise = new Scene({ fps: 30, seed: 7, start }).hold(1_000).move(300, { pitch: 6 }).hold(500);
  const j3 = sceneJudge();
  j3.expect('raise_head');
  t.equal(ofType(feed(j3, raise.frames), 'passed').length, 1, 'raise measured from −8°');
  // Narrow eyes (EAR 0.2 at rest): a blink to 0.1 passes although 0.1 is above a wide eye's closure.
  const narrow = new Scene({ fps: 30, seed: 8, start: { earRight: 0.2, earLeft: 0.2 }, noise: { ear: 0.005 } })
    .hold(1_000)
    .move(70, { earRight: 0.1, earLeft: 0.1 })
    .hold(130)
    .move(70, { earRight: 0.2, earLeft: 0.2 })
    .hold(300);
  const j4 = sceneJudge();
  j4.expect('blink');
  t.equal(ofType(feed(j4, narrow.frames), 'passed').length, 1, 'narrow eyes blink');
});

t.test('the baseline EAR is a median: a blink during collection does not lower it', async (t) => {
  const scene = new Scene({ fps: 30, seed: 9 }).hold(200).move(50, { earRight: 0.05, earLeft: 0.05 }).hold(100).move(50, { earRight: 0.3, earLeft: 0.3 }).hold(600);
  const judge = sceneJudge();
  t.equal(ofType(feed(judge, scene.frames), 'baseline').length, 1);
  const b = judge.state.baseline!;
  t.ok(Math.abs(b.ear - 0.3) < 0.01, `baseline EAR ${b.ear}`);
});

t.test('BaselineCollector on its own: medians, window, reset, track change', async (t) => {
  const c = new BaselineCollector({ ms: 100, minFrames: 4, maxYaw: 15, maxPitch: 15, maxSpread: 6 });
  const face0 = new Scene({ fps: 30, seed: 10, noise: { pose: 0, ear: 0, mar: 0, size: 0 } }).hold(1).frames[0]!.faces[0]!;
  const faces = [1, 5, 3, 2].map((yaw, i) => ({ face: { ...face0, pose: { yaw, pitch: 0, roll: 0 } }, at: [0, 34, 67, 100][i]! }));
  const results = faces.map(({ face, at }) => c.add(face, at, face.box[2]));
  t.same(results.slice(0, 3), [null, null, null], 'not before 4 frames / 100 ms');
  const b = results[3]!;
  t.equal(b.yaw, 2.5, 'median of 1, 5, 3, 2');
  t.equal(b.frames, 4);
  t.same(c.collected, { frames: 4, ms: 100 });
  // Another track empties the window.
  const other = { ...faces[0]!.face, track: 2 };
  t.equal(c.add(other, faces[3]!.at + 33, 220), null);
  t.same(c.collected, { frames: 1, ms: 0 });
  c.reset();
  t.same(c.collected, { frames: 0, ms: 0 });
  // A non-finite measure is not a sample.
  const bad = { ...faces[0]!.face, pose: { yaw: Number.NaN, pitch: 0, roll: 0 } };
  t.equal(c.add(bad, 5_000, 220), null);
  t.same(c.collected, { frames: 0, ms: 0 });
});
