import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, until } from '../helpers.js';

// About 31 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 120 s.
t.setTimeout(120_000);


function repl(socket: string, commands: string[]): Array<{ ok: boolean; result?: any; error?: string }> {
  const r = spawnSync(process.execPath, [BIN, 'repl', '--socket', socket], { input: commands.join('\n') + '\n', encoding: 'utf8' });
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function daemon(t: Test, dir: string, config: string): ChildProcess {
  const child = spawn(process.execPath, [BIN, 'run', '--vision', 'scripted', '--config', config], {
    cwd: dir,
    env: { ...process.env, LIFECHECK_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return child;
}

function outboxStatus(config: string): { pending: number; delivered: number } {
  const r = spawnSync(process.execPath, [BIN, 'outbox', 'status', '--config', config, '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`outbox status failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

t.test('SIGTERM during a submission the SI has not answered: nothing is lost, delivered after restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'outbox.key');
  writeFileSync(key, randomBytes(32).toString('hex'), { mode: 0o600 });
  const socket = join(dir, 'repl.sock');
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      outbox: { store: 'sqlite', path: join(dir, 'outbox.sqlite'), keyFile: key, answerWithinMs: 1000, retryBaseMs: 300, retryMaxMs: 1000 },
      ops: { replSocket: socket },
    }),
  );

  const first = daemon(t, dir, config);
  await until(() => existsSync(socket), 15_000, 'the first daemon');
  const walk = repl(socket, ['inject card due', 'send ui.enter', 'clock']);
  t.ok(walk.every((r) => r.ok), JSON.stringify(walk));
  await until(() => repl(socket, ['state'])[0]!.result.screen === 'service', 5_000, 'the service screen');
  const toCapture = repl(socket, ['send ui.apply', 'send ui.agree', 'inject vision faceReady', 'state']);
  const actions: string[] = toCapture[3]!.result.session.challenge.actions;
  t.equal(actions.length, 2);
  const toCaptured = repl(socket, [...actions.map((a) => `inject vision actionPassed ${a}`), 'inject vision photo', 'state']);
  t.equal(toCaptured.at(-1)!.result.screen, 'captured', JSON.stringify(toCaptured));
  // The SI goes silent, then the person submits: the outbox holds the verification.
  const submit = repl(socket, ['inject si submit hang', 'send ui.submit', 'state']);
  t.equal(submit.at(-1)!.result.screen, 'submitting');

  first.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => first.on('exit', (c) => resolve(c)));
  t.equal(code, 0, 'clean exit');
  t.same(outboxStatus(config).pending, 1, 'the submission waits in the outbox on disk');

  const second = daemon(t, dir, config);
  await until(() => existsSync(socket), 15_000, 'the second daemon');
  await until(() => outboxStatus(config).delivered === 1, 15_000, 'delivery after the restart');
  t.same(outboxStatus(config).pending, 0, 'nothing left behind');
  second.kill('SIGTERM');
  await new Promise((resolve) => second.on('exit', resolve));
});
