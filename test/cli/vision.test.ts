// lifecheck vision analyze / check through the built CLI.
import t from 'tap';
import { isHint } from '../../src/vision/hints.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../helpers.js';
import { FACES, MODEL_CACHE } from '../vision/engine-fixture.js';

// About 32 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 120 s.
t.setTimeout(120_000);

function lifecheck(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, LIFECHECK_VISION_MODEL_CACHE: MODEL_CACHE }, timeout: 300_000 });
}

t.test('analyze an image: one JSON line with the face', async (t) => {
  const r = lifecheck(['vision', 'analyze', join(FACES, 'astronaut.jpg')]);
  t.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.equal(lines.length, 1, 'stdout holds only the JSON line');
  const o = JSON.parse(lines[0]!) as { frame: number; faces: Array<Record<string, unknown>> };
  t.equal(o.frame, 0);
  t.equal(o.faces.length, 1);
  t.match(o.faces[0], { box: Array, yaw: Number, pitch: Number, roll: Number, ear: Number, mar: Number, quality: { sharpness: Number, score: Number } });
  t.ok(Math.abs(o.faces[0]!.yaw as number) < 8);
});

t.test('analyze a folder: frames in name order, a broken file skipped and named', async (t) => {
  const dir = t.testdir({});
  mkdirSync(join(dir, 'clip'));
  copyFileSync(join(FACES, 'grace-hopper.jpg'), join(dir, 'clip', '001.jpg'));
  writeFileSync(join(dir, 'clip', '002.jpg'), 'not a jpeg');
  copyFileSync(join(FACES, 'astronaut.jpg'), join(dir, 'clip', '003.jpg'));
  const r = lifecheck(['vision', 'analyze', join(dir, 'clip'), '--fps', '10', '--landmarks']);
  t.equal(r.status, 0, r.stderr);
  const frames = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { frame: number; at: number; faces: Array<{ landmarks: number[] }> });
  t.same(frames.map((f) => [f.frame, f.at]), [[0, 0], [1, 100]]);
  t.equal(frames[0]!.faces[0]!.landmarks.length, 136);
  t.match(r.stderr, /skipped 002\.jpg/);
  // Every frame line says what the person would be told to fix: null or one hint id.
  for (const f of frames as unknown as Array<Record<string, unknown>>) t.ok('hint' in f && (f.hint === null || isHint(f.hint)), `frame ${String(f.frame)} hint ${JSON.stringify(f.hint)}`);
});

t.test('check: a still photo passes no action; usage and path errors are clear', async (t) => {
  const r = lifecheck(['vision', 'check', join(FACES, 'grace-hopper.jpg'), '--actions', 'raise,blink', '--json']);
  t.equal(r.status, 1);
  const o = JSON.parse(r.stdout) as { passed: boolean; actions: Array<{ action: string; result: string }> };
  t.equal(o.passed, false);
  t.same(o.actions.map((a) => a.action), ['raise_head', 'blink']);
  t.notOk(o.actions.some((a) => a.result === 'pass'));
  const bad = lifecheck(['vision', 'check', join(FACES, 'grace-hopper.jpg'), '--actions', 'fly']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown action 'fly'/);
  const missing = lifecheck(['vision', 'analyze', '/nonexistent/clip.avi']);
  t.equal(missing.status, 1);
  t.match(missing.stderr, /\/nonexistent\/clip\.avi cannot be read: ENOENT/);
  const emptyDir = t.testdir({ 'notes.txt': 'no images here' });
  const empty = lifecheck(['vision', 'analyze', emptyDir]);
  t.equal(empty.status, 1);
  t.match(empty.stderr, /clip folder .* holds no \.jpg\/\.jpeg\/\.png\/\.bmp images/);
  const noArgs = lifecheck(['vision', 'check', join(FACES, 'grace-hopper.jpg')]);
  t.equal(noArgs.status, 2);
  t.match(noArgs.stderr, /needs --actions/);
});

t.test('a model path that is wrong is named', async (t) => {
  const r = spawnSync(process.execPath, [BIN, 'vision', 'analyze', join(FACES, 'astronaut.jpg')], { encoding: 'utf8', env: { ...process.env, LIFECHECK_VISION_MODEL: '/nonexistent/model.dat' } });
  t.equal(r.status, 1);
  t.match(r.stderr, /landmark model \/nonexistent\/model\.dat cannot be read: ENOENT/);
});
