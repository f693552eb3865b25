/** Shared by the trace-level tests: the shipped trace corpus. */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { createLogger, type Logger } from '../src/log/logger.js';

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
  const fake = installFakeTimedatectl(script, answer);
  t.teardown(fake.remove);
  return fake.answer;
}

/** fakeTimedatectl without a tap test (benches): `remove` restores PATH. */
export function installFakeTimedatectl(script = 'cat ANSWER', answer = 'yes\n'): { answer: (answer: string) => void; remove: () => void } {
  // Its own folder: t.testdir() is the test's one folder, which the test may be using already.
  const dir = mkdtempSync(join(tmpdir(), 'lc-timedatectl-'));
  const answerFile = join(dir, 'answer');
  const bin = join(dir, 'timedatectl');
  writeFileSync(bin, `#!/bin/sh\n${script.replace('ANSWER', answerFile)}\n`);
  chmodSync(bin, 0o755);
  writeFileSync(answerFile, answer);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  return {
    answer: (next) => writeFileSync(answerFile, next),
    remove: () => {
      process.env.PATH = path;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls an async condition every 100 ms until it gives a value (errors count as not yet); fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => null);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type ReplAnswer = { ok: boolean; result?: any; error?: string };

/** Commands through `lifecheck repl` from a pipe, as a maintainer's script runs them: one JSON answer a line. */
export function repl(socket: string, commands: string[]): Promise<ReplAnswer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'repl', '--socket', socket], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ReplAnswer)));
    child.stdin.end(commands.join('\n') + '\n');
  });
}

/**
 * `n` distinct loopback ports nothing listens on: all held open until every one is picked, or the
 * kernel could hand the same port out twice.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger writing into an array, to check what was logged (and that it was once). */
export function memoryLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger(level, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}
