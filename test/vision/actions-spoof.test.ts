import t from 'tap';
import type { Action } from '../../src/vision/port.js';
import type { FrameObservation } from '../../src/vision/observation.js';
import { feed, ofType, photoClip, settled, type Person, sceneJudge } from './observation-fixtures.js';

function judge(action: Action, frames: FrameObservation[]) {
  const j = sceneJudge();
  j.expect(action);
  const events = feed(j, frames);
  const progress = ofType(events, 'progress').map((e) => e.value);
  return { j, events, passed: ofType(events, 'passed').length, peak: Math.max(0, ...progress) };
}

const sin = (ms: number, period: number) => Math.sin((2 * Math.PI * ms) / period);

t.test('a still photo moved rigidly (translated, rotated, scaled, a little perspective) never blinks or opens its mouth', async (t) => {
  for (const fps of [15, 30]) {
    for (const seed of [1, 2, 3]) {
      const frames = photoClip({
        fps,
        seed,
        ms: 9_000,
        motion: (ms) =>
          ms < 1_000
            ? {}
            : {
                dx: 60 * sin(ms - 1_000, 1_700),
                dy: 30 * sin(ms, 2_300),
                roll: 20 * sin(ms - 1_000, 3_100),
                scale: 1 + 0.3 * sin(ms - 1_000, 2_900),
                tiltX: 10 * sin(ms - 1_000, 1_300),
                tiltY: 10 * sin(ms - 1_000, 1_900),
              },
      });
      const ears = frames.map((f) => f.faces[0]!.ear.mean);
      const widths = frames.map((f) => f.faces[0]!.box[2]);
      t.ok(Math.max(...widths) / Math.min(...widths) > 1.7, 'the photo really is scaled');
      t.ok(Math.max(...ears) - Math.min(...ears) > 0.02, 'and the measured EAR does vary (landmark jitter, tilt)');
      for (const action of ['blink', 'open_mouth'] as const) {
        const r = judge(action, frames);
        t.equal(ofType(r.events, 'baseline').length, 1, `${action} ${fps} fps seed ${seed}: baseline taken on the still photo`);
        t.equal(r.passed, 0, `${action} ${fps} fps seed ${seed}: never passes`);
        t.ok(r.peak <= 0.3, `${action} ${fps} fps seed ${seed}: progress stays low (${r.peak})`);
      }
    }
  }
});

t.test('a photo waved hard (big scale and roll jumps every frame) never blinks or opens its mouth', async (t) => {
  for (const fps of [15, 30]) {
    const frames = photoClip({
      fps,
      ms: 5_000,
      motion: (ms) => (ms < 1_000 ? {} : { scale: 1 + 0.2 * Math.sign(sin(ms, 150)), roll: 12 * Math.sign(sin(ms, 230)), dx: 40 * sin(ms, 170) }),
    });
    for (const action of ['blink', 'open_mouth'] as const) {
      const r = judge(action, frames);
      t.equal(r.passed, 0, `${action} ${fps} fps: no pass`);
      t.ok(r.j.state.lastJumpAt !== null, `${action} ${fps} fps: the jumps were seen`);
      t.ok(r.peak <= 0.3, `${action} ${fps} fps: progress stays low (${r.peak})`);
    }
  }
});

t.test('both eyes "closing" in the same frames as a scale or roll jump is a waved photo, not a blink', async (t) => {
  const closed = { earRight: 0.05, earLeft: 0.05 };
  const open = { earRight: 0.3, earLeft: 0.3 };
  for (const fps of [15, 30]) {
    const cases: Array<[string, Partial<Person>, Partial<Person>]> = [
      ['scale +12 %', { size: 220 * 1.12 }, { size: 220 }],
      ['scale −12 %', { size: 220 / 1.12 }, { size: 220 }],
      ['roll +12°', { roll: 12 }, { roll: 0 }],
    ];
    for (const [what, jump, back] of cases) {
      const s = settled({ fps, seed: 5 }).hold(300).set({ ...jump, ...closed }).hold(200).set({ ...back, ...open }).hold(500);
      const r = judge('blink', s.frames);
      t.equal(r.passed, 0, `${fps} fps, ${what}: no blink`);
      t.equal(r.j.state.detector?.['rejected'], 'rigid-jump', `${fps} fps, ${what}: rejected as a rigid jump`);
      // Control: the same closure without the jump is a blink.
      const c = settled({ fps, seed: 5 }).hold(300).set(closed).hold(200).set(open).hold(500);
      t.equal(judge('blink', c.frames).passed, 1, `${fps} fps, ${what} control: the same closure alone is a blink`);
    }
    // A jump 100 ms before the closure taints it (within guardMs); one 500 ms before does not.
    const near = settled({ fps, seed: 6 }).set({ size: 250 }).hold(100).set(closed).hold(200).set(open).hold(500);
    t.equal(judge('blink', near.frames).passed, 0, `${fps} fps: jump 100 ms before closing: no blink`);
    const far = settled({ fps, seed: 6 }).set({ size: 250 }).hold(500).set(closed).hold(200).set(open).hold(500);
    t.equal(judge('blink', far.frames).passed, 1, `${fps} fps: jump 500 ms before closing: a blink`);
    // A jump while the eyes are closed taints the closure too.
    const during = settled({ fps, seed: 7 }).set(closed).hold(100).set({ size: 250 }).hold(150).set(open).hold(500);
    t.equal(judge('blink', during.frames).passed, 0, `${fps} fps: jump while closed: no blink`);
  }
});

t.test('an opening mouth measured while the face jumps every frame does not pass open_mouth', async (t) => {
  for (const fps of [15, 30]) {
    const s = settled({ fps, seed: 8 }).set({ mar: 0.5 });
    for (let i = 0; i < 20; i++) s.set({ size: i % 2 ? 220 : 250 }).hold(1000 / fps);
    s.set({ mar: 0.02, size: 220 }).hold(500);
    const r = judge('open_mouth', s.frames);
    t.equal(r.passed, 0, `${fps} fps: no pass`);
    t.ok(r.peak >= 0.9, `${fps} fps: the mouth ratio did reach the threshold (${r.peak})`);
    // Control: the same mouth without the jumps passes.
    const c = settled({ fps, seed: 8 }).set({ mar: 0.5 }).hold(20_000 / fps).set({ mar: 0.02 }).hold(500);
    t.equal(judge('open_mouth', c.frames).passed, 1, `${fps} fps control: passes`);
  }
});

t.test('a face brought much closer or farther does not fake blink or open_mouth', async (t) => {
  for (const fps of [15, 30]) {
    for (const size of [360, 130]) {
      const s = settled({ fps, seed: 9 }).move(1_500, { size }).hold(500).move(1_500, { size: 220 }).hold(500);
      for (const action of ['blink', 'open_mouth'] as const) {
        const r = judge(action, s.frames);
        t.equal(r.passed, 0, `${action} ${fps} fps to ${size} px: no pass`);
        t.ok(r.peak <= 0.2, `${action} ${fps} fps to ${size} px: progress ${r.peak}`);
      }
    }
  }
});
