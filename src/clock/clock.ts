/**
 * The one source of time. The machine's delayed transitions, device polling, SI latency and the
 * countdown all run on a Clock, so a replay can swap in SimClock and run hours in milliseconds.
 * The shape extends XState's `Clock` so the same object is handed to `createActor`.
 *
 * Two timelines: wall time (`now`) for what is stamped — receipts, dates, records — which jumps
 * when NTP steps the system clock; and monotonic time (`monotonic`, and every timer) for how long
 * something takes, which never jumps. A step of hours during a session must neither fire every
 * timer at once nor hold one back for hours.
 */
export interface Clock {
  /** Wall time, milliseconds since the epoch: for stamps. */
  now(): number;
  /** Milliseconds on a timeline that never jumps (its zero is arbitrary): for durations and deadlines. */
  monotonic(): number;
  /** Calls `fn` after `ms` of monotonic time. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  monotonic(): number {
    return performance.now();
  }
  setTimeout(fn: () => void, ms: number): unknown {
    return setTimeout(fn, ms);
  }
  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

/** Inserts a timer after every timer due no later: ties fire in the order they were set. */
function insertTimer(timers: Timer[], timer: Timer): void {
  let i = timers.length;
  while (i > 0 && timers[i - 1]!.due > timer.due) i--;
  timers.splice(i, 0, timer);
}

/**
 * A clock that moves only when told. Timers due at the same instant fire in the order they were
 * set, so a replay is deterministic. Its monotonic time is the simulated time; its wall time is the
 * same until a test steps it (`stepWall`), as NTP would.
 */
export class SimClock implements Clock {
  private current: number;
  private wallOffset = 0;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current + this.wallOffset;
  }

  monotonic(): number {
    return this.current;
  }

  /** Steps wall time only (forward or back), as NTP does to the system clock: timers are not moved. */
  stepWall(ms: number): void {
    this.wallOffset += ms;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    insertTimer(this.timers, timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  }

  /** When the next timer is due, or undefined when none is pending. */
  nextDue(): number | undefined {
    return this.timers[0]?.due;
  }

  pending(): number {
    return this.timers.length;
  }

  /**
   * Fires the earliest timer if it is due no later than `limit`, moving the clock to its due time.
   * Returns false when nothing is due by then. The caller drains promise jobs between steps.
   */
  fireNext(limit: number): boolean {
    const timer = this.timers[0];
    if (!timer || timer.due > limit) return false;
    this.timers.shift();
    this.current = Math.max(this.current, timer.due);
    timer.fn();
    return true;
  }

  /** Moves the clock forward to `ms` without firing anything (after all due timers were fired). */
  setNow(ms: number): void {
    if (ms < this.current) throw new Error(`SimClock cannot go back from ${this.current} to ${ms}`);
    this.current = ms;
  }
}

/** Lets promise jobs and I/O callbacks queued so far run (one macrotask turn). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Advances a SimClock to `target`, firing every timer on the way and letting the terminal run
 * after each (`pause`: one settle(), or longer when real drivers must finish their I/O first).
 */
export async function advanceTo(clock: SimClock, target: number, pause: () => Promise<void> = settle): Promise<void> {
  await pause();
  while (clock.fireNext(target)) await pause();
  if (target > clock.monotonic()) clock.setNow(target);
}

/** Calendar date (YYYY-MM-DD) at `ms` in a fixed UTC offset (China: +480 minutes, no DST). */
export function localDate(ms: number, utcOffsetMinutes: number): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** Local wall time (YYYY-MM-DD HH:mm:ss) at `ms` in a fixed UTC offset: for receipts. */
export function localDateTime(ms: number, utcOffsetMinutes: number): string {
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Real time sped up by `factor` (demo at 2x): timers shrink, now() runs faster from the start. */
export class ScaledClock implements Clock {
  private readonly origin = Date.now();
  private readonly monoOrigin = performance.now();

  constructor(private readonly factor: number) {
    if (!(factor > 0)) throw new Error('ScaledClock factor must be positive');
  }

  now(): number {
    return this.origin + (Date.now() - this.origin) * this.factor;
  }

  monotonic(): number {
    return this.monoOrigin + (performance.now() - this.monoOrigin) * this.factor;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return setTimeout(fn, ms / this.factor);
  }

  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }
}

/** Where a PausableClock reads real time: the system's wall clock and a monotonic one. */
export interface RealTime {
  wall(): number;
  monotonic(): number;
}

const SYSTEM_TIME: RealTime = { wall: () => Date.now(), monotonic: () => performance.now() };

/**
 * Real time that a maintainer can stop: paused, no timer fires and time stands still; step()
 * moves time by hand, firing what falls due, in order; resume() carries on from there. The
 * terminal runs on this clock in production, so the debug REPL can walk it through a timeout.
 * Timers are held on the monotonic timeline: an NTP step of the wall clock moves now() only.
 */
export class PausableClock implements Clock {
  /** Time a maintainer added by stepping (and took away by pausing), per timeline. */
  private offset = { wall: 0, mono: 0 };
  private frozen: { wall: number; mono: number } | null = null;
  private timers: Timer[] = [];
  private nextId = 1;
  private armed: { handle: NodeJS.Timeout; due: number } | null = null;

