/**
 * bench/soak: a month of use in one process. SOAK_SESSIONS (default 10,000) whole sessions, each a
 * different retiree, through the real composition — simulated devices, scripted vision, si-dev over
 * HTTPS with client certificates, the durable SQLite outbox — on a simulated clock (about 40 s of
 * terminal time each, so the run spans days and the outbox prunes delivered entries after
 * outbox.keepDeliveredDays = 1). Every 500 sessions, at home: RSS, the V8 heap after a full
 * collection (--expose-gc), open file descriptors, pending
 * timers on the terminal clock, active handles, the outbox file's size and rows. Printed as a table
 * with the slope of each over the second half of the run (what a leak would show).
 *   npm run bench:soak              SOAK_SESSIONS=N for a shorter or longer run
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { advanceTo, settle, SimClock } from '../src/clock/clock.js';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/log/logger.js';
import type { ScreenView } from '../src/screens/view.js';
import { createOutboxKey } from '../src/si-client/outbox-crypto.js';
import { outboxFileBytes } from '../src/si-client/outbox-db.js';
import type { SqliteOutbox } from '../src/si-client/sqlite-outbox.js';
import { ensureDevCerts } from '../src/si-dev/certs.js';
import { startSiDev } from '../src/si-dev/server.js';
import { extraPerson, SiDevStore } from '../src/si-dev/store.js';
import { createSimTerminal } from '../src/terminal/sim-profile.js';

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 10_000);
const EVERY = 500;
const START = Date.parse('2026-11-28T09:00:00+08:00');

interface Sample {
  sessions: number;
  simHours: number;
  rssMiB: number;
  /** V8 heap in use after a full collection: what a leak of JS objects would grow. */
  heapMiB: number;
  fds: number;
  timers: number;
  handles: number;
  outboxKiB: number;
  rows: number;
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lifecheck-soak-'));
  const certs = ensureDevCerts(join(dir, 'certs'));
  const store = new SiDevStore(join(dir, 'si.sqlite'), { now: () => START, extraPersons: SESSIONS });
  const si = await startSiDev({ port: 0, adminPort: 0, certs, store, seed: 1, logger: silentLogger() });
  const keyFile = join(dir, 'outbox.key');
  createOutboxKey(keyFile);
  const outboxPath = join(dir, 'outbox.sqlite');
  const config = loadConfig({
    ignoreSystemFile: true,
    env: {},
    overrides: {
      si: { kind: 'https', url: si.url, caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey },
      outbox: { store: 'sqlite', path: outboxPath, keyFile, keepDeliveredDays: 1, minFreeBytes: 0 },
    },
  });
  const clock = new SimClock(START);
  let view: ScreenView | null = null;
  const waiters = new Set<() => void>();
  const sim = createSimTerminal({
    config,
    clock,
    logger: silentLogger(),
    seed: 7,
    vision: 'scripted',
    onView: (v) => {
      view = v;
      for (const w of waiters) w();
    },
  });
  const outbox = sim.outbox as SqliteOutbox;
  await sim.terminal.start();
  const pause = async () => {
    await settle();
    await outbox.whenIdle();
    await settle();
  };
  const step = (ms: number) => advanceTo(clock, clock.monotonic() + ms, pause);
  /** Waits (real time) for a screen an SI answer leads to; the simulated clock stands still meanwhile. */
  const shown = (screen: string) =>
    new Promise<void>((resolve, reject) => {
      if (view?.screen === screen) return resolve();
      const timer = setTimeout(() => reject(new Error(`screen ${screen} not reached (on ${view?.screen})`)), 10_000);
      const w = () => {
        if (view?.screen !== screen) return;
        clearTimeout(timer);
        waiters.delete(w);
        resolve();
      };
      waiters.add(w);
    });
  const { touch, idReader, vision } = sim.devices;
  const asked = () => {
    const c = sim.terminal.machineActor.getSnapshot().context.session.challenge;
    return c.actions[c.index]!;
  };

  const samples: Sample[] = [];
  const sample = (sessions: number) => {
    (globalThis as { gc?: () => void }).gc?.();
    const stats = outbox.stats();
    samples.push({
      sessions,
      simHours: (clock.monotonic() - START) / 3_600_000,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
      heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
      fds: openFds(),
      timers: clock.pending(),
      handles: process.getActiveResourcesInfo().length,
      outboxKiB: outboxFileBytes(outboxPath) / 1024,
      rows: stats.pending + stats.delivered + stats.failed,
    });
  };
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  for (let i = 0; i < SESSIONS; i++) {
    if (i % EVERY === 0) sample(i);
    touch.press('start');
    await step(1_000);
    idReader.tap(extraPerson(i).person);
    await step(1_000);
    touch.press('enter');
    await shown('service');
    await step(1_000);
    touch.press('apply');
    await step(1_000);
    touch.press('agree');
    await step(1_000);
    vision!.inject({ type: 'vision.faceReady' });
    await step(1_000);
    vision!.inject({ type: 'vision.actionPassed', action: asked() });
    await step(1_000);
    vision!.inject({ type: 'vision.actionPassed', action: asked() });
    await step(1_000);
    vision!.inject({ type: 'vision.photo', quality: 0.9 });
    await step(1_000);
    touch.press('submit');
    await shown('printing');
    await step(10_000);
    await shown('result');
    const outcome = String(view!.fields.outcome);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    touch.press('exit');
    await step(20_000);
    if (view!.screen !== 'home') throw new Error(`session ${i} ended on ${view!.screen}`);
  }
  sample(SESSIONS);
  const wallS = (performance.now() - started) / 1000;
  await sim.terminal.stop();
  await outbox.close();
  await si.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });

  const date = new Date().toISOString().slice(0, 10);
  console.log(`bench:soak (${date}): ${SESSIONS} sessions in ${wallS.toFixed(0)} s wall, ${(samples.at(-1)!.simHours / 24).toFixed(1)} simulated days; outcomes ${JSON.stringify(outcomes)}`);
  console.log('');
  console.log('| sessions | sim. hours | RSS MiB | heap MiB | open fds | timers | handles | outbox KiB | outbox rows |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const s of samples) {
    console.log(`| ${s.sessions} | ${s.simHours.toFixed(1)} | ${s.rssMiB.toFixed(1)} | ${s.heapMiB.toFixed(1)} | ${s.fds} | ${s.timers} | ${s.handles} | ${s.outboxKiB.toFixed(0)} | ${s.rows} |`);
  }
  const half = samples.slice(Math.floor(samples.length / 2));
  const xs = half.map((s) => s.sessions / 1000);
  const per = (key: keyof Sample) => slope(xs, half.map((s) => s[key] as number));
  console.log('');
  console.log(
    `slope over the second half, per 1000 sessions: RSS ${per('rssMiB').toFixed(2)} MiB, heap ${per('heapMiB').toFixed(2)} MiB, fds ${per('fds').toFixed(2)}, ` +
      `timers ${per('timers').toFixed(2)}, handles ${per('handles').toFixed(2)}, outbox ${per('outboxKiB').toFixed(1)} KiB, rows ${per('rows').toFixed(1)}`,
  );
}

await main();
