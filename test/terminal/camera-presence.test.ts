/**
 * A real (V4L2) camera between captures: the terminal watches its node from start to stop, so a
 * camera missing at the idle terminal shows out-of-service at once, and one plugged back in is
 * seen without anyone reaching the capture screen.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { simTerminal } from './harness.js';

t.test('no camera node at start: out of service; the node appears: the terminal serves again', async (t) => {
  const dir = t.testdir({});
  const node = join(dir, 'video0');
  const s = await simTerminal({ devices: { camera: { kind: 'device', device: node } } });
  await s.at(100);
  t.equal(s.view().screen, 'home');
  t.equal(s.view().fields.canServe, false, 'the camera is missing: not serving');
  t.match(s.outputs.filter((o) => o.kind === 'screen').at(-1), { fields: { faults: ['camera'] } });
  copyFileSync(import.meta.filename, node);
  await s.at(2_100);
  t.equal(s.view().fields.canServe, true, 'plugged in: serving, within one look (2 s)');
  await s.terminal.stop();
  t.equal(s.clock.pending(), 0, 'stop() ends the watch');
});
