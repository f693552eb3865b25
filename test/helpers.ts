/** Shared by the trace-level tests: the shipped trace corpus. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..');
export const TRACE_DIR = join(ROOT, 'test', 'traces');
export const BIN = join(ROOT, 'bin', 'lifecheck.js');

export function traceFiles(): string[] {
  return readdirSync(TRACE_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => join(TRACE_DIR, f));
}

/** Resolves when `check` holds, looking every 20 ms; fails after `ms`. A bounded wait on a condition, not a sleep. */
export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
