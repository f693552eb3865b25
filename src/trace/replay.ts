/**
 * Replays a trace against the real machine and composition root on the simulated profile, with a
 * simulated clock: inputs are delivered at their times, timers fire in order, and a session of
 * minutes runs in milliseconds. Same trace, same outputs, every time.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import type { InspectionEvent } from 'xstate';
import { advanceTo, settle, SimClock } from '../clock/clock.js';
import { loadConfig, type LifecheckConfig } from '../config/config.js';
import { nextRandom } from '../machine/challenge.js';
import type { Logger } from '../log/logger.js';
import { silentLogger } from '../log/logger.js';
import type { ReadErrorReason } from '../machine/types.js';
import { testPerson } from '../si-client/test-persons.js';
import type { OutputKind, TimedOutput } from '../terminal/outputs.js';
import { MemoryOutbox, type Outbox } from '../si-client/outbox.js';
import { createSimTerminal, type SimDevices, type SimTerminalOptions } from '../terminal/sim-profile.js';
import type { Terminal } from '../terminal/terminal.js';
import type { TerminalObserver } from '../terminal/hooks.js';
import type { Action } from '../vision/port.js';
import { compareOutputs, describeMismatch, type Mismatch } from './compare.js';
import { parseTrace, TraceError, type PersonFields, type Trace, type TraceInput } from './format.js';

export interface ReplayResult {
  trace: Trace;
  outputs: TimedOutput[];
  mismatch: Mismatch | null;
  /** Human-readable diff when there is a mismatch. */
  report: string | null;
  /** Inputs the terminal could not take (e.g. a touch on a button not on screen), for the trace author. */
  warnings: string[];
  simulatedMs: number;
}

export interface ReplayOptions {
  logger?: Logger;
  inspect?: (event: InspectionEvent) => void;
  /** Real output drivers to replay through instead of the simulated ones (speaker, printer, display). */
  ports?: SimTerminalOptions['ports'];
  /**
   * Awaited wherever the replay lets the terminal run (after each input and each timer); default
   * one settle(). Real drivers' I/O takes longer: pass one that also waits for them (e.g. the
   * speaker's and printer's idle()), so that the simulated clock never moves on while they work.
   */
  settle?: () => Promise<void>;
  /** Watches the replayed terminal as the daemon's fleet metrics watch a live one. */
  observer?: TerminalObserver;
}

export async function loadTrace(file: string): Promise<Trace> {
  return parseTrace(await readFile(file, 'utf8'), file);
}

function personOf(p: string | PersonFields): PersonFields {
  return typeof p === 'string' ? testPerson(p).identity : p;
}

/** Delivers one input to the simulated devices; returns a warning when it could not be delivered. */
async function apply(input: TraceInput, devices: SimDevices, outbox: Outbox, terminal: Terminal, trace: Trace, clock: SimClock): Promise<string | null> {
  const where = `${trace.file}:${input.line}`;
  switch (input.in) {
    case 'touch': {
      const before = terminal.view;
      const ok =
        'button' in input
          ? devices.touch.press(input.button)
          : input.downX !== undefined && input.downY !== undefined
            ? devices.touch.down(input.downX, input.downY) && devices.touch.lift(input.x, input.y)
            : devices.touch.tap(input.x, input.y);
      await settle();
      const what = 'button' in input ? `button '${input.button}'` : `(${input.x}, ${input.y})`;
      if (!ok) return `${where}: touch ${what} dropped: touch panel unplugged`;
      const enabled = before?.buttons.some((b) => b.enabled && 'button' in input && b.id === input.button);
      if ('button' in input && !enabled) return `${where}: touch ${what} is not an enabled button on screen '${before?.screen}'`;
      return null;
    }
    case 'id-card':
      return devices.idReader.tap(personOf(input.person)) ? null : `${where}: ID card not read: reader unplugged`;
    case 'ssc': {
      const p = personOf(input.person);
      return devices.sscReader.insert(input.cardNumber ? { ...p, cardNumber: input.cardNumber } : p) ? null : `${where}: SSC not read: reader unplugged`;
    }
    case 'barcode':
      return devices.barcode.scan(input.token) ? null : `${where}: barcode not read: scanner unplugged`;
    case 'read-error': {
      const reason: ReadErrorReason = input.reason;
      const ok =
        input.device === 'idReader' ? devices.idReader.fail(reason) : input.device === 'sscReader' ? devices.sscReader.fail(reason) : devices.barcode.fail(reason);
      return ok ? null : `${where}: read error not delivered: device unplugged`;
    }
    case 'device': {
      const port = input.device === 'camera' ? devices.camera : devices[input.device];
      if (input.status === 'unplugged') port.unplug();
      else port.replug();
      return null;
    }
    case 'vision': {
      const vision = devices.vision!;
      const challenge = terminal.machineActor.getSnapshot().context.session.challenge;
      let ok: boolean;
      switch (input.event) {
        case 'actionPassed': {
          const action = input.action === 'asked' ? challenge.actions[challenge.index] : input.action;
          if (!action) return `${where}: no action is being asked for`;
          ok = vision.inject({ type: 'vision.actionPassed', action: action as Action });
          break;
        }
        case 'photo':
          ok = vision.inject({ type: 'vision.photo', quality: input.quality ?? 0 });
          break;
        case 'cameraError':
          ok = vision.inject({ type: 'vision.cameraError', reason: input.reason ?? 'camera error' });
          break;
        case 'hint':
          ok = vision.inject({ type: 'vision.hint', hint: input.hint ?? null });
          break;
        default:
          ok = vision.inject({ type: `vision.${input.event}` });
      }
      return ok ? null : `${where}: vision ${input.event} dropped: the camera screen is not up`;
    }
    case 'frame': {
      const file = resolve(dirname(trace.file), input.file);
      const data = await readFile(file);
      const format = extname(file).toLowerCase() === '.png' ? 'png' : 'jpeg';
      return devices.camera.push({ at: clock.now(), format, data }) ? null : `${where}: frame dropped: camera not open`;
    }
    case 'si':
      if (input.fail) devices.si.script(input.op, { fail: input.fail, ...(input.latencyMs !== undefined ? { latencyMs: input.latencyMs } : {}) });
      else if (input.hang) devices.si.script(input.op, { hang: true });
      else devices.si.script(input.op, { reply: input.reply, ...(input.latencyMs !== undefined ? { latencyMs: input.latencyMs } : {}) });
      return null;
    case 'printer':
      devices.printer.setStatus(input.status);
      return null;
    case 'clock':
      devices.clock.set(input.status === 'trusted' ? null : input.status);
      return null;
    case 'storage':
      if (!(outbox instanceof MemoryOutbox)) return `${where}: storage status needs the memory outbox (outbox.store memory)`;
      outbox.setStorage(input.status === 'ok' ? null : input.status);
      return null;
    case 'wait':
      return null;
  }
}

