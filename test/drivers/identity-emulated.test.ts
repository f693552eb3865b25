/**
 * The identify step of the whole terminal through the real drivers: the sim profile with
 * devices.*.kind = emulator puts the GA/T 467 driver on a pty pair with our reader emulator, the
 * PC/SC driver on a private pcscd with vpcd and our card, the serial scanner driver on a pty pair
 * with our scanner. The same twin calls the demo and the REPL use (tap, insert, scan) go through
 * bytes, frames and APDUs to the confirm screen.
 */
import t from 'tap';
import { RealClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import type { Output } from '../../src/terminal/outputs.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { EventLog } from './event-log.js';

const config = loadConfig({
  ignoreSystemFile: true,
  env: {},
  overrides: { devices: { idReader: { kind: 'emulator', pollMs: 100 }, sscReader: { kind: 'emulator' }, barcode: { kind: 'emulator', mode: 'serial' } } },
});
const outputs = new EventLog<Output>();
const { terminal, devices } = createSimTerminal({ config, clock: new RealClock(), logger: silentLogger(), seed: 7, vision: 'scripted', onOutput: outputs.push });
await terminal.start();
t.teardown(() => terminal.stop());

const screen = (name: string) => (o: Output) => o.kind === 'screen' && o.screen === name;

/** From home, a fresh session on the identify screen. */
async function toIdentify(): Promise<number> {
  if (terminal.view?.screen !== 'home') {
    const mark = outputs.mark;
    t.ok(devices.touch.press('home'));
    await outputs.waitFor(screen('home'), 'home', { from: mark });
  }
  const start = outputs.mark;
  t.ok(devices.touch.press('start'));
  await outputs.waitFor(screen('identify'), 'identify', { from: start });
  return outputs.mark;
}

t.test('ID card over GA/T 467 on a pty: tap to the confirm screen', async (t) => {
  const mark = await toIdentify();
  const tapped = performance.now();
  t.ok(devices.idReader.tap(testPerson('due').identity));
  const confirm = await outputs.waitFor(screen('confirm'), 'confirm', { from: mark });
  t.match(confirm, { fields: { source: 'id-card', name: '陈**', gender: 'female', idNumber: '4406**********0220' } });
  t.comment(`tap to confirm screen: ${(performance.now() - tapped).toFixed(0)} ms`);
});

t.test('social security card over PC/SC (pcscd + vpcd): insert to the confirm screen', async (t) => {
  const mark = await toIdentify();
  const inserted = performance.now();
  t.ok(devices.sscReader.insert(testPerson('verified').identity));
  const confirm = await outputs.waitFor(screen('confirm'), 'confirm', { from: mark, timeoutMs: 10_000 });
  t.match(confirm, { fields: { source: 'ssc', name: '李**', gender: 'male', idNumber: '4406**********031X' } });
  t.comment(`insert to confirm screen: ${(performance.now() - inserted).toFixed(0)} ms`);
});

t.test('electronic SSC code on the serial scanner: resolved through the SI to the confirm screen', async (t) => {
  const mark = await toIdentify();
  t.ok(devices.barcode.scan(testPerson('due').token!));
  const confirm = await outputs.waitFor(screen('confirm'), 'confirm', { from: mark });
  t.match(confirm, { fields: { source: 'barcode', name: '陈**' } });
  t.ok(outputs.all.slice(mark).some((o) => o.kind === 'si' && o.op === 'resolveToken'));
});

t.test('bad reads through the real drivers: the identify problem screen, never a crash', async (t) => {
  for (const [device, fail] of [
    ['ID card', () => devices.idReader.fail('unreadable')],
    ['foreign card', () => devices.idReader.fail('unsupported-card')],
    ['damaged SSC', () => devices.sscReader.fail('unreadable')],
    ['smudged barcode', () => devices.barcode.fail('unreadable')],
  ] as const) {
    const mark = await toIdentify();
    t.ok(fail(), device);
    const problem = await outputs.waitFor(screen('identifyProblem'), `${device} problem`, { from: mark, timeoutMs: 10_000 });
    t.match(problem, { fields: { problem: device === 'foreign card' ? 'unsupported-card' : 'read-error' } }, device);
  }
});

t.test('the ID card reader unplugged and back, as the identify screen shows it', async (t) => {
  const mark = await toIdentify();
  devices.idReader.unplug();
  const down = await outputs.waitFor((o) => screen('identify')(o) && o.kind === 'screen' && o.fields.idReader === false, 'reader shown down', { from: mark });
  t.match(down, { fields: { idReader: false, sscReader: true } });
  t.notOk(devices.idReader.tap(testPerson('due').identity), 'an unplugged reader reads nothing');
  devices.idReader.replug();
  await outputs.waitFor((o) => o.kind === 'screen' && o.fields.idReader === true, 'reader shown back', { from: outputs.mark });
  const again = outputs.mark;
  t.ok(devices.idReader.tap(testPerson('due-2').identity));
  t.match(await outputs.waitFor(screen('confirm'), 'confirm after replug', { from: again }), { fields: { name: '何**' } });
});

t.test('the social security card reader and the scanner unplugged and back (their twins share the unplug queue)', async (t) => {
  const mark = await toIdentify();
  devices.sscReader.unplug();
  devices.barcode.unplug();
  const down = await outputs.waitFor((o) => screen('identify')(o) && o.kind === 'screen' && o.fields.sscReader === false && o.fields.barcode === false, 'both shown down', { from: mark });
  t.match(down, { fields: { idReader: true, sscReader: false, barcode: false } });
  t.notOk(devices.sscReader.insert(testPerson('due').identity), 'pcscd is gone: no card goes in');
  t.notOk(devices.barcode.scan('not-delivered'), 'an unplugged scanner scans nothing');
  devices.sscReader.replug();
  devices.barcode.replug();
  await outputs.waitFor((o) => o.kind === 'screen' && o.fields.sscReader === true && o.fields.barcode === true, 'both shown back', { from: outputs.mark });
  const again = outputs.mark;
  t.ok(devices.sscReader.insert(testPerson('due').identity));
  await outputs.waitFor(screen('confirm'), 'confirm after replug', { from: again });
});
