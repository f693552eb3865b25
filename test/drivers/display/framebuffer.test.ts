import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGeometry } from '../../../src/drivers/display/framebuffer.js';
import { fakeFb } from './fake-fb.js';
import { convert } from '../../../src/drivers/display/pixels.js';
import { fixtureView } from '../../../src/screens/fixtures.js';
import { layoutScreen } from '../../../src/screens/layout.js';
import { COLORS, pictureRect } from '../../../src/screens/svg.js';
import { GUIDE_COLORS } from '../../../src/screens/guide.js';

function hex(color: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) as [number, number, number];
}

/** Reads the pixel at (x, y) back from the device file as RGB. */
function pixel(file: Buffer, stride: number, bpp: 16 | 32, x: number, y: number): [number, number, number] {
  if (bpp === 32) {
    const o = y * stride + x * 4;
    return [file[o + 2]!, file[o + 1]!, file[o]!];
  }
  const v = file.readUInt16LE(y * stride + x * 2);
  return [((v >> 11) & 31) << 3, ((v >> 5) & 63) << 2, (v & 31) << 3];
}

function near(t: Test, got: [number, number, number], want: [number, number, number], tolerance: number, what: string) {
  t.ok(got.every((c, i) => Math.abs(c - want[i]!) <= tolerance), `${what}: got ${got}, want ${want}`);
}

t.test('geometry comes from sysfs; missing files and odd depths are clear errors', async (t) => {
  const dir = t.testdir({ ok: { virtual_size: '800,480', bits_per_pixel: '16', stride: '1600' }, bad: { virtual_size: '800,480', bits_per_pixel: '24' }, none: {} });
  t.same(readGeometry(join(dir, 'ok')), { width: 800, height: 480, stride: 1600, format: 'rgb565' });
  t.same(readGeometry(join(dir, 'ok'), { width: 400 }).width, 400, 'config overrides sysfs');
  t.throws(() => readGeometry(join(dir, 'bad')), /24 bits per pixel is not supported/);
  t.throws(() => readGeometry(join(dir, 'none')), /virtual_size is missing/);
});

for (const bpp of [32, 16] as const) {
  t.test(`a full screen lands in the device at ${bpp} bpp with the right colours at known offsets`, async (t) => {
    const fb = fakeFb(t, bpp);
    await fb.display.start();
    t.equal(readFileSync(join(fb.dir, 'fbcon', 'cursor_blink'), 'utf8'), '0', 'console cursor hidden');
    const view = fixtureView('service');
    fb.display.show(view);
    const file = readFileSync(fb.device);
    const tol = bpp === 32 ? 0 : 12;
    near(t, pixel(file, fb.stride, bpp, 5, 5), hex(COLORS.header), tol, 'header bar at (5,5)');
    near(t, pixel(file, fb.stride, bpp, 300, 795), hex(COLORS.footer), tol, 'footer behind the terminal number');
    const apply = layoutScreen(view, { width: 1280, height: 800 }).buttons.find((b) => b.id === 'apply')!.rect;
    near(t, pixel(file, fb.stride, bpp, apply.x + 20, apply.y + 8), hex(COLORS.button), tol, 'inside the apply button');
    near(t, pixel(file, fb.stride, bpp, 1270, 100), hex(COLORS.background), tol, 'background');
    // Rows are written whole, stride padding included (coalesced writes); the visible part is what counts.
    near(t, pixel(file, fb.stride, bpp, 1279, 799), hex(COLORS.footer), tol, 'last pixel of the last row');
    await fb.display.stop();
    t.ok(readFileSync(fb.device).subarray(0, fb.stride * fb.height).every((b, i) => b === 0 || i % fb.stride >= fb.width * (bpp / 8)), 'blanked on stop');
  });
}

t.test('only what changed is written: same view nothing, a countdown tick its box only', async (t) => {
  const fb = fakeFb(t, 32);
  await fb.display.start();
  fb.display.show(fixtureView('service', 299));
  const first = fb.display.stats.bytesWritten;
  t.ok(first >= 1280 * 4 * 700, 'the first frame writes (nearly) everything');
  const before = readFileSync(fb.device);

  fb.display.show(fixtureView('service', 299));
  t.equal(fb.display.stats.bytesWritten, first, 'the same view again writes nothing');

  fb.display.show(fixtureView('service', 298));
  const after = readFileSync(fb.device);
  const tick = fb.display.stats.bytesWritten - first;
  t.equal(fb.display.stats.fullRenders, 1, 'no full render for a tick');
  t.equal(fb.display.stats.countdownRenders, 1);
  const slot = layoutScreen(fixtureView('service'), { width: 1280, height: 800 }).footerSlots[5]!;
  t.ok(tick > 0 && tick <= slot.width * slot.height * 4, `a tick writes at most its box (${tick} bytes)`);
  let changedOutside = 0;
  let changedInside = 0;
  for (let y = 0; y < 800; y++) {
    for (let x = 0; x < 1280; x++) {
      const o = y * fb.stride + x * 4;
      if (before.readUInt32LE(o) === after.readUInt32LE(o)) continue;
      const inside = x >= slot.x && x < slot.x + slot.width && y >= slot.y && y < slot.y + slot.height;
      if (inside) changedInside++;
      else changedOutside++;
    }
  }
  t.equal(changedOutside, 0, 'nothing outside the countdown box changed');
  t.ok(changedInside > 50, 'the digits changed');

  fb.display.show(fixtureView('consent', 298));
  t.equal(fb.display.stats.fullRenders, 2, 'a new screen is a full render');
  t.ok(fb.display.stats.rowsWritten < 800 * 3, 'rows are written only where they changed');
  await fb.display.stop();
});

