/**
 * The OpenCV camera driver on real clips (made with ffmpeg here) and a real image folder: frames,
 * sizes, numbering, pacing on a SimClock, end of clip, loop, stop() in the middle of a read.
 * Synchronisation is on what the driver says or does (frames, pending clock timers, a read in
 * flight), never on sleeps.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { RealClock, SimClock } from '../../../src/clock/clock.js';
import { fourccCode, fourccText, frameAge, isStale } from '../../../src/drivers/camera/opencv.js';
import { until } from '../../helpers.js';
import { colourOf, makeClip, makeFolder, recorded, turns } from './clips.js';
import { tempDir } from '../temp-dir.js';

const T0 = 1_700_000_000_000;
const dir = tempDir(t, 'lifecheck-camera-');
const clip15 = makeClip(dir, 'clip15.mp4', { size: '320x240', rate: 15, seconds: 2, codec: 'h264' }); // 30 frames
const short = makeClip(dir, 'short.avi', { size: '160x120', rate: 15, seconds: 1, codec: 'mjpeg' }); // 15 frames
const vga = makeClip(dir, 'vga.avi', { size: '640x480', rate: 30, seconds: 4, codec: 'mjpeg' }); // 120 frames

const seqs = (frames: Array<{ seq?: number }>) => frames.map((f) => f.seq!);
const consecutive = (s: number[]) => s.every((v, i) => i === 0 || v === s[i - 1]! + 1);

t.test('a file at fps 0: every frame, BGR at the clip’s size, numbered in order, stamped by the clock', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: clip15, fps: 0 }, clock);
  await r.cam.start();
  await until(() => r.errors.length > 0, 10_000, 'the end of the clip');
  t.equal(r.frames.length, 30, '2 s at 15 fps');
  t.ok(r.frames.every((f) => f.format === 'bgr' && f.width === 320 && f.height === 240), 'all 320x240 BGR');
  t.ok(r.frames.every((f) => f.data.length === 320 * 240 * 3), 'packed: width*height*3 bytes');
  t.same(seqs(r.frames), Array.from({ length: 30 }, (_, i) => i), 'seq 0..29');
  t.ok(r.frames.every((f) => f.at === T0), 'at is the injected clock’s time (it did not move)');
  t.not(r.frames[0]!.data.compare(r.frames[15]!.data), 0, 'the frames differ (the picture moves)');
  t.same(r.errors, ['end of clip']);
  t.same(r.statuses, [], 'a clip is not a device: no health events');
});

t.test('640x480 MJPEG at fps 0: read cost per frame through the driver', async (t) => {
  const r = recorded(t, { kind: 'file', path: vga, fps: 0 }, new RealClock());
  const started = performance.now();
  await r.cam.start();
  await until(() => r.errors.length > 0, 20_000, 'the end of the clip');
  const ms = (performance.now() - started) / r.frames.length;
  t.equal(r.frames.length, 120);
  t.ok(r.frames.every((f) => f.width === 640 && f.height === 480 && f.data.length === 640 * 480 * 3));
  t.comment(`640x480 MJPEG: ${ms.toFixed(2)} ms per frame (open, readAsync, copy to a Buffer, delivery)`);
  t.ok(ms < 50, `${ms.toFixed(2)} ms per frame`);
});

t.test('paced to the clip’s 15 fps on a SimClock: a frame waits for its slot, at follows the clock', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: clip15 }, clock);
  await r.cam.start();
  await until(() => r.frames.length === 1, 5_000, 'the first frame');
  t.equal(r.frames[0]!.at, T0, 'frame 0 at once');
  for (let k = 1; k <= 10; k++) {
    const due = T0 + Math.round((k * 1000) / 15);
    // The next frame is read, then held until its time on the clock.
    await until(() => clock.pending() === 1 && !r.cam.reading, 5_000, `frame ${k} read and waiting`);
    t.equal(clock.nextDue(), due, `frame ${k} due at +${due - T0} ms`);
    await turns(5);
    t.equal(r.frames.length, k, `frame ${k} not delivered before its time`);
    clock.fireNext(due);
    await until(() => r.frames.length === k + 1, 5_000, `frame ${k}`);
    t.equal(r.frames[k]!.at, due, `frame ${k} stamped +${due - T0} ms`);
    t.equal(r.frames[k]!.seq, r.frames[0]!.seq! + k);
  }
  t.same(r.errors, []);
});

t.test('an explicit fps overrides the clip’s; a stall is not caught up in a burst', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: clip15, fps: 5 }, clock);
  await r.cam.start();
  await until(() => r.frames.length === 1, 5_000, 'the first frame');
  await until(() => clock.pending() === 1, 5_000, 'frame 1 waiting');
  t.equal(clock.nextDue(), T0 + 200, '5 fps: 200 ms apart');
  // The terminal stalls for 3 s: frame 1 comes late; the frames after it resume 200 ms apart.
  clock.setNow(T0 + 3_000);
  clock.fireNext(T0 + 3_000);
  await until(() => r.frames.length === 2, 5_000, 'frame 1');
  t.equal(r.frames[1]!.at, T0 + 3_000);
  await until(() => clock.pending() === 1, 5_000, 'frame 2 waiting');
  t.equal(clock.nextDue(), T0 + 3_200, 'frame 2 one interval after the late frame, not at once');
  clock.fireNext(T0 + 3_200);
  await until(() => r.frames.length === 3, 5_000, 'frame 2');
  await until(() => clock.pending() === 1, 5_000, 'frame 3 waiting');
  t.equal(clock.nextDue(), T0 + 3_400);
  t.same(seqs(r.frames).map((s) => s - r.frames[0]!.seq!), [0, 1, 2], 'no frame dropped');
});

t.test('end of a clip without loop: one "end of clip", then nothing', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: short, fps: 0 }, clock);
  await r.cam.start();
  await until(() => r.errors.length > 0, 5_000, 'the end of the clip');
  await until(() => !r.cam.reading, 5_000, 'no read in flight');
  await turns(20);
  t.equal(r.frames.length, 15);
  t.ok(r.frames.every((f) => f.width === 160 && f.height === 120));
  t.same(r.errors, ['end of clip'], 'said once');
  t.equal(clock.pending(), 0, 'nothing scheduled');
  t.same(r.statuses, []);
  t.ok(r.cam.running, 'still started (stop() is the caller’s)');
  await r.cam.stop();
  t.notOk(r.cam.running);
});

t.test('loop: the clip starts again from its first frame, numbering goes on', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: short, fps: 0, loop: true }, clock);
  await r.cam.start();
  await until(() => r.frames.length >= 40, 10_000, '40 frames');
  await r.cam.stop();
  t.same(r.errors, [], 'no end of clip');
  const s = seqs(r.frames);
  t.ok(consecutive(s), 'seq has no gap across the restarts');
  t.equal(r.frames[15]!.data.compare(r.frames[0]!.data), 0, 'frame 15 is frame 0 again');
  t.equal(r.frames[30]!.data.compare(r.frames[0]!.data), 0, 'frame 30 too');
  t.not(r.frames[14]!.data.compare(r.frames[0]!.data), 0, 'the last frame is not');
});

t.test('loop, paced: the restart keeps the rhythm', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: short, loop: true }, clock);
  await r.cam.start();
  for (let k = 1; k <= 17; k++) {
    await until(() => clock.pending() === 1 && !r.cam.reading, 5_000, `frame ${k} waiting`);
    clock.fireNext(clock.nextDue()!);
    await until(() => r.frames.length === k + 1, 5_000, `frame ${k}`);
  }
  const gaps = r.frames.slice(1).map((f, i) => f.at - r.frames[i]!.at);
  t.ok(gaps.every((g) => g === 66 || g === 67), `15 fps through the restart at frame 15: ${gaps.join(',')}`);
  t.equal(r.frames[15]!.data.compare(r.frames[0]!.data), 0, 'frame 15 is frame 0 again');
});

t.test('a folder: images by name, unreadable ones skipped and logged, their numbers left out', async (t) => {
  const folder = makeFolder(dir);
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'folder', path: folder.path, fps: 0 }, clock);
  // A listener that throws must not stop the camera (nor keep frames from the others).
  r.cam.onFrame(() => {
    throw new Error('a listener’s bug');
  });
  await r.cam.start();
  await until(() => r.errors.length > 0, 5_000, 'the end of the folder');
  t.equal(r.frames.length, 4, `${folder.good.join(', ')}`);
  const first = r.frames[0]!.seq!;
  t.same(seqs(r.frames).map((s) => s - first), [0, 1, 3, 4], '03.jpg (not an image) leaves a gap; 06.jpg is last');
  const pixel = (i: number) => [...r.frames[i]!.data.subarray(0, 3)];
  t.same(pixel(0), colourOf(1), '01.png first, its exact BGR');
  t.ok(pixel(1).every((v, c) => Math.abs(v - colourOf(2)[c]!) <= 3), `02.jpg second (${pixel(1)})`);
  t.ok(pixel(2).every((v, c) => Math.abs(v - colourOf(4)[c]!) <= 3), `04.jpeg third (${pixel(2)})`);
  t.same(pixel(3), colourOf(5), '05.PNG fourth');
  t.ok(r.frames.every((f) => f.width === 32 && f.height === 24 && f.data.length === 32 * 24 * 3));
  const skipped = r.logs.filter((l) => l.msg === 'camera: unreadable image skipped').map((l) => l.file);
  t.same(skipped, folder.bad, 'both unreadable files logged by name');
  t.equal(r.logs.filter((l) => l.msg === 'camera: frame listener threw').length, 4, 'the listener’s throw logged per frame');
  t.same(r.errors, ['end of clip']);
});

t.test('a folder, paced and looping: the bad images keep their slots', async (t) => {
  const folder = makeFolder(tempDir(t));
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'folder', path: folder.path, fps: 10, loop: true }, clock);
  await r.cam.start();
  await until(() => r.frames.length === 1, 5_000, 'the first image');
  for (let k = 1; k < 6; k++) {
    await until(() => clock.pending() === 1 && !r.cam.reading, 5_000, `image ${k} waiting`);
    clock.fireNext(clock.nextDue()!);
    await until(() => r.frames.length === k + 1, 5_000, `image ${k}`);
  }
  // Six names per pass at 100 ms: 01 02 (03) 04 05 (06) | 01 02 ...
  t.same(r.frames.map((f) => f.at - T0), [0, 100, 300, 400, 600, 700]);
  t.same(r.errors, []);
});

t.test('a folder of nothing readable, looping, ends instead of spinning', async (t) => {
  const bad = tempDir(t);
  writeFileSync(join(bad, 'a.jpg'), Buffer.from('not a JPEG'));
  writeFileSync(join(bad, 'b.png'), Buffer.alloc(0));
  const r = recorded(t, { kind: 'folder', path: bad, fps: 0, loop: true }, new SimClock(T0));
  await r.cam.start();
  await until(() => r.errors.length > 0, 5_000, 'the end');
  await turns(20);
  t.same(r.errors, ['end of clip']);
  t.equal(r.frames.length, 0);
  t.equal(r.logs.filter((l) => l.msg === 'camera: unreadable image skipped').length, 2, 'each skipped once: one pass only');
});

t.test('what cannot be played rejects start(), with the path', async (t) => {
  const clock = new SimClock(T0);
  const missing = recorded(t, { kind: 'file', path: join(dir, 'nope.mp4') }, clock);
  await t.rejects(missing.cam.start(), /camera clip .*nope\.mp4 cannot be opened/);
  t.notOk(missing.cam.running);
  const noFolder = recorded(t, { kind: 'folder', path: join(dir, 'nofolder'), fps: 5 }, clock);
  await t.rejects(noFolder.cam.start(), /camera folder .*nofolder cannot be read: ENOENT/);
  const empty = recorded(t, { kind: 'folder', path: tempDir(t), fps: 5 }, clock);
  await t.rejects(empty.cam.start(), /holds no \.jpg\/\.jpeg\/\.png\/\.bmp images/);
  t.same([...missing.errors, ...noFolder.errors, ...empty.errors], []);
});

t.test('stop() while a read is in flight: resolves at once, the frame read is dropped, start() again works', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: vga, fps: 0 }, clock);
  await r.cam.start();
  await r.cam.start(); // a second start() while running changes nothing
  await until(() => r.frames.length >= 5 && r.cam.reading, 5_000, 'a read in flight after 5 frames');
  await r.cam.stop();
  // No macrotask ran since: the native read cannot have completed.
  t.ok(r.cam.reading, 'stop() resolved while the read was still in flight');
  t.notOk(r.cam.running);
  const delivered = r.frames.length;
  await until(() => !r.cam.reading, 5_000, 'the read to end');
  await turns(20);
  t.equal(r.frames.length, delivered, 'no frame after stop()');
  t.same(r.errors, []);
  const lastSeq = r.frames.at(-1)!.seq!;
  await r.cam.start();
  await until(() => r.frames.length >= delivered + 3, 5_000, 'frames after the restart');
  t.equal(r.frames[delivered]!.seq! > lastSeq, true, 'numbering goes on across stop/start');
  t.equal(r.frames[delivered]!.width, 640);
  await r.cam.stop();
  await r.cam.stop(); // twice: fine
});

t.test('stop() while a paced frame waits for its slot: the timer goes, no frame comes', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: clip15 }, clock);
  await r.cam.start();
  await until(() => r.frames.length === 1 && clock.pending() === 1, 5_000, 'frame 1 waiting');
  await r.cam.stop();
  t.equal(clock.pending(), 0, 'the wait was cancelled');
  clock.setNow(T0 + 10_000);
  await turns(20);
  t.equal(r.frames.length, 1);
});

t.test('stop() then start() at once, while the last read is in flight: the new run waits for it', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'file', path: vga, fps: 0 }, clock);
  await r.cam.start();
  await until(() => r.frames.length >= 2 && r.cam.reading, 5_000, 'a read in flight');
  await r.cam.stop();
  const cut = r.frames.length;
  const restarted = r.cam.start();
  t.ok(r.cam.reading, 'the old read is still in flight');
  await restarted;
  await until(() => r.errors.length > 0, 10_000, 'the end of the clip');
  const second = r.frames.slice(cut);
  t.equal(second.length, 120, 'the second run plays the whole clip, the old read’s frame was dropped');
  t.equal(second[0]!.data.compare(r.frames[0]!.data), 0, 'from its first frame');
  t.ok(second[0]!.seq! > r.frames[cut - 1]!.seq!, 'numbering goes on');
  t.same(r.errors, ['end of clip']);
});

t.test('pure parts: FOURCC codes, frame age, staleness', async (t) => {
  t.equal(fourccCode('MJPG'), 1196444237, 'what OpenCV reports for an MJPEG .avi');
  t.equal(fourccText(fourccCode('YUYV')), 'YUYV');
  t.throws(() => fourccCode('MJPEG'));
  t.equal(frameAge(0, 5_000), null, 'no frame yet');
  t.equal(frameAge(4_990, 5_000), 10);
  t.equal(frameAge(1_700_000_000_000, 5_000), null, 'a wall-clock stamp is not on the monotonic clock');
  t.equal(frameAge(5_000 - 60_000, 5_000), null, 'a minute old: not a plausible V4L2 stamp');
  const at30 = 1000 / 30;
  t.equal(isStale({ ageMs: 40, readMs: 1, idleMs: 500, intervalMs: at30 }), false, 'timestamp says fresh: kept, however fast the read');
  t.equal(isStale({ ageMs: 150, readMs: 30, idleMs: 0, intervalMs: at30 }), true, 'timestamp says 150 ms old: dropped');
  t.equal(isStale({ ageMs: null, readMs: 2, idleMs: 200, intervalMs: at30 }), true, 'after a 200 ms stall, an instant read took a queued frame');
  t.equal(isStale({ ageMs: null, readMs: 20, idleMs: 200, intervalMs: at30 }), false, 'after a stall, a read that waited for the sensor');
  t.equal(isStale({ ageMs: null, readMs: 2, idleMs: 10, intervalMs: at30 }), false, 'no stall, nothing can have queued up');
});
