/**
 * An attempt is counted once: going back from the service screen to confirm and pressing 进入 again
 * asks the SI and the day's ledger again, and the ledger already holds this session's attempts.
 */
import t from 'tap';
import { testPerson } from '../../src/si-client/test-persons.js';
import { simTerminal, walkToCapture } from './harness.js';

t.test('back to confirm and in again after an attempt: still one attempt used today', async (t) => {
  const s = await simTerminal();
  let at = await walkToCapture(s, testPerson('due').identity);
  const session = () => s.terminal.machineActor.getSnapshot().context.session;
  t.equal(s.view().screen, 'capture');
  t.equal(session().captureAttempts, 1, 'the attempt began');
  for (const [button, screen] of [
    ['back', 'consent'],
    ['back', 'service'],
    ['back', 'confirm'],
    ['enter', 'service'],
  ] as const) {
    s.devices.touch.press(button);
    at += 1_000;
    await s.at(at);
    t.equal(s.view().screen, screen, `${button} → ${screen}`);
  }
  t.equal(session().attemptsToday + session().captureAttempts, 1, `one attempt today (today before this session ${session().attemptsToday}, this session ${session().captureAttempts})`);
  await s.terminal.stop();
});
