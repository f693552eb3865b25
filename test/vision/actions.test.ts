import t from 'tap';
import { ActionJudge, DEFAULT_ACTION_THRESHOLDS, resolveThresholds } from '../../src/vision/actions.js';
import { ACTIONS, type Action } from '../../src/vision/port.js';
import { feed, ofType, Scene, settled, type Person, sceneJudge } from './observation-fixtures.js';

/** A person doing each action, as a kiosk user would (a bit slowly, overshooting the thresholds). */
const PERFORM: Record<Action, (s: Scene) => Scene> = {
  raise_head: (s) => s.move(300, { pitch: 20 }).hold(500).move(300, { pitch: 0 }),
  lower_head: (s) => s.move(300, { pitch: -20 }).hold(500).move(300, { pitch: 0 }),
  turn_left: (s) => s.move(300, { yaw: 25 }).hold(500).move(300, { yaw: 0 }),
  turn_right: (s) => s.move(300, { yaw: -25 }).hold(500).move(300, { yaw: 0 }),
  nod: (s) => s.move(250, { pitch: -18 }).hold(100).move(250, { pitch: 0 }),
  shake_head: (s) => s.move(250, { yaw: 22 }).move(500, { yaw: -22 }).move(250, { yaw: 0 }),
  open_mouth: (s) => s.move(200, { mar: 0.5 }).hold(500).move(200, { mar: 0.02 }),
  blink: (s) => s.move(70, { earRight: 0.05, earLeft: 0.05 }).hold(130).move(70, { earRight: 0.3, earLeft: 0.3 }),
};

/** The same motions, too small to count. */
const SUBTHRESHOLD: Record<Action, (s: Scene) => Scene> = {
  raise_head: (s) => s.move(300, { pitch: 9 }).hold(800).move(300, { pitch: 0 }),
  lower_head: (s) => s.move(300, { pitch: -9 }).hold(800).move(300, { pitch: 0 }),
  turn_left: (s) => s.move(300, { yaw: 12 }).hold(800).move(300, { yaw: 0 }),
  turn_right: (s) => s.move(300, { yaw: -12 }).hold(800).move(300, { yaw: 0 }),
  nod: (s) => s.move(250, { pitch: -7 }).hold(100).move(250, { pitch: 0 }),
  shake_head: (s) => s.move(250, { yaw: 9 }).move(500, { yaw: -9 }).move(250, { yaw: 0 }),
  open_mouth: (s) => s.move(200, { mar: 0.19 }).hold(800).move(200, { mar: 0.02 }),
  blink: (s) => s.move(70, { earRight: 0.21, earLeft: 0.21 }).hold(130).move(70, { earRight: 0.3, earLeft: 0.3 }),
};

function attempt(action: Action, fps: number, seed: number, script = PERFORM[action]) {
  const scene = settled({ fps, seed });
  const from = scene.nextAt;
  script(scene);
  const to = scene.now;
  scene.hold(500);
  const judge = sceneJudge();
  judge.expect(action);
  const events = feed(judge, scene.frames);
  return { judge, events, from, to };
}

