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
    // Only this device is judged: on a loaded machine another one (the clock check, say) may blink.
    t.notOk(rig.home?.faults.includes(device), `not named as down before (${rig.screen})`);
    const cycle = await rig.cycle(device);
    t.ok(cycle.homeWhileOut?.faults.includes(device), `while it is out, the home screen names it (${cycle.screenWhileOut})`);
    if (NEEDED.has(device)) t.equal(cycle.homeWhileOut?.canServe, false, 'and the terminal cannot serve without it');
    else t.notOk(rig.home === null, 'still on the home screen');
    t.notOk(cycle.homeAfter?.faults.includes(device), `back: no longer named (${cycle.screenAfter})`);
    t.equal(cycle.homeAfter === null, false, 'on the home screen');
    if (cycle.screenAfter !== 'home: serving' || (!NEEDED.has(device) && cycle.homeWhileOut?.canServe === false)) t.comment(`another device was down meanwhile: ${cycle.screenWhileOut} / ${cycle.screenAfter}`);
    t.comment(`${device}: fault seen after ${cycle.detectMs.toFixed(0)} ms, ok ${cycle.recoverMs.toFixed(0)} ms after it came back`);
  });
}
