/** `lifecheck si-dev` and `lifecheck outbox` as a maintainer runs them (the built CLI, real processes). */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { BIN } from '../helpers.js';
import { openOutbox, outboxConfig, realClockClient, verification } from '../si-client/outbox-harness.js';
import { startTestSi } from './helpers.js';

// About 75 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 240 s.
t.setTimeout(240_000);

function lifecheck(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

t.test('si-dev serve: certificates, ready.json, faults and stats from the command line, clean stop', async (t) => {
  const dir = t.testdir({});
  const child = spawn(process.execPath, [BIN, 'si-dev', 'serve', '--dir', dir, '--port', '0', '--admin-port', '0', '--fresh'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('si-dev not ready in 20 s')), 20_000);
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.includes('si-dev ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const ready = JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8')) as { url: string; adminUrl: string; caFile: string; certFile: string; keyFile: string };
  t.match(ready.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.match(ready.adminUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  for (const f of [ready.caFile, ready.certFile, ready.keyFile]) t.ok(existsSync(f), `${f} made`);

  const set = lifecheck(['si-dev', 'fault', 'error', '--status', '502', '--op', 'lookup', '--rate', '0.5', '--dir', dir]);
  t.equal(set.status, 0, set.stderr);
  t.match(JSON.parse(set.stdout), { faults: [{ kind: 'error', status: 502, ops: ['lookup'], rate: 0.5 }] });
  const add = lifecheck(['si-dev', 'fault', 'latency', '--latency', '20', '--dir', dir]);
  t.match(JSON.parse(add.stdout), { faults: [{ kind: 'error' }, { kind: 'latency', latencyMs: 20 }] }, 'faults add up');
  const bad = lifecheck(['si-dev', 'fault', 'flood', '--dir', dir]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /fault: kind/);
  t.equal(lifecheck(['si-dev', 'fault', 'clear', '--dir', dir]).status, 0);
  t.match(JSON.parse(lifecheck(['si-dev', 'fault', 'list', '--dir', dir]).stdout), { faults: [] });
  const stats = lifecheck(['si-dev', 'stats', '--dir', dir]);
  t.match(JSON.parse(stats.stdout), { submissions: 0, deliveries: 0, url: ready.url });

  const none = lifecheck(['si-dev', 'stats', '--dir', t.testdir({})]);
  t.equal(none.status, 2);
  t.match(none.stderr, /no running si-dev found/);

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'stops on SIGTERM');
  t.notOk(existsSync(join(dir, 'ready.json')), 'ready.json removed');
});

t.test('outbox status, list, retry and keygen: counts and states, never personal data', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'down' }]);
  const { outbox, advance } = openOutbox(config, realClockClient(ts));
  void outbox.submit(verification('due'));
  void outbox.submit(verification('due-2'));
  await advance(60_000);
  await outbox.close();
  const env = { LIFECHECK_OUTBOX_PATH: config.outbox.path, LIFECHECK_OUTBOX_KEY_FILE: config.outbox.keyFile };

  const status = lifecheck(['outbox', 'status', '--json'], env);
  t.equal(status.status, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  t.match(s, { pending: 2, delivered: 0, failed: 0, errors: [{ code: 'ECONNREFUSED', n: 2 }] });
  t.ok(s.oldestPendingAgeMs > 0);
  const text = lifecheck(['outbox', 'status'], env);
  t.match(text.stdout, /pending 2 \(oldest .*\), failed 0, delivered 0/);

  const list = lifecheck(['outbox', 'list'], env);
  t.equal(list.status, 0);
  t.match(list.stdout, /0042-[0-9a-f-]{36} +pending/);
  t.match(list.stdout, /queued as T0042202611280001/);
  for (const p of [verification('due'), verification('due-2')]) {
    t.notOk(list.stdout.includes(p.name) || list.stdout.includes(p.idNumber), 'no name or ID number listed');
  }
  const json = lifecheck(['outbox', 'list', '--json', '--state', 'pending'], env).stdout.trim().split('\n').map((l) => JSON.parse(l));
  t.equal(json.length, 2);

  const retry = lifecheck(['outbox', 'retry', '--all'], env);
  t.match(retry.stdout, /2 entries due now/);
  t.equal(lifecheck(['outbox', 'retry'], env).status, 2, 'retry needs keys or --all');
  t.equal(lifecheck(['outbox', 'fly'], env).status, 2);

  const missing = lifecheck(['outbox', 'status'], { LIFECHECK_OUTBOX_PATH: join(ts.dir, 'none.sqlite') });
  t.equal(missing.status, 78);
  t.match(missing.stderr, /none\.sqlite does not exist/);

  const key = join(ts.dir, 'new.key');
  t.match(lifecheck(['outbox', 'keygen', '--key', key]).stdout, /new outbox key \(mode 0600\)/);
  t.match(lifecheck(['outbox', 'keygen', '--key', key]).stdout, /left as it is/);
  chmodSync(key, 0o644);
  const loose = lifecheck(['outbox', 'keygen', '--key', key]);
  t.equal(loose.status, 78, 'a world-readable key is refused with EX_CONFIG');
  t.match(loose.stderr, /readable or writable by everyone/);
});

