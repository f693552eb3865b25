/**
 * The OpenCV camera's device side without a camera (there is no V4L2 here): a node that does not
 * exist is a camera unplugged: reported once, retried with backoff on the SimClock, ended by stop().
 * A clip opened as the "device" (api 'any') that appears later and then runs out stands in for a
 * replug and a second unplug.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { RealClock, SimClock } from '../../../src/clock/clock.js';
import type { DeviceSource } from '../../../src/drivers/camera/opencv.js';
import { until } from '../../helpers.js';
import { makeClip, recorded, turns } from './clips.js';
import { tempDir } from '../temp-dir.js';

const T0 = 1_700_000_000_000;
const FAULT = { type: 'device.fault', device: 'camera', reason: 'unplugged' };
const OK = { type: 'device.ok', device: 'camera' };
const missing: DeviceSource = { kind: 'device', device: '/dev/video99', width: 640, height: 480, fps: 30, fourcc: 'MJPG' };

t.test('a device that is not there: one fault, one error, retries at 0.5, 1, 2, 4, 5, 5 s; stop() ends them', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, missing, clock);
  await r.cam.start();
  t.same(r.statuses, [FAULT], 'device.fault unplugged, at once');
  t.same(r.errors, ['camera disconnected']);
  t.ok(r.cam.running, 'start() resolved: the driver keeps trying');
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    await until(() => clock.pending() === 1, 5_000, `retry ${i + 1} scheduled`);
    waits.push(clock.nextDue()! - clock.now());
    clock.fireNext(clock.nextDue()!);
  }
  await until(() => clock.pending() === 1, 5_000, 'retry 7 scheduled');
  t.same(waits, [500, 1_000, 2_000, 4_000, 5_000, 5_000], 'backoff, capped at 5 s');
  const attempts = r.logs.filter((l) => l.msg === 'camera: reopening later').length;
  t.equal(attempts, 7, 'one open attempt per wait (the first at start)');
  t.same(r.statuses, [FAULT], 'the fault is not repeated');
  t.same(r.errors, ['camera disconnected'], 'nor the error');
  await r.cam.stop();
  t.equal(clock.pending(), 0, 'stop() cancelled the pending retry');
  clock.setNow(clock.now() + 60_000);
  await turns(10);
  t.equal(r.logs.filter((l) => l.msg === 'camera: reopening later').length, attempts, 'no attempt after stop()');
  t.same(r.frames, []);
});

t.test('started again while still missing: the new run hears "camera disconnected", the health does not repeat', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, { ...missing, device: 99 }, clock);
  await r.cam.start();
  await r.cam.stop();
  await r.cam.start();
  t.same(r.errors, ['camera disconnected', 'camera disconnected'], 'once per run');
  t.same(r.statuses, [FAULT], 'health is the device’s: one fault until it is back');
  await until(() => clock.pending() === 1, 5_000, 'a retry scheduled');
  t.equal(clock.nextDue()! - clock.now(), 500, 'the new run starts its backoff from 500 ms');
});

t.test('jitter can be asked for: waits within [ceiling/2, ceiling]', async (t) => {
  const clock = new SimClock(T0);
  const r = recorded(t, missing, clock, { random: () => 0, retry: { baseMs: 1_000, maxMs: 8_000 } });
  await r.cam.start();
  const waits: number[] = [];
  for (let i = 0; i < 5; i++) {
    await until(() => clock.pending() === 1, 5_000, `retry ${i + 1}`);
    waits.push(clock.nextDue()! - clock.now());
    clock.fireNext(clock.nextDue()!);
  }
  t.same(waits, [500, 1_000, 2_000, 4_000, 4_000], 'random 0: half of 1, 2, 4, 8, 8 s');
});

t.test('time to detect a missing device (real clock)', async (t) => {
  const r = recorded(t, missing, new RealClock());
  const started = performance.now();
  let detected = NaN;
  r.cam.onStatus(() => (detected = performance.now() - started));
  await r.cam.start();
  t.ok(Number.isFinite(detected), 'the fault came during start()');
  t.comment(`missing V4L2 device reported ${detected.toFixed(2)} ms after start()`);
  t.ok(detected < 100, `${detected.toFixed(2)} ms`);
});

t.test('a "device" that appears, delivers, then stops delivering: fault, ok, fault; the backoff starts over', async (t) => {
  const dir = tempDir(t);
  const clip = makeClip(dir, 'src.avi', { size: '160x120', rate: 15, seconds: 1, codec: 'mjpeg' });
  const later = join(dir, 'camera.avi');
  const clock = new SimClock(T0);
  const r = recorded(t, { kind: 'device', device: later, width: 160, height: 120, fps: 15, fourcc: 'MJPG', api: 'any' }, clock);
  await r.cam.start();
  t.same(r.statuses, [FAULT]);
  await until(() => clock.pending() === 1, 5_000, 'retry 1');
  clock.fireNext(clock.nextDue()!);
  await until(() => clock.pending() === 1, 5_000, 'retry 2');
  t.equal(clock.nextDue()! - clock.now(), 1_000);
  // Plugged in.
  copyFileSync(clip, later);
  clock.fireNext(clock.nextDue()!);
  await until(() => r.statuses.length === 3, 10_000, 'back, then lost again');
  t.same(r.statuses, [FAULT, OK, FAULT]);
  t.same(r.errors, ['camera disconnected', 'camera disconnected'], 'said again for the second outage');
  t.ok(r.frames.length >= 10 && r.frames.length <= 15, `${r.frames.length} frames while it was there`);
  t.ok(r.frames.every((f) => f.width === 160 && f.height === 120 && f.at === T0 + 1_500), 'stamped by the clock');
  const s = r.frames.map((f) => f.seq!);
  t.ok(s.every((v, i) => i === 0 || v > s[i - 1]!), 'seq increasing');
  t.ok(r.logs.some((l) => l.msg === 'camera open' && Array.isArray(l.refused)), 'the open is logged with the settings the backend refused');
  await until(() => clock.pending() === 1, 5_000, 'a retry after the second loss');
  t.equal(clock.nextDue()! - clock.now(), 500, 'the backoff starts over after a good run');
  await r.cam.stop();
  t.equal(clock.pending(), 0);
});

t.test('watched while not streaming: the node looked for every 0.5 s, gone and back reported without a capture', async (t) => {
  const dir = tempDir(t);
  const node = join(dir, 'video0');
  const clock = new SimClock(T0);
  const r = recorded(t, { ...missing, device: node }, clock);
  t.teardown(() => r.cam.unwatch());
  r.cam.watch();
  t.same(r.statuses, [FAULT], 'no camera at the terminal’s start: out of service at once');
  t.equal(clock.nextDue()! - clock.now(), 500, 'looked for again in 0.5 s');
  copyFileSync(import.meta.filename, node); // the node appears (any file: only its presence counts)
  clock.fireNext(clock.nextDue()!);
  t.same(r.statuses, [FAULT, OK], 'plugged in while idle: back without anyone reaching the capture screen');
  clock.fireNext(clock.nextDue()!);
  t.same(r.statuses, [FAULT, OK], 'no repeats');
  r.cam.watch();
  t.equal(clock.pending(), 1, 'watching twice is one watch');
  r.cam.unwatch();
  t.equal(clock.pending(), 0, 'unwatch ends the looking');
  t.same(r.frames, [], 'nothing was opened or read');

  // A file or a stream URL has no node: nothing to watch.
  const url = recorded(t, { ...missing, device: 'rtsp://camera.local/stream', api: 'any' }, clock);
  url.cam.watch();
  t.equal(clock.pending(), 0);
  t.same(url.statuses, []);
});

t.test('a camera lost while streaming is seen coming back once streaming stopped (重试 can be offered again)', async (t) => {
  const dir = tempDir(t);
  const node = join(dir, 'video0');
  const clock = new SimClock(T0);
  const r = recorded(t, { ...missing, device: node }, clock);
  t.teardown(() => r.cam.unwatch());
  await r.cam.start(); // the capture screen: the node is not there
  t.same(r.statuses, [FAULT]);
  r.cam.watch();
  t.same(r.statuses, [FAULT], 'while streaming, the stream reports, not the watch');
  await r.cam.stop(); // the camera-problem screen: nothing streams
  copyFileSync(import.meta.filename, node);
  await until(() => clock.pending() === 1, 5_000, 'only the watch is left');
  clock.fireNext(clock.nextDue()!);
  t.same(r.statuses, [FAULT, OK]);
});
