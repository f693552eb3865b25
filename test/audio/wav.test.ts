/** WAV reading and writing against files made by other programs (espeak-ng, sox). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { durationMs, encodeWav, parseWav, scaleVolume, WavError } from '../../src/audio/wav.js';

const espeak = (args: string[]) => execFileSync('espeak-ng', [...args, '-v', 'cmn-latn-pinyin', '验证成功。']);

t.test('espeak-ng on stdout (sizes unknown) and in a file (sizes known) give the same samples', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'w.wav');
  execFileSync('espeak-ng', ['-v', 'cmn-latn-pinyin', '-w', file, '验证成功。']);
  const streamed = parseWav(espeak(['--stdout']));
  const written = parseWav(readFileSync(file));
  t.same(streamed.format, { channels: 1, sampleRate: 22050, bitsPerSample: 16 });
  t.ok(streamed.data.equals(written.data));
  t.ok(encodeWav(streamed).equals(readFileSync(file)), 'canonical header equals the one espeak-ng writes to a file');
  t.ok(durationMs(streamed) > 500 && durationMs(streamed) < 3000);
});

t.test('sox files: stereo 16-bit is read; a-law and 8-bit are refused or flagged clearly', async (t) => {
  const dir = t.testdir();
  const stereo = join(dir, 's.wav');
  execFileSync('sox', ['-n', '-r', '16000', '-c', '2', '-b', '16', stereo, 'synth', '0.25', 'sine', '440']);
  const w = parseWav(readFileSync(stereo));
  t.same(w.format, { channels: 2, sampleRate: 16000, bitsPerSample: 16 });
  t.equal(Math.round(durationMs(w)), 250);
  const alaw = join(dir, 'a.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'a-law', alaw, 'synth', '0.1', 'sine', '440']);
  t.throws(() => parseWav(readFileSync(alaw)), /audio format 6 is not plain PCM/);
  const eight = join(dir, 'e.wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '8', eight, 'synth', '0.1', 'sine', '440']);
  t.throws(() => scaleVolume(parseWav(readFileSync(eight)), 50), /16-bit/);
});

t.test('garbage is a WavError, not a crash', async (t) => {
  t.throws(() => parseWav(Buffer.from('hello')), WavError);
  t.throws(() => parseWav(Buffer.from('RIFF\0\0\0\0WAVEdata\0\0\0\0')), /data chunk before fmt/);
  t.throws(() => parseWav(Buffer.from('RIFF\0\0\0\0WAVE')), /no fmt chunk/);
});

t.test('volume scales every sample; 100 keeps them', async (t) => {
  const w = parseWav(espeak(['--stdout']));
  t.equal(scaleVolume(w, 100), w);
  const half = scaleVolume(w, 50);
  for (let i = 0; i < w.data.length; i += 2) {
    if (half.data.readInt16LE(i) !== Math.round(w.data.readInt16LE(i) / 2)) {
      t.fail(`sample ${i / 2}`);
      break;
    }
  }
  t.ok(scaleVolume(w, 0).data.every((b) => b === 0));
  t.throws(() => scaleVolume(w, 120), RangeError);
});
