/**
 * Drawing the liveness challenge. Pure: the random state lives in the machine's context so a
 * trace with a fixed seed always asks for the same actions.
 */
import type { Action } from '../vision/port.js';

/** mulberry32: one 32-bit state word, good enough to vary action order; not for secrets. */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  const value = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  return { value, state: next };
}

/** Picks `count` distinct actions from `pool` in random order (partial Fisher–Yates). */
export function drawActions(pool: readonly Action[], count: number, state: number): { actions: Action[]; state: number } {
  const items = [...pool];
  const n = Math.min(count, items.length);
  let s = state;
  for (let i = 0; i < n; i++) {
    const r = nextRandom(s);
    s = r.state;
    const j = i + Math.floor(r.value * (items.length - i));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return { actions: items.slice(0, n), state: s };
}