t.test('outbox status says what a maintainer must do: a failing TLS handshake, entries set aside too long', async (t) => {
  const ts = await startTestSi(t);
  const config = outboxConfig(ts, ts.dir);
  await ts.si.setFaults([{ kind: 'error', status: 422, ops: ['submit'] }]);
  const { outbox, advance } = openOutbox(config, realClockClient(ts));
  void outbox.submit(verification('due'));
  await advance(10_000);
  await ts.si.setFaults([{ kind: 'expired-cert' }]);
  void outbox.submit(verification('due-2'));
  await advance(10_000);
  await outbox.close();
  const env = { LIFECHECK_OUTBOX_PATH: config.outbox.path, LIFECHECK_OUTBOX_KEY_FILE: config.outbox.keyFile };
  const file = join(ts.dir, 'config.json');
  writeFileSync(file, JSON.stringify({ outbox: { reportFailedAfterDays: 1 } }));

  // The entries were committed at SI_NOW (2026-11-28): days before any run of this test.
  const text = lifecheck(['outbox', 'status', '--config', file], env);
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, /pending 1 \(oldest .*\), failed 1 \(oldest \d+ days .*\), delivered 0/);
  t.match(text.stdout, /last errors: .*tls ×1/);
  t.match(text.stdout, /TLS handshake fails: check the SI's CA \(si\.caFile\).*clock/);
  t.match(text.stdout, /entries set aside for more than 1 days: see `lifecheck outbox list --state failed`/);
  const json = JSON.parse(lifecheck(['outbox', 'status', '--json', '--config', file], env).stdout);
  t.match(json, { pending: 1, failed: 1, advice: [/TLS/, /set aside/] });
  t.ok(json.oldestFailedAgeMs > 86_400_000);

  const lenient = join(ts.dir, 'lenient.json');
  writeFileSync(lenient, JSON.stringify({ outbox: { reportFailedAfterDays: 100_000 } }));
  const quiet = lifecheck(['outbox', 'status', '--config', lenient], env);
  t.notMatch(quiet.stdout, /set aside for more than/, 'not while within the limit');
  t.match(quiet.stdout, /TLS handshake fails/);
});

t.test('lifecheck run refuses to start on the durable outbox without its key (exit 78, clear message)', async (t) => {
  const dir = t.testdir({});
  const r = lifecheck(['run', '--demo', '--speed', '50'], {
    LIFECHECK_OUTBOX_STORE: 'sqlite',
    LIFECHECK_OUTBOX_PATH: join(dir, 'outbox.sqlite'),
    LIFECHECK_OUTBOX_KEY_FILE: join(dir, 'missing.key'),
    LIFECHECK_REPL_SOCKET: join(dir, 'repl.sock'),
  });
  t.equal(r.status, 78, r.stderr);
  t.match(r.stderr, /outbox\.keyFile: .*missing\.key does not exist/);
  t.notOk(existsSync(join(dir, 'outbox.sqlite')), 'no database made');
});