t.test('DEFAULT_ACTION_THRESHOLDS holds the documented values and overrides merge per group', async (t) => {
  const d = DEFAULT_ACTION_THRESHOLDS;
  t.same(d.baseline, { ms: 600, minFrames: 5, maxYaw: 15, maxPitch: 15, maxSpread: 8 });
  t.same(d.hold, { ms: 150, frames: 3 });
  t.equal(d.lostMs, 400);
  t.equal(d.maxGestureMs, 2500);
  t.same(d.raise_head, { enter: 8, release: 5 });
  t.same(d.lower_head, { enter: 8, release: 5 });
  t.same(d.turn_left, { enter: 9, release: 6 });
  t.same(d.turn_right, { enter: 9, release: 6 });
  t.same(d.nod, { down: 7, back: 4 });
  t.same(d.shake_head, { side: 8, back: 4 });
  t.same(d.blink, { closeRatio: 0.6, openRatio: 0.85, eyeRatio: 0.75, minMs: 60, maxMs: 700, maxYaw: 20, maxPitch: 15 });
  t.same(d.open_mouth, { enter: 0.25, release: 0.12 });
  t.same(d.spoof, { maxScaleJump: 0.08, maxRollJump: 6, guardMs: 150 });
  t.ok(Object.isFrozen(d) && Object.isFrozen(d.blink), 'the defaults cannot be changed by accident');

  const r = resolveThresholds({ lostMs: 800, raise_head: { enter: 20 }, blink: { maxMs: 900 } });
  t.equal(r.lostMs, 800);
  t.same(r.raise_head, { enter: 20, release: 5 });
  t.equal(r.blink.maxMs, 900);
  t.equal(r.blink.closeRatio, 0.6);
  t.equal(DEFAULT_ACTION_THRESHOLDS.raise_head.enter, 8, 'overriding does not touch the defaults');
  t.equal(new ActionJudge({ turn_left: { enter: 30, release: 20 } }).thresholds.turn_left.enter, 30);

  t.throws(() => resolveThresholds({ raise_head: { release: 9 } }), RangeError, 'release above enter');
  t.throws(() => resolveThresholds({ blink: { closeRatio: 0.9 } }), RangeError, 'close above open');
  t.throws(() => resolveThresholds({ lostMs: -1 }), RangeError);
  t.throws(() => resolveThresholds({ lostMs: Number.NaN }), RangeError);
  t.throws(() => resolveThresholds({ nod: { dwn: 3 } } as never), RangeError, 'a misspelt key');
  t.throws(() => resolveThresholds({ lostMS: 3 } as never), RangeError, 'a misspelt group');
});

for (const fps of [15, 30]) {
  t.test(`every action passes with realistic noise at ${fps} fps`, async (t) => {
    for (const action of ACTIONS) {
      for (const seed of [1, 2, 3, 4, 5]) {
        const { judge, events, from, to } = attempt(action, fps, seed);
        const what = `${action} seed ${seed}`;
        t.equal(ofType(events, 'baseline').length, 1, `${what}: one baseline`);
        const passed = ofType(events, 'passed');
        t.equal(passed.length, 1, `${what}: passes once`);
        const p = passed[0]!;
        t.equal(p.action, action);
        t.ok(p.at >= from && p.at <= to + 100, `${what}: passes during the motion (${from}–${to}), at ${p.at}`);
        t.ok(p.ms > 0 && p.ms <= p.at - 1_000, `${what}: ms ${p.ms} counts from the first watched frame`);
        const progress = ofType(events, 'progress');
        t.ok(progress.length >= 2, `${what}: progress shown (${progress.length} events)`);
        t.equal(progress[progress.length - 1]!.value, 1, `${what}: progress ends at 1`);
        t.ok(progress.every((e) => e.action === action && e.value >= 0 && e.value <= 1));
        t.ok(events.every((e) => e.type !== 'restart'), `${what}: no restart`);
        t.equal(judge.state.armed, null, `${what}: disarmed after passing`);
      }
    }
  });

  t.test(`sub-threshold motion does not pass, but is measured, at ${fps} fps`, async (t) => {
    for (const action of ACTIONS) {
      for (const seed of [1, 2, 3]) {
        const { judge, events } = attempt(action, fps, seed, SUBTHRESHOLD[action]);
        const what = `${action} seed ${seed}`;
        t.equal(ofType(events, 'passed').length, 0, `${what}: no pass`);
        const peak = Math.max(0, ...ofType(events, 'progress').map((e) => e.value));
        t.ok(peak >= 0.2 && peak < 1, `${what}: progress rose to ${peak} but not to 1`);
        t.equal(judge.state.armed, action, `${what}: still armed`);
      }
    }
  });
}

t.test('detectors are specific: only the motions that contain an action pass it', async (t) => {
  // A nod contains a short lowering and a lowering-and-back is a slow nod; a shake contains both turns.
  const contains: Partial<Record<Action, Action[]>> = {
    nod: ['lower_head'],
    lower_head: ['nod'],
    shake_head: ['turn_left', 'turn_right'],
  };
  for (const performed of ACTIONS) {
    for (const armed of ACTIONS) {
      if (armed === performed) continue;
      const { events } = attempt(armed, 30, 11, PERFORM[performed]);
      const expected = contains[performed]?.includes(armed) ? 1 : 0;
      t.equal(ofType(events, 'passed').length, expected, `${armed} armed, ${performed} performed: ${expected ? 'passes' : 'does not pass'}`);
    }
  }
});

