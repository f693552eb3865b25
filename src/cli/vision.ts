/**
 * `lifecheck vision analyze PATH` — one JSON line per frame: faces with box, pose, eye and mouth
 * ratios and photo quality (sign conventions in src/vision/pose.ts and the README), and the frame's
 * hint: what the person would be told to fix (src/vision/hints.ts), judged on this frame alone (the
 * terminal also waits for a condition to last, Delays.HINT_SETTLE), or null.
 * `lifecheck vision check CLIP --actions raise,blink` — runs a liveness challenge on a clip and
 * prints pass/fail and time per action; exit 0 only when every action passed.
 */
import type { LifecheckConfig } from '../config/config.js';
import { ACTIONS, isAction, type Action } from '../vision/port.js';
import { engineOptions, VisionEngine } from '../vision/engine.js';
import { readClip } from '../vision/clip.js';
import { Challenge, DEFAULT_CHALLENGE, type ChallengeEvent } from '../vision/challenge.js';
import type { FaceObservation } from '../vision/observation.js';
import { DEFAULT_HINT_THRESHOLDS, frameHint } from '../vision/hints.js';

/** Short names accepted on the command line. */
const ALIASES: Record<string, Action> = {
  raise: 'raise_head',
  lower: 'lower_head',
  left: 'turn_left',
  right: 'turn_right',
  shake: 'shake_head',
  mouth: 'open_mouth',
};

export class VisionUsageError extends Error {}

export function parseActions(list: string): Action[] {
  const actions = list.split(',').map((s) => s.trim()).filter(Boolean).map((name) => {
    const action = ALIASES[name] ?? name;
    if (!isAction(action)) throw new VisionUsageError(`unknown action '${name}' (known: ${ACTIONS.join(', ')}; short: ${Object.keys(ALIASES).join(', ')})`);
    return action;
  });
  if (actions.length === 0) throw new VisionUsageError('--actions needs at least one action');
  return actions;
}

export function engineFor(config: LifecheckConfig, stderr: NodeJS.WritableStream = process.stderr): VisionEngine {
  const engine = VisionEngine.create(engineOptions(config.vision));
  const problem = engine.cacheProblem(config.vision.modelCache);
  if (problem) stderr.write(`lifecheck: warning: ${problem}\n`);
  return engine;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** The JSON shape of one face in `vision analyze` output. */
export function faceJson(f: FaceObservation) {
  return {
    box: f.box,
    yaw: r1(f.pose.yaw),
    pitch: r1(f.pose.pitch),
    roll: r1(f.pose.roll),
    ear: r3(f.ear.mean),
    mar: r3(f.mar),
    quality: { ...f.quality, size: r3(f.placement.size), dx: r3(f.placement.dx), dy: r3(f.placement.dy) },
  };
}

export interface VisionIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function analyze(engine: VisionEngine, path: string, options: { fps?: number; landmarks?: boolean }, io: VisionIo): number {
  const pipeline = engine.pipeline();
  let frames = 0;
  for (const frame of readClip(engine.cv, path, { ...(options.fps ? { fps: options.fps } : {}), onSkip: (file, reason) => io.err(`skipped ${file}: ${reason}`) })) {
    const o = pipeline.analyze(frame.mat, frame.at, frame.index);
    frame.mat.release();
    const faces = o.faces.map((f) => (options.landmarks ? { ...faceJson(f), landmarks: Array.from(f.landmarks, (v) => r1(v)) } : faceJson(f)));
    const hint = frameHint(o, 'placing', { ...DEFAULT_HINT_THRESHOLDS, gate: engine.quality });
    io.out(JSON.stringify({ frame: frame.index, at: frame.at, hint, faces }));
    frames++;
  }
  io.err(`${frames} frame(s) analysed`);
  return 0;
}

export function check(engine: VisionEngine, path: string, actions: Action[], options: { budgetMs?: number; tries?: number; json?: boolean; fps?: number }, io: VisionIo): number {
  const pipeline = engine.pipeline();
  const challenge = new Challenge(actions, { ...DEFAULT_CHALLENGE, ...(options.budgetMs ? { budgetMs: options.budgetMs } : {}), ...(options.tries ? { tries: options.tries } : {}) });
  const events: ChallengeEvent[] = [];
  let last = 0;
  for (const frame of readClip(engine.cv, path, options.fps ? { fps: options.fps } : {})) {
    last = frame.at;
    events.push(...challenge.observe(pipeline.analyze(frame.mat, frame.at, frame.index)));
    frame.mat.release();
    if (challenge.done) break;
  }
  events.push(...challenge.end(last));
  const results = actions.map((action) => {
    const pass = events.find((e): e is Extract<ChallengeEvent, { type: 'pass' }> => e.type === 'pass' && e.action === action);
    const tried = events.some((e) => e.type === 'prompt' && e.action === action);
    return { action, result: pass ? 'pass' : tried ? 'fail' : 'not reached', seconds: pass ? r3(pass.ms / 1000) : null };
  });
  const passed = results.every((r) => r.result === 'pass');
  if (options.json) {
    io.out(JSON.stringify({ clip: path, passed, actions: results, restarts: events.filter((e) => e.type === 'restart').map((e) => ({ at: e.at, reason: (e as { reason: string }).reason })) }));
  } else {
    for (const r of results) io.out(`${r.action.padEnd(11)} ${r.result.padEnd(11)} ${r.seconds === null ? '' : `${r.seconds.toFixed(2)} s`}`.trimEnd());
    for (const e of events) if (e.type === 'restart') io.out(`restarted at ${(e.at / 1000).toFixed(2)} s: ${e.reason}`);
    io.out(passed ? 'PASS' : 'FAIL');
  }
  return passed ? 0 : 1;
}
