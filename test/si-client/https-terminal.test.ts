/**
 * The whole terminal on the sim profile with `si.kind: 'https'` and the durable outbox: the flow
 * talks to a real si-dev over HTTPS with client certificates, and what goes wrong there shows up
 * on the screens the machine already has (SI problem, queued result and receipt).
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { advanceTo, settle, SimClock } from '../../src/clock/clock.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ScreenView } from '../../src/screens/view.js';
import { createOutboxKey } from '../../src/si-client/outbox-crypto.js';
import type { SqliteOutbox } from '../../src/si-client/sqlite-outbox.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import type { Output } from '../../src/terminal/outputs.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { SI_NOW, startTestSi, type TestSi } from '../si-dev/helpers.js';

/** A simulated clock that says when a timer is set (e.g. the client's backoff after a failed try). */
class WatchedClock extends SimClock {
  onSet: (() => void) | null = null;
  override setTimeout(fn: () => void, ms: number): unknown {
    const handle = super.setTimeout(fn, ms);
    this.onSet?.();
    return handle;
  }
}

async function httpsTerminal(t: Test, ts: TestSi) {
  const keyFile = join(ts.dir, 'outbox.key');
  createOutboxKey(keyFile);
  const config = ts.config({ outbox: { store: 'sqlite', path: join(ts.dir, 'outbox.sqlite'), keyFile } });
  const clock = new WatchedClock(SI_NOW);
  const outputs: Output[] = [];
  let views: Array<(v: ScreenView) => void> = [];
  const sim = createSimTerminal({
    config,
    clock,
    logger: silentLogger(),
    seed: 7,
    vision: 'scripted',
    onOutput: (o) => outputs.push(o),
    onView: (v) => {
      for (const w of views) w(v);
    },
  });
  await sim.terminal.start();
  t.teardown(() => sim.terminal.stop());
  const view = () => sim.terminal.view!;
  /** Waits (real time, bounded) for the screen an SI answer leads to; the simulated clock stands still meanwhile. */
  const screen = (id: string) =>
    new Promise<void>((resolve, reject) => {
      if (view().screen === id) return resolve();
      const timer = setTimeout(() => reject(new Error(`screen ${id} not reached; on ${view().screen}`)), 10_000);
      const w = (v: ScreenView) => {
        if (v.screen !== id) return;
        clearTimeout(timer);
        views = views.filter((x) => x !== w);
        resolve();
      };
      views.push(w);
    });
  const step = (ms: number) => advanceTo(clock, clock.now() + ms);
  /** Until `id` shows: each time something sets a timer (a retry's backoff), the clock moves on. */
  const stepUntil = async (id: string) => {
    const reached = screen(id);
    let done = false;
    void reached.then(() => (done = true), () => (done = true));
    while (!done) {
      const timerSet = new Promise<void>((resolve) => (clock.onSet = resolve));
      await Promise.race([reached, timerSet]);
      clock.onSet = null;
      if (!done) await step(200);
    }
    await reached;
  };
  return { ...sim, clock, outputs, view, screen, step, stepUntil, outbox: sim.outbox as SqliteOutbox };
}

async function toCaptured(s: Awaited<ReturnType<typeof httpsTerminal>>) {
  s.devices.touch.press('start');
  await s.step(1_000);
  s.devices.idReader.tap(testPerson('due').identity);
  await s.step(1_000);
  s.devices.touch.press('enter');
  await s.screen('service');
  await s.step(1_000);
  s.devices.touch.press('apply');
  await s.step(1_000);
  s.devices.touch.press('agree');
  await s.step(1_000);
  s.devices.vision!.inject({ type: 'vision.faceReady' });
  await s.step(1_000);
  const asked = () => {
    const c = s.terminal.machineActor.getSnapshot().context.session.challenge;
    return c.actions[c.index]!;
  };
  s.devices.vision!.inject({ type: 'vision.actionPassed', action: asked() });
  await s.step(1_000);
  s.devices.vision!.inject({ type: 'vision.actionPassed', action: asked() });
  await s.step(1_000);
  s.devices.vision!.inject({ type: 'vision.photo', quality: 0.9 });
  await s.step(1_000);
}

t.test('the whole flow over HTTPS: looked up, submitted, accepted with the SI receipt number, printed', async (t) => {
  const ts = await startTestSi(t);
  const s = await httpsTerminal(t, ts);
  await toCaptured(s);
  t.equal(s.view().screen, 'captured');
  s.devices.touch.press('submit');
  await s.screen('printing');
  await s.step(10_000);
  t.equal(s.view().screen, 'result');
  t.match(s.view().fields, { outcome: 'accepted', receiptNo: 'SI00000001', printed: true });
  t.match(s.outputs.find((o) => o.kind === 'receipt'), { fields: { outcome: 'accepted', receiptNo: 'SI00000001' } });
  t.equal(ts.si.requests.lookup, 1);
  t.equal(ts.store.submissions().length, 1);
  t.same(s.outbox.stats(), { pending: 0, delivered: 1, failed: 0, oldestPendingAt: null, oldestFailedAt: null });
});

t.test('an SI answering 503 to the look-up shows the SI-problem screen', async (t) => {
  const ts = await startTestSi(t);
  await ts.si.setFaults([{ kind: 'error', status: 503, ops: ['lookup'] }]);
  const s = await httpsTerminal(t, ts);
  s.devices.touch.press('start');
  await s.step(1_000);
  s.devices.idReader.tap(testPerson('due').identity);
  await s.step(1_000);
  s.devices.touch.press('enter');
  await s.screen('checking');
  // The client's retries wait on the terminal's clock: it moves whenever a retry is scheduled.
  await s.stepUntil('siProblem');
  t.equal(s.view().screen, 'siProblem');
  t.equal(ts.si.requests.lookup, 3, 'three tries reached the SI');
});

t.test('an SI that answers garbage to the look-up shows the SI-problem screen too', async (t) => {
  const ts = await startTestSi(t);
  await ts.si.setFaults([{ kind: 'malformed', body: 'wrong-shape', ops: ['lookup'] }]);
  const s = await httpsTerminal(t, ts);
  s.devices.touch.press('start');
  await s.step(1_000);
  s.devices.idReader.tap(testPerson('due').identity);
  await s.step(1_000);
  s.devices.touch.press('enter');
  await s.screen('checking');
  await s.stepUntil('siProblem');
  t.equal(s.view().screen, 'siProblem');
});

t.test('SI down at submit: the result says queued, the receipt says so, and it is delivered when the SI is back', async (t) => {
  const ts = await startTestSi(t);
  const s = await httpsTerminal(t, ts);
  await toCaptured(s);
  await ts.si.setFaults([{ kind: 'down' }]);
  s.devices.touch.press('submit');
  await s.screen('submitting');
  await s.step(11_000);
  await s.step(10_000);
  t.equal(s.view().screen, 'result');
  t.match(s.view().fields, { outcome: 'queued', receiptNo: 'T0000202611280001', printed: true });
  t.match(s.outputs.find((o) => o.kind === 'receipt'), { fields: { outcome: 'queued', receiptNo: 'T0000202611280001', resultText: '已受理，待网络恢复后自动提交' } });
  t.equal(s.outbox.stats().pending, 1);

  await ts.si.setFaults([]);
  for (let i = 0; i < 20 && s.outbox.stats().pending > 0; i++) {
    await s.step(30_000);
    await settle();
    await s.outbox.whenIdle();
  }
  t.equal(s.outbox.stats().pending, 0, 'delivered in the background');
  t.match(ts.store.submissions(), [{ outcome: { outcome: 'accepted' }, deliveries: 1 }]);
});
