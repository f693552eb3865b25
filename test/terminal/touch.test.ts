import t from 'tap';
import { layoutButtons } from '../../src/screens/layout.js';
import { simTerminal } from './harness.js';

const SIZE = { width: 1280, height: 800 };

function centre(view: Parameters<typeof layoutButtons>[0], id: string) {
  const r = layoutButtons(view, SIZE).find((b) => b.id === id)!.rect;
  return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
}

t.test('a finger down shows the button pressed; lifting over it presses it', async (t) => {
  const s = await simTerminal();
  await s.at(1000);
  const start = centre(s.view(), 'start');
  s.devices.touch.down(start.x, start.y);
  await s.at(1000);
  t.equal(s.devices.display.current?.pressed, 'start', 'drawn pressed');
  t.equal(s.view().screen, 'home', 'nothing happens while the finger is down');
  s.devices.touch.lift(start.x + 5, start.y + 5);
  await s.at(1000);
  t.equal(s.view().screen, 'identify');
  t.equal(s.devices.display.current?.pressed, null, 'no button pressed on the new screen');
  await s.terminal.stop();
});

t.test('sliding off the button before lifting presses nothing', async (t) => {
  const s = await simTerminal();
  await s.at(1000);
  const start = centre(s.view(), 'start');
  s.devices.touch.down(start.x, start.y);
  await s.at(1100);
  s.devices.touch.lift(start.x, 100);
  await s.at(1200);
  t.equal(s.view().screen, 'home');
  t.equal(s.devices.display.current?.pressed, null, 'the pressed look goes away');
  await s.terminal.stop();
});

t.test('touches right after a screen change are ignored (TOUCH_GUARD)', async (t) => {
  const s = await simTerminal();
  s.devices.touch.press('start');
  await s.at(1000);
  t.equal(s.view().screen, 'identify');
  s.devices.touch.press('scanBarcode'); // by id, as traces do: not guarded
  await s.at(1000);
  t.equal(s.view().mode, 'barcode');
  s.devices.touch.press('back');
  await s.at(1000);
  // The screen changed at 1000 (mode change within identify keeps the screen id, so use a new screen):
  s.devices.idReader.tap({ name: '陈秀英', gender: 'female', idNumber: '440604194803150220', birthDate: '1948-03-15' });
  await s.at(1100);
  t.equal(s.view().screen, 'confirm');
  const enter = centre(s.view(), 'enter');
  s.devices.touch.tap(enter.x, enter.y); // 100 ms after the confirm screen appeared
  await s.at(1200);
  t.equal(s.view().screen, 'confirm', 'a tap within 300 ms of the new screen does nothing');
  await s.at(1500);
  s.devices.touch.tap(enter.x, enter.y);
  await s.at(1600);
  t.equal(s.view().screen, 'checking', 'a tap after it works');
  await s.terminal.stop();
});
