/**
 * `make start` (scripts/start-sim.sh): the terminal against the reference SI with the panel; it
 * prints the panel's URL and the transcript, serves the page, stays up, and stops with si-dev on
 * Ctrl-C (SIGINT to the whole process group, as a terminal sends it).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, freePorts, until } from '../helpers.js';

/** Whether something listens at URL's port: a TCP connect (si-dev's certificate is not one fetch would trust). */
function probe(url: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('listening');
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

t.test('make start: the panel URL, the transcript, up until Ctrl-C, then si-dev stops too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lc-start-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [port] = await freePorts(1);
  const child = spawn('bash', [join(ROOT, 'scripts', 'start-sim.sh')], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A light person in front of the camera: this test is about the script, not the pipeline.
    env: { ...process.env, LIFECHECK_PANEL_LISTEN: `127.0.0.1:${port}`, LIFECHECK_VISION: 'cooperative', LIFECHECK_CAMERA: 'sim', LIFECHECK_REPL_SOCKET: join(dir, 'repl.sock') },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  });
  await until(() => /panel: http:\/\/127\.0\.0\.1:\d+\//.test(out) || child.exitCode !== null, 60_000, `the panel URL in\n${out}`);
  t.match(out, new RegExp(`panel: http://127\\.0\\.0\\.1:${port}/`), 'prints the URL');
  t.match(out, /SI: lifecheck si-dev at https:\/\/127\.0\.0\.1:\d+/, 'against the reference SI');
  t.match(out, /屏幕 home/, 'prints the transcript');
  const page = await fetch(`http://127.0.0.1:${port}/`);
  t.equal(page.status, 200, 'serves the page');
  const si = /SI: lifecheck si-dev at (https:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
  t.equal(child.exitCode, null, 'still running');
  t.equal(await probe(si), 'listening', 'si-dev is up');
  process.kill(-child.pid!, 'SIGINT');
  t.equal(await exited, 0, 'Ctrl-C: a clean exit');
  t.match(out, /pending 0, failed 0/, 'then the outbox status');
  t.equal(await probe(si), 'ECONNREFUSED', 'si-dev stopped with it');
  t.equal(await probe(`http://127.0.0.1:${port}/`), 'ECONNREFUSED', 'and the panel');
});
