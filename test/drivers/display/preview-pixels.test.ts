/**
 * The camera preview straight from BGR: the same pixels as the RGBA path (scaleInto) would draw
 * from the same picture, in both framebuffer formats, mirrored or not.
 */
import t from 'tap';
import { bytesPerPixel, scaleBgrInto, scaleInto, type PixelFormat } from '../../../src/drivers/display/pixels.js';

// A 7x5 BGR frame with every pixel different (odd sizes so scaling repeats and skips pixels).
const SW = 7;
const SH = 5;
const bgr = new Uint8Array(SW * SH * 3);
for (let i = 0; i < SW * SH; i++) bgr.set([(i * 37) & 255, (i * 91 + 11) & 255, (i * 53 + 200) & 255], i * 3);

/** The same picture as RGBA, mirrored left to right if asked: built by hand, pixel by pixel. */
function rgbaOf(mirror: boolean): Uint8ClampedArray {
  const out = new Uint8ClampedArray(SW * SH * 4);
  for (let y = 0; y < SH; y++) {
    for (let x = 0; x < SW; x++) {
      const s = (y * SW + (mirror ? SW - 1 - x : x)) * 3;
      out.set([bgr[s + 2]!, bgr[s + 1]!, bgr[s]!, 255], (y * SW + x) * 4);
    }
  }
  return out;
}

const W = 24;
const H = 16;
const RECT = { x: 3, y: 2, width: 16, height: 11 };

for (const format of ['xrgb8888', 'rgb565'] as PixelFormat[]) {
  for (const mirror of [false, true]) {
    t.test(`${format}${mirror ? ', mirrored' : ''}: the same pixels as the RGBA path`, async (t) => {
      const stride = W * bytesPerPixel(format);
      const viaRgba = Buffer.alloc(stride * H, 0x11);
      const direct = Buffer.alloc(stride * H, 0x11);
      scaleInto(rgbaOf(mirror), SW, SH, RECT, 9, format, viaRgba, stride);
      scaleBgrInto(bgr, SW, SH, RECT, 9, format, direct, stride, mirror);
      t.ok(direct.equals(viaRgba), 'byte for byte');
      t.equal(direct[(RECT.y + 10) * stride + RECT.x * bytesPerPixel(format)], 0x11, 'rows under the caption are left alone');
    });
  }
}

t.test('a frame shorter than its size says so', async (t) => {
  t.throws(() => scaleBgrInto(bgr.subarray(3), SW, SH, RECT, 9, 'xrgb8888', Buffer.alloc(W * 4 * H), W * 4, false), RangeError);
});
