/** Prompt resolution: recorded WAV, else the TTS cache, else real espeak-ng; and what goes wrong. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PROMPT_IDS } from '../../src/audio/catalogue.js';
import { PromptSounds, type PromptSoundsOptions } from '../../src/audio/prompt-sounds.js';
import { EspeakTts, TtsError, type SpeechSynthesizer } from '../../src/audio/tts.js';
import { durationMs, parseWav } from '../../src/audio/wav.js';
import { silentLogger } from '../../src/log/logger.js';
import { memoryLogger } from '../helpers.js';

/** The real espeak-ng, counting its runs. */
class CountingTts implements SpeechSynthesizer {
  readonly engine = 'espeak-ng';
  readonly texts: string[] = [];
  private readonly inner = new EspeakTts();
  synthesize(text: string, voice: string, rate: number): Promise<Buffer> {
    this.texts.push(text);
    return this.inner.synthesize(text, voice, rate);
  }
}

function sounds(dir: string, over: Partial<PromptSoundsOptions> = {}) {
  const tts = new CountingTts();
  const s = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'cache'), recordingsDir: join(dir, 'rec'), tts, logger: silentLogger(), ...over });
  return { s, tts };
}

t.test('the first use renders with espeak-ng, later uses (and later starts) read the cache', async (t) => {
  const dir = t.testdir();
  const { s, tts } = sounds(dir);
  const started = performance.now();
  const first = await s.sound('identify.tap_card');
  const renderMs = performance.now() - started;
  t.equal(first.source, 'synthesized');
  const again = await s.sound('identify.tap_card');
  t.equal(again.source, 'cache');
  const { s: restarted, tts: tts2 } = sounds(dir);
  const t0 = performance.now();
  const third = await restarted.sound('identify.tap_card');
  const hitMs = performance.now() - t0;
  t.equal(third.source, 'cache');
  t.equal(tts.texts.length, 1);
  t.equal(tts2.texts.length, 0);
  t.ok(third.wav.data.equals(first.wav.data));
  t.same(readdirSync(join(dir, 'cache')).filter((f) => !/^[0-9a-f]{32}\.wav$/.test(f)), [], 'only finished WAVs, no temporary files');
  t.comment(`render ${renderMs.toFixed(1)} ms, cache hit ${hitMs.toFixed(1)} ms`);
});

t.test('the key is text, voice and rate: each change renders anew; the slower rate speaks longer', async (t) => {
  const dir = t.testdir();
  const cacheDir = join(dir, 'cache');
  const slow = await sounds(dir, { cacheDir, rate: 150 }).s.sound('capture.look_at_camera');
  const usual = await sounds(dir, { cacheDir, rate: 175 }).s.sound('capture.look_at_camera');
  const yue = await sounds(dir, { cacheDir, language: 'yue' }).s.sound('capture.look_at_camera');
  t.equal(readdirSync(cacheDir).length, 3);
  t.same([slow.source, usual.source, yue.source], ['synthesized', 'synthesized', 'synthesized']);
  t.ok(durationMs(slow.wav) > durationMs(usual.wav) * 1.1, `${durationMs(slow.wav)} ms at 150 wpm vs ${durationMs(usual.wav)} ms at 175`);
  t.notOk(yue.wav.data.equals(slow.wav.data));
});

t.test('a recorded WAV for the id and language replaces the synthetic voice, without a restart', async (t) => {
  const dir = t.testdir();
  const { s, tts } = sounds(dir);
  t.equal((await s.sound('result.success')).source, 'synthesized');
  mkdirSync(join(dir, 'rec', 'cmn'), { recursive: true });
  const file = join(dir, 'rec', 'cmn', 'result.success.wav');
  execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', file, 'synth', '0.5', 'sine', '330']);
  const recorded = await s.sound('result.success');
  t.equal(recorded.source, 'recording');
  t.ok(recorded.wav.data.equals(parseWav(readFileSync(file)).data));
  t.equal((await sounds(dir, { language: 'yue' }).s.sound('result.success')).source, 'synthesized', 'a Mandarin recording is not said for Cantonese');
  t.equal(tts.texts.length, 1);
});

