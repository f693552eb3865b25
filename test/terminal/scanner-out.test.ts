/** A scanner that is out is not offered: 扫描条码 is disabled, and a person already on the scan step is told to go back. */
import t from 'tap';
import { screenText } from '../../src/screens/content.js';
import { simTerminal } from './harness.js';

t.test('扫描条码 is offered only while the scanner works', async (t) => {
  const s = await simTerminal();
  s.devices.touch.press('start');
  await s.at(1_000);
  const scan = () => s.view().buttons.find((b) => b.id === 'scanBarcode');
  t.equal(scan()?.enabled, true, 'scanner in: offered');
  s.devices.barcode.unplug();
  await s.at(1_100);
  t.equal(scan()?.enabled, false, 'scanner out: not offered');
  t.equal(s.view().screen, 'identify', 'the card readers still serve');
  s.devices.barcode.replug();
  await s.at(1_200);
  t.equal(scan()?.enabled, true, 'back: offered again');
  s.devices.touch.press('scanBarcode');
  await s.at(2_000);
  t.equal(s.view().mode, 'barcode');
  t.equal(screenText(s.view()).title, '请扫描电子社保卡二维码');
  s.devices.barcode.unplug();
  await s.at(2_100);
  t.match(screenText(s.view()), { title: '扫码器暂停使用', lines: [{ text: /上一步/ }] }, 'on the scan step: told to go back to the card readers');
  await s.terminal.stop();
});