t.test('hysteresis: jitter around the nod threshold passes one nod only', async (t) => {
  for (const fps of [15, 30]) {
    // Down to the threshold and hovering there with ±3° jitter (crossing −10 many times), then back.
    const scene = settled({ fps, seed: 21 }).move(250, { pitch: -10 });
    const hover = new Scene({ fps, seed: 22, noise: { pose: 3 }, start: { pitch: -10 }, t0: scene.nextAt }).hold(1_000);
    const back = new Scene({ fps, seed: 23, start: { pitch: -10 }, t0: hover.nextAt }).move(250, { pitch: 0 }).hold(3_000);
    const crossings = hover.frames.filter((f, i) => i > 0 && Math.sign(f.faces[0]!.pose.pitch + 10) !== Math.sign(hover.frames[i - 1]!.faces[0]!.pose.pitch + 10)).length;
    t.ok(crossings >= 5, `the jitter crosses −10° ${crossings} times`);
    const judge = sceneJudge();
    judge.expect('nod');
    const events = feed(judge, [...scene.frames, ...hover.frames]);
    t.equal(ofType(events, 'passed').length, 0, `${fps} fps: no pass while still down`);
    const backFrames = back.frames;
    const cut = backFrames.findIndex((f) => f.at > back.frames[0]!.at + 400);
    const ev2 = feed(judge, backFrames.slice(0, cut));
    t.equal(ofType(ev2, 'passed').length, 1, `${fps} fps: one pass on coming back`);
    // Armed again at once while the head jitters around neutral: no second nod.
    judge.expect('nod');
    const ev3 = feed(judge, backFrames.slice(cut));
    t.equal(ofType(ev3, 'passed').length, 0, `${fps} fps: no second pass from jitter`);
  }
});

t.test('hysteresis: a head held jittering near the threshold does not flicker the progress bar', async (t) => {
  for (const fps of [15, 30]) {
    // Held at 10° (83 % of raise_head's 12°) with ±1.5° jitter for 3 s: progress climbs, then stays.
    const scene = settled({ fps, seed: 31 }).move(300, { pitch: 10 });
    // The bar follows smoothly (about 100 ms behind): count from 0.5 s after the head stopped.
    const climbEnd = scene.nextAt + 500;
    scene.hold(3_000);
    const judge = sceneJudge();
    judge.expect('raise_head');
    const progress = ofType(feed(judge, scene.frames), 'progress');
    const climb = progress.filter((e) => e.at < climbEnd);
    const held = progress.filter((e) => e.at >= climbEnd);
    t.ok(climb.length >= 3, `${fps} fps: ${climb.length} progress events while raising`);
    t.ok(held.length <= 2, `${fps} fps: at most 2 progress events in 2.5 s of holding still (${held.map((e) => e.value).join(', ')})`);
    for (let i = 1; i < progress.length; i++) t.ok(Math.abs(progress[i]!.value - progress[i - 1]!.value) >= 0.05 - 1e-9, 'each change is at least 0.05');
    t.ok(progress.every((e, i) => i === 0 || e.value > progress[i - 1]!.value), `${fps} fps: never goes down while held`);
    const last = progress[progress.length - 1]!.value;
    t.ok(last >= 0.75 && last < 1, `${fps} fps: shows ${last}, near 10/12`);
  }

  // Control: without smoothing and with a fall band as small as the step, the same head flickers.
  const raw = settled({ fps: 30, seed: 31 }).move(300, { pitch: 10 }).hold(3_000);
  const flicker = sceneJudge({ progress: { smoothMs: 0, fall: 0.05 } });
  flicker.expect('raise_head');
  const fp = ofType(feed(flicker, raw.frames), 'progress');
  t.ok(fp.length >= 20, `without hysteresis: ${fp.length} progress events`);

  // And still, at neutral, for 3 s: almost nothing.
  const still = settled({ fps: 30, seed: 32 }).hold(3_000);
  const judge = sceneJudge();
  judge.expect('turn_left');
  const progress = ofType(feed(judge, still.frames), 'progress');
  t.ok(progress.length <= 1, `at neutral: ${progress.length} progress events`);
  t.ok(progress.every((e) => e.value <= 0.1));

  // Coming back to neutral after a failed attempt brings the bar down.
  const back = settled({ fps: 30, seed: 33 }).move(300, { yaw: 12 }).hold(300).move(300, { yaw: 0 }).hold(600);
  const j2 = sceneJudge();
  j2.expect('turn_left');
  const p2 = ofType(feed(j2, back.frames), 'progress');
  t.ok(p2.some((e) => e.value >= 0.7), 'rose with the turn');
  t.ok(p2[p2.length - 1]!.value <= 0.1, `back down at the end (${p2[p2.length - 1]!.value})`);
});

