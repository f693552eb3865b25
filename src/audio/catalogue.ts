/**
 * The prompt catalogue per spoken language: which text a prompt id says, and which espeak-ng voice
 * says it. Mandarin is the default; Cantonese is the configurable second language (`voice.language`).
 */
import { PROMPTS, type PromptId } from './prompts.js';
import { PROMPTS_YUE } from './prompts-yue.js';

export const VOICE_LANGUAGES = ['cmn', 'yue'] as const;
export type VoiceLanguage = (typeof VOICE_LANGUAGES)[number];

export function isVoiceLanguage(value: unknown): value is VoiceLanguage {
  return typeof value === 'string' && (VOICE_LANGUAGES as readonly string[]).includes(value);
}

interface Language {
  texts: Readonly<Record<PromptId, string>>;
  /** `-v cmn` would read Chinese characters as English-spoken pinyin; this voice speaks Mandarin. */
  espeakVoice: string;
}

const LANGUAGES: Record<VoiceLanguage, Language> = {
  cmn: { texts: PROMPTS, espeakVoice: 'cmn-latn-pinyin' },
  yue: { texts: PROMPTS_YUE, espeakVoice: 'yue' },
};

export const PROMPT_IDS = Object.keys(PROMPTS) as PromptId[];

export function promptText(id: PromptId, language: VoiceLanguage): string {
  return LANGUAGES[language].texts[id];
}

export function espeakVoiceOf(language: VoiceLanguage): string {
  return LANGUAGES[language].espeakVoice;
}

/** Characters of the longer of a prompt's texts: how long it plays, give or take the voice's pace. */
export function spokenLength(id: PromptId): number {
  return Math.max(...VOICE_LANGUAGES.map((language) => [...LANGUAGES[language].texts[id]].length));
}
