/** A photo that is gone when the person presses 提交 fails the attempt: nothing empty is stored or sent. */
import t from 'tap';
import { testPerson } from '../../src/si-client/test-persons.js';
import { simTerminal, walkToCapture } from './harness.js';

t.test('the photo gone from memory: the result says it did not go through, the outbox and the SI get nothing', async (t) => {
  const s = await simTerminal();
  t.teardown(() => s.terminal.stop());
  const at = await walkToCapture(s, testPerson('due').identity);
  const asked = () => {
    const c = s.terminal.machineActor.getSnapshot().context.session.challenge;
    return c.actions[c.index]!;
  };
  s.devices.vision!.inject({ type: 'vision.faceReady' });
  await s.at(at + 1_000);
  s.devices.vision!.inject({ type: 'vision.actionPassed', action: asked() });
  await s.at(at + 2_000);
  s.devices.vision!.inject({ type: 'vision.actionPassed', action: asked() });
  await s.at(at + 3_000);
  s.devices.vision!.inject({ type: 'vision.photo', quality: 0.9 });
  await s.at(at + 4_000);
  t.equal(s.view().screen, 'captured');
  s.photos.clear();
  s.devices.touch.press('submit');
  await s.at(at + 20_000);
  t.equal(s.view().screen, 'result');
  t.match(s.view().fields, { outcome: 'failed' }, 'failed, told so');
  t.equal(s.outbox.stats().pending + s.outbox.stats().delivered, 0, 'nothing stored in the outbox');
  t.notOk(s.outputs.some((o) => o.kind === 'receipt'), 'no receipt');
});
