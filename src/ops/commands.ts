/**
 * What a maintainer can ask of a running terminal through the debug REPL. Each command takes its
 * words and returns a JSON-able answer or throws a clear error. No command reveals personal data:
 * the context is shown masked, injected cards are logged without their contents.
 */
import { writeFile } from 'node:fs/promises';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { PausableClock } from '../clock/clock.js';
import { maskIdNumber, maskName } from '../domain/identity.js';
import type { Logger } from '../log/logger.js';
import { BUTTON_IDS, DEVICE_IDS, isDeviceId, type MachineEvent } from '../machine/types.js';
import type { Size } from '../drivers/display/port.js';
import { ScreenRenderer, type FontFiles } from '../screens/renderer.js';
import { testPerson } from '../si-client/test-persons.js';
import type { SimDevices } from '../terminal/sim-profile.js';
import type { Terminal } from '../terminal/terminal.js';
import { ACTIONS, isAction } from '../vision/port.js';

export interface CommandContext {
  terminal: Terminal;
  /** Present when the terminal runs on a pausable clock (always, under `lifecheck run`). */
  clock: PausableClock | null;
  logger: Logger;
  screenSize: Size;
  /** The panel's fonts, so `screen` draws what the panel shows (default: the packaged ones). */
  fonts?: FontFiles;
  /** Simulated devices to inject into; null on the hardware profile. */
  devices: SimDevices | null;
  /** Injection is off by default on the hardware profile (config ops.allowInjection). */
  allowInjection: boolean;
  /** Which SI the terminal talks to (si.kind): faults can be injected into the simulated one only. */
  siKind?: 'sim' | 'https';
  /** Live trace recording, when the daemon offers it. */
  recording?: { start(file: string): Promise<string>; stop(): Promise<{ file: string; lines: number } | null> };
}

export class CommandError extends Error {}

export interface CommandInfo {
  name: string;
  usage: string;
  help: string;
}

export const COMMANDS: CommandInfo[] = [
  { name: 'state', usage: 'state', help: 'current state, screen and a masked summary of the session' },
  { name: 'send', usage: 'send EVENT [JSON]', help: 'send a machine event, e.g. send ui.start, send device.fault {"device":"printer","reason":"test"}' },
  { name: 'pause', usage: 'pause', help: 'stop the terminal clock: no timer fires, the countdown stands still' },
  { name: 'step', usage: 'step MS | step next', help: 'move the paused clock forward MS milliseconds, or to the next timer' },
  { name: 'resume', usage: 'resume', help: 'let the clock run again' },
  { name: 'clock', usage: 'clock', help: 'clock time, paused or not, pending timers' },
  { name: 'screen', usage: 'screen FILE.png', help: 'write the current screen as a PNG' },
  { name: 'wait', usage: 'wait SCREEN [MS]', help: 'answer once SCREEN is shown (at once if it is), or fail after MS of real time (default 10000): for scripts' },
  { name: 'devices', usage: 'devices', help: 'device health as the terminal sees it' },
  { name: 'inject', usage: 'inject card|ssc PERSON | barcode TOKEN | vision EVENT [ACTION|asked] | frames DIR | si OP unreachable|timeout|server|hang', help: 'inject a device input or an SI fault for the next call (only when ops.allowInjection is on); PERSON is a test person key or JSON; asked: the action asked for now' },
  { name: 'record', usage: 'record start FILE | record stop', help: 'start or stop recording a live trace' },
  { name: 'history', usage: 'history [N]', help: 'the last N transitions (default 10)' },
];

const SENDABLE = new Set<string>([
  ...BUTTON_IDS.map((b) => `ui.${b}`),
  'device.fault',
  'device.ok',
  'identify.readError',
  'vision.faceReady',
  'vision.actionPassed',
  'vision.faceLost',
  'vision.multipleFaces',
  'vision.cameraError',
  'activity',
]);

/** Checks an event a maintainer typed against the machine's event types, with a clear message. */
export function validateEvent(type: string, payload: Record<string, unknown>): MachineEvent {
  if (!SENDABLE.has(type)) {
    throw new CommandError(`'${type}' cannot be sent; sendable: ${[...SENDABLE].join(', ')} (cards and photos: use inject)`);
  }
  if (type === 'device.fault' || type === 'device.ok') {
    if (!isDeviceId(payload.device)) throw new CommandError(`${type} needs {"device": one of ${DEVICE_IDS.join(', ')}}`);
    if (type === 'device.fault') return { type, device: payload.device, reason: typeof payload.reason === 'string' ? payload.reason : 'set from the REPL' };
    return { type, device: payload.device };
  }
  if (type === 'identify.readError') {
    const device = payload.device ?? 'idReader';
    const reason = payload.reason ?? 'unreadable';
    if (device !== 'idReader' && device !== 'sscReader' && device !== 'barcode') throw new CommandError('identify.readError needs device idReader, sscReader or barcode');
    if (reason !== 'unreadable' && reason !== 'removed-too-soon' && reason !== 'unsupported-card') throw new CommandError('identify.readError reason: unreadable, removed-too-soon or unsupported-card');
    return { type, device, reason };
  }
  if (type === 'vision.actionPassed') {
    if (!isAction(payload.action)) throw new CommandError(`vision.actionPassed needs {"action": one of ${ACTIONS.join(', ')}}`);
    return { type, action: payload.action };
  }
  if (type === 'vision.cameraError') return { type, reason: typeof payload.reason === 'string' ? payload.reason : 'set from the REPL' };
  return { type } as MachineEvent;
}

