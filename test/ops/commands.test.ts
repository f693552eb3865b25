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
