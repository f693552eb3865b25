/**
 * A fresh directory under the system temp dir, removed after the test. Unlike t.testdir() its
 * path is unique per run, so two runs of the same test file (two people's `npx tap` on one
 * machine) never share pty links or sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export function tempDir(t: Test, prefix = 'lifecheck-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
