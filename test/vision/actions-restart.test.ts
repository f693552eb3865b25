import t from 'tap';
import { feed, ofType, Scene, settled, sceneJudge } from './observation-fixtures.js';

const raise = (s: Scene) => s.move(300, { pitch: 20 }).hold(500).move(300, { pitch: 0 });

t.test('a face lost for longer than lostMs restarts; the armed action stays armed', async (t) => {
  for (const fps of [15, 30]) {
    const scene = settled({ fps, seed: 1 });
    const lostFrom = scene.nextAt;
    scene.absent(600);
    const back = scene.nextAt;
    scene.hold(1_000);
    raise(scene).hold(300);
    const judge = sceneJudge();
    judge.expect('raise_head');
    const events = feed(judge, scene.frames);
    const restarts = ofType(events, 'restart');
    t.same(restarts.map((e) => e.reason), ['face-lost'], `${fps} fps: one restart, face-lost`);
    const lastSeen = lostFrom - Math.round(1000 / fps);
    t.ok(restarts[0]!.at > lastSeen + 400 && restarts[0]!.at <= lastSeen + 400 + 1000 / fps + 1, `${fps} fps: restarts at ${restarts[0]!.at}, just after 400 ms without the face (last seen ${lastSeen})`);
    const baselines = ofType(events, 'baseline');
    t.equal(baselines.length, 2, `${fps} fps: the baseline is collected again`);
    t.ok(baselines[1]!.at >= back + 600, `${fps} fps: the new baseline needs 600 ms of face again (${baselines[1]!.at - back} ms)`);
    t.equal(ofType(events, 'passed').length, 1, `${fps} fps: the armed action passes after the new baseline`);
    t.equal(events.map((e) => e.type).filter((x) => x !== 'progress').join(','), 'baseline,restart,baseline,passed');
  }
});

t.test('dropped frames shorter than lostMs are tolerated, even in the middle of a hold', async (t) => {
  for (const fps of [15, 30]) {
    const scene = settled({ fps, seed: 2 });
    scene.hold(200).dropFrames(1).hold(200);
    scene.move(300, { pitch: 20 }).hold(100).dropFrames(1).hold(400).move(300, { pitch: 0 });
    scene.absent(300).hold(500);
    const judge = sceneJudge();
    judge.expect('raise_head');
    const events = feed(judge, scene.frames);
    t.equal(scene.frames.filter((f) => f.faces.length === 0).length > 2, true, 'the clip has dropped frames');
    t.equal(ofType(events, 'restart').length, 0, `${fps} fps: no restart`);
    t.equal(ofType(events, 'baseline').length, 1);
    t.equal(ofType(events, 'passed').length, 1, `${fps} fps: the raise passes`);
    t.equal(judge.state.phase, 'ready');
  }
  // A single dropped frame during baseline collection does not restart it either.
  const scene = new Scene({ fps: 30, seed: 3 }).hold(300).dropFrames(1).hold(400);
  const judge = sceneJudge();
  const events = feed(judge, scene.frames);
  t.equal(ofType(events, 'baseline').length, 1, 'baseline despite one dropped frame');
  t.ok(ofType(events, 'baseline')[0]!.at <= scene.frames[0]!.at + 634, 'and no later than without it');
});

t.test('a camera stall longer than lostMs counts as face lost, even if the face is back after it', async (t) => {
  const scene = settled({ fps: 30, seed: 4 }).stall(500).hold(800);
  const judge = sceneJudge();
  const events = feed(judge, scene.frames);
  t.same(ofType(events, 'restart').map((e) => e.reason), ['face-lost']);
  t.equal(ofType(events, 'baseline').length, 2);
  // 300 ms is tolerated.
  const short = settled({ fps: 30, seed: 4 }).stall(300).hold(800);
  const j2 = sceneJudge();
  t.equal(ofType(feed(j2, short.frames), 'restart').length, 0);
});