t.test('nod: up-only, or up then back, does not pass; down-up does', async (t) => {
  for (const fps of [15, 30]) {
    const up = attempt('nod', fps, 41, (s) => s.move(250, { pitch: 18 }).hold(100).move(250, { pitch: 0 }));
    t.equal(ofType(up.events, 'passed').length, 0, `${fps} fps: up-only does not pass`);
    const down = attempt('nod', fps, 41);
    t.equal(ofType(down.events, 'passed').length, 1, `${fps} fps: the control nod passes`);
    // Down and staying down (lowering the head for 3 s), then back: not a nod.
    const slow = attempt('nod', fps, 42, (s) => s.move(250, { pitch: -18 }).hold(3_000).move(250, { pitch: 0 }));
    t.equal(ofType(slow.events, 'passed').length, 0, `${fps} fps: down for 3 s then back is not a nod`);
    t.equal(slow.judge.state.armed, 'nod');
    // A single-frame pitch outlier (a pose solver glitch) is not a down.
    const glitch = settled({ fps, seed: 43, noise: { pose: 0 } });
    glitch.set({ pitch: -25 }).hold(1).set({ pitch: 0 }).hold(1_000);
    const j = sceneJudge();
    j.expect('nod');
    t.equal(ofType(feed(j, glitch.frames), 'passed').length, 0, `${fps} fps: a one-frame outlier is not a nod`);
  }
});

t.test('shake_head: one way does not pass, too slow does not pass, both ways does', async (t) => {
  for (const fps of [15, 30]) {
    const left = attempt('shake_head', fps, 51, (s) => s.move(300, { yaw: 22 }).hold(200).move(300, { yaw: 0 }));
    t.equal(ofType(left.events, 'passed').length, 0, `${fps} fps: left and back does not pass`);
    const right = attempt('shake_head', fps, 52, (s) => s.move(300, { yaw: -22 }).hold(200).move(300, { yaw: 0 }).hold(400).move(300, { yaw: -22 }).move(300, { yaw: 0 }));
    t.equal(ofType(right.events, 'passed').length, 0, `${fps} fps: right twice does not pass`);
    const rightFirst = attempt('shake_head', fps, 53, (s) => s.move(250, { yaw: -22 }).move(500, { yaw: 22 }).move(250, { yaw: 0 }));
    t.equal(ofType(rightFirst.events, 'passed').length, 1, `${fps} fps: right then left passes`);
    const slow = attempt('shake_head', fps, 54, (s) => s.move(250, { yaw: 22 }).hold(1_500).move(1_500, { yaw: -22 }).move(250, { yaw: 0 }));
    t.equal(ofType(slow.events, 'passed').length, 0, `${fps} fps: a 3.5 s shake is too slow`);
  }
});

