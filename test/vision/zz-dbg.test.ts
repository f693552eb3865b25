import t from 'tap';
import { testEngine, face } from './engine-fixture.js';
import { sweepScript, liveFrames, prepareSource, pipelineDetector } from '../../src/vision/synth/index.js';
const engine = testEngine();
const cv = engine.cv;
for (const name of ['grace-hopper', 'astronaut'] as const) {
  const source = prepareSource(cv, face(name), pipelineDetector(engine.pipeline()), engine.predictor.model.initialShape);
  for (const axis of ['yaw', 'pitch', 'combined'] as const) {
    const p = engine.pipeline();
    const err = { yaw: [] as number[], pitch: [] as number[], roll: [] as number[] };
    const samples: string[] = [];
    let i = 0;
    for (const { mat, truth } of liveFrames(source, sweepScript(axis))) {
      const f = p.analyze(mat, truth.t, i++).faces[0];
      if (!f || Math.max(Math.abs(truth.yaw), Math.abs(truth.pitch), Math.abs(truth.roll)) > 25) continue;
      for (const k of ['yaw', 'pitch', 'roll'] as const) if (axis === 'combined' || axis === k) err[k].push(Math.abs(f.pose[k] - truth[k]));
      if (axis !== 'combined' && i % 12 === 0) samples.push(`${truth[axis].toFixed(0)}→${f.pose[axis].toFixed(0)}`);
    }
    const m = (xs: number[]) => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1) : '-');
    console.log(name, axis.padEnd(9), 'yaw', m(err.yaw), 'pitch', m(err.pitch), 'roll', m(err.roll), samples.join(' '));
  }
}
t.pass();
