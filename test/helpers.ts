/** Shared by the trace-level tests: the shipped trace corpus. */
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

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

/**
 * Puts a `timedatectl` first on PATH for this test: a shell script (ANSWER stands for a file the
 * returned function writes, e.g. "yes\n"), since this machine has no systemd to ask.
 */
export function fakeTimedatectl(t: Test, script = 'cat ANSWER', answer = 'yes\n'): (answer: string) => void {
  // Its own folder: t.testdir() is the test's one folder, which the test may be using already.
  const dir = mkdtempSync(join(tmpdir(), 'lc-timedatectl-'));
  const answerFile = join(dir, 'answer');
  const bin = join(dir, 'timedatectl');
  writeFileSync(bin, `#!/bin/sh\n${script.replace('ANSWER', answerFile)}\n`);
  chmodSync(bin, 0o755);
  writeFileSync(answerFile, answer);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  t.teardown(() => {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  });
  return (next) => writeFileSync(answerFile, next);
}
