/**
 * SimClock, which every replay, trace and outbox test rests on: timers in due order, ties in the
 * order they were set (also when set by a timer firing at that instant), cancellation, long jumps,
 * and a wall clock that an NTP step moves without moving the timers.
 */
import t from 'tap';
import { advanceTo, SimClock } from '../../src/clock/clock.js';

const T0 = 1_764_547_200_000; // 2025-12-01T00:00:00Z

t.test('timers fire in due order whatever order they were set in, the clock at each due time', async (t) => {
  const clock = new SimClock(T0);
  const fired: Array<[string, number]> = [];
  const at = (name: string) => () => fired.push([name, clock.monotonic() - T0]);
  clock.setTimeout(at('c'), 300);
  clock.setTimeout(at('a'), 100);
  clock.setTimeout(at('b'), 200);
  t.equal(clock.pending(), 3);
  t.equal(clock.nextDue(), T0 + 100);
  await advanceTo(clock, T0 + 1_000);
  t.same(fired, [['a', 100], ['b', 200], ['c', 300]]);
  t.equal(clock.monotonic(), T0 + 1_000, 'ends at the target');
  t.equal(clock.pending(), 0);
  t.equal(clock.nextDue(), undefined);
});

t.test('ties fire in the order set; one set at the same instant by a firing timer comes after them', async (t) => {
  const clock = new SimClock(T0);
  const fired: string[] = [];
  clock.setTimeout(() => {
    fired.push('first');
    clock.setTimeout(() => fired.push('set by first, delay 0'), 0);
  }, 50);
  clock.setTimeout(() => fired.push('second'), 50);
  clock.setTimeout(() => fired.push('third'), 50);
  await advanceTo(clock, T0 + 50);
  t.same(fired, ['first', 'second', 'third', 'set by first, delay 0']);
});

t.test('a negative delay is due now, not in the past', async (t) => {
  const clock = new SimClock(T0);
  clock.setTimeout(() => {}, -500);
  t.equal(clock.nextDue(), T0);
});

t.test('cancellation: before it is due, from another timer at the same instant, twice, or an unknown handle', async (t) => {
  const clock = new SimClock(T0);
  const fired: string[] = [];
  const gone = clock.setTimeout(() => fired.push('cancelled early'), 100);
  let victim: unknown = null;
  clock.setTimeout(() => {
    fired.push('killer');
    clock.clearTimeout(victim);
  }, 200);
  victim = clock.setTimeout(() => fired.push('victim'), 200);
  clock.setTimeout(() => fired.push('survivor'), 200);
  clock.clearTimeout(gone);
  clock.clearTimeout(gone);
  clock.clearTimeout(12345);
  clock.clearTimeout(undefined);
  t.equal(clock.pending(), 3);
  await advanceTo(clock, T0 + 500);
  t.same(fired, ['killer', 'survivor']);
  t.equal(clock.pending(), 0);
});

t.test('fireNext fires one timer at most, only when due by the limit', async (t) => {
  const clock = new SimClock(T0);
  const fired: number[] = [];
  clock.setTimeout(() => fired.push(1), 100);
  clock.setTimeout(() => fired.push(2), 100);
  t.notOk(clock.fireNext(T0 + 99), 'nothing due by then');
  t.equal(clock.monotonic(), T0, 'and the clock did not move');
  t.ok(clock.fireNext(T0 + 100));
  t.same(fired, [1], 'one at a time: the caller drains promise jobs between');
  t.equal(clock.monotonic(), T0 + 100);
  t.ok(clock.fireNext(T0 + 100));
  t.notOk(clock.fireNext(Number.MAX_SAFE_INTEGER));
  t.same(fired, [1, 2]);
});

t.test('long jumps: thirty days of an hourly timer that sets the next one, every hour fired once, in order', async (t) => {
  const clock = new SimClock(T0);
  const hours: number[] = [];
  const hourly = () => {
    hours.push((clock.monotonic() - T0) / 3_600_000);
    clock.setTimeout(hourly, 3_600_000);
  };
  clock.setTimeout(hourly, 3_600_000);
  const longOne: number[] = [];
  clock.setTimeout(() => longOne.push(clock.monotonic() - T0), 29 * 86_400_000 + 1);
  await advanceTo(clock, T0 + 30 * 86_400_000);
  t.equal(hours.length, 720);
  t.ok(hours.every((h, i) => h === i + 1), 'each hour exactly on the hour');
  t.same(longOne, [29 * 86_400_000 + 1], 'a timer far ahead fires once, at its time, between the hourly ones');
  t.equal(clock.pending(), 1, 'the next hour waits');
  t.equal(clock.now(), T0 + 30 * 86_400_000);
});

t.test('the clock never goes back; a jump to now is allowed', async (t) => {
  const clock = new SimClock(T0);
  await advanceTo(clock, T0 + 1_000);
  t.throws(() => clock.setNow(T0 + 999), /cannot go back/);
  t.doesNotThrow(() => clock.setNow(T0 + 1_000));
  await advanceTo(clock, T0 + 500);
  t.equal(clock.monotonic(), T0 + 1_000, 'advancing to the past moves nothing');
});

t.test('stepWall moves wall time only: monotonic time and timers stay where they were', async (t) => {
  const clock = new SimClock(T0);
  const fired: number[] = [];
  clock.setTimeout(() => fired.push(clock.monotonic() - T0), 10_000);
  clock.stepWall(-3_600_000);
  t.equal(clock.now(), T0 - 3_600_000, 'wall time stepped back an hour');
  t.equal(clock.monotonic(), T0, 'monotonic time did not move');
  t.equal(clock.nextDue(), T0 + 10_000, 'the timer is still due in 10 s');
  await advanceTo(clock, T0 + 10_000);
  t.same(fired, [10_000]);
  t.equal(clock.now(), T0 + 10_000 - 3_600_000, 'wall time keeps its step as time goes on');
  clock.stepWall(3_600_000);
  t.equal(clock.now(), clock.monotonic());
});
