import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { advanceTo, SimClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/log/logger.js';
import { TraceRecorder } from '../../src/ops/recorder.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { DemoPerson } from '../../src/terminal/demo.js';
import type { TimedOutput } from '../../src/terminal/outputs.js';
import { createSimTerminal } from '../../src/terminal/sim-profile.js';
import { loadTrace, replay } from '../../src/trace/replay.js';

const START = Date.parse('2026-11-28T09:00:00+08:00');

/** A live session on the sim profile (cooperative person, simulated SI), recorded as it happens. */
async function recordLive(t: Test, overrides: Record<string, unknown>, drive: (s: ReturnType<typeof createSimTerminal>, clock: SimClock) => Promise<void>) {
  const dir = t.testdir({});
  const file = join(dir, 'live.jsonl');
  const clock = new SimClock(START);
  const config = loadConfig({ ignoreSystemFile: true, env: {}, overrides });
  const live: TimedOutput[] = [];
  let recordingStart = 0;
  const recorder = new TraceRecorder({ config, clock, logger: silentLogger() });
  const sim = createSimTerminal({
    config,
    clock,
    logger: silentLogger(),
    seed: 12345,
    vision: 'cooperative',
    onOutput: (o) => {
      recorder.output(o);
      live.push({ at: clock.now() - recordingStart, ...o });
    },
  });
  recorder.attach(sim.terminal);
  await sim.terminal.start();
  await advanceTo(clock, START + 5_000);
  recordingStart = clock.now();
  live.length = 0;
  await recorder.start(file);
  live.push({ at: 0, kind: 'screen', screen: 'home', mode: null, overlay: null, fields: sim.terminal.view!.fields });
  await drive(sim, clock);
  await recorder.stop();
  await sim.terminal.stop();
  return { file, live, text: readFileSync(file, 'utf8') };
}

t.test('record a live session, replay the recording: identical outputs, no personal data', async (t) => {
  const { file, live, text } = await recordLive(t, {}, async (sim, clock) => {
    let done = false;
    const person = new DemoPerson(clock, sim.devices, () => (done = true));
    const off = sim.devices.display;
    // The demo person reacts to screens, as a visitor would.
    const original = off.show.bind(off);
    off.show = (view) => {
      original(view);
      person.onView(view);
    };
    person.onView(sim.terminal.view!);
    for (let i = 0; i < 200 && !done; i++) await advanceTo(clock, clock.now() + 1_000);
    t.ok(done, 'the session went through to the end');
  });
  const due = testPerson('due').identity;
  t.notOk(text.includes(due.name), 'no real name in the trace');
  t.notOk(text.includes(due.idNumber), 'no real ID number in the trace');
  t.match(text, /"in":"id-card"/);
  t.match(text, /"in":"vision","event":"actionPassed"/);
  t.match(text, /"in":"si","op":"submit","reply":\{"outcome":"accepted"/);

  const result = await replay(await loadTrace(file));
  t.equal(result.report, null, result.report ?? '');
  t.same(result.warnings, []);
  const strip = (o: TimedOutput[]) => o.map((x) => JSON.stringify(x));
  t.same(strip(result.outputs), strip(live), 'the replay produced exactly what the live terminal did');
  t.ok(live.some((o) => o.kind === 'receipt'), 'including the receipt');
});

t.test('SI trouble and a touch by position are recorded and replay the same way', async (t) => {
  const { file, live } = await recordLive(t, {}, async (sim, clock) => {
    const step = async (ms: number) => advanceTo(clock, clock.now() + ms);
    sim.devices.touch.press('start');
    await step(1000);
    sim.devices.idReader.tap(testPerson('due').identity);
    await step(1000);
    sim.devices.si.script('lookup', { fail: 'unreachable', latencyMs: 700 });
    sim.devices.touch.press('enter');
    await step(2000);
    t.equal(sim.terminal.view?.screen, 'siProblem');
    sim.devices.touch.tap(640, 580); // 重试 by position
    await step(2000);
    t.equal(sim.terminal.view?.screen, 'service');
    sim.devices.touch.press('home');
    await step(1000);
  });
  const result = await replay(await loadTrace(file));
  t.equal(result.report, null, result.report ?? '');
  t.same(result.outputs.map((o) => JSON.stringify(o)), live.map((o) => JSON.stringify(o)));
});

t.test('recording with personal data allowed (test device) keeps the real card', async (t) => {
  const { text } = await recordLive(t, { privacy: { recordPersonalData: true } }, async (sim, clock) => {
    sim.devices.idReader.tap(testPerson('due').identity);
    await advanceTo(clock, clock.now() + 1000);
  });
  t.ok(text.includes(testPerson('due').identity.idNumber));
});
