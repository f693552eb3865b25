/** The configuration keys of the voice and the receipt printer. */
import t from 'tap';
import { loadConfig } from '../../src/config/config.js';

t.test('defaults: Mandarin, slower than espeak-ng’s 175 wpm, full volume, usblp with status and native QR', async (t) => {
  const c = loadConfig({ ignoreSystemFile: true, env: {} });
  t.same(c.voice, { language: 'cmn', rate: 150, cacheDir: '/var/cache/lifecheck/voice', recordingsDir: '/var/lib/lifecheck/voice' });
  t.ok(c.voice.rate < 175);
  t.same(c.devices.speaker, { alsaDevice: 'default', volume: 100 });
  t.same(c.devices.printer, { device: '/dev/usb/lp0', paperWidth: 80, qr: 'native', statusQuery: true, statusTimeoutMs: 1000, timeoutMs: 10000, pollMs: 5000 });
});

t.test('Cantonese is chosen by file or by LIFECHECK_VOICE_LANGUAGE', async (t) => {
  t.equal(loadConfig({ ignoreSystemFile: true, env: { LIFECHECK_VOICE_LANGUAGE: 'yue' } }).voice.language, 'yue');
  t.equal(loadConfig({ ignoreSystemFile: true, env: {}, overrides: { voice: { language: 'yue' } } }).voice.language, 'yue');
});

t.test('bad voice and printer values are refused naming the key', async (t) => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ voice: { language: 'en' } }, /voice\.language/],
    [{ voice: { rate: 40 } }, /voice\.rate: must be from 80 to 450/],
    [{ devices: { speaker: { volume: 150 } } }, /devices\.speaker\.volume/],
    [{ devices: { speaker: { volume: 'loud' } } }, /devices\.speaker\.volume/],
    [{ devices: { printer: { qr: 'svg' } } }, /devices\.printer\.qr/],
    [{ devices: { printer: { paperWidth: 76 } } }, /devices\.printer\.paperWidth/],
    [{ devices: { printer: { timeoutMs: -1 } } }, /devices\.printer\.timeoutMs/],
  ];
  for (const [overrides, pattern] of cases) {
    t.throws(() => loadConfig({ ignoreSystemFile: true, env: {}, overrides }), pattern, JSON.stringify(overrides));
  }
});
