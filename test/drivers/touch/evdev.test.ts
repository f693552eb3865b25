import t from 'tap';
import { execFileSync } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RealClock } from '../../../src/clock/clock.js';
import type { TouchEvent } from '../../../src/drivers/touch/port.js';
import {
  ABS_MT_POSITION_X,
  ABS_MT_POSITION_Y,
  ABS_MT_SLOT,
  ABS_MT_TRACKING_ID,
  ABS_X,
  ABS_Y,
  BTN_TOUCH,
  defaultRecordSize,
  EV_ABS,
  EV_KEY,
  EV_SYN,
  EvdevTouch,
  InputEventParser,
  SYN_REPORT,
  toScreen,
  TouchDecoder,
  screenPlacement,
  type AxisCalibration,
} from '../../../src/drivers/touch/evdev.js';
import { silentLogger } from '../../../src/log/logger.js';
import { memoryLogger } from '../../helpers.js';

const SIZE = { width: 1280, height: 800 };
const CAL: AxisCalibration = { minX: 0, maxX: 4095, minY: 0, maxY: 4095, swapXY: false, invertX: false, invertY: false };

/** A struct input_event as the kernel writes it: 64-bit (24 bytes) or 32-bit ARM (16 bytes). */
function record(type: number, code: number, value: number, size: 16 | 24 = 24, sec = 1700000000): Buffer {
  const b = Buffer.alloc(size);
  if (size === 24) {
    b.writeBigInt64LE(BigInt(sec), 0);
    b.writeBigInt64LE(123456n, 8);
  } else {
    b.writeInt32LE(sec, 0);
    b.writeInt32LE(123456, 4);
  }
  b.writeUInt16LE(type, size - 8);
  b.writeUInt16LE(code, size - 6);
  b.writeInt32LE(value, size - 4);
  return b;
}

/** A single-touch tap: BTN_TOUCH down at (x, y), lift at (x2, y2). */
function singleTap(x: number, y: number, x2 = x, y2 = y, size: 16 | 24 = 24): Buffer {
  return Buffer.concat([
    record(EV_ABS, ABS_X, x, size),
    record(EV_ABS, ABS_Y, y, size),
    record(EV_KEY, BTN_TOUCH, 1, size),
    record(EV_SYN, SYN_REPORT, 0, size),
    record(EV_ABS, ABS_X, x2, size),
    record(EV_ABS, ABS_Y, y2, size),
    record(EV_SYN, SYN_REPORT, 0, size),
    record(EV_KEY, BTN_TOUCH, 0, size),
    record(EV_SYN, SYN_REPORT, 0, size),
  ]);
}

t.test('record size follows the architecture', async (t) => {
  t.equal(defaultRecordSize('x64'), 24);
  t.equal(defaultRecordSize('arm64'), 24);
  t.equal(defaultRecordSize('arm'), 16);
});

for (const size of [24, 16] as const) {
  t.test(`the parser reads ${size}-byte records, whatever the chunking`, async (t) => {
    const bytes = singleTap(100, 200, 100, 200, size);
    for (const chunk of [1, 5, 7, size, size + 3, bytes.length]) {
      const parser = new InputEventParser(size);
      const events = [];
      for (let i = 0; i < bytes.length; i += chunk) events.push(...parser.push(bytes.subarray(i, i + chunk)));
      t.equal(events.length, 9, `chunks of ${chunk}`);
      t.same(events[2], { type: EV_KEY, code: BTN_TOUCH, value: 1 });
    }
    t.same(new InputEventParser(size).push(record(EV_ABS, ABS_MT_TRACKING_ID, -1, size)), [{ type: EV_ABS, code: ABS_MT_TRACKING_ID, value: -1 }], 'negative values');
  });
}

function decode(bytes: Buffer, cal = CAL): TouchEvent[] {
  const events: TouchEvent[] = [];
  const decoder = new TouchDecoder(screenPlacement(cal, SIZE), (e) => events.push(e));
  for (const e of new InputEventParser(24).push(bytes)) decoder.feed(e);
  return events;
}

t.test('single touch: down on BTN_TOUCH, tap on release with both positions in screen pixels', async (t) => {
  t.same(decode(singleTap(2048, 1024, 2100, 1100)), [
    { type: 'touch.down', x: 640, y: 200 },
    { type: 'touch.tap', x: 656, y: 215, downX: 640, downY: 200 },
  ]);
});

t.test('multitouch type B: only the first finger (slot 0) counts', async (t) => {
  const mt = Buffer.concat([
    record(EV_ABS, ABS_MT_SLOT, 0),
    record(EV_ABS, ABS_MT_TRACKING_ID, 7),
    record(EV_ABS, ABS_MT_POSITION_X, 1024),
    record(EV_ABS, ABS_MT_POSITION_Y, 2048),
    record(EV_SYN, SYN_REPORT, 0),
    // A second finger lands and lifts elsewhere: ignored.
    record(EV_ABS, ABS_MT_SLOT, 1),
    record(EV_ABS, ABS_MT_TRACKING_ID, 8),
    record(EV_ABS, ABS_MT_POSITION_X, 4000),
    record(EV_ABS, ABS_MT_POSITION_Y, 4000),
    record(EV_SYN, SYN_REPORT, 0),
    record(EV_ABS, ABS_MT_TRACKING_ID, -1),
    record(EV_SYN, SYN_REPORT, 0),
    // The first finger lifts.
    record(EV_ABS, ABS_MT_SLOT, 0),
    record(EV_ABS, ABS_MT_TRACKING_ID, -1),
    record(EV_SYN, SYN_REPORT, 0),
  ]);
  t.same(decode(mt), [
    { type: 'touch.down', x: 320, y: 400 },
    { type: 'touch.tap', x: 320, y: 400, downX: 320, downY: 400 },
  ]);
});

