import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'unix-dgram';
import { BIN, repl, until } from '../helpers.js';

/** A short private folder: Unix socket paths must stay under 108 bytes (test folders are longer). */
function shortDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'lc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}


function startDaemon(t: Test, env: Record<string, string>): { child: ChildProcess; log: () => string; dir: string; socket: string } {
  const dir = shortDir(t);
  const socket = join(dir, 'run', 'repl.sock');
  let log = '';
  const child = spawn(process.execPath, [BIN, 'run', '--vision', 'scripted'], {
    cwd: dir,
    env: { ...process.env, LIFECHECK_REPL_SOCKET: socket, LIFECHECK_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, log: () => log, dir, socket };
}

t.test('a maintainer attaches, pauses, steps through a timeout, injects a card and dumps the screen', async (t) => {
  const d = startDaemon(t, {});
  await until(() => existsSync(d.socket), 15_000, 'the REPL socket');
  t.equal(statSync(d.socket).mode & 0o777, 0o600, 'socket is owner-only');

  const r = await repl(d.socket, [
    'pause',
    'send ui.start',
    'state',
    'step 299000',
    'state',
    'step 1000',
    'state',
    'inject card due',
    'state',
    `screen ${join(d.dir, 'confirm.png')}`,
    'history 3',
    'send nope',
    'inject card nobody',
    'step -5',
    'resume',
  ]);
  t.same(r[0], { ok: true, result: { paused: true, at: r[0]!.result.at } });
  t.equal(r[2]!.result.screen, 'identify');
  t.equal(r[2]!.result.secondsLeft, 300);
  t.equal(r[4]!.result.screen, 'identify', 'one second before the end it still waits');
  t.equal(r[4]!.result.secondsLeft, 1);
  t.equal(r[6]!.result.screen, 'home', 'the countdown ran out: home');
  t.equal(r[8]!.result.screen, 'confirm', 'a card on the home page opens the confirm screen');
  t.same(r[8]!.result.session.person, { source: 'id-card', name: '陈**', idNumber: '4406**********0220' }, 'masked');
  const png = readFileSync(join(d.dir, 'confirm.png'));
  t.same([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG was written');
  t.equal(r[10]!.result.length, 3);
  t.equal(r[10]!.result.at(-1).event, 'identify.idCard');
  t.match(r[11], { ok: false, error: /'nope' cannot be sent/ });
  t.match(r[12], { ok: false, error: /no test person 'nobody'/ });
  t.match(r[13], { ok: false, error: /step takes a number/ });

  d.child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => d.child.on('exit', (c) => resolve(c)));
  t.equal(code, 0, 'clean exit on SIGTERM');
  t.notOk(existsSync(d.socket), 'socket removed');
  const log = d.log();
  t.match(log, /"cmd":"inject"/, 'commands are logged');
  t.notOk(log.includes('陈秀英') || log.includes('440604194803150220'), 'no personal data in the log');
});

t.test('systemd: READY with STATUS, watchdog pings from the event loop, STOPPING', async (t) => {
  const dir = shortDir(t);
  const path = join(dir, 'notify.sock');
  const messages: Array<{ at: number; text: string }> = [];
  const receiver = createSocket('unix_dgram', (msg) => messages.push({ at: Date.now(), text: msg.toString() }));
  receiver.bind(path);
  t.teardown(() => receiver.close());
  const d = startDaemon(t, { NOTIFY_SOCKET: path, WATCHDOG_USEC: '400000' });
  await until(() => messages.some((m) => m.text.includes('READY=1')), 15_000, 'READY=1');
  const ready = messages.find((m) => m.text.includes('READY=1'))!;
  t.match(ready.text, /STATUS=screen home; outbox 0 pending/);
  t.match(ready.text, new RegExp(`MAINPID=${d.child.pid}`));
  await until(() => messages.filter((m) => m.text.startsWith('WATCHDOG=1')).length >= 3, 5_000, 'three watchdog pings');
  d.child.kill('SIGTERM');
  await new Promise((resolve) => d.child.on('exit', resolve));
  t.ok(messages.some((m) => m.text.startsWith('STOPPING=1')), 'STOPPING=1 on shutdown');
});

t.test('a stalled event loop stops the watchdog pings (so systemd restarts the daemon)', async (t) => {
  const dir = shortDir(t);
  const path = join(dir, 'notify.sock');
  const pings: number[] = [];
  const receiver = createSocket('unix_dgram', (msg) => {
    if (msg.toString().startsWith('WATCHDOG=1')) pings.push(Date.now());
  });
  receiver.bind(path);
  t.teardown(() => receiver.close());
  // A tiny program using the notifier, whose loop blocks for 1.5 s after the third ping.
  const script = `
    const { SystemdNotifier } = await import(${JSON.stringify(new URL('../../dist/ops/systemd.js', import.meta.url).href)});
    const n = new SystemdNotifier(process.env, { warn() {} });
    let count = 0;
    n.startWatchdog(() => { if (++count === 3) setImmediate(() => { const end = Date.now() + 1500; while (Date.now() < end); }); if (count > 8) { n.stop(); } return 'x'; });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NOTIFY_SOCKET: path, WATCHDOG_USEC: '200000' }, stdio: 'inherit' });
  await new Promise((resolve) => child.on('exit', resolve));
  t.ok(pings.length >= 6, `${pings.length} pings`);
  const gaps = pings.slice(1).map((p, i) => p - pings[i]!);
  t.ok(Math.max(...gaps) >= 1400, `the stall shows as a gap of ${Math.max(...gaps)} ms`);
  t.ok(gaps.filter((g) => g < 300).length >= 3, 'otherwise pings come every ~100 ms');
});
