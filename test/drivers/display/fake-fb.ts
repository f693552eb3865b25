/** A framebuffer for tests: a regular file for /dev/fb0 beside a sysfs-shaped folder. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { FramebufferDisplay } from '../../../src/drivers/display/framebuffer.js';
import { silentLogger } from '../../../src/log/logger.js';

/** A fake /sys/class/graphics/fb0 and a regular file standing in for /dev/fb0. */
export function fakeFb(t: Test, bpp: 16 | 32, width = 1280, height = 800, padding = 64) {
  const stride = width * (bpp / 8) + padding;
  const dir = t.testdir({
    fb0: { virtual_size: `${width},${height}\n`, bits_per_pixel: `${bpp}\n`, stride: `${stride}\n` },
    fbcon: { cursor_blink: '1\n' },
    dev: {},
  });
  const device = join(dir, 'dev', 'fb0');
  writeFileSync(device, Buffer.alloc(stride * height, 0x33));
  const display = new FramebufferDisplay({
    device,
    sysfsDir: join(dir, 'fb0'),
    cursorBlinkPath: join(dir, 'fbcon', 'cursor_blink'),
    logger: silentLogger(),
  });
  return { display, device, dir, stride, width, height };
}

