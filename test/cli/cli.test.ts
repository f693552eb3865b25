import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, traceFiles } from '../helpers.js';
import { MODEL_CACHE } from '../vision/engine-fixture.js';

// About 49 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 180 s.
t.setTimeout(180_000);

function lifecheck(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
}

t.test('--help lists the subcommands', async (t) => {
  const r = lifecheck(['--help']);
  t.equal(r.status, 0);
  for (const cmd of ['run', 'replay', 'config']) t.match(r.stdout, new RegExp(`lifecheck ${cmd}`));
  const bad = lifecheck(['fly']);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown command 'fly'/);
});

t.test('replay of the whole corpus passes and prints outputs as JSON lines', async (t) => {
  const files = traceFiles();
  const r = lifecheck(['replay', ...files]);
  t.equal(r.status, 0, r.stdout.slice(-2000));
  const jsonLines = r.stdout.split('\n').filter((l) => l.startsWith('{'));
  t.ok(jsonLines.length > 30);
  for (const l of jsonLines.slice(0, 50)) t.ok(typeof JSON.parse(l).kind === 'string');
  if (files.length > 1) t.match(r.stdout, new RegExp(`${files.length} passed, 0 failed`));
});

t.test('replay of an edited trace exits 1 with the diff', async (t) => {
  const dir = t.testdir({});
  const src = traceFiles().find((f) => f.endsWith('seed-happy-path.jsonl'))!;
  const edited = join(dir, 'edited.jsonl');
  writeFileSync(edited, readFileSync(src, 'utf8').replace('"receiptNo":"SI00000001","printed":true', '"receiptNo":"SI99999999","printed":true'));
  const r = lifecheck(['replay', '--quiet', edited]);
  t.equal(r.status, 1);
  t.match(r.stdout, /FAIL .*edited\.jsonl/);
  t.match(r.stdout, /differs at "fields\.receiptNo"/);
});

t.test('run --demo walks one whole session on the sim profile and exits cleanly', async (t) => {
  const r = lifecheck(['run', '--demo', '--speed', '40'], { LIFECHECK_LOG_LEVEL: 'warn' });
  t.equal(r.status, 0, r.stderr);
  for (const screen of ['home', 'identify', 'confirm', 'service', 'consent', 'capture', 'captured', 'submitting', 'printing', 'result']) {
    t.match(r.stdout, new RegExp(`屏幕 ${screen}\\b`), `shows ${screen}`);
  }
  t.match(r.stdout, /语音 「验证成功。」/);
  t.match(r.stdout, /demo finished/);
});

t.test("make demo: the capture steps judged by the real pipeline on the synthesised person", async (t) => {
  // What scripts/start-sim.sh sets; the real clock (speed 1), so the person moves at a person's pace.
  const r = lifecheck(['run', '--demo'], { LIFECHECK_LOG_LEVEL: 'warn', LIFECHECK_VISION: 'opencv', LIFECHECK_CAMERA: 'synth', LIFECHECK_VISION_MODEL_CACHE: MODEL_CACHE });
  t.equal(r.status, 0, r.stderr);
  const acted = [...r.stdout.matchAll(/屏幕 capture\/acting +action=(\w+)/g)].map((m) => m[1]);
  // Two per attempt (a slow machine may need a second attempt; the demo still ends).
  t.ok(new Set(acted).size >= 2, `asked its actions (${[...new Set(acted)].join(', ')})`);
  const quality = Number(/屏幕 captured +quality=([\d.]+)/.exec(r.stdout)?.[1]);
  // The cooperative twin reports 0.9 for every photo; the pipeline scores the frame it chose.
  t.ok(quality > 0 && quality <= 1 && quality !== 0.9, `the photo's quality is the pipeline's (${quality})`);
  t.notMatch(r.stdout, /cameraProblem/);
  t.match(r.stdout, /demo finished: one whole session/);
});

t.test('repl with no terminal at the socket: one clear line, exit 1, no stack', async (t) => {
  const r = spawnSync(process.execPath, [BIN, 'repl', '--socket', join(t.testdir(), 'none.sock')], { encoding: 'utf8', input: 'state\n', timeout: 30_000 });
  t.equal(r.status, 1);
  t.match(r.stderr, /^lifecheck: cannot attach to .*none\.sock: no terminal is running there\n$/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
