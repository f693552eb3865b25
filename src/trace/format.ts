/**
 * Device traces, format version 1 (docs/traces.md): JSON Lines. Line 1 is the header; every other
 * line is a timed input ("in") or an expected output ("expect"). Parsing checks every line and names
 * the line of the first problem.
 */
import { isPromptId } from '../audio/prompts.js';
import type { Identity } from '../domain/identity.js';
import { isButtonId, type ButtonId, type ReadErrorReason } from '../machine/types.js';
import { SI_OPS, type SiOp } from '../si-client/sim.js';
import type { SiErrorKind } from '../si-client/port.js';
import { OUTPUT_KINDS, type OutputKind } from '../terminal/outputs.js';
import { isAction, type Action, type Hint } from '../vision/port.js';
import { isHint } from '../vision/hints.js';
import type { ClockProblem } from '../drivers/time-sync/port.js';
import type { StorageProblem } from '../si-client/outbox.js';

export const TRACE_VERSION = 1;

export interface TraceHeader {
  trace: 'lifecheck';
  version: 1;
  name: string;
  description?: string;
  /** Wall-clock start, ISO 8601 with offset: fixes "today" for expiry checks and receipts. */
  start: string;
  /** Seed of the challenge order. */
  seed: number;
  /** Configuration overrides (same keys as config files). */
  config?: Record<string, unknown>;
  /** Keep the clock running until this many ms after start (default: the last line's time). */
  until?: number;
  /** Output kinds compared exactly (default: the kinds that appear in expect lines). */
  check?: OutputKind[];
}

export type PersonFields = Omit<Identity, 'source'>;
export type DeviceName = 'idReader' | 'sscReader' | 'barcode' | 'touch' | 'camera';
export type VisionInputName = 'faceReady' | 'actionPassed' | 'faceLost' | 'multipleFaces' | 'photo' | 'cameraError' | 'hint';
export type PrinterStatusName = 'ok' | 'paper-out' | 'cover-open' | 'offline' | 'jammed';
export type ClockStatusName = 'trusted' | ClockProblem;
export type StorageStatusName = 'ok' | StorageProblem;

export type TraceInput = { at: number; line: number } & (
  | { in: 'touch'; button: ButtonId }
  /** A finger lifted at (x, y); when it came down elsewhere (downX, downY) the tap must start there. */
  | { in: 'touch'; x: number; y: number; downX?: number; downY?: number }
  /** A test person's key (src/si-client/test-persons.ts) or the card's fields. */
  | { in: 'id-card'; person: string | PersonFields }
  | { in: 'ssc'; person: string | PersonFields; cardNumber?: string }
  | { in: 'barcode'; token: string }
  | { in: 'read-error'; device: 'idReader' | 'sscReader' | 'barcode'; reason: ReadErrorReason }
  | { in: 'device'; device: DeviceName; status: 'unplugged' | 'replugged' }
  /** `action: "asked"` means whatever action the terminal is asking for at that moment. */
  /** `hint`: what vision says the person should fix (a hint id of src/vision/hints.ts), or null once fixed. */
  | { in: 'vision'; event: VisionInputName; action?: Action | 'asked'; quality?: number; reason?: string; hint?: Hint | null }
  | { in: 'frame'; file: string }
  | { in: 'si'; op: SiOp; reply?: unknown; fail?: SiErrorKind; hang?: true; latencyMs?: number }
  | { in: 'printer'; status: PrinterStatusName }
  /** The clock check's verdict from now on: trusted, or why not. */
  | { in: 'clock'; status: ClockStatusName }
  /** The outbox's storage from now on: it takes submissions, or why not. */
  | { in: 'storage'; status: StorageStatusName }
  | { in: 'wait' }
);

export type TraceExpect = { line: number; at?: number; expect: OutputKind } & Record<string, unknown>;

export interface Trace {
  file: string;
  header: TraceHeader;
  inputs: TraceInput[];
  expects: TraceExpect[];
}

export class TraceError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TraceError';
  }
}

type Json = Record<string, unknown>;

