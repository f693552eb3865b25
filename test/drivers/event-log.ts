/**
 * Events a driver emitted, kept in order, with a bounded wait for the next one that matches:
 * the device tests synchronise on what the driver says, never on sleeps.
 */
export class EventLog<E> {
  readonly all: E[] = [];
  private waiters: Array<{ from: number; match: (e: E) => boolean; resolve: (e: E) => void }> = [];

  /** A listener to hand to a driver's onEvent. */
  readonly push = (event: E): void => {
    this.all.push(event);
    const index = this.all.length - 1;
    for (const w of [...this.waiters]) {
      if (index >= w.from && w.match(event)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  };

  /** A mark to wait from: events before it do not count. */
  get mark(): number {
    return this.all.length;
  }

  /** The first event at or after `from` (default: the first event ever) that matches; rejects after `timeoutMs` naming what came. */
  waitFor(match: (e: E) => boolean, what: string, options: { from?: number; timeoutMs?: number } = {}): Promise<E> {
    const from = options.from ?? 0;
    const seen = this.all.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    const timeoutMs = options.timeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const waiter = {
        from,
        match,
        resolve: (e: E) => {
          clearTimeout(timer);
          resolve(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no ${what} within ${timeoutMs} ms; events since: ${JSON.stringify(this.all.slice(from)).slice(0, 600)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  count(match: (e: E) => boolean, from = 0): number {
    return this.all.slice(from).filter(match).length;
  }
}

/** Resolves after `n` emissions of `source` that match (e.g. n more polls of an emulator). */
export function nth<T>(on: (listener: (v: T) => void) => () => void, n: number, match: (v: T) => boolean = () => true, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`only ${seen} of ${n} expected emissions within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = on((v) => {
      if (match(v) && ++seen >= n) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}
