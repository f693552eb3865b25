/**
 * The accuracy report of bench/vision, on ground truth made without a camera:
 * - pose error on synthesised clips that sweep yaw, pitch, roll and their combinations (target: mean
 *   absolute error ≤ 5° within ±25°);
 * - action recall (each action's clip passes its challenge) and precision (no other clip, neutral or
 *   of another action, passes it), target ≥ 98%; spoof clips (a still photo moved rigidly) must never
 *   pass blink or open_mouth;
 * - invariance on the real photos: roll follows an in-plane rotation, a mirror flips yaw and roll.
 */
import type { VisionEngine } from '../src/vision/engine.js';
import type { Mat } from '../src/vision/cv.js';
import { Challenge } from '../src/vision/challenge.js';
import { ACTIONS, type Action } from '../src/vision/port.js';
import { actionScript, liveFrames, neutralScript, pipelineDetector, prepareSource, spoofFrames, spoofScript, sweepScript, type SynthSource } from '../src/vision/synth/index.js';
import type { FrameTruth } from '../src/vision/synth/index.js';
import type { FrameObservation } from '../src/vision/observation.js';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const FACES = fileURLToPath(new URL('../assets/faces/', import.meta.url));
const PORTRAITS = ['grace-hopper', 'astronaut'] as const;
/** Clips that legitimately contain another action too: a nod lowers the head, a shake turns it. */
const CONTAINS: Partial<Record<Action, Action[]>> = { nod: ['lower_head', 'raise_head'], shake_head: ['turn_left', 'turn_right'], lower_head: ['nod'] };
/**
 * Neutral lead-in of the action clips: the terminal asks for an action only once the neutral is
 * taken (vision.faceReady), so a clip gives the person a moment to settle first.
 */
const LEAD_IN_MS = 1500;
const SEEDS = [1, 2, 3];

type Frames = Iterable<{ mat: Mat; truth: FrameTruth }>;

/** The pipeline's observations of a clip (analysed once, judged by every action's challenge). */
function observe(engine: VisionEngine, frames: Frames): FrameObservation[] {
  const pipeline = engine.pipeline();
  const out: FrameObservation[] = [];
  for (const { mat, truth } of frames) {
    out.push(pipeline.analyze(mat, truth.t, truth.index));
    mat.release();
  }
  return out;
}

/** Runs a one-action challenge over observations; true when it passed. */
function passes(action: Action, observations: FrameObservation[]): boolean {
  const challenge = new Challenge([action], { budgetMs: 60_000, tries: 1 });
  return observations.some((o) => challenge.observe(o).some((e) => e.type === 'pass'));
}