/** A seeded jitter source so outbox retry timing replays identically. */
function seededRandom(seed: number): () => number {
  let state = seed ^ 0x5eed;
  return () => {
    const r = nextRandom(state);
    state = r.state;
    return r.value;
  };
}

/** The configuration a trace runs with; loaded once per distinct header.config and reused. */
const configs = new Map<string, LifecheckConfig>();
function traceConfig(trace: Trace): LifecheckConfig {
  const key = JSON.stringify(trace.header.config ?? {});
  let config = configs.get(key);
  if (!config) {
    try {
      config = loadConfig({ ignoreSystemFile: true, env: {}, ...(trace.header.config ? { overrides: trace.header.config } : {}) });
    } catch (e) {
      throw new TraceError(trace.file, 1, `header.config: ${(e as Error).message}`);
    }
    configs.set(key, config);
  }
  return config;
}

export async function replay(trace: Trace, options: ReplayOptions = {}): Promise<ReplayResult> {
  const start = Date.parse(trace.header.start);
  const clock = new SimClock(start);
  const config = traceConfig(trace);
  const outputs: TimedOutput[] = [];
  const warnings: string[] = [];
  const observer = options.observer;
  const { terminal, devices, outbox } = createSimTerminal({
    config,
    clock,
    logger: options.logger ?? silentLogger(),
    seed: trace.header.seed,
    vision: 'scripted',
    random: seededRandom(trace.header.seed),
    onOutput: (o) => {
      outputs.push({ at: clock.now() - start, ...o });
      observer?.output(o);
    },
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.ports ? { ports: options.ports } : {}),
    ...(observer ? { hooks: observer.hooks } : {}),
  });
  observer?.attach({ terminal, outbox, clock });
  const pause = options.settle ?? settle;
  await terminal.start();
  for (const input of trace.inputs) {
    await advanceTo(clock, start + input.at, pause);
    const warning = await apply(input, devices, outbox, terminal, trace, clock);
    if (warning) warnings.push(warning);
    await pause();
  }
  const until = trace.header.until ?? trace.inputs.at(-1)?.at ?? 0;
  await advanceTo(clock, start + until, pause);
  await terminal.stop();
  await settle();

  const kinds: OutputKind[] = trace.header.check ?? [...new Set(trace.expects.map((e) => e.expect))];
  const mismatch = compareOutputs(trace.expects, outputs, kinds);
  return {
    trace,
    outputs,
    mismatch,
    report: mismatch ? describeMismatch(trace.file, mismatch, outputs) : null,
    warnings,
    simulatedMs: clock.now() - start,
  };
}

/**
 * The trace text with its expectations replaced by what the terminal produced (`replay --update`):
 * for writing a new trace, or accepting a deliberate change after reading the diff.
 */
export function withExpectations(text: string, outputs: TimedOutput[]): string {
  const kept: Array<{ at: number; order: number; text: string }> = [];
  let header = '';
  let order = 0;
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (!trimmed) continue;
    if (!header) {
      header = trimmed;
      continue;
    }
    if (trimmed.startsWith('//')) {
      kept.push({ at: kept.at(-1)?.at ?? 0, order: order++, text: trimmed });
      continue;
    }
    const obj = JSON.parse(trimmed) as Record<string, unknown>;
    if ('in' in obj) kept.push({ at: obj.at as number, order: order++, text: trimmed });
  }
  // Outputs at a time come right after the inputs of that time, which caused them.
  const lines = [...kept];
  for (const o of outputs) {
    const { at, kind, ...rest } = o;
    lines.push({ at, order: Number.MAX_SAFE_INTEGER / 2 + order++, text: JSON.stringify({ expect: kind, at, ...rest }) });
  }
  lines.sort((a, b) => a.at - b.at || a.order - b.order);
  return [header, ...lines.map((l) => l.text)].join('\n') + '\n';
}
