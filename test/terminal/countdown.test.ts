import t from 'tap';
import { simTerminal } from './harness.js';

t.test('the footer shows 300 on a new screen and 299 a second later (seed: 剩余299秒)', async (t) => {
  const s = await simTerminal();
  t.equal(s.view().secondsLeft, null, 'home has no countdown');
  await s.at(1000);
  s.devices.touch.press('start');
  await s.at(1000);
  t.equal(s.view().screen, 'identify');
  t.equal(s.view().secondsLeft, 300);
  await s.at(2000);
  t.equal(s.view().secondsLeft, 299);
  t.equal(s.devices.display.current?.secondsLeft, 299, 'the display was redrawn with the new second');
  await s.at(1000 + 250_000);
  t.equal(s.view().secondsLeft, 50);
  await s.terminal.stop();
});

t.test('any touch restarts the countdown, even one on no button', async (t) => {
  const s = await simTerminal();
  s.devices.touch.press('start');
  await s.at(100_000);
  t.equal(s.view().secondsLeft, 200);
  s.devices.touch.tap(5, 5); // top-left corner: no button there
  await s.at(100_000);
  t.equal(s.view().screen, 'identify', 'still the same screen');
  t.equal(s.view().secondsLeft, 300);
  await s.terminal.stop();
});

t.test('at 0 the terminal says so and goes home; the next second nothing ticks', async (t) => {
  const s = await simTerminal({ session: { countdownSeconds: 20, countdownWarnAt: 5 } });
  s.devices.touch.press('start');
  await s.at(15_000);
  t.ok(s.outputs.some((o) => o.kind === 'prompt' && o.id === 'countdown.warning'), 'warned with 5 s left');
  await s.at(20_000);
  t.equal(s.view().screen, 'home');
  t.equal(s.view().secondsLeft, null);
  t.ok(s.outputs.some((o) => o.kind === 'session' && o.event === 'ended' && o.reason === 'timeout'));
  const drawn = s.views.length;
  await s.at(30_000);
  t.equal(s.views.length, drawn, 'no countdown redraws on home');
  t.equal(s.clock.pending(), 0, 'no timer left running on home');
  await s.terminal.stop();
});

t.test('the timeout sentence is said, not cut by the session it ends (silence takes only what came before)', async (t) => {
  const s = await simTerminal({ session: { countdownSeconds: 20, countdownWarnAt: 5 } });
  s.devices.touch.press('start');
  await s.at(15_000);
  t.equal(s.devices.speaker.playing, 'countdown.warning');
  await s.at(20_000);
  t.equal(s.view().screen, 'home');
  t.equal(s.devices.speaker.playing, 'session.timeout', '「操作超时，已返回首页。」 is what the speaker is saying');
  await s.terminal.stop();
});

t.test('going home by the button silences what was being said', async (t) => {
  const s = await simTerminal();
  s.devices.touch.press('start');
  await s.at(1_000);
  t.equal(s.devices.speaker.playing, 'identify.tap_card');
  s.devices.touch.press('home');
  await s.at(2_000);
  t.equal(s.view().screen, 'home');
  t.equal(s.devices.speaker.playing, null, 'nothing of the ended session goes on');
  await s.terminal.stop();
});
