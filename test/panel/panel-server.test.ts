/**
 * The panel's server and mirror without a browser: the changed rectangle, a taken port said once
 * with the key, the mirror's pixels equal to the screenshot renderer's, and the configuration.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/log/logger.js';
import { fixtureView } from '../../src/screens/fixtures.js';
import { ScreenRenderer } from '../../src/screens/renderer.js';
import { changedRect, MirrorFramebuffer } from '../../src/panel/screen.js';
import { FRAME_HEADER, PanelServer } from '../../src/panel/server.js';
import { encodePng, scanlines } from '../../src/panel/png.js';
import { Image } from '@napi-rs/canvas';
import { BIN, until } from '../helpers.js';

function logSink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

t.test('changedRect: the smallest rectangle holding every changed pixel', async (t) => {
  const a = Buffer.alloc(10 * 6 * 4);
  const b = Buffer.from(a);
  t.equal(changedRect(a, b, 10, 6), null, 'nothing changed');
  b.writeUInt32LE(1, (2 * 10 + 3) * 4);
  b.writeUInt32LE(1, (4 * 10 + 7) * 4);
  t.same(changedRect(a, b, 10, 6), { x: 3, y: 2, width: 5, height: 3 });
  b.writeUInt32LE(1, (5 * 10 + 9) * 4);
  t.same(changedRect(a, b, 10, 6), { x: 3, y: 2, width: 7, height: 4 });
});

t.test('PNG scanlines: RGB from B,G,R,X rows, the same by words or by bytes', async (t) => {
  const width = 7;
  const stride = width * 4;
  const aligned = Buffer.alloc(stride * 5);
  for (let i = 0; i < aligned.length; i++) aligned[i] = (i * 37) & 0xff;
  // One byte in: the word path cannot be taken.
  const unaligned = Buffer.alloc(aligned.length + 1).subarray(1);
  aligned.copy(unaligned);
  const rect = { x: 2, y: 1, width: 4, height: 3 };
  const lines = scanlines(aligned, stride, rect);
  t.same(lines, scanlines(unaligned, stride, rect));
  t.equal(lines.length, 3 * (1 + 4 * 3));
  const s = (1 * width + 2) * 4;
  t.same([...lines.subarray(0, 4)], [0, aligned[s + 2], aligned[s + 1], aligned[s]], 'filter byte, then R, G, B');
  const png = await encodePng(aligned, stride, rect);
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  const decoded = new Image();
  decoded.src = png;
  t.same([decoded.width, decoded.height], [4, 3], 'that decodes');
});

t.test('the mirror draws what the screenshot renderer draws, and sleeps while nobody watches', async (t) => {
  const { logger } = logSink();
  const size = { width: 640, height: 400 };
  const mirror = new MirrorFramebuffer({ size, logger });
  await mirror.start();
  t.teardown(() => mirror.stop());
  const rects: unknown[] = [];
  mirror.onChange((r) => rects.push(r));
  const home = fixtureView('home');
  mirror.show(home);
  await new Promise((r) => setImmediate(r));
  t.equal(rects.length, 0, 'asleep: nothing drawn');
  await mirror.wake();
  await until(() => rects.length === 1, 5000, 'the first draw');
  t.same(rects[0], { x: 0, y: 0, width: 640, height: 400 }, 'the whole screen at first');
  const expected = new ScreenRenderer(size).render(home).data;
  const shown = mirror.pixels();
  let differ = 0;
  for (let i = 0; i < shown.length; i += 4) if (shown[i] !== expected[i] || shown[i + 1] !== expected[i + 1] || shown[i + 2] !== expected[i + 2]) differ++;
  t.equal(differ, 0, 'the same pixels');
  // A countdown tick redraws only its box.
  mirror.show(fixtureView('identify', 299));
  await until(() => rects.length === 2, 5000, 'the identify screen');
  mirror.show(fixtureView('identify', 298));
  await until(() => rects.length === 3, 5000, 'the countdown');
  const tick = rects[2] as { width: number; height: number };
  t.ok(tick.width * tick.height < (640 * 400) / 20, `the countdown box only (${tick.width}x${tick.height})`);
});

t.test('a taken port: said once naming the key, the terminal goes on, the panel comes up once the port is free', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const { logger, lines } = logSink();
  const mirror = new MirrorFramebuffer({ size: { width: 320, height: 200 }, logger });
  await mirror.start();
  t.teardown(() => mirror.stop());
  const server = new PanelServer({ listen: { host: '127.0.0.1', port }, logger, mirror, actions: null, paper: 80, retryMs: 50 });
  await server.start();
  t.teardown(() => server.stop());
  t.equal(server.port, null, 'not listening');
  t.match(server.problem, new RegExp(`^ops\\.panel\\.listen: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use by another program .*\\(EADDRINUSE\\); choose another with LIFECHECK_PANEL_LISTEN`));
  t.match(lines().filter((l) => l.level === 50)[0], { key: 'ops.panel.listen', code: 'EADDRINUSE' });
  await new Promise<void>((resolve) => blocker.close(() => resolve()));
  await until(() => server.port === port, 5000, 'the panel on the freed port');
  t.equal(lines().filter((l) => l.level === 50).length, 1, 'said once');
  t.equal(server.problem, null);

  // A screen-only panel (no devices): frames come, touches and devices are refused.
  mirror.show(fixtureView('home'));
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const frames: Buffer[] = [];
  const answers: Array<Record<string, unknown>> = [];
  let hello: Record<string, unknown> | null = null;
  ws.on('message', (data, binary) => {
    if (binary) frames.push(data as Buffer);
    else {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (m.t === 'hello') hello = m;
      if (m.t === 'answer') answers.push(m);
    }
  });
  await until(() => frames.length >= 1 && hello !== null, 5000, 'the first frame');
  t.match(hello, { width: 320, height: 200, touch: false, injection: false, si: 'none' });
  const f = frames[0]!;
  t.same([f.readUInt16LE(4), f.readUInt16LE(6), f.readUInt16LE(8), f.readUInt16LE(10)], [0, 0, 320, 200], 'the whole screen');
  t.same([...f.subarray(FRAME_HEADER, FRAME_HEADER + 4)], [0x89, 0x50, 0x4e, 0x47], 'as a PNG');
  ws.send(JSON.stringify({ t: 'down', x: 1, y: 1, id: 1 }));
  await until(() => answers.length === 1, 5000, 'the answer');
  t.match(answers[0], { id: 1, ok: false, error: /screen only/ });
  ws.close();
});

t.test('configuration: on for the sim profile at loopback, off on the hardware preset, a bad value names the key', async (t) => {
  const env = {};
  t.equal(loadConfig({ ignoreSystemFile: true, env }).ops.panel.listen, '127.0.0.1:8470', 'sim: loopback');
  t.equal(loadConfig({ ignoreSystemFile: true, env: { LIFECHECK_PROFILE: 'hardware' }, profileChecks: false }).ops.panel.listen, '', 'hardware: off');
  t.equal(loadConfig({ ignoreSystemFile: true, env: { LIFECHECK_PROFILE: 'hardware', LIFECHECK_PANEL_LISTEN: '127.0.0.1:8470' }, profileChecks: false }).ops.panel.listen, '127.0.0.1:8470', 'hardware: when set');
  t.equal(loadConfig({ ignoreSystemFile: true, env: { LIFECHECK_PANEL_LISTEN: '' } }).ops.panel.listen, '', 'off when empty');
  t.throws(() => loadConfig({ ignoreSystemFile: true, env: { LIFECHECK_PANEL_SI_ADMIN: 'http://10.0.0.5:8444' } }), /ops\.panel\.siAdmin: must be an http\(s\) URL on 127\.0\.0\.1/);
  const r = spawnSync(process.execPath, [BIN, 'run'], { encoding: 'utf8', env: { ...process.env, LIFECHECK_PANEL_LISTEN: 'panel.example:80' }, timeout: 30_000 });
  t.equal(r.status, 78, 'a configuration error');
  t.match(r.stderr, /ops\.panel\.listen: host 'panel\.example' must be an IPv4 address/);
});
