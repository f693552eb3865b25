/**
 * The clock check against a `timedatectl` on PATH (a stand-in script answering as systemd's does:
 * "yes"/"no"), the date floor, and a machine without timedatectl at all.
 */
import t, { type Test } from 'tap';
import { advanceTo, settle, SimClock } from '../../../src/clock/clock.js';
import type { DeviceEvent } from '../../../src/machine/types.js';
import { readTimedatectl, TimedatectlSync } from '../../../src/drivers/time-sync/timedatectl.js';
import { fakeTimedatectl, memoryLogger } from '../../helpers.js';

const NOW = Date.parse('2026-12-04T09:00:00Z');
const FLOOR = Date.parse('2026-12-01T00:00:00Z');

function check(t: Test, clock: SimClock) {
  const { logger, lines } = memoryLogger('info');
  const sync = new TimedatectlSync({ clock, logger, floor: FLOOR, pollMs: 10_000 });
  const events: DeviceEvent[] = [];
  sync.onStatus((e) => events.push(e));
  t.teardown(() => sync.stop());
  /** Moves the clock; each check runs a real process, so every step waits for its answer. */
  const advance = (ms: number) =>
    advanceTo(clock, clock.monotonic() + ms, async () => {
      await settle();
      await sync.settled();
    });
  return { sync, events, lines, advance };
}

t.test('timedatectl says whether NTP has synchronised the clock; the answer is followed within pollMs', async (t) => {
  const say = fakeTimedatectl(t, 'test "$*" = "show -p NTPSynchronized --value" || exit 3; cat ANSWER');
  say('no\n');
  t.equal(await readTimedatectl(), false);
  const clock = new SimClock(NOW);
  const { sync, events, advance } = check(t, clock);
  await sync.start();
  t.same(events, [{ type: 'device.fault', device: 'clock', reason: 'unsynchronised' }], 'judged before start() returns');
  say('yes\n');
  await advance(10_000);
  t.same(events.at(-1), { type: 'device.ok', device: 'clock' });
  await advance(30_000);
  t.equal(events.length, 2, 'no repeats while nothing changes');
});

t.test('a wall clock before the release date is never trusted, whatever NTP says', async (t) => {
  const say = fakeTimedatectl(t, 'cat ANSWER');
  say('yes\n');
  const clock = new SimClock(Date.parse('2020-01-01T00:00:00Z'));
  const { sync, events, advance } = check(t, clock);
  await sync.start();
  t.same(events, [{ type: 'device.fault', device: 'clock', reason: 'before-floor' }]);
  // NTP steps the wall clock to the right time: trusted at the next check.
  clock.stepWall(NOW - clock.now());
  await advance(10_000);
  t.same(events.at(-1), { type: 'device.ok', device: 'clock' });
});

t.test('no timedatectl (or an answer it cannot read): said once, and the floor judges alone', async (t) => {
  fakeTimedatectl(t, 'echo "Failed to connect to bus" >&2; exit 1');
  t.equal(await readTimedatectl(), null);
  const clock = new SimClock(NOW);
  const { sync, events, lines, advance } = check(t, clock);
  await sync.start();
  await advance(30_000);
  t.same(events, [], 'trusted: after the floor');
  t.equal(lines.filter((l) => /timedatectl cannot tell/.test(String(l.msg))).length, 1, 'said once, not on every check');
  await sync.stop();
  await advance(30_000);
  t.equal(clock.pending(), 0, 'stopped: no more checks');
});
