import type { Clock } from '../clock/clock.js';

/**
 * Waits `ms` on the driver's clock; resolves early (never rejects) when `signal` aborts, so a
 * polling loop ends promptly on stop() and a simulated clock can drive it in tests.
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clock.clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = clock.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