t.test('a second face restarts, before and after the baseline; one event per episode', async (t) => {
  for (const fps of [15, 30]) {
    const scene = settled({ fps, seed: 5 }).withSecondFace(400).hold(1_000);
    raise(scene).hold(300);
    const judge = sceneJudge();
    judge.expect('raise_head');
    const events = feed(judge, scene.frames);
    t.same(ofType(events, 'restart').map((e) => e.reason), ['multiple-faces'], `${fps} fps: one restart for a 400 ms episode`);
    t.equal(ofType(events, 'baseline').length, 2, `${fps} fps: baseline again`);
    t.equal(ofType(events, 'passed').length, 1, `${fps} fps: passes afterwards`);
  }
  // A single frame with a second face is enough (someone else must not do the actions).
  const one = settled({ fps: 30, seed: 6 }).withSecondFace(20).hold(300);
  const j1 = sceneJudge();
  t.same(ofType(feed(j1, one.frames), 'restart').map((e) => e.reason), ['multiple-faces']);
  t.equal(j1.state.phase, 'collecting', 'collecting the neutral again');
  // Two faces from the start: reported once, no baseline while they stay.
  const two = new Scene({ fps: 30, seed: 7 }).withSecondFace(2_000);
  const j2 = sceneJudge();
  const e2 = feed(j2, two.frames);
  t.same(e2.map((e) => e.type), ['restart']);
  t.equal(j2.state.phase, 'searching');
});

t.test('a different track id restarts (face-changed)', async (t) => {
  const scene = settled({ fps: 30, seed: 8 }).hold(200).track(2).hold(1_000);
  raise(scene).hold(300);
  const judge = sceneJudge();
  judge.expect('raise_head');
  const events = feed(judge, scene.frames);
  t.same(ofType(events, 'restart').map((e) => e.reason), ['face-changed']);
  const restartAt = ofType(events, 'restart')[0]!.at;
  t.equal(restartAt, scene.frames.find((f) => f.faces[0]?.track === 2)!.at, 'on the first frame of the new track');
  t.equal(ofType(events, 'baseline').length, 2);
  t.equal(judge.state.track, 2);
  t.equal(ofType(events, 'passed').length, 1);
  // During collection too.
  const early = new Scene({ fps: 30, seed: 9 }).hold(300).track(5).hold(300);
  const j2 = sceneJudge();
  const e2 = feed(j2, early.frames);
  t.same(e2.map((e) => e.type), ['restart']);
  t.equal(j2.state.collected.frames, 9, 'collection restarted with the new face (300 ms = 9 frames)');
});

t.test('a restart in the middle of an action resets its progress; the hold does not carry over', async (t) => {
  // Head raised in 200 ms (above 12° for about 100 ms, short of the 150 ms hold), then the face is
  // swapped (track change) while still up and held up 600 ms more: the new baseline cannot be taken
  // while the head is up (|pitch| ≥ 15), so nothing passes.
  const scene = settled({ fps: 30, seed: 10 }).move(200, { pitch: 20 }).track(3).hold(600);
  const judge = sceneJudge();
  judge.expect('raise_head');
  const events = feed(judge, scene.frames);
  t.same(ofType(events, 'restart').map((e) => e.reason), ['face-changed']);
  t.equal(ofType(events, 'passed').length, 0);
  t.equal(judge.state.phase, 'collecting');
  t.equal(judge.state.progress, 0);
  t.equal(judge.state.armed, 'raise_head');
  const before = ofType(events, 'progress').filter((e) => e.at < ofType(events, 'restart')[0]!.at);
  t.ok(before.some((e) => e.value >= 0.5), 'progress had risen before the restart');
  t.equal(ofType(events, 'progress').filter((e) => e.at >= ofType(events, 'restart')[0]!.at).length, 0, 'and nothing after it');
});

t.test('time going backwards is a camera restart: face-lost', async (t) => {
  const a = settled({ fps: 30, seed: 11, t0: 50_000 });
  const b = new Scene({ fps: 30, seed: 12, t0: 1_000 }).hold(1_000);
  const judge = sceneJudge();
  const events = feed(judge, [...a.frames, ...b.frames]);
  t.same(events.map((e) => e.type), ['baseline', 'restart', 'baseline']);
  t.same(ofType(events, 'restart').map((e) => e.reason), ['face-lost']);
});

t.test('no events without a face; reset() forgets quietly', async (t) => {
  const empty = new Scene({ fps: 30, seed: 13 }).absent(2_000);
  const judge = sceneJudge();
  judge.expect('blink');
  t.same(feed(judge, empty.frames), []);
  t.equal(judge.state.phase, 'searching');
  const s = settled({ fps: 30, seed: 14, t0: empty.nextAt });
  t.equal(ofType(feed(judge, s.frames), 'baseline').length, 1);
  judge.reset();
  t.equal(judge.state.phase, 'searching');
  t.equal(judge.state.baseline, null);
  t.equal(judge.state.armed, 'blink', 'the armed action stays armed');
});