t.test('calibration: ranges, swapped axes and inversion map the panel onto the screen', async (t) => {
  t.same(toScreen(100, 100, { ...CAL, minX: 100, minY: 100 }, SIZE), { x: 0, y: 0 });
  t.same(toScreen(4095, 4095, CAL, SIZE), { x: 1279, y: 799 }, 'clamped inside the screen');
  t.same(toScreen(-50, 9000, CAL, SIZE), { x: 0, y: 799 }, 'out-of-range values clamp');
  // A panel mounted rotated: its X runs down the screen, its Y runs right to left.
  t.same(toScreen(1024, 0, { ...CAL, swapXY: true, invertX: true }, SIZE), { x: 1279, y: 200 });
  t.same(toScreen(0, 1024, { ...CAL, invertY: true }, SIZE), { x: 0, y: 600 });
});

t.test('the driver reads a real FIFO, reports a lost device and picks it up again', async (t) => {
  const dir = t.testdir({});
  const fifo = join(dir, 'event0');
  execFileSync('mkfifo', [fifo]);
  const events: TouchEvent[] = [];
  let wake: (() => void) | null = null;
  const next = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (events.length >= n ? resolve() : (wake = check));
      check();
    });
  const touch = new EvdevTouch({ device: fifo, recordSize: 24, calibration: CAL, size: SIZE, clock: new RealClock(), logger: silentLogger(), reopenMs: 10 });
  touch.onEvent((e) => {
    events.push(e);
    wake?.();
  });
  // A failed step must not leave the `cat` child holding the test process until tap's timeout.
  t.teardown(() => touch.stop());
  await touch.start();
  // The device's side holds the FIFO read-write, as the HID scanner emulator does: a write-only end
  // would be let through by the driver's non-blocking probe and then write into a pipe no one has
  // open yet (EPIPE) whenever `cat` is slower to open it than the test is to touch.
  let writer = await open(fifo, 'r+');
  await writer.write(singleTap(2048, 2048));
  await next(2);
  t.same(events.slice(0, 2), [
    { type: 'touch.down', x: 640, y: 400 },
    { type: 'touch.tap', x: 640, y: 400, downX: 640, downY: 400 },
  ]);
  await writer.close(); // the device goes away (USB unplug)
  await next(3);
  t.same(events[2], { type: 'device.fault', device: 'touch', reason: 'device closed' });
  writer = await open(fifo, 'r+'); // replugged
  await next(4);
  t.same(events[3], { type: 'device.ok', device: 'touch' });
  await writer.write(singleTap(0, 0));
  await next(6);
  t.same(events[5], { type: 'touch.tap', x: 0, y: 0, downX: 0, downY: 0 });
  await touch.stop();
  await writer.close();
});

t.test('idle touchscreens hold no thread-pool thread, and stop() returns while no one touches', async (t) => {
  // Five devices that are open but silent: a blocked read per device in Node's four-thread pool
  // would starve every file operation of the process (the SQLite outbox's among them).
  const dir = t.testdir({ 'file.txt': 'still readable' });
  const writers = [];
  const drivers: EvdevTouch[] = [];
  for (let i = 0; i < 5; i++) {
    const fifo = join(dir, `event${i}`);
    execFileSync('mkfifo', [fifo]);
    const touch = new EvdevTouch({ device: fifo, recordSize: 24, calibration: CAL, size: SIZE, clock: new RealClock(), logger: silentLogger(), reopenMs: 10 });
    await touch.start();
    drivers.push(touch);
    writers.push(await open(fifo, 'w'));
  }
  const read = readFile(join(dir, 'file.txt'), 'utf8');
  const outcome = await Promise.race([read, new Promise<string>((resolve) => setTimeout(() => resolve('thread pool starved'), 5_000).unref())]);
  t.equal(outcome, 'still readable');
  await Promise.all(drivers.map((d) => d.stop()));
  t.pass('every stop() returned with its device silent');
  for (const w of writers) await w.close();
});

t.test('a panel reporting beyond its calibration is said once (the calibration is not this panel’s)', async (t) => {
  const dir = t.testdir({});
  const fifo = join(dir, 'event0');
  execFileSync('mkfifo', [fifo]);
  const { logger, lines } = memoryLogger();
  const events: TouchEvent[] = [];
  let wake: (() => void) | null = null;
  const next = (n: number) => new Promise<void>((resolve) => (events.length >= n ? resolve() : (wake = () => events.length >= n && resolve())));
  const touch = new EvdevTouch({ device: fifo, recordSize: 24, calibration: CAL, size: SIZE, clock: new RealClock(), logger, reopenMs: 10 });
  touch.onEvent((e) => {
    events.push(e);
    wake?.();
  });
  t.teardown(() => touch.stop());
  await touch.start();
  const panel = await open(fifo, 'r+');
  t.teardown(() => panel.close());
  await panel.write(singleTap(4000, 4100)); // within 5% of the range: fine
  await next(2);
  t.equal(lines.length, 0, 'a touch at the very edge is no news');
  await panel.write(singleTap(30000, 20000));
  await next(4);
  await panel.write(singleTap(31000, 21000));
  await next(6);
  t.same(events[3], { type: 'touch.tap', x: 1279, y: 799, downX: 1279, downY: 799 }, 'still a touch, at the edge');
  t.equal(lines.length, 1, 'said once');
  t.match(lines[0], { rawX: 30000, rawY: 20000, msg: /outside the calibrated range.*calibrate-touch/ });
});
