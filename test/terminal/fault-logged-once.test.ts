/**
 * A device fault is one log line, written by the driver that saw it (with its detail), not again
 * by the terminal: the scanner and the ID card reader through their real drivers on ptys.
 */
import t from 'tap';
import { RealClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { memoryLogger, until } from '../helpers.js';

t.test('unplugged and back: one fault line and one back line per device', async (t) => {
  const config = loadConfig({ ignoreSystemFile: true, env: {}, overrides: { devices: { idReader: { kind: 'emulator', pollMs: 100 }, barcode: { kind: 'emulator', mode: 'serial' } } } });
  const { logger, lines } = memoryLogger('info');
  const { terminal, devices } = createSimTerminal({ config, clock: new RealClock(), logger, seed: 7, vision: 'scripted' });
  await terminal.start();
  t.teardown(() => terminal.stop());
  const health = () => terminal.machineActor.getSnapshot().context.devices;
  devices.barcode.unplug();
  devices.idReader.unplug();
  await until(() => !health().barcode.ok && !health().idReader.ok, 10_000, 'both reported faulty');
  devices.barcode.replug();
  devices.idReader.replug();
  await until(() => health().barcode.ok && health().idReader.ok, 10_000, 'both back');
  const about = (device: string, level: number) => lines.filter((l) => l.level === level && l.device === device);
  t.equal(about('barcode', 40).length, 1, `one warning for the scanner: ${JSON.stringify(about('barcode', 40))}`);
  t.equal(about('idReader', 40).length, 1, `one warning for the ID card reader: ${JSON.stringify(about('idReader', 40))}`);
  t.match(about('barcode', 40)[0], { reason: 'unplugged', detail: /./ }, 'with the driver’s detail');
  t.equal(about('barcode', 30).length, 1, 'one line when it is back');
  t.equal(about('idReader', 30).filter((l) => /back/.test(l.msg)).length, 1);
});
