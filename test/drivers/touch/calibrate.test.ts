/**
 * Touch calibration from four touched corners: the pure computation for panels mounted every way,
 * then `lifecheck devices calibrate-touch` reading a real evdev FIFO the test taps on.
 */
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { devices } from '../../../src/cli/devices.js';
import { inputRecord } from '../../../src/drivers/barcode/emulator.js';
import { calibrationFromCorners, CORNERS, type Corner, type RawPoint } from '../../../src/drivers/touch/calibrate.js';
import { ABS_X, ABS_Y, BTN_TOUCH, EV_ABS, EV_KEY, EV_SYN, SYN_REPORT, toScreen, type AxisCalibration } from '../../../src/drivers/touch/evdev.js';

const SIZE = { width: 1280, height: 800 };
const SCREEN_CORNERS: Record<Corner, { x: number; y: number }> = {
  'top left': { x: 0, y: 0 },
  'top right': { x: 1279, y: 0 },
  'bottom right': { x: 1279, y: 799 },
  'bottom left': { x: 0, y: 799 },
};

/** Where a panel mounted as `cal` says a finger at screen point (sx, sy) is, in its raw units. */
function rawAt(cal: AxisCalibration, sx: number, sy: number): RawPoint {
  let nx = sx / (SIZE.width - 1);
  let ny = sy / (SIZE.height - 1);
  if (cal.invertX) nx = 1 - nx;
  if (cal.invertY) ny = 1 - ny;
  if (cal.swapXY) [nx, ny] = [ny, nx];
  return { x: Math.round(cal.minX + nx * (cal.maxX - cal.minX)), y: Math.round(cal.minY + ny * (cal.maxY - cal.minY)) };
}

function touchedCorners(cal: AxisCalibration, jitter = 0): Record<Corner, RawPoint> {
  const out = {} as Record<Corner, RawPoint>;
  CORNERS.forEach((c, i) => {
    const p = rawAt(cal, SCREEN_CORNERS[c].x, SCREEN_CORNERS[c].y);
    // A finger is not a pin: each touch lands a little off, differently each time.
    out[c] = { x: p.x + (i % 2 ? jitter : -jitter), y: p.y + (i < 2 ? jitter : -jitter) };
  });
  return out;
}

const MOUNTINGS: Array<[string, AxisCalibration]> = [
  ['upright', { minX: 200, maxX: 3900, minY: 150, maxY: 3950, swapXY: false, invertX: false, invertY: false }],
  ['upside down', { minX: 200, maxX: 3900, minY: 150, maxY: 3950, swapXY: false, invertX: true, invertY: true }],
  ['turned 90°', { minX: 0, maxX: 32767, minY: 0, maxY: 32767, swapXY: true, invertX: true, invertY: false }],
  ['turned 270°', { minX: 100, maxX: 1000, minY: 50, maxY: 600, swapXY: true, invertX: false, invertY: true }],
  ['mirrored', { minX: 0, maxX: 4095, minY: 0, maxY: 4095, swapXY: false, invertX: true, invertY: false }],
];

t.test('every mounting: the corners give back the panel calibration', async (t) => {
  for (const [name, cal] of MOUNTINGS) {
    t.same(calibrationFromCorners(touchedCorners(cal)), cal, name);
  }
});

t.test('with fingers a little off, each corner still lands within a few pixels of the screen corner', async (t) => {
  for (const [name, cal] of MOUNTINGS) {
    const span = Math.max(cal.maxX - cal.minX, cal.maxY - cal.minY);
    const found = calibrationFromCorners(touchedCorners(cal, Math.round(span / 200)));
    t.equal(found.swapXY, cal.swapXY, `${name}: orientation`);
    for (const c of CORNERS) {
      const p = rawAt(cal, SCREEN_CORNERS[c].x, SCREEN_CORNERS[c].y);
      const s = toScreen(p.x, p.y, found, SIZE);
      t.ok(Math.abs(s.x - SCREEN_CORNERS[c].x) <= 10 && Math.abs(s.y - SCREEN_CORNERS[c].y) <= 10, `${name}, ${c}: at ${s.x},${s.y}`);
    }
  }
});

