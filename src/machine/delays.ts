/**
 * Every delay the terminal machine waits on, in milliseconds, in one place. Each is overridable
 * from config (`delays.<NAME>`) and in tests. Values are chosen for 70–90 year old users: generous,
 * never rushing, but bounded so that nobody is left in front of a stuck screen.
 *
 * The footer countdown (「剩余299秒」) is not here: its length is a product setting shown to people,
 * `session.countdownSeconds` (300 in the seed), and the machine derives COUNTDOWN and
 * COUNTDOWN_WARNING from it.
 */
export const Delays = {
  /** How long an SI look-up (person, token, history) may take before we say the system is unreachable. Long enough for a slow 4G link, short enough that a person does not walk away. */
  SI_ANSWER_TIMEOUT: 15_000,
  /** Backstop for submit: the outbox answers 'queued' on its own well before this; past it the submission is still in the outbox. */
  SUBMIT_TIMEOUT: 30_000,
  /** A receipt prints in 2–4 s; past this the printer is treated as stuck and the receipt number is shown instead. */
  PRINT_TIMEOUT: 20_000,
  /** Time to find one face in front of the camera before the attempt counts as failed. Elderly users need time to sit down and find the camera. */
  FACE_WAIT: 30_000,
  /** Budget for each liveness action (the product brief's default: 8 s). */
  ACTION_BUDGET: 8_000,
  /** Budget to hold still for the automatic photo after the last action. */
  CAPTURE_BUDGET: 10_000,
  /**
   * A prompt is repeated after this long without progress; slow listeners may miss the first one.
   * Counted from the prompt's start: the longest capture prompts last ~5.3 s at the elderly speech
   * rate (150 wpm, measured), so this leaves a pause of about 2 s before the repeat.
   */
  PROMPT_REPEAT: 7_000,
  /** A vision condition (too far, too dark…) must last this long before it is hinted: a person moving into place is not told off mid-move. (Used by vision, not the machine.) */
  HINT_SETTLE: 1_000,
  /** A hinted condition must stay fixed this long before the hint clears, so one good frame does not make the hint flicker. (Used by vision, not the machine.) */
  HINT_CLEAR: 600,
  /** The result screen returns home on its own after this, so the next person never sees it. */
  RESULT_DISMISS: 60_000,
  /** Touches are ignored this long after a new screen: the finger that pressed the last button must not press the next. (Used by the terminal, not the machine.) */
  TOUCH_GUARD: 300,
} as const;

/**
 * A capture prompt is taken to be still playing for this long per character of its longer text
 * (Mandarin or Cantonese; punctuation counts as the pause it is), and no hint is spoken over it: a
 * new prompt cuts off the one playing. 「做得很好，请注视摄像头，保持不动。」 (16 characters) lasts
 * ~5.3 s at the elderly speech rate, ~330 ms per character. A rate, not a wait: not overridable.
 */
export const SPEECH_MS_PER_CHAR = 330;

export type DelayName = keyof typeof Delays;
export type DelayOverrides = Partial<Record<DelayName, number>>;

export function isDelayName(name: string): name is DelayName {
  return Object.hasOwn(Delays, name);
}

/** The delays in force: defaults with overrides applied. */
export function resolveDelays(overrides: DelayOverrides = {}): Record<DelayName, number> {
  return { ...Delays, ...overrides };
}
