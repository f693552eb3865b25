import t from 'tap';
import { PausableClock } from '../../src/clock/clock.js';

t.test('paused: time stands still, nothing fires until stepped, in due order', async (t) => {
  let real = 1_000_000;
  const clock = new PausableClock({ wall: () => real, monotonic: () => real });
  const fired: string[] = [];
  clock.pause();
  clock.setTimeout(() => fired.push('b@500'), 500);
  clock.setTimeout(() => fired.push('a@100'), 100);
  clock.setTimeout(() => fired.push('c@500'), 500);
  real += 10_000;
  t.equal(clock.now(), 1_000_000, 'now() frozen while paused');
  t.same(fired, []);
  t.equal(clock.step(100), 1);
  t.same(fired, ['a@100']);
  t.equal(clock.now(), 1_000_100);
  t.equal(clock.stepToNext(), 2, 'both timers due at 500 fire together');
  t.same(fired, ['a@100', 'b@500', 'c@500']);
  t.equal(clock.now(), 1_000_500);
  t.equal(clock.pending(), 0);
  t.throws(() => new PausableClock().step(1), /pause the clock/);
});

t.test('a timer set by a firing timer fires within the same step when due', async (t) => {
  const clock = new PausableClock({ wall: () => 0, monotonic: () => 0 });
  clock.pause();
  const fired: number[] = [];
  clock.setTimeout(() => {
    fired.push(clock.now());
    clock.setTimeout(() => fired.push(clock.now()), 1000);
  }, 1000);
  clock.step(2500);
  t.same(fired, [1000, 2000]);
  t.equal(clock.now(), 2500);
});

t.test('resume carries on from the stepped time and fires on real timers again', async (t) => {
  const clock = new PausableClock();
  clock.pause();
  const before = clock.now();
  clock.step(60_000);
  clock.resume();
  t.ok(clock.now() - before >= 60_000, 'the stepped minute is kept');
  const fired = await new Promise<number>((resolve) => clock.setTimeout(() => resolve(clock.now()), 5));
  t.ok(fired - before >= 60_005, 'a real timer fired after resume');
  let ran = false;
  const id = clock.setTimeout(() => (ran = true), 1);
  clock.clearTimeout(id);
  await new Promise((r) => clock.setTimeout(() => r(null), 5));
  t.notOk(ran, 'a cleared timer never fires');
});

t.test('an NTP step of the wall clock moves now() only: timers neither all fire nor stall', async (t) => {
  let wall = Date.parse('2026-12-04T09:00:00Z');
  const clock = new PausableClock({ wall: () => wall, monotonic: () => performance.now() });
  const fired: string[] = [];
  clock.setTimeout(() => fired.push('30 ms'), 30);
  clock.setTimeout(() => fired.push('5 min'), 300_000);
  // Forward by three hours: a wall-clock timer would have fired the 5 min one right away.
  wall += 3 * 3_600_000;
  await new Promise<void>((resolve) => clock.setTimeout(resolve, 60));
  t.same(fired, ['30 ms'], 'only what was due by monotonic time fired');
  t.equal(clock.now(), wall, 'now() follows the wall clock');
  // Back by six hours: a wall-clock timer would wait six hours more.
  wall -= 6 * 3_600_000;
  const started = performance.now();
  await new Promise<void>((resolve) => clock.setTimeout(resolve, 40));
  t.ok(performance.now() - started < 1_000, 'a new timer still fires after its own delay');
  t.equal(clock.pending(), 1, 'the 5 min timer waits its own time');
  clock.pause();
  t.ok(clock.nextDueIn()! > 299_000 && clock.nextDueIn()! <= 300_000, 'still about 5 min away');
  t.equal(clock.stepToNext(), 1);
  t.same(fired, ['30 ms', '5 min']);
});
