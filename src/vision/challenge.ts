/**
 * A liveness challenge run on frames alone: a sequence of actions (given, or drawn at random from a
 * pool with the machine's seeded draw), each with a time budget and a number of tries, judged by the
 * ActionJudge. Used by `lifecheck vision check` and the accuracy report; on the terminal the machine
 * runs the same sequence with its own timers and prompts (src/machine).
 */
import { ActionJudge, type ThresholdOverrides } from './actions.js';
import type { FrameObservation } from './observation.js';
import type { Action } from './port.js';

export interface ChallengeOptions {
  /** Time to do one action after it is asked (the terminal's ACTION_BUDGET, 8 s). */
  budgetMs: number;
  /** Tries per action before the challenge fails. */
  tries: number;
  thresholds?: ThresholdOverrides;
}

export const DEFAULT_CHALLENGE: ChallengeOptions = { budgetMs: 8_000, tries: 1 };

export type ChallengeEvent =
  | { type: 'prompt'; action: Action; attempt: number; at: number }
  | { type: 'progress'; action: Action; value: number; at: number }
  | { type: 'pass'; action: Action; ms: number; at: number }
  | { type: 'fail'; action: Action; reason: 'timeout'; attempt: number; at: number }
  | { type: 'restart'; reason: string; at: number }
  | { type: 'done'; passed: boolean; at: number };

export class Challenge {
  private readonly judge: ActionJudge;
  private step = 0;
  private attempt = 1;
  /** When the current action was asked: its budget runs from the first frame with a baseline. */
  private askedAt: number | null = null;
  private finished = false;

  constructor(
    readonly actions: readonly Action[],
    private readonly options: ChallengeOptions = DEFAULT_CHALLENGE,
  ) {
    if (actions.length === 0) throw new Error('a challenge needs at least one action');
    this.judge = new ActionJudge(options.thresholds);
    this.judge.expect(actions[0]!);
  }

  get done(): boolean {
    return this.finished;
  }

  observe(frame: FrameObservation): ChallengeEvent[] {
    if (this.finished) return [];
    const out: ChallengeEvent[] = [];
    const at = frame.at;
    const action = this.actions[this.step]!;
    for (const e of this.judge.observe(frame)) {
      if (e.type === 'baseline' && this.askedAt === null) {
        this.askedAt = at;
        out.push({ type: 'prompt', action, attempt: this.attempt, at });
      } else if (e.type === 'progress') {
        out.push({ type: 'progress', action: e.action, value: e.value, at });
      } else if (e.type === 'restart') {
        out.push({ type: 'restart', reason: e.reason, at });
      } else if (e.type === 'passed' && this.askedAt !== null) {
        out.push({ type: 'pass', action, ms: at - this.askedAt, at });
        this.step++;
        this.attempt = 1;
        if (this.step === this.actions.length) {
          this.finished = true;
          out.push({ type: 'done', passed: true, at });
          return out;
        }
        this.judge.expect(this.actions[this.step]!);
        this.askedAt = at;
        out.push({ type: 'prompt', action: this.actions[this.step]!, attempt: 1, at });
      }
    }
    if (this.askedAt !== null && at - this.askedAt > this.options.budgetMs) {
      out.push({ type: 'fail', action, reason: 'timeout', attempt: this.attempt, at });
      if (this.attempt >= this.options.tries) {
        this.finished = true;
        out.push({ type: 'done', passed: false, at });
      } else {
        this.attempt++;
        this.judge.expect(action);
        this.askedAt = at;
        out.push({ type: 'prompt', action, attempt: this.attempt, at });
      }
    }
    return out;
  }

  /** The clip ended: an action still being waited for fails. */
  end(at: number): ChallengeEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [
      { type: 'fail', action: this.actions[this.step]!, reason: 'timeout', attempt: this.attempt, at },
      { type: 'done', passed: false, at },
    ];
  }
}
