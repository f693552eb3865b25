import t from 'tap';
import { createActor, createMachine } from 'xstate';
import { terminalMachine } from '../../src/machine/machine.js';
import { CoverageRecorder, describeCoverage } from '../../src/trace/coverage.js';
import { loadTrace, replay } from '../../src/trace/replay.js';
import { traceFiles } from '../helpers.js';

t.test('the traces reach every state and take every transition of the terminal machine', async (t) => {
  const coverage = new CoverageRecorder();
  for (const file of traceFiles()) await replay(await loadTrace(file), { inspect: coverage.inspect });
  const report = coverage.report(terminalMachine);
  t.comment(describeCoverage(report).split('\n').slice(0, 2).join('\n'));
  t.same(report.states.missed, [], 'every state reached (replay --coverage lists the gaps)');
  t.same(report.transitions.missed, [], 'every transition taken (replay --coverage lists the gaps)');
  t.ok(report.states.total > 30 && report.transitions.total > 90, 'the whole machine was enumerated');
});

t.test('an unreached state or branch is reported (the check can fail)', async (t) => {
  const machine = createMachine({
    id: 'm',
    initial: 'a',
    states: {
      a: { on: { GO: [{ guard: () => false, target: 'never' }, { target: 'b' }] } },
      b: {},
      never: {},
    },
  });
  const coverage = new CoverageRecorder();
  const actor = createActor(machine, { inspect: coverage.inspect }).start();
  actor.send({ type: 'GO' });
  const report = coverage.report(machine);
  t.same(report.states.missed, ['m.never']);
  t.same(report.transitions.missed, ['#m.a --GO[0]--> #m.never']);
});