const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}%`);

export async function accuracyReport(engine: VisionEngine, out: (line: string) => void): Promise<{ poseMae: Record<string, number>; recall: number; precision: number; spoofPasses: number }> {
  const cv = engine.cv;
  const sources = new Map<string, SynthSource>();
  for (const name of PORTRAITS) {
    sources.set(name, prepareSource(cv, cv.imread(join(FACES, `${name}.jpg`)), pipelineDetector(engine.pipeline()), engine.predictor.model.initialShape));
  }

  // --- pose ---
  out('pose error on synthesised sweeps (mean absolute error, frames with |truth| ≤ 25°; target ≤ 5°)');
  out(`${'portrait'.padEnd(14)}${'sweep'.padEnd(12)}${'yaw'.padStart(7)}${'pitch'.padStart(7)}${'roll'.padStart(7)}${'frames'.padStart(8)}`);
  const totals = { yaw: [] as number[], pitch: [] as number[], roll: [] as number[] };
  for (const [name, source] of sources) {
    for (const axis of ['yaw', 'pitch', 'roll', 'combined'] as const) {
      const pipeline = engine.pipeline();
      const err = { yaw: [] as number[], pitch: [] as number[], roll: [] as number[] };
      let frames = 0;
      for (const { mat, truth } of liveFrames(source, sweepScript(axis))) {
        const face = pipeline.analyze(mat, truth.t, truth.index).faces[0];
        mat.release();
        if (!face || Math.max(Math.abs(truth.yaw), Math.abs(truth.pitch), Math.abs(truth.roll)) > 25) continue;
        frames++;
        for (const k of ['yaw', 'pitch', 'roll'] as const) {
          // a sweep of one axis scores that axis; the combined sweep scores all three
          if (axis === 'combined' || axis === k) {
            err[k].push(Math.abs(face.pose[k] - truth[k]));
            totals[k].push(Math.abs(face.pose[k] - truth[k]));
          }
        }
      }
      const m = (xs: number[]) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1) : '—');
      out(`${name.padEnd(14)}${axis.padEnd(12)}${m(err.yaw).padStart(7)}${m(err.pitch).padStart(7)}${m(err.roll).padStart(7)}${String(frames).padStart(8)}`);
    }
  }
  const poseMae = Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)]));
  out(`${'all'.padEnd(26)}${poseMae.yaw!.toFixed(1).padStart(7)}${poseMae.pitch!.toFixed(1).padStart(7)}${poseMae.roll!.toFixed(1).padStart(7)}`);

  // --- actions ---
  out('');
  out(`actions on synthesised clips (${PORTRAITS.length} portraits × ${SEEDS.length} seeds; target recall and precision ≥ 98%, 0 spoof passes)`);
  let tp = 0, fn = 0, fp = 0;
  const misses: string[] = [], falses: string[] = [];
  for (const action of ACTIONS) {
    let ok = 0, n = 0;
    for (const [name, source] of sources) {
      for (const seed of SEEDS) {
        n++;
        const seen = observe(engine, liveFrames(source, actionScript(action, { seed, neutralMs: LEAD_IN_MS }), { seed }));
        if (passes(action, seen)) ok++;
        else misses.push(`${action}/${name}/seed ${seed}`);
        // every other action's challenge on this clip
        for (const other of ACTIONS) {
          if (other === action || CONTAINS[action]?.includes(other)) continue;
          if (passes(other, seen)) {
            fp++;
            falses.push(`${other} on ${action}/${name}/seed ${seed}`);
          }
        }
      }
    }
    tp += ok;
    fn += n - ok;
    out(`  ${action.padEnd(12)} ${ok}/${n} passed`);
  }
  let neutralFalse = 0, neutralRuns = 0;
  for (const [name, source] of sources) {
    for (const seed of SEEDS) {
      const seen = observe(engine, liveFrames(source, neutralScript(4000, { seed }), { seed }));
      for (const action of ACTIONS) {
        neutralRuns++;
        if (passes(action, seen)) {
          neutralFalse++;
          falses.push(`${action} on neutral/${name}/seed ${seed}`);
        }
      }
    }
  }
  fp += neutralFalse;
  const recall = tp / (tp + fn);
  const precision = tp / Math.max(1, tp + fp);
  out(`  recall ${pct(tp, tp + fn)}   precision ${pct(tp, tp + fp)}   (false passes: ${fp}, of which on neutral clips ${neutralFalse}/${neutralRuns})`);
  if (misses.length) out(`  missed: ${misses.join(', ')}`);
  if (falses.length) out(`  false passes: ${falses.slice(0, 12).join(', ')}${falses.length > 12 ? ', …' : ''}`);

  let spoofPasses = 0, spoofRuns = 0;
  for (const [name, source] of sources) {
    for (const motion of ['translate', 'rotate', 'scale', 'tilt', 'mixed'] as const) {
      const seen = observe(engine, spoofFrames(source, spoofScript(motion)));
      for (const action of ['blink', 'open_mouth'] as const) {
        spoofRuns++;
        if (passes(action, seen)) {
          spoofPasses++;
          out(`  SPOOF PASSED: ${action} on ${motion}/${name}`);
        }
      }
    }
  }
  out(`  spoof clips (still photo slid, turned, scaled, tilted, all at once): ${spoofPasses}/${spoofRuns} passed blink or open_mouth`);

  // --- invariance on the real photos ---
  out('');
  out('invariance on the real photos (roll follows a rotation; a mirror flips yaw and roll)');
  for (const name of PORTRAITS) {
    const photo = cv.imread(join(FACES, `${name}.jpg`));
    const pose = (m: Mat) => engine.pipeline().analyze(m, 0).faces[0]?.pose ?? null;
    const base = pose(photo)!;
    const parts: string[] = [`base yaw ${base.yaw.toFixed(1)} roll ${base.roll.toFixed(1)}`];
    for (const angle of [-20, -10, 10, 20]) {
      const m = cv.getRotationMatrix2D(new cv.Point2(photo.cols / 2, photo.rows / 2), angle, 1);
      const p = pose(photo.warpAffine(m, new cv.Size(photo.cols, photo.rows), cv.INTER_LINEAR, cv.BORDER_REPLICATE));
      parts.push(`rot ${angle > 0 ? '+' : ''}${angle}: Δroll ${p ? (p.roll - base.roll).toFixed(1) : 'no face'}`);
    }
    const mirrored = pose(photo.flip(1));
    parts.push(`mirror: yaw ${mirrored?.yaw.toFixed(1)} roll ${mirrored?.roll.toFixed(1)}`);
    const dark = pose(photo.convertTo(cv.CV_8UC3, 0.4, 0));
    parts.push(`40% light: yaw ${dark?.yaw.toFixed(1)} roll ${dark?.roll.toFixed(1)}`);
    const small = pose(photo.rescale(0.6));
    parts.push(`0.6x: yaw ${small?.yaw.toFixed(1)} roll ${small?.roll.toFixed(1)}`);
    out(`  ${name}: ${parts.join('; ')}`);
  }
  return { poseMae, recall, precision, spoofPasses };
}
