/**
 * bench/render: the screen pipeline's costs on this machine (issue targets: full frame ≤ 16 ms,
 * countdown tick ≤ 1 ms, preview blit ≤ 5 ms). Renders go through the same ScreenRenderer and
 * FramebufferDisplay as the terminal, into a regular file standing in for /dev/fb0.
 *   npm run bench:render            BENCH_ROUNDS=N for more rounds (default 40)
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FramebufferDisplay } from '../src/drivers/display/framebuffer.js';
import { convert } from '../src/drivers/display/pixels.js';
import { silentLogger } from '../src/log/logger.js';
import { fixtureView } from '../src/screens/fixtures.js';
import { ScreenRenderer } from '../src/screens/renderer.js';
import { renderSvg } from '../src/screens/svg.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const SCREENS = ['service', 'capture-acting', 'result', 'confirm', 'history'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Median time of `fn`. Between samples the event loop gets a turn, as it does in the daemon:
 * the canvas's native buffers are released by finalizers that run there (without it RSS balloons).
 */
async function time(fn: (i: number) => void, rounds = ROUNDS): Promise<number> {
  for (let i = 0; i < 3; i++) fn(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

function fakeFb(width: number, height: number): { display: FramebufferDisplay; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lifecheck-bench-'));
  mkdirSync(join(dir, 'fb0'));
  writeFileSync(join(dir, 'fb0', 'virtual_size'), `${width},${height}`);
  writeFileSync(join(dir, 'fb0', 'bits_per_pixel'), '32');
  writeFileSync(join(dir, 'fb0', 'stride'), String(width * 4));
  writeFileSync(join(dir, 'fb'), Buffer.alloc(width * height * 4));
  return { display: new FramebufferDisplay({ device: join(dir, 'fb'), sysfsDir: join(dir, 'fb0'), logger: silentLogger() }), dir };
}

const rows: Array<[string, string, number, number | null]> = [];
for (const size of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  const label = `${size.width}x${size.height}`;
  const renderer = new ScreenRenderer(size);
  rows.push([`svg build (${SCREENS.length} screens)`, label, await time((i) => void renderSvg(fixtureView(SCREENS[i % SCREENS.length]!), size)), null]);
  rows.push(['full frame: svg → rgba', label, await time((i) => void renderer.render(fixtureView(SCREENS[i % SCREENS.length]!))), 16]);
  rows.push(['countdown box alone', label, await time((i) => void renderer.renderCountdown(fixtureView('service', 299 - (i % 200)))), 1]);
  const rgba = renderer.render(fixtureView('service')).data;
  const out565 = Buffer.alloc(size.width * size.height * 2);
  const out8888 = Buffer.alloc(size.width * size.height * 4);
  rows.push(['convert rgba → xrgb8888', label, await time(() => convert(rgba, size.width * 4, size.width, size.height, 'xrgb8888', out8888, 0, size.width * 4)), null]);
  rows.push(['convert rgba → rgb565 dithered', label, await time(() => convert(rgba, size.width * 4, size.width, size.height, 'rgb565', out565, 0, size.width * 2)), null]);

  const fb = fakeFb(size.width, size.height);
  await fb.display.start();
  let n = 0;
  rows.push(['framebuffer: new screen', label, await time(() => fb.display.show(fixtureView(SCREENS[n++ % SCREENS.length]!))), 16]);
  fb.display.show(fixtureView('service', 299));
  rows.push(['framebuffer: countdown tick', label, await time((i) => fb.display.show(fixtureView('service', 298 - (i % 200)))), 1]);
  fb.display.show(fixtureView('capture-acting'));
  const frame = { width: 640, height: 480, data: new Uint8ClampedArray(640 * 480 * 4) };
  rows.push([
    'framebuffer: preview blit 640x480',
    label,
    await time((i) => {
      frame.data.fill(i % 255);
      fb.display.blitPreview(frame);
    }),
    5,
  ]);
  // What the hardware profile does per camera frame: BGR scaled and mirrored straight in.
  const bgr = new Uint8Array(640 * 480 * 3);
  rows.push([
    'camera frame → preview (mirrored)',
    label,
    await time((i) => {
      bgr.fill(i % 255);
      fb.display.blitCamera({ width: 640, height: 480, data: bgr }, true);
    }),
    5,
  ]);
  await fb.display.stop();
  rmSync(fb.dir, { recursive: true, force: true });
}

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('operation', 36)} ${pad('size', 10)} ${pad('median ms', 10)} ${pad('target', 7)} verdict`);
for (const [name, size, ms, target] of rows) {
  const verdict = target === null ? '' : ms <= target ? 'met' : `MISSED by ${(ms - target).toFixed(1)} ms`;
  console.log(`${pad(name, 36)} ${pad(size, 10)} ${pad(ms.toFixed(2), 10)} ${pad(target === null ? '-' : `≤ ${target}`, 7)} ${verdict}`);
}
console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, node ${process.version}`);
