import t from 'tap';
import { bgrToRgba } from '../../../src/drivers/display/pixels.js';

// 3x2 BGR frame: each pixel's blue byte is its index, green 100 + index, red 200 + index.
const W = 3;
const H = 2;
const bgr = new Uint8Array(W * H * 3);
for (let i = 0; i < W * H; i++) bgr.set([i, 100 + i, 200 + i], i * 3);

t.test('a camera frame becomes opaque RGBA, channels swapped', async (t) => {
  const out = new Uint8ClampedArray(W * H * 4);
  bgrToRgba(bgr, W, H, out, false);
  t.same([...out.subarray(0, 8)], [200, 100, 0, 255, 201, 101, 1, 255]);
  t.same([...out.subarray(12, 16)], [203, 103, 3, 255], 'second row starts with pixel 3');
});

t.test('mirrored: each row runs right to left, rows stay in place', async (t) => {
  const out = new Uint8ClampedArray(W * H * 4);
  bgrToRgba(bgr, W, H, out, true);
  t.same([...out.subarray(0, 4)], [202, 102, 2, 255], 'top left shows the top right pixel');
  t.same([...out.subarray(8, 12)], [200, 100, 0, 255]);
  t.same([...out.subarray(12, 16)], [205, 105, 5, 255], 'bottom left shows the bottom right pixel');
});

t.test('buffers too small for the frame are refused', async (t) => {
  t.throws(() => bgrToRgba(bgr.subarray(3), W, H, new Uint8ClampedArray(W * H * 4), false), RangeError);
  t.throws(() => bgrToRgba(bgr, W, H, new Uint8ClampedArray(4), false), RangeError);
});
