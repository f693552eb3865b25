/**
 * The sim profile's synthesised person (src/vision/synth/performer.ts) on a simulated clock, read
 * by the real face pipeline: frames at the camera's pace stamped with the terminal's time; still
 * until asked; the asked action after a moment to react, and again while it is still asked; still
 * again once the terminal moves on; nothing after stop().
 */
import t from 'tap';
import { advanceTo, SimClock } from '../../src/clock/clock.js';
import type { BgrFrame, Frame } from '../../src/drivers/camera/port.js';
import { Performer } from '../../src/vision/synth/performer.js';
import { pipelineDetector, prepareSource } from '../../src/vision/synth/index.js';
import type { VisionCommand, VisionEvent } from '../../src/vision/port.js';
import { face, testEngine } from './engine-fixture.js';

// About 26 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 120 s.
t.setTimeout(120_000);

const engine = testEngine();
const source = prepareSource(engine.cv, face('astronaut'), pipelineDetector(engine.pipeline()), engine.predictor.model.initialShape);
const T0 = Date.parse('2026-11-28T09:00:00+08:00');

interface Seen {
  at: number;
  seq: number | undefined;
  yaw: number;
  pitch: number;
  faces: number;
}

function rig(timing = {}) {
  const clock = new SimClock(T0);
  const performer = new Performer({ clock, source: () => source, seed: 3, timing });
  const pipeline = engine.pipeline();
  const seen: Seen[] = [];
  performer.onFrame((frame: Frame) => {
    const mat = engine.matOf(frame);
    const o = pipeline.analyze(mat, frame.at);
    mat.release();
    const f = o.faces[0];
    seen.push({ at: frame.at - T0, seq: frame.seq, yaw: f?.pose.yaw ?? NaN, pitch: f?.pose.pitch ?? NaN, faces: o.faces.length });
  });
  const at = (ms: number) => advanceTo(clock, T0 + ms);
  const between = (from: number, to: number) => seen.filter((s) => s.at >= from && s.at < to);
  return { clock, performer, seen, at, between };
}

const maxAbs = (xs: number[]) => Math.max(...xs.map(Math.abs));

t.test('sitting still: frames at the camera pace, one frontal face in every one', async (t) => {
  const r = rig();
  await r.performer.start();
  await r.at(2000);
  t.ok(r.seen.length >= 29 && r.seen.length <= 31, `15 fps for 2 s (${r.seen.length} frames)`);
  t.same(r.seen.map((s) => s.seq), r.seen.map((_, i) => i), 'numbered without gaps');
  t.ok(r.seen.every((s, i) => i === 0 || s.at - r.seen[i - 1]!.at === 67), 'stamped with the clock, 67 ms apart');
  t.ok(r.seen.every((s) => s.faces === 1), 'one face in each');
  t.ok(maxAbs(r.seen.map((s) => s.yaw)) < 6 && maxAbs(r.seen.map((s) => s.pitch)) < 8, `facing the camera (|yaw| ≤ ${maxAbs(r.seen.map((s) => s.yaw)).toFixed(1)}, |pitch| ≤ ${maxAbs(r.seen.map((s) => s.pitch)).toFixed(1)})`);
  await r.performer.stop();
  const count = r.seen.length;
  await r.at(4000);
  t.equal(r.seen.length, count, 'no frame after stop()');
});

t.test('asked to turn left: a moment to react, the turn, and the turn again while still asked', async (t) => {
  const r = rig({ reactMs: 1500, againMs: 3000 });
  await r.performer.start();
  await r.at(1000);
  r.performer.hear({ type: 'expect', action: 'turn_left' });
  await r.at(2400);
  t.ok(maxAbs(r.between(1000, 2400).map((s) => s.yaw)) < 6, 'still while understanding the prompt');
  await r.at(5000);
  const turn = r.between(2500, 5000).map((s) => s.yaw);
  t.ok(Math.max(...turn) > 12, `turns to their left (yaw up to ${Math.max(...turn).toFixed(1)}°)`);
  t.ok(Math.abs(r.seen.at(-1)!.yaw) < 6, `and back to the camera (${r.seen.at(-1)!.yaw.toFixed(1)}°)`);
  // The script lasts ~2.4 s; the turn again starts againMs after it ended.
  await r.at(7000);
  t.ok(maxAbs(r.between(5000, 7000).map((s) => s.yaw)) < 6, 'a pause before trying again');
  await r.at(9500);
  t.ok(Math.max(...r.between(7000, 9500).map((s) => s.yaw)) > 12, 'turns again: the terminal still waits for it');
  r.performer.hear({ type: 'capture' });
  await r.at(16_000);
  t.ok(maxAbs(r.between(10_500, 16_000).map((s) => s.yaw)) < 6, 'still for the photo once the terminal moved on');
  await r.performer.stop();
});