  constructor(private readonly real: RealTime = SYSTEM_TIME) {}

  now(): number {
    return this.frozen?.wall ?? this.real.wall() + this.offset.wall;
  }

  monotonic(): number {
    return this.frozen?.mono ?? this.real.monotonic() + this.offset.mono;
  }

  get paused(): boolean {
    return this.frozen !== null;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, due: this.monotonic() + Math.max(0, ms), fn };
    insertTimer(this.timers, timer);
    this.arm();
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.timers.findIndex((t) => t.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
    this.arm();
  }

  pending(): number {
    return this.timers.length;
  }

  /** In how many ms the next timer is due, if any. */
  nextDueIn(): number | undefined {
    const first = this.timers[0];
    return first === undefined ? undefined : Math.max(0, first.due - this.monotonic());
  }

  pause(): void {
    if (this.frozen !== null) return;
    this.frozen = { wall: this.now(), mono: this.monotonic() };
    this.disarm();
  }

  resume(): void {
    if (this.frozen === null) return;
    this.offset = { wall: this.frozen.wall - this.real.wall(), mono: this.frozen.mono - this.real.monotonic() };
    this.frozen = null;
    this.arm();
  }

  /** While paused: moves time forward by `ms`, firing due timers in order. Returns how many fired. */
  step(ms: number): number {
    const frozen = this.frozen;
    if (frozen === null) throw new Error('pause the clock before stepping it');
    const target = frozen.mono + Math.max(0, ms);
    const move = (to: number) => {
      frozen.wall += to - frozen.mono;
      frozen.mono = to;
    };
    let fired = 0;
    while (this.timers[0] && this.timers[0].due <= target) {
      const timer = this.timers.shift()!;
      move(Math.max(frozen.mono, timer.due));
      timer.fn();
      fired++;
    }
    move(target);
    return fired;
  }

  /** While paused: moves time to the next timer and fires it (and any due at the same instant). */
  stepToNext(): number {
    const due = this.nextDueIn();
    if (due === undefined || this.frozen === null) return due === undefined ? 0 : this.step(0);
    return this.step(due);
  }

  private disarm(): void {
    if (this.armed) clearTimeout(this.armed.handle);
    this.armed = null;
  }

  /** Keeps one real timer for the earliest held one (none while paused). */
  private arm(): void {
    if (this.frozen !== null) return;
    const first = this.timers[0];
    if (this.armed && first && this.armed.due === first.due) return;
    this.disarm();
    if (!first) return;
    const handle = setTimeout(() => {
      this.armed = null;
      try {
        const now = this.monotonic();
        while (this.frozen === null && this.timers[0] && this.timers[0].due <= now) this.timers.shift()!.fn();
      } finally {
        // Even when a callback throws, the timers after it must keep their real timer.
        this.arm();
      }
    }, Math.max(0, first.due - this.monotonic()));
    this.armed = { handle, due: first.due };
  }
}
