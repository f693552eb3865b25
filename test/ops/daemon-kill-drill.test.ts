/**
 * Kill drill of the daemon itself: `lifecheck run` (sim devices, scripted vision, si-dev over HTTPS,
 * the SQLite outbox), sessions driven through the REPL socket exactly as a script would (docs/repl.md),
 * SIGKILL at a seeded moment around each submission, then a restart. si-dev answers slowly half the
 * time and loses one answer in ten after storing it. Afterwards: every verification the outbox
 * committed is at the SI exactly once, the SI has nothing else, nobody twice, every entry delivered
 * with its photo dropped, and the audit lines that were written name entries that exist.
 * The assertions hold at any machine speed: how many kills land where is reported, not required.
 * DRILL_KILLS=N (default 8) runs a longer drill (`make drill`).
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { nextRandom } from '../../src/machine/challenge.js';
import { ReplConnection } from '../../src/ops/repl-client.js';
import { createOutboxKey } from '../../src/si-client/outbox-crypto.js';
import { extraPerson } from '../../src/si-dev/store.js';
import { BIN, until } from '../helpers.js';
import { startTestSi } from '../si-dev/helpers.js';

const KILLS = Number(process.env.DRILL_KILLS ?? 8);
// About 24 s for 8 kills on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 15 s a kill (make drill: 100 kills).
t.setTimeout(Math.max(120_000, KILLS * 15_000));
const SEED = 20261204;

interface Daemon {
  child: ChildProcess;
  log: string[];
  exit: Promise<number | null>;
}

function startDaemon(t: Test, dir: string, config: string): Daemon {
  const child = spawn(process.execPath, [BIN, 'run', '--vision', 'scripted', '--config', config], {
    cwd: dir,
    env: { ...process.env, LIFECHECK_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log: string[] = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const text = rest + d.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop()!;
    log.push(...lines);
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  // 'close': every line written before the process died has been read.
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, log, exit };
}

/** Runs REPL lines in order; the first that fails ends the walk (returns its error). */
async function walk(repl: ReplConnection, lines: string[]): Promise<string | null> {
  for (const line of lines) {
    const reply = await repl.run(line);
    if (!reply.ok) return `${line}: ${reply.error}`;
  }
  return null;
}

