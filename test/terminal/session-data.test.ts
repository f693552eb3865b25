import t from 'tap';
import { emptySession } from '../../src/machine/machine.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { simTerminal, walkToCapture } from './harness.js';

t.test('returning home drops the identity, photo and result; photo bytes are zeroed', async (t) => {
  const s = await simTerminal();
  await walkToCapture(s, testPerson('due').identity);
  s.devices.camera.push({ at: s.clock.now(), format: 'jpeg', data: Buffer.from('frame-bytes') });
  s.devices.vision!.inject({ type: 'vision.faceReady' });
  await s.at(6000);
  const asked = () => {
    const c = s.terminal.machineActor.getSnapshot().context.session.challenge;
    return c.actions[c.index]!;
  };
  s.devices.vision!.inject({ type: 'vision.actionPassed', action: asked() });
  await s.at(7000);
  s.devices.vision!.inject({ type: 'vision.actionPassed', action: asked() });
  await s.at(8000);
  s.devices.vision!.inject({ type: 'vision.photo', quality: 0.9 });
  await s.at(9000);
  t.equal(s.view().screen, 'captured');
  const session = s.terminal.machineActor.getSnapshot().context.session;
  t.equal(session.identity?.name, testPerson('due').identity.name);
  t.ok(session.photo, 'the photo ref is held');
  const bytes = s.photos.get(session.photo!.ref)!;
  t.equal(bytes.toString(), 'frame-bytes', 'the photo is the newest camera frame');

  s.devices.touch.press('home');
  await s.at(10_000);
  t.equal(s.view().screen, 'home');
  t.same(s.terminal.machineActor.getSnapshot().context.session, emptySession());
  t.ok(bytes.every((b) => b === 0), 'the photo bytes were overwritten');
  t.equal(s.photos.size, 0, 'the photo store is empty');
  await s.terminal.stop();
});

t.test('a card tapped on the home page starts the session with that card', async (t) => {
  const s = await simTerminal();
  s.devices.idReader.tap(testPerson('due').identity);
  await s.at(100);
  t.equal(s.view().screen, 'confirm');
  t.equal(s.view().fields.name, '陈**');
  await s.terminal.stop();
});

t.test('an unplugged camera takes the terminal out of service until it is back', async (t) => {
  const s = await simTerminal();
  s.devices.camera.unplug();
  await s.at(100);
  t.equal(s.view().fields.canServe, false);
  t.same(s.view().fields.faults, ['camera']);
  s.devices.touch.press('start');
  s.devices.idReader.tap(testPerson('due').identity);
  await s.at(200);
  t.equal(s.view().screen, 'home', 'neither the button nor a card starts a session');
  s.devices.camera.replug();
  s.devices.touch.press('start');
  await s.at(300);
  t.equal(s.view().screen, 'identify');
  await s.terminal.stop();
});
