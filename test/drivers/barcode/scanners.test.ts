/**
 * Both scanner drivers on real layers: the serial one on a socat pty pair with our scanner
 * emulator at the far end; the keyboard-wedge one reading input_event records from a FIFO in
 * place of /dev/input/eventN. Scans, garbage, a missing terminator, unplug and replug.
 */
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { RealClock } from '../../../src/clock/clock.js';
import { HidScannerEmulator, SerialScannerEmulator } from '../../../src/drivers/barcode/emulator.js';
import { HidScanner, type HidScannerOptions } from '../../../src/drivers/barcode/hid-scanner.js';
import type { BarcodeEvent } from '../../../src/drivers/barcode/port.js';
import { SerialScanner, type SerialScannerOptions } from '../../../src/drivers/barcode/serial-scanner.js';
import { PtyPair } from '../../../src/drivers/pty-pair.js';
import { silentLogger } from '../../../src/log/logger.js';
import { EventLog } from '../event-log.js';
import { tempDir } from '../temp-dir.js';

const scanned = (token: string) => (e: BarcodeEvent) => e.type === 'identify.barcode' && e.token === token;
const unreadable = (e: BarcodeEvent) => e.type === 'identify.readError';

async function serialRig(t: Test, over: Partial<SerialScannerOptions> = {}) {
  const dir = tempDir(t);
  const rig = {
    dir,
    pair: await PtyPair.open(join(dir, 'scanner'), join(dir, 'scanner-far')),
    emulator: null as unknown as SerialScannerEmulator,
    events: new EventLog<BarcodeEvent>(),
    scanner: null as unknown as SerialScanner,
  };
  rig.emulator = await SerialScannerEmulator.open(rig.pair.far);
  rig.scanner = new SerialScanner({ port: rig.pair.device, baudRate: 9_600, terminator: 'CR', reopenMs: 50, partialTimeoutMs: 150, clock: new RealClock(), logger: silentLogger(), ...over });
  rig.scanner.onEvent(rig.events.push);
  t.teardown(async () => {
    await rig.scanner.stop();
    await rig.emulator.close();
    await rig.pair.close();
  });
  await rig.scanner.start();
  return rig;
}

t.test('serial: each scan one identify.barcode event, split or merged on the line', async (t) => {
  const r = await serialRig(t);
  await r.emulator.scan('ESSC-7Q2M-DUE');
  t.same(await r.events.waitFor(scanned('ESSC-7Q2M-DUE'), 'scan'), { type: 'identify.barcode', token: 'ESSC-7Q2M-DUE' });
  await r.emulator.raw(Buffer.from('TOKEN-A\rTOK'));
  await r.emulator.raw(Buffer.from('EN-B\r'));
  await r.events.waitFor(scanned('TOKEN-B'), 'second of two');
  t.same(r.events.all.map((e) => e.type === 'identify.barcode' && e.token), ['ESSC-7Q2M-DUE', 'TOKEN-A', 'TOKEN-B']);
});

t.test('serial: garbage and a payload without terminator are unreadable scans, then scanning goes on', async (t) => {
  const r = await serialRig(t);
  await r.emulator.raw(Buffer.from([0xc3, 0x28, 0xa0, 0x0d]));
  await r.events.waitFor(unreadable, 'unreadable garbage');
  let mark = r.events.mark;
  await r.emulator.raw(Buffer.from('NO-END'));
  t.same(await r.events.waitFor(unreadable, 'timed-out payload', { from: mark }), { type: 'identify.readError', device: 'barcode', reason: 'unreadable' });
  mark = r.events.mark;
  await r.emulator.scan('AFTER');
  await r.events.waitFor(scanned('AFTER'), 'scan after', { from: mark });
});

t.test('serial: a CR LF scanner configured as such', async (t) => {
  const r = await serialRig(t, { terminator: 'CRLF' });
  await r.emulator.scan('A1', 'CRLF');
  await r.emulator.scan('B2', 'CRLF');
  await r.events.waitFor(scanned('B2'), 'scan');
  t.equal(r.events.count(unreadable), 0);
});

t.test('serial: unplug and replug', async (t) => {
  const r = await serialRig(t);
  await r.pair.close();
  await r.emulator.close();
  t.same(await r.events.waitFor((e) => e.type === 'device.fault', 'unplug'), { type: 'device.fault', device: 'barcode', reason: 'unplugged' });
  r.pair = await PtyPair.open(join(r.dir, 'scanner'), join(r.dir, 'scanner-far'));
  r.emulator = await SerialScannerEmulator.open(r.pair.far);
  await r.events.waitFor((e) => e.type === 'device.ok', 'replug');
  await r.emulator.scan('BACK');
  await r.events.waitFor(scanned('BACK'), 'scan after replug');
});

function hidRig(t: Test, over: Partial<HidScannerOptions> = {}, plugged = true) {
  const dir = tempDir(t);
  const emulator = new HidScannerEmulator(join(dir, 'event7'), over.recordSize ?? 24);
  if (plugged) emulator.plug();
  const scanner = new HidScanner({ device: emulator.path, recordSize: 24, terminator: 'CR', reopenMs: 50, partialTimeoutMs: 150, clock: new RealClock(), logger: silentLogger(), ...over });
  const events = new EventLog<BarcodeEvent>();
  scanner.onEvent(events.push);
  t.teardown(async () => {
    await scanner.stop();
    emulator.close();
  });
  return { emulator, scanner, events };
}

t.test('HID wedge: typed scans with Shift become tokens; the configured terminator ends them', async (t) => {
  const r = hidRig(t);
  await r.scanner.start();
  r.emulator.scan('ESSC-7Q2M-DUE');
  r.emulator.scan('https://example.invalid/essc?t=Ab_9');
  await r.events.waitFor(scanned('https://example.invalid/essc?t=Ab_9'), 'URL scan');
  t.same(r.events.all, [
    { type: 'identify.barcode', token: 'ESSC-7Q2M-DUE' },
    { type: 'identify.barcode', token: 'https://example.invalid/essc?t=Ab_9' },
  ]);
});

t.test('HID wedge: Tab terminator, 32-bit records, a scan cut short', async (t) => {
  const r = hidRig(t, { terminator: 'TAB', recordSize: 16 });
  await r.scanner.start();
  r.emulator.scan('T1', 'TAB');
  await r.events.waitFor(scanned('T1'), 'scan');
  r.emulator.events([{ type: 1, code: 2, value: 1 }]);
  await r.events.waitFor(unreadable, 'cut-short scan');
});

t.test('HID wedge: unplugged at start, plugged, unplugged and back', async (t) => {
  const r = hidRig(t, {}, false);
  await r.scanner.start();
  await r.events.waitFor((e) => e.type === 'device.fault', 'missing at start');
  r.emulator.plug();
  await r.events.waitFor((e) => e.type === 'device.ok', 'plugged');
  let mark = r.events.mark;
  r.emulator.unplug();
  await r.events.waitFor((e) => e.type === 'device.fault', 'unplugged', { from: mark });
  mark = r.events.mark;
  r.emulator.plug();
  await r.events.waitFor((e) => e.type === 'device.ok', 'replugged', { from: mark });
  r.emulator.scan('AGAIN');
  await r.events.waitFor(scanned('AGAIN'), 'scan after replug');
  t.equal(r.events.count((e) => e.type === 'device.fault'), 2);
});
