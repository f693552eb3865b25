import t from 'tap';
import { drawActions, nextRandom } from '../../src/machine/challenge.js';
import { ACTIONS } from '../../src/vision/port.js';

t.test('the same seed draws the same actions; draws are distinct and from the pool', async (t) => {
  const a = drawActions(ACTIONS, 3, 42);
  const b = drawActions(ACTIONS, 3, 42);
  t.same(a, b);
  t.equal(new Set(a.actions).size, 3);
  for (const x of a.actions) t.ok(ACTIONS.includes(x));
  t.not(a.state, 42, 'the random state advances');
});

t.test('over many seeds every action is drawn first, roughly evenly', async (t) => {
  const counts = new Map<string, number>();
  let state = 1;
  for (let i = 0; i < 8000; i++) {
    const d = drawActions(ACTIONS, 2, state);
    state = d.state;
    counts.set(d.actions[0]!, (counts.get(d.actions[0]!) ?? 0) + 1);
  }
  t.equal(counts.size, ACTIONS.length);
  for (const [action, n] of counts) t.ok(n > 700 && n < 1300, `${action} drawn first ${n} times of 8000`);
});

t.test('count larger than the pool draws the whole pool', async (t) => {
  t.equal(drawActions(['blink', 'nod'], 5, 3).actions.length, 2);
});

t.test('nextRandom stays in [0, 1)', async (t) => {
  let s = 0;
  for (let i = 0; i < 10000; i++) {
    const r = nextRandom(s);
    s = r.state;
    if (r.value < 0 || r.value >= 1) t.fail(`out of range: ${r.value}`);
  }
  t.pass('10000 values in range');
});