t.test('each action reads as that action to the pipeline', async (t) => {
  const cases: Array<[VisionCommand & { type: 'expect' }, (s: Seen[]) => number, string]> = [
    [{ type: 'expect', action: 'raise_head' }, (s) => Math.max(...s.map((x) => x.pitch)), 'pitch up'],
    [{ type: 'expect', action: 'lower_head' }, (s) => -Math.min(...s.map((x) => x.pitch)), 'pitch down'],
    [{ type: 'expect', action: 'turn_right' }, (s) => -Math.min(...s.map((x) => x.yaw)), 'yaw to their right'],
  ];
  for (const [command, size, what] of cases) {
    const r = rig({ reactMs: 500 });
    await r.performer.start();
    await r.at(1000);
    r.performer.hear(command);
    await r.at(4000);
    t.ok(size(r.between(1500, 4000)) > 8, `${command.action}: ${what} by ${size(r.between(1500, 4000)).toFixed(1)}°`);
    await r.performer.stop();
  }
});

t.test('a new action waits for the head to come back; baseline cancels what was asked', async (t) => {
  const r = rig({ reactMs: 200, againMs: 1000 });
  await r.performer.start();
  r.performer.hear({ type: 'expect', action: 'turn_left' });
  await r.at(1000);
  r.performer.hear({ type: 'expect', action: 'turn_right' });
  await r.at(2400);
  t.ok(Math.min(...r.between(1000, 2400).map((s) => s.yaw)) > -6, 'no turn right while still turning left');
  await r.at(5200);
  const right = Math.min(...r.between(2400, 5200).map((s) => s.yaw));
  t.ok(right < -8, `then the turn right (${right.toFixed(1)}°)`);
  r.performer.hear({ type: 'baseline' });
  await r.at(9000);
  t.ok(maxAbs(r.between(5400, 9000).map((s) => s.yaw)) < 6, 'nothing asked: sits still');
  await r.performer.stop();
});

t.test('listen(): the person hears every command the vision port gets, and a stopped session means sit still', async (t) => {
  const r = rig({ reactMs: 100, againMs: 500 });
  const got: VisionCommand[] = [];
  let stopped = 0;
  const port = r.performer.listen({
    open: (_emit: (e: VisionEvent) => void) => ({ command: (c) => got.push(c), stop: () => stopped++ }),
  });
  const session = port.open(() => {});
  await r.performer.start();
  session.command({ type: 'baseline' });
  session.command({ type: 'expect', action: 'turn_left' });
  await r.at(1500);
  t.same(got.map((c) => c.type), ['baseline', 'expect'], 'commands reach the port');
  t.ok(Math.max(...r.seen.map((s) => s.yaw)) > 8, 'and the person');
  session.stop();
  t.equal(stopped, 1, 'stop reaches the port');
  await r.at(3000);
  const after = r.between(2700, 3000);
  t.ok(after.length > 0 && maxAbs(after.map((s) => s.yaw)) < 6, 'no action repeated after the session ended');
  await r.performer.stop();
});

t.test('a face that cannot be prepared: start() fails with the reason, no frames', async (t) => {
  const clock = new SimClock(T0);
  const performer = new Performer({ clock, source: () => { throw new Error('portrait /nope.jpg cannot be read as an image'); } });
  const frames: BgrFrame[] = [];
  performer.onFrame((f) => frames.push(f as BgrFrame));
  await t.rejects(performer.start(), /nope\.jpg/);
  await advanceTo(clock, T0 + 1000);
  t.equal(frames.length, 0);
});
