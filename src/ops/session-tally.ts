/**
 * Sessions, captures, actions and receipts counted from the outputs the terminal already reports
 * (src/terminal/outputs.ts): the screens it shows and the prompts it says. Nothing is asked of the
 * machine. Every value handed on is one of the fixed lists below — never a field's own text, so no
 * name, ID number, token or receipt number can reach a label.
 */
import type { ScreenId } from '../screens/view.js';
import type { Output } from '../terminal/outputs.js';
import { ACTIONS, type Action } from '../vision/port.js';

export const SESSION_OUTCOMES = ['accepted', 'review', 'queued', 'rejected', 'already_verified', 'not_eligible', 'failed', 'abandoned', 'timeout'] as const;
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number];

/** Why a capture attempt ended without a photo: the machine's CaptureFailure, or the camera failing. */
export const CAPTURE_FAILURES = ['no_face', 'action_timeout', 'photo_timeout', 'unsteady', 'camera'] as const;
export type CaptureFailureLabel = (typeof CAPTURE_FAILURES)[number];

/** What became of an asked action: done, out of time, or cut short (face lost, second face, left the screen). */
export const ACTION_RESULTS = ['passed', 'timeout', 'interrupted'] as const;
export type ActionResult = (typeof ACTION_RESULTS)[number];

export const RECEIPT_RESULTS = ['printed', 'paper_out', 'cover_open', 'offline', 'timeout', 'error'] as const;
export type ReceiptResult = (typeof RECEIPT_RESULTS)[number];

export interface TallySink {
  session(outcome: SessionOutcome, seconds: number): void;
  /** A photo was taken, this long after the capture screen came up. */
  captured(seconds: number): void;
  captureFailed(reason: CaptureFailureLabel): void;
  action(action: Action, result: ActionResult): void;
  receipt(result: ReceiptResult): void;
}

/** `value` as one of `list` (dashes read as underscores), or `fallback`. */
export function oneOf<T extends string>(list: readonly T[], value: unknown, fallback: T): T {
  const label = typeof value === 'string' ? value.replaceAll('-', '_') : '';
  return (list as readonly string[]).includes(label) ? (label as T) : fallback;
}

/** Screens that tell the person something went wrong: a session ending on one failed. */
const PROBLEM_SCREENS = new Set<ScreenId>(['identifyProblem', 'siProblem', 'cameraProblem', 'captureFailed', 'attemptsExceeded']);

/** What the session came to first; how it ended only when it came to nothing else. */
function outcomeOf(s: SessionState, reason: string | undefined): SessionOutcome {
  if (s.result) return s.result;
  if (s.alreadyVerified) return 'already_verified';
  if (s.notEligible) return 'not_eligible';
  if (s.screen && PROBLEM_SCREENS.has(s.screen)) return 'failed';
  return reason === 'timeout' ? 'timeout' : 'abandoned';
}

interface SessionState {
  startedAt: number;
  /** The SI's answer (or the outbox's) shown on the result screen. */
  result: SessionOutcome | null;
  alreadyVerified: boolean;
  notEligible: boolean;
  screen: ScreenId | null;
  captureStartedAt: number | null;
  asking: { action: Action; step: number } | null;
  receiptCounted: boolean;
}

export class SessionTally {
  private s: SessionState | null = null;

  constructor(
    private readonly sink: TallySink,
    private readonly now: () => number,
  ) {}

  /** Forgets a session in progress (a new terminal is attached). */
  reset(): void {
    this.s = null;
  }

  output(o: Output): void {
    if (o.kind === 'session') {
      if (o.event === 'started') this.start();
      else this.end(o.reason);
      return;
    }
    const s = this.s;
    if (!s) return;
    // Said for every action (and photo) that ran out of time but still has tries left.
    if (o.kind === 'prompt' && o.id === 'capture.try_again' && s.asking) this.sink.action(s.asking.action, 'timeout');
    if (o.kind === 'screen') this.screen(s, o.screen, o.mode, o.fields);
  }

  private start(): void {
    this.s = { startedAt: this.now(), result: null, alreadyVerified: false, notEligible: false, screen: null, captureStartedAt: null, asking: null, receiptCounted: false };
  }

  private end(reason: string | undefined): void {
    const s = this.s;
    if (!s) return;
    this.leaveAction(s, 'interrupted');
    this.s = null;
    this.sink.session(outcomeOf(s, reason), Math.max(0, this.now() - s.startedAt) / 1000);
  }

  private screen(s: SessionState, screen: ScreenId, mode: string | null, fields: Record<string, unknown>): void {
    const previous = s.screen;
    s.screen = screen;
    if (screen === 'capture') {
      if (previous !== 'capture') s.captureStartedAt = this.now();
      this.followActions(s, mode, fields);
      return;
    }
    // Off the capture screen the attempt is over, one way or another.
    const captureStartedAt = s.captureStartedAt;
    s.captureStartedAt = null;
    this.leaveAction(s, screen === 'captureFailed' && fields.failure === 'action-timeout' ? 'timeout' : 'interrupted');
    const fromCapture = previous === 'capture';
    switch (screen) {
      case 'captured':
        if (fromCapture && captureStartedAt !== null) this.sink.captured(Math.max(0, this.now() - captureStartedAt) / 1000);
        break;
      case 'captureFailed':
        if (fromCapture) this.sink.captureFailed(oneOf(CAPTURE_FAILURES, fields.failure, 'unsteady'));
        break;
      case 'cameraProblem':
        if (fromCapture) this.sink.captureFailed('camera');
        break;
      case 'service':
        if (fields.alreadyVerified === true) s.alreadyVerified = true;
        break;
      case 'notEligible':
        s.notEligible = true;
        break;
      case 'result':
        s.result = oneOf(SESSION_OUTCOMES, fields.outcome, 'failed');
        if (typeof fields.printed === 'boolean' && !s.receiptCounted) {
          s.receiptCounted = true;
          this.sink.receipt(fields.printed ? 'printed' : oneOf(RECEIPT_RESULTS, fields.printerProblem, 'error'));
        }
        break;
    }
  }

  /**
   * The capture screen shows the action asked for and its step: a higher step (or the framing
   * step) means the asked one passed; back to positioning means it was cut short.
   */
  private followActions(s: SessionState, mode: string | null, fields: Record<string, unknown>): void {
    const step = typeof fields.step === 'number' ? fields.step : 0;
    if (s.asking && (mode === 'framing' || (mode === 'acting' && step > s.asking.step))) {
      this.sink.action(s.asking.action, 'passed');
      s.asking = null;
    }
    if (mode === 'positioning') this.leaveAction(s, 'interrupted');
    const action = oneOf<Action | ''>(ACTIONS, fields.action, '');
    if (mode === 'acting' && action && !(s.asking && s.asking.step === step)) s.asking = { action, step };
  }

  private leaveAction(s: SessionState, result: ActionResult): void {
    if (s.asking) this.sink.action(s.asking.action, result);
    s.asking = null;
  }
}