t.test('blink: too long, too short, one eye, or while turning does not pass', async (t) => {
  const closeBoth = { earRight: 0.05, earLeft: 0.05 };
  const openBoth = { earRight: 0.3, earLeft: 0.3 };
  for (const fps of [15, 30]) {
    const long = attempt('blink', fps, 61, (s) => s.move(70, closeBoth).hold(1_000).move(70, openBoth));
    t.equal(ofType(long.events, 'passed').length, 0, `${fps} fps: eyes closed 1 s is not a blink`);
    t.equal(long.judge.state.detector?.['rejected'], 'too-long');

    const wink = attempt('blink', fps, 62, (s) => s.move(70, { earRight: 0.02 }).hold(150).move(70, { earRight: 0.3 }));
    t.equal(ofType(wink.events, 'passed').length, 0, `${fps} fps: one eye is not a blink`);

    // Mean far enough down, but the left eye barely moves: it is not both eyes.
    const uneven = attempt('blink', fps, 63, (s) => s.move(70, { earRight: 0.0, earLeft: 0.24 }).hold(150).move(70, openBoth));
    t.equal(ofType(uneven.events, 'passed').length, 0, `${fps} fps: right eye shut, left at 80 % is not a blink`);
    t.equal(uneven.judge.state.detector?.['rejected'], 'one-eye');

    // Turning the head to 30° and back, the eyes looking narrower on the way: not a blink.
    const turning = attempt('blink', fps, 64, (s) =>
      s.move(300, { yaw: 30, ...closeBoth }).hold(100).move(300, { yaw: 0, ...openBoth }),
    );
    t.equal(ofType(turning.events, 'passed').length, 0, `${fps} fps: eyes narrowing with a 30° turn is not a blink`);
    const nodding = attempt('blink', fps, 65, (s) =>
      s.move(250, { pitch: -25, ...closeBoth }).hold(100).move(250, { pitch: 0, ...openBoth }),
    );
    t.equal(ofType(nodding.events, 'passed').length, 0, `${fps} fps: eyelids down with a 25° lowering is not a blink`);
    // The same closure during a small turn (10°) is a blink: the guard is on the angle, not on motion.
    const small = attempt('blink', fps, 66, (s) => s.move(150, { yaw: 10 }).move(70, closeBoth).hold(130).move(70, openBoth));
    t.equal(ofType(small.events, 'passed').length, 1, `${fps} fps: a blink while turned 10° passes`);
  }
  // Too short: one closed frame at 30 fps (33 ms).
  const short = settled({ fps: 30, seed: 67 }).set(closeBoth).hold(1).set(openBoth).hold(600);
  const j = sceneJudge();
  j.expect('blink');
  t.equal(ofType(feed(j, short.frames), 'passed').length, 0, 'a one-frame closure at 30 fps is a glitch');
  t.equal(j.state.detector?.['rejected'], 'too-short');
});

t.test('open_mouth held too briefly does not pass; held long enough does', async (t) => {
  for (const fps of [15, 30]) {
    const brief = attempt('open_mouth', fps, 71, (s) => s.set({ mar: 0.5 }).hold(100).set({ mar: 0.02 }));
    t.equal(ofType(brief.events, 'passed').length, 0, `${fps} fps: 100 ms open does not pass`);
    const enough = attempt('open_mouth', fps, 71, (s) => s.set({ mar: 0.5 }).hold(250).set({ mar: 0.02 }));
    t.equal(ofType(enough.events, 'passed').length, 1, `${fps} fps: 250 ms open passes`);
  }
  // At 30 fps, 150 ms is 5 frames; with hold.frames = 8 the same 250 ms (8 frames) is needed.
  const judge = sceneJudge({ hold: { frames: 9 } });
  judge.expect('open_mouth');
  const scene = settled({ fps: 30, seed: 72 }).set({ mar: 0.5 }).hold(250).set({ mar: 0.02 }).hold(300);
  t.equal(ofType(feed(judge, scene.frames), 'passed').length, 0, 'the frame minimum applies as well as the time');
});

t.test('an action must start from neutral: armed while already turned, it waits for the return', async (t) => {
  const scene = settled({ fps: 30, seed: 81 }).move(300, { yaw: 25 }).hold(300);
  const judge = sceneJudge();
  feed(judge, scene.frames);
  judge.expect('turn_left');
  const held = scene.frames.length;
  scene.hold(1_000);
  t.equal(ofType(feed(judge, scene.frames.slice(held)), 'passed').length, 0, 'already turned: no pass');
  t.equal(judge.state.detector?.phase, 'wait-neutral');
  const mark = scene.frames.length;
  scene.move(300, { yaw: 0 }).hold(300);
  PERFORM.turn_left(scene).hold(300);
  const events = feed(judge, scene.frames.slice(mark));
  t.equal(ofType(events, 'passed').length, 1, 'back to neutral and turning again passes');
});

t.test('expect() replaces the armed action; clear() disarms; state is a snapshot', async (t) => {
  const judge = sceneJudge();
  judge.expect('raise_head');
  judge.expect('lower_head');
  const scene = settled({ fps: 30, seed: 91 });
  PERFORM.raise_head(scene);
  const mark = scene.frames.length;
  PERFORM.lower_head(scene).hold(300);
  const a = feed(judge, scene.frames.slice(0, mark));
  t.equal(ofType(a, 'passed').length, 0, 'raise_head no longer armed');
  const s = judge.state;
  t.equal(s.phase, 'ready');
  t.equal(s.armed, 'lower_head');
  t.equal(s.detector?.action, 'lower_head');
  const b = feed(judge, scene.frames.slice(mark));
  t.same(ofType(b, 'passed').map((e) => e.action), ['lower_head']);
  t.equal(s.armed, 'lower_head', 'the earlier snapshot did not change');

  judge.expect('turn_left');
  judge.clear();
  const more = settled({ fps: 30, seed: 92, t0: scene.nextAt });
  PERFORM.turn_left(more);
  t.equal(ofType(feed(judge, more.frames), 'passed').length, 0, 'nothing armed, nothing passes');
});

