/**
 * Comparing a replay's outputs with a trace's expectations. For each checked kind the sequences
 * must match one for one: an expected line matches when every key it names equals the output's
 * (objects compared by the keys the expectation names, arrays and scalars exactly).
 */
import type { OutputKind, TimedOutput } from '../terminal/outputs.js';
import type { TraceExpect } from './format.js';

export interface Mismatch {
  kind: OutputKind;
  /** Position among outputs of this kind (0-based). */
  index: number;
  expected: TraceExpect | null;
  actual: TimedOutput | null;
  /** Key path where they differ, when both exist. */
  path: string | null;
}

/** Where `actual` fails to contain `expected`; null when it does. */
export function containsAt(actual: unknown, expected: unknown, path = ''): string | null {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return path || '.';
    for (const [k, v] of Object.entries(expected)) {
      const where = containsAt((actual as Record<string, unknown>)[k], v, path ? `${path}.${k}` : k);
      if (where !== null) return where;
    }
    return null;
  }
  return JSON.stringify(actual) === JSON.stringify(expected) ? null : path || '.';
}

function expectationBody(e: TraceExpect): Record<string, unknown> {
  const { line: _line, expect: _expect, ...rest } = e;
  return rest;
}

export function compareOutputs(expects: TraceExpect[], outputs: TimedOutput[], kinds: OutputKind[]): Mismatch | null {
  const mismatches: Array<Mismatch & { time: number }> = [];
  for (const kind of kinds) {
    const want = expects.filter((e) => e.expect === kind);
    const got = outputs.filter((o) => o.kind === kind);
    const n = Math.max(want.length, got.length);
    for (let i = 0; i < n; i++) {
      const expected = want[i] ?? null;
      const actual = got[i] ?? null;
      const path = expected && actual ? containsAt(actual, expectationBody(expected)) : null;
      if (!expected || !actual || path !== null) {
        mismatches.push({ kind, index: i, expected, actual, path, time: actual?.at ?? expected?.at ?? Infinity });
        break;
      }
    }
  }
  if (!mismatches.length) return null;
  // Report the one that happened first in time: the earliest divergence explains the rest.
  mismatches.sort((a, b) => a.time - b.time);
  const { time: _time, ...first } = mismatches[0]!;
  return first;
}

/** A readable account of a mismatch, with the outputs around it. */
export function describeMismatch(file: string, m: Mismatch, outputs: TimedOutput[]): string {
  const lines: string[] = [];
  const show = (o: unknown) => JSON.stringify(o);
  if (m.expected && m.actual) {
    lines.push(`${file}:${m.expected.line}: ${m.kind} #${m.index + 1} differs at "${m.path}"`);
  } else if (m.expected) {
    lines.push(`${file}:${m.expected.line}: expected ${m.kind} #${m.index + 1}, but the terminal produced only ${m.index}`);
  } else {
    lines.push(`${file}: the terminal produced an unexpected ${m.kind} #${m.index + 1} (the trace expects only ${m.index})`);
  }
  if (m.expected) lines.push(`  - expected: ${show(expectationBody(m.expected))}`);
  if (m.actual) lines.push(`  + actual:   ${show(m.actual)}`);
  const pivot = m.actual ? outputs.indexOf(m.actual) : outputs.length;
  const from = Math.max(0, pivot - 4);
  lines.push('  outputs around it:');
  for (let i = from; i < Math.min(outputs.length, pivot + 3); i++) {
    lines.push(`  ${i === pivot ? '>' : ' '} ${show(outputs[i])}`);
  }
  return lines.join('\n');
}
