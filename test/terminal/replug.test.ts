/**
 * Every device a maintainer can pull out of a hardware-profile terminal, pulled out and plugged
 * back while the terminal stands on its home screen (test/terminal/replug-rig.ts): each is
 * reported faulty, the screen says what the product says (out of service when the terminal cannot
 * serve without it), and each is reported ok again without a restart. How long that takes is
 * measured by `npm run bench:replug`, not asserted here (docs/hardware.md has the table).
 */
import t from 'tap';
import { REPLUG_DEVICES, ReplugRig } from './replug-rig.js';

const rig = await ReplugRig.open();
t.teardown(() => rig.close());

/** Without these the terminal cannot serve anyone: out of service until they are back. */
const NEEDED = new Set(['camera', 'touch']);

for (const device of REPLUG_DEVICES) {
  t.test(`${device}: unplugged, reported, plugged back, ok again`, async (t) => {
    t.equal(rig.screen, 'home: serving', 'serving before');
    const cycle = await rig.cycle(device);
    const out = NEEDED.has(device) ? `home: out of service (${device})` : `home: serving, says ${device} paused`;
    t.equal(cycle.screenWhileOut, out, 'while it is out, the home screen says so');
    t.equal(cycle.screenAfter, 'home: serving', 'serving again, nothing said to be paused');
    t.comment(`${device}: fault seen after ${cycle.detectMs.toFixed(0)} ms, ok ${cycle.recoverMs.toFixed(0)} ms after it came back`);
  });
}
