/** REPL commands against a simulated terminal: why a person is turned away, and SI faults that can (not) be injected. */
import t from 'tap';
import { silentLogger } from '../../src/log/logger.js';
import { runCommand, type CommandContext } from '../../src/ops/commands.js';
import { testPerson } from '../../src/si-client/test-persons.js';
import { verification } from '../si-client/outbox-harness.js';
import { simTerminal } from '../terminal/harness.js';

async function context(siKind: 'sim' | 'https') {
  const s = await simTerminal();
  t.teardown(() => s.terminal.stop());
  const ctx: CommandContext = {
    terminal: s.terminal,
    clock: null,
    logger: silentLogger(),
    screenSize: { width: 1280, height: 800 },
    devices: s.devices,
    allowInjection: true,
    siKind,
  };
  return { s, ctx };
}

t.test('state says when a person is blocked by a verification still waiting in this outbox', async (t) => {
  const { s, ctx } = await context('sim');
  // The SI does not take the submission (nor its retries meanwhile): it waits in the outbox.
  for (let i = 0; i < 5; i++) s.devices.si.script('submit', { fail: 'unreachable' });
  void s.outbox.submit(verification('due'));
  await s.at(11_000);
  s.devices.touch.press('start');
  await s.at(12_000);
  s.devices.idReader.tap(testPerson('due').identity);
  await s.at(13_000);
  s.devices.touch.press('enter');
  await s.at(14_000);
  const state = (await runCommand(ctx, 'state')) as { screen: string; session: Record<string, unknown> };
  t.equal(state.screen, 'service');
  t.match(state.session, { eligibility: 'eligible', queuedOn: '2026-11-28' }, 'eligible at the SI, but queued here since that day');

  s.devices.touch.press('home');
  await s.at(15_000);
  const idle = (await runCommand(ctx, 'state')) as { session: Record<string, unknown> };
  t.equal(idle.session.queuedOn, null, 'nothing once the session is over');
});

t.test('inject si arms the simulated SI; on an SI over HTTPS it says where faults are set instead of pretending', async (t) => {
  const sim = await context('sim');
  t.same(await runCommand(sim.ctx, 'inject si lookup timeout'), { armed: 'lookup timeout' });
  const https = await context('https');
  await t.rejects(runCommand(https.ctx, 'inject si lookup timeout'), { message: /talks to an SI over HTTPS .*lifecheck si-dev fault/ });
});

t.test('wait answers when the screen shows (at once if it does), or fails naming where the terminal is', async (t) => {
  const { s, ctx } = await context('sim');
  t.same(await runCommand(ctx, 'wait home'), { screen: 'home', mode: null }, 'already there');
  const waiting = runCommand(ctx, 'wait identify 5000');
  s.devices.touch.press('start');
  t.same(await waiting, { screen: 'identify', mode: 'waiting' });
  await t.rejects(runCommand(ctx, 'wait captured 30'), { message: "screen 'captured' not shown within 30 ms (on 'identify')" });
  await t.rejects(runCommand(ctx, 'wait'), { message: /wait needs a SCREEN/ });
  await t.rejects(runCommand(ctx, 'wait home soon'), { message: /MS is a whole number/ });
});

t.test('inject vision actionPassed asked passes whatever action is asked for now', async (t) => {
  const { s, ctx } = await context('sim');
  await t.rejects(runCommand(ctx, 'inject vision actionPassed asked'), { message: /no action is being asked/ });
  s.devices.touch.press('start');
  await s.at(1_000);
  s.devices.idReader.tap(testPerson('due').identity);
  for (const [button, at] of [['enter', 2_000], ['apply', 3_000], ['agree', 4_000]] as const) {
    await s.at(at);
    s.devices.touch.press(button);
  }
  await s.at(5_000);
  await runCommand(ctx, 'inject vision faceReady');
  await s.at(6_000);
  const challenge = () => s.terminal.machineActor.getSnapshot().context.session.challenge;
  t.equal(challenge().index, 0);
  t.same(await runCommand(ctx, 'inject vision actionPassed asked'), { delivered: true });
  await s.at(7_000);
  t.equal(challenge().index, 1, 'the asked action passed: on to the next');
});
