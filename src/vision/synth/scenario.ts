/**
 * Synthesised people who start out wrong and fix it when told: the scenarios of the guided
 * capture. Each starts with one problem (too far back, off to one side, in a dim hall) and fixes
 * it a moment after hearing the matching hint, or never (a person who stays too far back). They do
 * the asked actions like the Performer, one of them raising the head only halfway the first time.
 * Pure: time comes from the caller (`at`, terminal ms); the caller renders `frame(at)` with the
 * synthesiser and darkens it by `gain`.
 */
import type { Action, Hint } from '../port.js';
import { actionScript, neutralScript, scriptSampler, type ScriptState } from './script.js';

export const SCENARIOS = ['too-far', 'off-centre', 'dim', 'half-raise', 'stays-too-far'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface ScenarioTiming {
  /** From hearing a hint or a prompt to starting to move: an elderly listener takes a moment. */
  reactMs: number;
  /** Moving closer or to the middle takes this long. */
  moveMs: number;
  /** Still asked for the same action this long after doing it: do it again. */
  againMs: number;
}

export const DEFAULT_SCENARIO_TIMING: ScenarioTiming = { reactMs: 1_200, moveMs: 1_500, againMs: 3_000 };

/** Where the problem starts: how far back (scale of the face), how far aside, how dim. */
const START = { scale: 0.4, dx: 0.25, gain: 0.35 } as const;

/** The hint each scenario's person reacts to. */
const FIXED_BY: Partial<Record<Scenario, Hint>> = { 'too-far': 'too-far', 'off-centre': 'off-centre-left', dim: 'too-dark' };

export interface PersonFrame {
  state: ScriptState;
  /** Multiply every pixel by this (1: the light is on). */
  gain: number;
}

const ease = (s: number) => (1 - Math.cos(Math.PI * Math.min(1, Math.max(0, s)))) / 2;

export class ScenarioPerson {
  private readonly timing: ScenarioTiming;
  private readonly idle: (t: number) => ScriptState;
  /** When the person starts fixing the problem (null: not told yet). */
  private fixAt: number | null = null;
  private asked: Action | null = null;
  private doing: { from: number; until: number; sample: (t: number) => ScriptState } | null = null;
  private nextAt: number | null = null;
  private moves = 0;
  private raises = 0;
  /** The hints heard, with their times (what the tests check). */
  readonly heard: Array<{ at: number; hint: Hint | null }> = [];

  constructor(
    readonly scenario: Scenario,
    private readonly seed = 1,
    timing: Partial<ScenarioTiming> = {},
  ) {
    this.timing = { ...DEFAULT_SCENARIO_TIMING, ...timing };
    this.idle = scriptSampler(neutralScript(60_000, { jitter: 0.4, seed }));
  }

  /** What the terminal says the person should fix (null: nothing). */
  hear(hint: Hint | null, at: number): void {
    this.heard.push({ at, hint });
    if (hint !== null && hint === FIXED_BY[this.scenario] && this.fixAt === null) this.fixAt = at + this.timing.reactMs;
  }

  /** The action the terminal asks for now (null: sit still and look at the camera). */
  ask(action: Action | null, at: number): void {
    if (action === this.asked) return;
    this.asked = action;
    this.nextAt = action ? Math.max(at + this.timing.reactMs, this.doing?.until ?? 0) : null;
  }

  frame(at: number): PersonFrame {
    if (this.asked && this.nextAt !== null && at >= this.nextAt) this.perform(this.asked, at);
    const doing = this.doing && at < this.doing.until ? this.doing : null;
    const base = doing ? doing.sample(at - doing.from) : this.idle(at % 60_000);
    const fixed = this.fixAt === null ? 0 : ease((at - this.fixAt) / this.timing.moveMs);
    const state = { ...base };
    let gain = 1;
    if (this.scenario === 'too-far' || this.scenario === 'stays-too-far') state.scale = START.scale + (1 - START.scale) * fixed;
    else if (this.scenario === 'off-centre') state.dx = START.dx * (1 - fixed);
    // The light comes on at once when switched.
    else if (this.scenario === 'dim') gain = this.fixAt !== null && at >= this.fixAt ? 1 : START.gain;
    return { state, gain };
  }

  private perform(action: Action, at: number): void {
    // The half-raise person raises the head only halfway the first time they are asked.
    const half = this.scenario === 'half-raise' && action === 'raise_head' && this.raises++ === 0;
    const amplitude = half ? { amplitude: 6 } : action === 'open_mouth' ? { amplitude: 1 } : {};
    const script = actionScript(action, { neutralMs: 0, jitter: 0.4, seed: this.seed + ++this.moves, ...amplitude });
    this.doing = { from: at, until: at + script.durationMs, sample: scriptSampler(script) };
    this.nextAt = at + script.durationMs + this.timing.againMs;
  }
}

/** Darkens a BGR frame in place (a dim hall): every byte times `gain`. */
export function dim(data: Uint8Array, gain: number): void {
  if (gain === 1) return;
  for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i]! * gain);
}