t.test('the camera preview is scaled straight into the picture area, above the caption', async (t) => {
  const fb = fakeFb(t, 32);
  await fb.display.start();
  const view = fixtureView('capture-acting');
  fb.display.show(view);
  const frame = { width: 640, height: 480, data: new Uint8ClampedArray(640 * 480 * 4) };
  for (let i = 0; i < frame.data.length; i += 4) frame.data.set([200, 30, 40, 255], i);
  const fulls = fb.display.stats.fullRenders;
  fb.display.blitPreview(frame);
  t.equal(fb.display.stats.fullRenders, fulls, 'no re-render for a frame');
  t.equal(fb.display.stats.previewBlits, 1);
  const layout = layoutScreen(view, { width: 1280, height: 800 });
  const file = readFileSync(fb.device);
  const area = layout.area!;
  near(t, pixel(file, fb.stride, 32, area.x + 10, area.y + 10), [200, 30, 40], 0, 'top of the picture area shows the frame');
  t.notSame(pixel(file, fb.stride, 32, area.x + 5, layout.caption!.y + layout.caption!.height - 5), [200, 30, 40], 'caption band keeps its own pixels');

  fb.display.show(fixtureView('service'));
  const blits = fb.display.stats.previewBlits;
  fb.display.blitPreview(frame);
  t.equal(fb.display.stats.previewBlits, blits, 'frames are ignored when the capture screen is not up');
  await fb.display.stop();
});

t.test('a camera frame (BGR) is drawn mirrored: the left of the picture shows the right of the frame', async (t) => {
  const fb = fakeFb(t, 32);
  await fb.display.start();
  const view = fixtureView('capture-acting');
  fb.display.show(view);
  // Left half of the frame red, right half blue (BGR bytes).
  const frame = { width: 640, height: 480, data: new Uint8Array(640 * 480 * 3) };
  for (let i = 0; i < 640 * 480; i++) frame.data.set(i % 640 < 320 ? [0, 0, 220] : [220, 0, 0], i * 3);
  const area = layoutScreen(view, { width: 1280, height: 800 }).area!;
  const left = () => pixel(readFileSync(fb.device), fb.stride, 32, area.x + area.width / 2 - 100, area.y + 20);
  fb.display.blitCamera(frame, false);
  near(t, left(), [220, 0, 0], 0, 'as filmed: red on the left');
  fb.display.blitCamera(frame, true);
  near(t, left(), [0, 0, 220], 0, 'mirrored: blue on the left');
  t.equal(fb.display.stats.previewBlits, 2);
  await fb.display.stop();
});

t.test('RGB565 dithering keeps a smooth gradient free of wide bands', async (t) => {
  const width = 256;
  const src = new Uint8ClampedArray(width * 4 * 4);
  for (let y = 0; y < 4; y++) for (let x = 0; x < width; x++) src.set([x, x, x, 255], (y * width + x) * 4);
  const out = Buffer.alloc(width * 2 * 4);
  convert(src, width * 4, width, 4, 'rgb565', out, 0, width * 2);
  // Without dithering, red steps every 8 levels: runs of 8 equal pixels. With it, runs are short.
  let longest = 0;
  let run = 1;
  for (let x = 1; x < width; x++) {
    if (out.readUInt16LE(x * 2) === out.readUInt16LE((x - 1) * 2)) run++;
    else run = 1;
    longest = Math.max(longest, run);
  }
  t.ok(longest < 8, `longest run of one colour: ${longest}`);
});

t.test('the face guide stays drawn over every camera frame, in its colour for the placement', async (t) => {
  const fb = fakeFb(t, 32);
  await fb.display.start();
  const frame = { width: 640, height: 480, data: new Uint8Array(640 * 480 * 3).fill(90) };
  const size = { width: 1280, height: 800 };
  for (const [fixture, colour] of [['capture-action-raise_head', GUIDE_COLORS.good], ['capture-hint-too-far', GUIDE_COLORS.bad]] as const) {
    const view = fixtureView(fixture);
    fb.display.show(view);
    fb.display.blitCamera(frame, true);
    const pic = pictureRect(layoutScreen(view, size));
    // The oval's leftmost point: centre row, a fifth of the picture's width left of its middle.
    const x = Math.round(pic.x + pic.width / 2 - pic.width * 0.2), y = Math.round(pic.y + pic.height * 0.48);
    const file = readFileSync(fb.device);
    near(t, pixel(file, fb.stride, 32, x, y), hex(colour), 8, `${fixture}: the oval over the picture`);
    near(t, pixel(file, fb.stride, 32, x + 40, y), [90, 90, 90], 0, `${fixture}: the picture inside the oval`);
  }
  await fb.display.stop();
});
