/**
 * One verification per person per cycle, whatever the timing. A person whose verification waits in
 * the outbox comes back; while the SI's look-up is slow, the outbox delivers that verification. The
 * look-up's answer ("eligible") was made before the SI had it, so the terminal must not believe it:
 * the whole terminal over HTTPS to si-dev, the durable outbox, on the real clock.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import t from 'tap';
import { RealClock, type Clock } from '../../src/clock/clock.js';
import { silentLogger } from '../../src/log/logger.js';
import type { ScreenView } from '../../src/screens/view.js';
import { createOutboxKey } from '../../src/si-client/outbox-crypto.js';
import { retryRows } from '../../src/si-client/outbox-db.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { until } from '../helpers.js';
import { startTestSi } from '../si-dev/helpers.js';
import { verification } from './outbox-harness.js';

const LOOKUP_LATENCY_MS = 1_500;

t.test('a waiting verification delivered while the look-up is on the wire: the person is told it is done, and no second photo is taken', async (t) => {
  const ts = await startTestSi(t);
  const keyFile = join(ts.dir, 'outbox.key');
  createOutboxKey(keyFile);
  const path = join(ts.dir, 'outbox.sqlite');
  // The background sender would retry only after a minute: the test says when it delivers.
  const config = ts.config({ outbox: { store: 'sqlite', path, keyFile, answerWithinMs: 300, retryBaseMs: 60_000, retryMaxMs: 60_000, pollMs: 100 } });
  let view: ScreenView | null = null;
  const sim = createSimTerminal({ config, clock: new RealClock() as Clock, logger: silentLogger(), seed: 7, vision: 'scripted', onView: (v) => (view = v) });
  await sim.terminal.start();
  t.teardown(() => sim.terminal.stop());

  // Earlier: the person verified while the SI refused submissions; it waits in the outbox.
  await ts.si.setFaults([{ kind: 'error', status: 503, ops: ['submit'] }]);
  const person = testPerson('due').identity;
  t.match(await sim.outbox.submit({ ...verification('due') }), { outcome: 'queued' });
  t.not(sim.outbox.pendingSince(person.idNumber), null, 'waiting in the outbox');

  // Now the SI takes submissions again but answers look-ups slowly.
  await ts.si.setFaults([{ kind: 'latency', latencyMs: LOOKUP_LATENCY_MS, ops: ['lookup'] }]);
  sim.devices.touch.press('start');
  await until(() => view?.screen === 'identify', 5_000, 'the identify screen');
  sim.devices.idReader.tap(person);
  await until(() => view?.screen === 'confirm', 5_000, 'the confirm screen');
  sim.devices.touch.press('enter');
  await until(() => (ts.si.requests.lookup ?? 0) === 1, 5_000, 'the look-up to reach the SI');

  // While the look-up is on the wire, the waiting verification goes (as `lifecheck outbox retry` makes it due).
  const db = new Database(path);
  retryRows(db, Date.now(), 'all');
  db.close();
  await until(() => ts.store.submissions().length === 1, 5_000, 'the delivery to the SI');
  t.equal(ts.si.requests.lookup, 1, 'delivered before the look-up was answered');

  await until(() => view?.screen === 'service', 3 * LOOKUP_LATENCY_MS + 5_000, 'the service screen');
  t.equal(ts.si.requests.lookup, 2, 'the SI was asked again after the delivery');
  t.match(view!.fields, { alreadyVerified: true, verifiedOn: '2026-11-28' }, 'the person is told this cycle is done');
  t.match(view!.buttons.find((b) => b.id === 'apply'), { enabled: false }, 'and cannot start a second verification');
  t.equal(ts.store.submissions().length, 1, 'one verification at the SI');
});