t.test('touches that are not four corners in order are refused with what to do', async (t) => {
  const p = { x: 2000, y: 2000 };
  t.throws(() => calibrationFromCorners({ 'top left': p, 'top right': p, 'bottom right': p, 'bottom left': p }), { name: 'CalibrationError' }, 'all in one place');
  const upright = touchedCorners(MOUNTINGS[0]![1]);
  // Top right and bottom right swapped: a Z across the screen instead of going round it.
  t.throws(
    () => calibrationFromCorners({ ...upright, 'top right': upright['bottom right'], 'bottom right': upright['top right'] }),
    /not the corners of the screen in the asked order/,
  );
  // Going round the other way is a panel mirrored along its diagonal: calibrated, not refused.
  const other = calibrationFromCorners({ ...upright, 'top right': upright['bottom left'], 'bottom left': upright['top right'] });
  t.equal(other.swapXY, true);
});

function tap(p: RawPoint): Buffer {
  return Buffer.concat(
    [
      { type: EV_ABS, code: ABS_X, value: p.x },
      { type: EV_ABS, code: ABS_Y, value: p.y },
      { type: EV_KEY, code: BTN_TOUCH, value: 1 },
      { type: EV_SYN, code: SYN_REPORT, value: 0 },
      { type: EV_KEY, code: BTN_TOUCH, value: 0 },
      { type: EV_SYN, code: SYN_REPORT, value: 0 },
    ].map((e) => inputRecord(e, 24)),
  );
}

/** The command's stderr as it is written, to touch each corner when it is asked for. */
function asked(stream: PassThrough) {
  let text = '';
  let waiting: { what: string; resolve: () => void } | null = null;
  stream.on('data', (b: Buffer) => {
    text += b.toString();
    if (waiting && text.includes(waiting.what)) waiting.resolve();
  });
  return {
    text: () => text,
    for: (what: string) => new Promise<void>((resolve) => (text.includes(what) ? resolve() : (waiting = { what, resolve }))),
  };
}

t.test('lifecheck devices calibrate-touch: asks for each corner on a real FIFO and prints the configuration', async (t) => {
  const dir = t.testdir({});
  const fifo = join(dir, 'event3');
  execFileSync('mkfifo', [fifo]);
  const panel = await open(fifo, 'r+');
  t.teardown(() => panel.close());
  const out = new PassThrough();
  const err = new PassThrough();
  let printed = '';
  out.on('data', (b: Buffer) => (printed += b.toString()));
  const prompts = asked(err);
  const cal = MOUNTINGS[2]![1];
  const corners = touchedCorners(cal);
  const run = devices(['calibrate-touch', '--device', fifo, '--timeout', '20'], out, err);
  for (const c of CORNERS) {
    await prompts.for(`${c} ...`);
    // A person's pace from one corner to the next (taps within 300 ms are one bouncing touch).
    if (c !== 'top left') await new Promise((resolve) => setTimeout(resolve, 400));
    // The first corner's finger bounces: a second tap right after, elsewhere, is not the next corner.
    await panel.write(c === 'top left' ? Buffer.concat([tap(corners[c]), tap(corners['bottom right'])]) : tap(corners[c]));
  }
  t.equal(await run, 0, prompts.text());
  t.same(JSON.parse(printed), { devices: { touch: { device: fifo, calibration: cal } } });
  t.match(prompts.text(), `top left ... raw ${corners['top left'].x}, ${corners['top left'].y}`);
});

t.test('calibrate-touch: no touchscreen, or no touch in time, is a message and exit 1', async (t) => {
  const dir = t.testdir({});
  const err = new PassThrough();
  const said = asked(err);
  t.equal(await devices(['calibrate-touch', '--device', join(dir, 'event9')], new PassThrough(), err), 1);
  t.match(said.text(), /touchscreen .*event9 cannot be opened/);

  const fifo = join(dir, 'event4');
  execFileSync('mkfifo', [fifo]);
  const panel = await open(fifo, 'r+');
  t.teardown(() => panel.close());
  const err2 = new PassThrough();
  const said2 = asked(err2);
  t.equal(await devices(['calibrate-touch', '--device', fifo, '--timeout', '0.2'], new PassThrough(), err2), 1);
  t.match(said2.text(), 'no touch within 0.2 s');
});