t.test('progress values are computed from ratios: the face size does not matter', async (t) => {
  const runs = [120, 220, 400].map((size) => {
    const scene = settled({ fps: 30, seed: 95, start: { size } as Partial<Person> });
    PERFORM.open_mouth(scene);
    const judge = sceneJudge();
    judge.expect('open_mouth');
    return ofType(feed(judge, scene.frames), 'progress').map((e) => e.value);
  });
  t.ok(runs[0]!.length >= 3);
  t.same(runs[1], runs[0], 'the same progress for a 220 px face as for a 120 px one');
  t.same(runs[2], runs[0], 'and for a 400 px one');
});

t.test('blink duration boundaries: 700 ms closed is a blink, 733 ms is not; 67 ms is not, 100 ms is', async (t) => {
  const cases: Array<[number, number]> = [
    [21, 1], // 21 frames at 30 fps = 700 ms from the first closed frame to the first open one
    [22, 0], // 733 ms
    [2, 0], // 67 ms
    [3, 1], // 100 ms
  ];
  for (const [n, expected] of cases) {
    const s = settled({ fps: 30, seed: 101, noise: { ear: 0 } })
      .set({ earRight: 0.05, earLeft: 0.05 })
      .hold(((n - 0.5) * 1000) / 30)
      .set({ earRight: 0.3, earLeft: 0.3 })
      .hold(500);
    const closed = s.frames.filter((f) => f.faces[0]!.ear.mean < 0.1);
    t.equal(closed.length, n, `${n} closed frames`);
    const judge = sceneJudge();
    judge.expect('blink');
    t.equal(ofType(feed(judge, s.frames), 'passed').length, expected, `${n} frames (${Math.round((n * 1000) / 30)} ms): ${expected ? 'a blink' : 'not a blink'}`);
  }
});

t.test('nod: a head kept down past maxGestureMs gives the attempt up at once', async (t) => {
  const scene = settled({ fps: 30, seed: 102 }).move(250, { pitch: -18 });
  const down = scene.frames.length;
  scene.hold(2_000);
  const at2s = scene.frames.length;
  scene.hold(1_000);
  const judge = sceneJudge();
  judge.expect('nod');
  feed(judge, scene.frames.slice(0, at2s));
  t.equal(judge.state.detector?.phase, 'down', 'down 2 s: still a nod in progress');
  t.ok(down > 0);
  const events = feed(judge, scene.frames.slice(at2s));
  t.equal(judge.state.detector?.phase, 'wait-neutral', 'down 3 s: given up, waiting for neutral');
  t.ok(ofType(events, 'progress').some((e) => e.value <= 0.1), 'the bar goes back down');
});

t.test('frames with non-finite measures (a failed pose solve) are skipped, not judged', async (t) => {
  for (const action of ['raise_head', 'open_mouth', 'nod', 'blink'] as const) {
    const scene = settled({ fps: 30, seed: 103 }).hold(600);
    for (const f of scene.frames.slice(-18)) {
      const face = f.faces[0]!;
      face.pose = { yaw: Number.NaN, pitch: Number.NaN, roll: 0 };
      face.mar = Number.NaN;
      face.ear = { right: Number.NaN, left: Number.NaN, mean: Number.NaN };
    }
    const judge = sceneJudge();
    judge.expect(action);
    const events = feed(judge, scene.frames);
    const nanFrom = scene.frames[scene.frames.length - 18]!.at;
    t.same(events.filter((e) => e.at >= nanFrom), [], `${action}: no event from the NaN frames`);
    t.equal(ofType(events, 'baseline').length, 1);
    t.equal(ofType(events, 'passed').length, 0);
    t.equal(judge.state.phase, 'ready', `${action}: the face is still followed`);
  }
});
