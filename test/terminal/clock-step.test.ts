/** NTP steps the wall clock by hours during a session: the countdown and the timeout go on as if nothing happened. */
import t from 'tap';
import { simTerminal } from './harness.js';

const HOUR = 3_600_000;

t.test('a step of the wall clock moves neither the countdown on screen nor the timeout', async (t) => {
  const s = await simTerminal();
  t.teardown(() => s.terminal.stop());
  s.devices.touch.press('start');
  await s.at(60_000);
  t.equal(s.view().screen, 'identify');
  t.equal(s.view().secondsLeft, 240);

  s.clock.stepWall(3 * HOUR);
  await s.at(61_000);
  t.equal(s.view().secondsLeft, 239, 'forward three hours: the countdown goes on from where it was');
  t.equal(s.view().screen, 'identify', 'and nothing timed out');

  s.clock.stepWall(-6 * HOUR);
  await s.at(299_000);
  t.equal(s.view().secondsLeft, 1, 'back six hours: no extra hours on the countdown');
  t.equal(s.view().screen, 'identify');
  await s.at(300_000);
  t.equal(s.view().screen, 'home', 'it runs out after its own 300 s');
});