function parseJson(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new CommandError(`not a JSON object: ${text}`);
}

/** A masked view of what the terminal knows now. */
export function describeState(terminal: Terminal): Record<string, unknown> {
  const snapshot = terminal.machineActor.getSnapshot();
  const s = snapshot.context.session;
  const view = terminal.view;
  return {
    state: snapshot.value,
    screen: view?.screen ?? null,
    mode: view?.mode ?? null,
    overlay: view?.overlay ?? null,
    secondsLeft: view?.secondsLeft ?? null,
    session: {
      person: s.identity ? { source: s.identity.source, name: maskName(s.identity.name), idNumber: maskIdNumber(s.identity.idNumber) } : null,
      problem: s.problem,
      eligibility: s.eligibility?.status ?? null,
      // Why a person may be turned away: their verification still waits in this terminal's outbox.
      queuedOn: s.queuedOn,
      attemptsToday: s.attemptsToday,
      captureAttempts: s.captureAttempts,
      challenge: s.challenge,
      photo: s.photo ? { quality: s.photo.quality } : null,
      result: s.result,
      receipt: s.receipt,
    },
  };
}

function needClock(ctx: CommandContext): PausableClock {
  if (!ctx.clock) throw new CommandError('this terminal does not run on a pausable clock');
  return ctx.clock;
}

function needInjection(ctx: CommandContext): SimDevices {
  if (!ctx.allowInjection) throw new CommandError('injection is off on this terminal (config ops.allowInjection)');
  if (!ctx.devices) throw new CommandError('injection needs the simulated devices (sim profile)');
  return ctx.devices;
}

function person(arg: string | undefined) {
  if (!arg) throw new CommandError('inject card needs a test person key or a JSON person');
  if (arg.startsWith('{')) {
    const p = parseJson(arg);
    if (typeof p.name !== 'string' || typeof p.idNumber !== 'string') throw new CommandError('a JSON person needs name and idNumber');
    return { gender: 'unknown' as const, ...p } as unknown as ReturnType<typeof testPerson>['identity'];
  }
  try {
    return testPerson(arg).identity;
  } catch (e) {
    throw new CommandError((e as Error).message);
  }
}

/** Runs one command line; returns its answer. */
export async function runCommand(ctx: CommandContext, line: string): Promise<unknown> {
  const trimmed = line.trim();
  const space = trimmed.search(/\s/);
  const name = space < 0 ? trimmed : trimmed.slice(0, space);
  const rest = space < 0 ? '' : trimmed.slice(space + 1).trim();
  const words = rest ? rest.split(/\s+/) : [];
  // Logged without arguments: they may carry a person (inject) or a path.
  ctx.logger.info({ cmd: name }, 'repl command');
  switch (name) {
    case '':
      return null;
    case 'help':
      return COMMANDS.map((c) => `${c.usage.padEnd(44)} ${c.help}`).join('\n');
    case 'state':
      return describeState(ctx.terminal);
    case 'send': {
      const [type, ...json] = words;
      if (!type) throw new CommandError('send needs an event type');
      const event = validateEvent(type, parseJson(json.join(' ') || undefined));
      ctx.terminal.send(event);
      return { sent: event.type, screen: ctx.terminal.view?.screen };
    }
    case 'pause':
      needClock(ctx).pause();
      return { paused: true, at: new Date(needClock(ctx).now()).toISOString() };
    case 'resume':
      needClock(ctx).resume();
      return { paused: false };
    case 'step': {
      const clock = needClock(ctx);
      if (!clock.paused) throw new CommandError('pause the clock first');
      const arg = words[0] ?? 'next';
      const fired = arg === 'next' ? clock.stepToNext() : Number.isFinite(Number(arg)) && Number(arg) >= 0 ? clock.step(Number(arg)) : NaN;
      if (Number.isNaN(fired)) throw new CommandError('step takes a number of ms or "next"');
      // Let promise work that the timers started (e.g. an SI answer) settle before answering.
      await new Promise((r) => setImmediate(r));
      return { fired, at: new Date(clock.now()).toISOString(), screen: ctx.terminal.view?.screen, secondsLeft: ctx.terminal.view?.secondsLeft ?? null };
    }
    case 'clock': {
      const clock = needClock(ctx);
      return { at: new Date(clock.now()).toISOString(), paused: clock.paused, pendingTimers: clock.pending(), nextInMs: clock.nextDueIn() ?? null };
    }
    case 'screen': {
      const file = words[0];
      if (!file || extname(file).toLowerCase() !== '.png') throw new CommandError('screen needs a FILE.png');
      const view = ctx.terminal.view;
      if (!view) throw new CommandError('nothing on screen yet');
      await writeFile(file, new ScreenRenderer(ctx.screenSize, ctx.fonts).png(view));
      return { file, screen: view.screen };
    }
    case 'devices':
      return ctx.terminal.machineActor.getSnapshot().context.devices;
    case 'wait': {
      const [screen, ms] = words;
      if (!screen) throw new CommandError('wait needs a SCREEN (e.g. wait captured 15000)');
      const limit = ms === undefined ? 10_000 : Number(ms);
      if (!Number.isInteger(limit) || limit < 0) throw new CommandError('wait SCREEN [MS]: MS is a whole number of milliseconds');
      return waitForScreen(ctx.terminal, screen, limit);
    }
    case 'inject':
      return inject(ctx, words);
    case 'record': {
      if (!ctx.recording) throw new CommandError('recording is not available on this terminal');
      if (words[0] === 'start') {
        if (!words[1]) throw new CommandError('record start needs a FILE');
        return { recording: await ctx.recording.start(words[1]) };
      }
      if (words[0] === 'stop') return (await ctx.recording.stop()) ?? { recording: null };
      throw new CommandError('record start FILE | record stop');
    }
    case 'history': {
      const n = words[0] ? Number(words[0]) : 10;
      if (!Number.isInteger(n) || n < 1) throw new CommandError('history takes a positive number');
      return ctx.terminal.transitions.slice(-n).map((t) => ({ ...t, at: new Date(t.at).toISOString() }));
    }
    default:
      throw new CommandError(`unknown command '${name}' (try help)`);
  }
}

