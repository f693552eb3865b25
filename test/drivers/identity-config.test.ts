import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const load = (env: NodeJS.ProcessEnv = {}, overrides?: Record<string, unknown>) => loadConfig({ ignoreSystemFile: true, env, ...(overrides ? { overrides } : {}) });

t.test('identity devices default to their simulated twins, with the reader settings', async (t) => {
  const d = load().devices;
  t.same(d.idReader, { kind: 'sim', port: '/dev/lifecheck-idreader', baudRate: 115200, pollMs: 300 });
  t.same(d.sscReader, { kind: 'sim', reader: '' });
  t.same(d.barcode, { kind: 'sim', mode: 'serial', device: '/dev/lifecheck-scanner', baudRate: 9600, terminator: 'CR' });
});

t.test('kinds from the environment, as `make start` can be given them', async (t) => {
  const d = load({ LIFECHECK_ID_READER: 'emulator', LIFECHECK_SSC_READER: 'device', LIFECHECK_BARCODE: 'emulator' }).devices;
  t.equal(d.idReader.kind, 'emulator');
  t.equal(d.sscReader.kind, 'device');
  t.equal(d.barcode.kind, 'emulator');
});

t.test('bad values are refused with the key named', async (t) => {
  t.throws(() => load({ LIFECHECK_ID_READER: 'usb' }), ConfigError);
  t.throws(() => load({}, { devices: { barcode: { terminator: 'ETX' } } }), /devices\.barcode\.terminator/);
  t.throws(() => load({}, { devices: { idReader: { pollMs: 5 } } }), /devices\.idReader\.pollMs: must be at least 20/);
});
