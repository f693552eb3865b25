/**
 * The face pipeline's time per frame reaches the fleet metrics: the sim profile with vision.kind
 * opencv and the metrics' hooks, synthesised frames pushed into the simulated camera on the
 * capture screen, each judged frame observed in lifecheck_vision_frame_seconds.
 */
import t from 'tap';
import { advanceTo, SimClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { TerminalMetrics } from '../../src/ops/metrics.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { liveFrames, neutralScript, pipelineDetector, prepareSource } from '../../src/vision/synth/index.js';
import { face, testEngine } from '../vision/engine-fixture.js';

const START = Date.parse('2026-11-28T09:00:00+08:00');

t.test('every frame the pipeline judges is timed', async (t) => {
  const engine = testEngine();
  const source = prepareSource(engine.cv, face('astronaut'), pipelineDetector(engine.pipeline()), engine.predictor.model.initialShape);
  const clock = new SimClock(START);
  const metrics = new TerminalMetrics({ profile: 'sim', actions: ['blink'], processMetrics: false });
  const config = loadConfig({ ignoreSystemFile: true, env: {}, overrides: { liveness: { actions: ['blink'], count: 1 } } });
  const sim = createSimTerminal({ config, clock, logger: silentLogger(), seed: 1, vision: 'opencv', engine, hooks: metrics.hooks, onOutput: (o) => metrics.output(o) });
  metrics.attach({ terminal: sim.terminal, outbox: sim.outbox, clock });
  await sim.terminal.start();
  t.teardown(() => sim.terminal.stop());
  let at = 0;
  const next = (ms: number) => advanceTo(clock, START + (at += ms));
  sim.devices.touch.press('start');
  await next(1000);
  sim.devices.idReader.tap(testPerson('due').identity);
  await next(1000);
  for (const button of ['enter', 'apply', 'agree'] as const) {
    sim.devices.touch.press(button);
    await next(1000);
  }
  t.equal(sim.terminal.view?.screen, 'capture');
  let pushed = 0;
  for (const { mat } of liveFrames(source, neutralScript(600))) {
    await next(66);
    sim.devices.camera.push({ at: clock.now(), format: 'bgr', width: mat.cols, height: mat.rows, data: mat.getData() });
    mat.release();
    pushed++;
  }
  await next(10);
  const lines = (await metrics.exposition()).split('\n');
  const count = Number(lines.find((l) => l.startsWith('lifecheck_vision_frame_seconds_count '))?.split(' ')[1]);
  const sum = Number(lines.find((l) => l.startsWith('lifecheck_vision_frame_seconds_sum '))?.split(' ')[1]);
  t.equal(count, pushed, `${pushed} frames judged, ${pushed} timed`);
  t.ok(sum > 0 && sum / count < 0.5, `${((sum / count) * 1000).toFixed(1)} ms a frame`);
});
