/** The prompt catalogue: every id in both languages, and every text speakable by its espeak-ng voice. */
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { espeakVoiceOf, PROMPT_IDS, promptText, VOICE_LANGUAGES } from '../../src/audio/catalogue.js';
import { PROMPTS } from '../../src/audio/prompts.js';
import { PROMPTS_YUE } from '../../src/audio/prompts-yue.js';

t.test('the Cantonese table has exactly the ids of the Mandarin one', async (t) => {
  t.same(Object.keys(PROMPTS_YUE).sort(), Object.keys(PROMPTS).sort());
  t.ok(PROMPT_IDS.length >= 50);
});

t.test('every prompt is a non-empty sentence in both languages, and Cantonese is not a copy', async (t) => {
  let differ = 0;
  const unlike: string[] = [];
  for (const id of PROMPT_IDS) {
    for (const lang of VOICE_LANGUAGES) if (!/^[^\s].*[。！？]$/u.test(promptText(id, lang))) unlike.push(`${lang} ${id}`);
    if (promptText(id, 'yue') !== promptText(id, 'cmn')) differ++;
  }
  t.same(unlike, [], 'texts that are not one sentence ending in 。！？');
  // Short commands (请抬头。验证成功。) are the same words in both; sentences are not.
  t.ok(differ > PROMPT_IDS.length * 0.7, `${differ} of ${PROMPT_IDS.length} differ`);
});

t.test('the voices read every text as Chinese: no character falls back to an English reading', async (t) => {
  for (const lang of VOICE_LANGUAGES) {
    const voice = espeakVoiceOf(lang);
    // One espeak-ng run per language: the texts one per line, phonemes out (-x), nothing played (-q).
    const phonemes = execFileSync('espeak-ng', ['-v', voice, '-q', '-x', '--stdin'], { input: PROMPT_IDS.map((id) => promptText(id, lang)).join('\n') }).toString();
    t.notMatch(phonemes, /\(en\)/, `${lang}: espeak-ng switched to English somewhere`);
    t.ok(phonemes.length > 1000, `${lang}: phonemes came out`);
  }
});