/** Resolves once the terminal shows `screen`; a scripted session waits on this instead of sleeping. */
function waitForScreen(terminal: Terminal, screen: string, ms: number): Promise<unknown> {
  const shown = () => (terminal.view?.screen === screen ? { screen, mode: terminal.view.mode } : null);
  const now = shown();
  if (now) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new CommandError(`screen '${screen}' not shown within ${ms} ms (on '${terminal.view?.screen ?? 'nothing'}')`));
    }, ms);
    const sub = terminal.machineActor.subscribe(() => {
      const seen = shown();
      if (!seen) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(seen);
    });
  });
}

async function inject(ctx: CommandContext, words: string[]): Promise<unknown> {
  const devices = needInjection(ctx);
  const [what, ...args] = words;
  const arg = args.join(' ');
  switch (what) {
    case 'card':
      return { delivered: devices.idReader.tap(person(arg)) };
    case 'ssc':
      return { delivered: devices.sscReader.insert(person(arg)) };
    case 'barcode':
      if (!arg) throw new CommandError('inject barcode needs a TOKEN');
      return { delivered: devices.barcode.scan(arg) };
    case 'vision': {
      if (!devices.vision) throw new CommandError('this terminal judges faces itself (cooperative or real vision): inject frames instead');
      const [event, named] = args;
      if (event === 'photo') return { delivered: devices.vision.inject({ type: 'vision.photo', quality: 0.9 }) };
      const challenge = ctx.terminal.machineActor.getSnapshot().context.session.challenge;
      const action = named === 'asked' ? challenge.actions[challenge.index] : named;
      if (named === 'asked' && !action) throw new CommandError('no action is being asked for now');
      const e = validateEvent(`vision.${event ?? ''}`, action ? { action } : {});
      return { delivered: devices.vision.inject(e as Parameters<typeof devices.vision.inject>[0]) };
    }
    case 'frames': {
      if (!arg) throw new CommandError('inject frames needs a DIR of .jpg/.png files');
      const files = (await readdir(arg)).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();
      if (!files.length) throw new CommandError(`no .jpg or .png files in ${arg}`);
      let delivered = 0;
      for (const f of files) {
        const data = await readFile(join(arg, f));
        if (devices.camera.push({ at: ctx.clock?.now() ?? Date.now(), format: /\.png$/i.test(f) ? 'png' : 'jpeg', data })) delivered++;
      }
      return { frames: files.length, delivered };
    }
    case 'si': {
      // The simulated SI's next answer to OP: a fault drill on the sim profile.
      if (ctx.siKind === 'https') {
        throw new CommandError('this terminal talks to an SI over HTTPS (si.kind https): set faults on that service, e.g. `lifecheck si-dev fault latency --latency 30000`');
      }
      const [op, fault] = args;
      if (op !== 'lookup' && op !== 'resolveToken' && op !== 'history' && op !== 'submit') throw new CommandError('inject si OP: lookup, resolveToken, history or submit');
      if (fault === 'hang') devices.si.script(op, { hang: true });
      else if (fault === 'unreachable' || fault === 'timeout' || fault === 'server') devices.si.script(op, { fail: fault });
      else throw new CommandError('inject si OP unreachable|timeout|server|hang');
      return { armed: `${op} ${fault}` };
    }
    default:
      throw new CommandError('inject card|ssc PERSON | barcode TOKEN | vision EVENT [ACTION] | frames DIR | si OP FAULT');
  }
}