t.test(`daemon kill drill: SIGKILL at ${KILLS} seeded moments around submission, nothing lost, nothing doubled`, async (t) => {
  const ts = await startTestSi(t, { extraPersons: 200 });
  await ts.si.setFaults([
    { kind: 'latency', latencyMs: 150, rate: 0.5, ops: ['submit'] },
    { kind: 'drop-after', rate: 0.1, ops: ['submit'] },
  ]);
  // A short private folder: the socket path must stay under 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'lc-drill-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'outbox.key');
  createOutboxKey(keyFile);
  const outboxPath = join(dir, 'outbox.sqlite');
  const socket = join(dir, 'repl.sock');
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      terminal: { number: '0042' },
      si: { kind: 'https', url: ts.si.url, caFile: ts.certs.caCert, certFile: ts.certs.clientCert, keyFile: ts.certs.clientKey, timeoutMs: 3_000, retryBaseMs: 20 },
      outbox: { store: 'sqlite', path: outboxPath, keyFile, answerWithinMs: 2_000, requestTimeoutMs: 3_000, retryBaseMs: 100, retryMaxMs: 1_000, pollMs: 300, minFreeBytes: 0 },
      ops: { replSocket: socket },
    }),
  );

  let state = SEED;
  const random = () => {
    const r = nextRandom(state);
    state = r.state;
    return r.value;
  };
  const phases: Record<string, number> = {};
  const logs: string[] = [];
  let submitted = 0;
  for (let k = 0; k < KILLS; k++) {
    const daemon = startDaemon(t, dir, config);
    await until(() => existsSync(socket), 20_000, `daemon ${k + 1}'s REPL socket`);
    const repl = await ReplConnection.open(socket);
    const p = extraPerson(k).person;
    const person = JSON.stringify({ name: p.name, idNumber: p.idNumber, gender: 'female' });
    const problem = await walk(repl, [
      'send ui.start', 'wait identify', `inject card ${person}`, 'wait confirm', 'send ui.enter', 'wait service 10000',
      'send ui.apply', 'wait consent', 'send ui.agree', 'wait capture', 'inject vision faceReady',
      'inject vision actionPassed asked', 'inject vision actionPassed asked', 'inject vision photo', 'wait captured', 'send ui.submit',
    ]);
    t.equal(problem, null, `session ${k + 1} reached the submission`);
    if (problem === null) submitted++;
    // Somewhere in the next 0.4 s: before the commit, while the SI acts, after it answered.
    const delay = Math.floor(random() * 400);
    await new Promise((r) => setTimeout(r, delay));
    const screen = (await repl.run('state')).result as { screen: string } | undefined;
    const phase = screen?.screen ?? 'unknown';
    phases[phase] = (phases[phase] ?? 0) + 1;
    daemon.child.kill('SIGKILL');
    repl.close();
    t.equal(await daemon.exit, null, `daemon ${k + 1} killed ${delay} ms after 提交 (on ${phase})`);
    logs.push(...daemon.log);
    rmSync(socket, { force: true });
  }

  // The last start takes nobody new and delivers what is queued, then stops on SIGTERM.
  const last = startDaemon(t, dir, config);
  await until(() => existsSync(socket), 20_000, 'the last REPL socket');
  const pending = () => {
    const db = new Database(outboxPath, { readonly: true });
    try {
      return db.prepare("SELECT count(*) FROM submissions WHERE state = 'pending'").pluck().get() as number;
    } finally {
      db.close();
    }
  };
  await until(() => pending() === 0, 60_000, 'the queue to drain');
  last.child.kill('SIGTERM');
  t.equal(await last.exit, 0, 'the last daemon stops cleanly');
  logs.push(...last.log);

  const db = new Database(outboxPath, { readonly: true });
  const rows = db.prepare('SELECT key, state, payload IS NULL AS dropped FROM submissions').all() as Array<{ key: string; state: string; dropped: number }>;
  db.close();
  const atSi = ts.store.submissions();
  const siKeys = new Set(atSi.map((s) => s.key));
  const rowKeys = new Set(rows.map((r) => r.key));
  const perPerson = new Map<string, number>();
  for (const s of atSi) perPerson.set(s.personRef, (perPerson.get(s.personRef) ?? 0) + 1);
  const parsed = logs.flatMap((l) => {
    try {
      return [JSON.parse(l) as { msg?: string; key?: string }];
    } catch {
      return [];
    }
  });
  const committedLines = parsed.filter((l) => l.msg === 'submission committed').map((l) => l.key!);

  // 提交 commits before the terminal answers it: every session that got there is on disk, whatever the kill.
  t.equal(rows.length, submitted, `all ${submitted} submissions were committed before the kills`);
  t.same(rows.filter((r) => !siKeys.has(r.key)).map((r) => r.key), [], 'every committed verification reached the SI (none lost)');
  t.same(atSi.filter((s) => !rowKeys.has(s.key)).map((s) => s.key), [], 'the SI has nothing the outbox did not commit');
  t.same([...perPerson].filter(([, n]) => n > 1), [], 'nobody was submitted twice');
  t.ok(rows.every((r) => r.state === 'delivered' && r.dropped === 1), 'every entry delivered, its photo dropped');
  t.same(committedLines.filter((k) => !rowKeys.has(k)), [], "every 'submission committed' line names an entry on disk");
  t.equal(ts.store.stats().personsWithSeveralKeys, 0);
  const resends = atSi.reduce((n, s) => n + s.deliveries, 0) - atSi.length;
  t.comment(
    `daemon kill drill: ${KILLS} kills, ${rows.length} committed (${committedLines.length} audit lines), ${atSi.length} at the SI, ` +
      `${resends} resends answered from the SI's record, 0 lost, 0 doubled; killed on ${JSON.stringify(phases)}`,
  );
});