const INPUT_KINDS = ['touch', 'id-card', 'ssc', 'barcode', 'read-error', 'device', 'vision', 'frame', 'si', 'printer', 'clock', 'storage', 'wait'] as const;
const CLOCK_STATUSES: ClockStatusName[] = ['trusted', 'before-floor', 'unsynchronised'];
const STORAGE_STATUSES: StorageStatusName[] = ['ok', 'outbox-full', 'disk-full', 'read-only', 'store-failed'];
const DEVICES: DeviceName[] = ['idReader', 'sscReader', 'barcode', 'touch', 'camera'];
const VISION_EVENTS: VisionInputName[] = ['faceReady', 'actionPassed', 'faceLost', 'multipleFaces', 'photo', 'cameraError', 'hint'];
const PRINTER_STATUSES: PrinterStatusName[] = ['ok', 'paper-out', 'cover-open', 'offline', 'jammed'];
const SI_FAILS: SiErrorKind[] = ['unreachable', 'timeout', 'server', 'bad-answer', 'storage'];
const READ_ERRORS: ReadErrorReason[] = ['unreadable', 'removed-too-soon', 'unsupported-card'];

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new Error(`${what} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

function person(value: unknown): string | PersonFields {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const p = value as Json;
    for (const k of ['name', 'idNumber']) if (typeof p[k] !== 'string') throw new Error(`person.${k} must be a string`);
    if (p.gender !== 'male' && p.gender !== 'female' && p.gender !== 'unknown') throw new Error('person.gender must be male, female or unknown');
    return p as unknown as PersonFields;
  }
  throw new Error('person must be a test person key or an object with name, gender, idNumber');
}

function parseHeader(obj: Json): TraceHeader {
  if (obj.trace !== 'lifecheck') throw new Error('line 1 must be the header: {"trace":"lifecheck","version":1,...}');
  if (obj.version !== TRACE_VERSION) throw new Error(`unsupported trace version ${JSON.stringify(obj.version)} (this build reads ${TRACE_VERSION})`);
  if (typeof obj.name !== 'string' || !obj.name) throw new Error('header.name must be a non-empty string');
  if (typeof obj.start !== 'string' || Number.isNaN(Date.parse(obj.start))) throw new Error('header.start must be an ISO 8601 date-time');
  if (!Number.isInteger(obj.seed)) throw new Error('header.seed must be an integer');
  if (obj.until !== undefined && (!Number.isInteger(obj.until) || (obj.until as number) < 0)) throw new Error('header.until must be a non-negative integer');
  if (obj.config !== undefined && (typeof obj.config !== 'object' || obj.config === null)) throw new Error('header.config must be an object');
  if (obj.check !== undefined) {
    if (!Array.isArray(obj.check)) throw new Error('header.check must be a list of output kinds');
    for (const k of obj.check) oneOf(k, OUTPUT_KINDS, 'header.check entries');
  }
  return obj as unknown as TraceHeader;
}

function parseInput(obj: Json, line: number): TraceInput {
  const at = obj.at;
  if (!Number.isInteger(at) || (at as number) < 0) throw new Error('"at" must be a non-negative integer of ms since start');
  const kind = oneOf(obj.in, INPUT_KINDS, '"in"');
  const base = { at: at as number, line };
  switch (kind) {
    case 'touch':
      if (obj.button !== undefined) {
        if (!isButtonId(obj.button)) throw new Error(`unknown button ${JSON.stringify(obj.button)}`);
        return { ...base, in: 'touch', button: obj.button };
      }
      if (typeof obj.x !== 'number' || typeof obj.y !== 'number') throw new Error('touch needs "button", or "x" and "y"');
      if ((obj.downX === undefined) !== (obj.downY === undefined) || (obj.downX !== undefined && (typeof obj.downX !== 'number' || typeof obj.downY !== 'number'))) {
        throw new Error('touch "downX" and "downY" go together, as numbers');
      }
      return { ...base, in: 'touch', x: obj.x, y: obj.y, ...(typeof obj.downX === 'number' ? { downX: obj.downX, downY: obj.downY as number } : {}) };
    case 'id-card':
      return { ...base, in: 'id-card', person: person(obj.person) };
    case 'ssc':
      return { ...base, in: 'ssc', person: person(obj.person), ...(typeof obj.cardNumber === 'string' ? { cardNumber: obj.cardNumber } : {}) };
    case 'barcode':
      if (typeof obj.token !== 'string') throw new Error('barcode needs "token"');
      return { ...base, in: 'barcode', token: obj.token };
    case 'read-error':
      return {
        ...base,
        in: 'read-error',
        device: oneOf(obj.device, ['idReader', 'sscReader', 'barcode'] as const, '"device"'),
        reason: oneOf(obj.reason, READ_ERRORS, '"reason"'),
      };
    case 'device':
      return { ...base, in: 'device', device: oneOf(obj.device, DEVICES, '"device"'), status: oneOf(obj.status, ['unplugged', 'replugged'] as const, '"status"') };
    case 'vision': {
      const event = oneOf(obj.event, VISION_EVENTS, '"event"');
      if (event === 'actionPassed' && obj.action !== 'asked' && !isAction(obj.action)) throw new Error('actionPassed needs "action" (an action name or "asked")');
      if (event === 'hint' && obj.hint !== null && !isHint(obj.hint)) throw new Error(`hint needs "hint": null or a hint id (got ${JSON.stringify(obj.hint)})`);
      if (event === 'hint') return { ...base, in: 'vision', event, hint: obj.hint as Hint | null };
      if (event === 'photo' && (typeof obj.quality !== 'number' || obj.quality < 0 || obj.quality > 1)) throw new Error('photo needs "quality" between 0 and 1');
      return { ...base, in: 'vision', event, ...(obj.action !== undefined ? { action: obj.action as Action | 'asked' } : {}), ...(typeof obj.quality === 'number' ? { quality: obj.quality } : {}), ...(typeof obj.reason === 'string' ? { reason: obj.reason } : {}) };
    }
    case 'frame':
      if (typeof obj.file !== 'string') throw new Error('frame needs "file" (relative to the trace)');
      return { ...base, in: 'frame', file: obj.file };
    case 'si': {
      const op = oneOf(obj.op, SI_OPS, '"op"');
      const modes = ['reply', 'fail', 'hang'].filter((k) => obj[k] !== undefined);
      if (modes.length !== 1) throw new Error('si needs exactly one of "reply", "fail", "hang"');
      if (obj.latencyMs !== undefined && (!Number.isInteger(obj.latencyMs) || (obj.latencyMs as number) < 0)) throw new Error('"latencyMs" must be a non-negative integer');
      const latency = obj.latencyMs !== undefined ? { latencyMs: obj.latencyMs as number } : {};
      if (obj.fail !== undefined) return { ...base, in: 'si', op, fail: oneOf(obj.fail, SI_FAILS, '"fail"'), ...latency };
      if (obj.hang !== undefined) {
        if (obj.hang !== true) throw new Error('"hang" must be true');
        return { ...base, in: 'si', op, hang: true };
      }
      return { ...base, in: 'si', op, reply: obj.reply, ...latency };
    }
    case 'printer':
      return { ...base, in: 'printer', status: oneOf(obj.status, PRINTER_STATUSES, '"status"') };
    case 'clock':
      return { ...base, in: 'clock', status: oneOf(obj.status, CLOCK_STATUSES, '"status"') };
    case 'storage':
      return { ...base, in: 'storage', status: oneOf(obj.status, STORAGE_STATUSES, '"status"') };
    case 'wait':
      return { ...base, in: 'wait' };
  }
}

function parseExpect(obj: Json, line: number): TraceExpect {
  const kind = oneOf(obj.expect, OUTPUT_KINDS, '"expect"');
  if (obj.at !== undefined && (!Number.isInteger(obj.at) || (obj.at as number) < 0)) throw new Error('"at" must be a non-negative integer');
  if (kind === 'prompt' && !isPromptId(obj.id)) throw new Error(`unknown prompt id ${JSON.stringify(obj.id)}`);
  return { ...obj, expect: kind, line };
}

export function parseTrace(text: string, file = '<trace>'): Trace {
  const lines = text.split('\n');
  let header: TraceHeader | null = null;
  const inputs: TraceInput[] = [];
  const expects: TraceExpect[] = [];
  let lastAt = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('//')) return;
    let obj: Json;
    try {
      obj = JSON.parse(trimmed) as Json;
    } catch (e) {
      throw new TraceError(file, line, `not valid JSON: ${(e as Error).message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new TraceError(file, line, 'each line must be a JSON object');
    try {
      if (!header) {
        header = parseHeader(obj);
      } else if ('in' in obj) {
        const input = parseInput(obj, line);
        if (input.at < lastAt) throw new Error(`inputs must be in time order ("at" ${input.at} after ${lastAt})`);
        lastAt = input.at;
        inputs.push(input);
      } else if ('expect' in obj) {
        expects.push(parseExpect(obj, line));
      } else {
        throw new Error('a line must have "in" (an input) or "expect" (an expected output)');
      }
    } catch (e) {
      throw e instanceof TraceError ? e : new TraceError(file, line, (e as Error).message);
    }
  });
  if (!header) throw new TraceError(file, 1, 'empty trace: the header line is missing');
  return { file, header, inputs, expects };
}