t.test('an unusable recording is reported once and the synthetic voice stands in', async (t) => {
  const dir = t.testdir();
  const { logger, lines } = memoryLogger();
  const { s } = sounds(dir, { logger });
  mkdirSync(join(dir, 'rec', 'cmn'), { recursive: true });
  writeFileSync(join(dir, 'rec', 'cmn', 'action.nod.wav'), 'not a wav');
  execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-b', '8', join(dir, 'rec', 'cmn', 'action.blink.wav'), 'synth', '0.2', 'sine', '440']);
  for (let i = 0; i < 2; i++) {
    t.equal((await s.sound('action.nod')).source, i === 0 ? 'synthesized' : 'cache');
    t.not((await s.sound('action.blink')).source, 'recording');
  }
  t.equal(lines.length, 2, 'one warning per bad file');
  t.match(lines[0], { msg: /recorded prompt ignored/, reason: /not a RIFF/ });
  t.match(lines[1], { reason: /8-bit samples/ });
});

t.test('a damaged cache file is rendered again', async (t) => {
  const dir = t.testdir();
  const { s, tts } = sounds(dir);
  await s.sound('action.nod');
  const [file] = readdirSync(join(dir, 'cache'));
  writeFileSync(join(dir, 'cache', file!), 'truncated');
  t.equal((await s.sound('action.nod')).source, 'synthesized');
  t.equal(tts.texts.length, 2);
  t.equal((await s.sound('action.nod')).source, 'cache');
});

t.test('an unwritable cache still speaks, and says once that it cannot keep the files', async (t) => {
  const dir = t.testdir({ 'a-file': 'x' });
  const { logger, lines } = memoryLogger();
  const { s } = sounds(dir, { cacheDir: join(dir, 'a-file', 'cache'), logger });
  t.equal((await s.sound('action.nod')).source, 'synthesized');
  t.equal((await s.sound('action.blink')).source, 'synthesized');
  t.equal(lines.length, 1);
  t.match(lines[0], { msg: 'voice cache not writable' });
});

t.test('without espeak-ng a prompt fails with a TtsError, and prerendering reports instead of throwing', async (t) => {
  const dir = t.testdir();
  const s = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'c'), recordingsDir: '', tts: new EspeakTts('/nonexistent/espeak-ng'), logger: silentLogger() });
  await t.rejects(s.sound('action.nod'), TtsError);
  await t.rejects(s.sound('action.nod'), /cannot be started/);
  const report = await s.prerender();
  t.equal(report.failed, PROMPT_IDS.length);
  const badVoice = new PromptSounds({ language: 'cmn', rate: 150, cacheDir: join(dir, 'c'), recordingsDir: '', tts: { engine: 'espeak-ng', synthesize: (text, _voice, rate) => new EspeakTts().synthesize(text, 'nosuchvoice', rate) }, logger: silentLogger() });
  await t.rejects(badVoice.sound('action.nod'), /voice does not exist/);
});

t.test('prerendering the whole catalogue: measured once, then all from the cache', async (t) => {
  const dir = t.testdir();
  for (const language of ['cmn', 'yue'] as const) {
    const { s } = sounds(dir, { language, recordingsDir: '' });
    const cold = await s.prerender();
    const warm = await s.prerender();
    t.same({ ...cold, ms: 0 }, { synthesized: PROMPT_IDS.length, cached: 0, recorded: 0, failed: 0, ms: 0 });
    t.same({ ...warm, ms: 0 }, { synthesized: 0, cached: PROMPT_IDS.length, recorded: 0, failed: 0, ms: 0 });
    t.comment(`${language}: ${PROMPT_IDS.length} prompts rendered in ${cold.ms} ms (${(cold.ms / PROMPT_IDS.length).toFixed(1)} ms each), from the cache in ${warm.ms} ms`);
  }
});
