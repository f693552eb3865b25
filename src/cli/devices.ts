/**
 * `lifecheck devices`: what a maintainer needs to set up the identity devices.
 *   lifecheck devices [--config FILE]                       serial ports, PC/SC readers, configured devices
 *   lifecheck devices read-id [--port PATH] [--baud N] [--timeout S]
 *   lifecheck devices read-ssc [--reader NAME] [--timeout S]
 *   lifecheck devices calibrate-touch [--device PATH] [--timeout S]
 * A read prints one JSON object (name and numbers masked, check problems listed) and exits 0;
 * nothing read within the timeout, or a card refused, is a message on stderr and exit 1.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { geometrySource, readGeometry } from '../drivers/display/framebuffer.js';
import { localDate, RealClock } from '../clock/clock.js';
import { loadConfig, type LifecheckConfig } from '../config/config.js';
import { cardProblems } from '../domain/card-check.js';
import { maskIdNumber, maskName, type Identity } from '../domain/identity.js';
import { idReaderDriver, sscReaderDriver } from '../drivers/identity-devices.js';
import type { CardRead } from '../drivers/id-reader/gat467-reader.js';
import { listSerialPorts } from '../drivers/serial-ports.js';
import { listPcscReaders, type SscCardRead } from '../drivers/ssc-reader/pcsc-reader.js';
import { pcscdSocket } from '../drivers/ssc-reader/pcsc.js';
import { silentLogger } from '../log/logger.js';
import { probeDevice } from '../drivers/device-reader.js';
import { CalibrationError, calibrationFromCorners, CORNERS, type Corner, type RawPoint } from '../drivers/touch/calibrate.js';
import { defaultRecordSize, RAW_PLACEMENT, readTouches } from '../drivers/touch/evdev.js';

const USAGE = `Usage: lifecheck devices [--config FILE]
       lifecheck devices read-id [--port PATH] [--baud N] [--timeout SECONDS] [--config FILE]
       lifecheck devices read-ssc [--reader NAME] [--timeout SECONDS] [--config FILE]
       lifecheck devices calibrate-touch [--device PATH] [--timeout SECONDS] [--config FILE]
`;

class DevicesUsageError extends Error {}

export async function devices(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    const [sub, ...rest] = args;
    if (sub === 'read-id') return await readId(rest, out, err);
    if (sub === 'read-ssc') return await readSsc(rest, out, err);
    if (sub === 'calibrate-touch') return await calibrateTouch(rest, out, err);
    if (sub === undefined || sub.startsWith('-')) return await list(args, out);
    throw new DevicesUsageError(`unknown devices command '${sub}'`);
  } catch (e) {
    if (!(e instanceof DevicesUsageError)) throw e;
    err.write(`lifecheck: ${e.message}\n\n${USAGE}`);
    return 2;
  }
}

function parse(args: string[], options: Record<string, { type: 'string' }>) {
  try {
    return parseArgs({ args, options: { ...options, config: { type: 'string' } }, allowPositionals: false }).values as Record<string, string | undefined>;
  } catch (e) {
    throw new DevicesUsageError((e as Error).message);
  }
}

function config(values: Record<string, string | undefined>): LifecheckConfig {
  // The tools help put a configuration right: the hardware profile's own checks do not stop them.
  return loadConfig({ ...(values.config ? { file: values.config } : {}), profileChecks: false });
}

function seconds(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const s = Number(value);
  if (!(s > 0) || s > 3_600) throw new DevicesUsageError(`--timeout must be a number of seconds from 0 to 3600 (got '${value}')`);
  return s;
}

async function list(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const c = config(parse(args, {}));
  const serial = await listSerialPorts();
  out.write(`Serial ports${serial.source === 'dev-scan' ? ` (found under /dev: ${serial.note})` : ''}:\n`);
  if (serial.ports.length === 0) out.write('  none\n');
  for (const p of serial.ports) out.write(`  ${p.path}${p.detail ? `  ${p.detail}` : ''}\n`);
  const socket = pcscdSocket();
  const readers = await listPcscReaders(socket);
  out.write(`PC/SC readers (pcscd at ${socket}):\n`);
  if (readers === null) out.write('  pcscd is not running\n');
  else if (readers.length === 0) out.write('  none\n');
  for (const r of readers ?? []) out.write(`  ${r}\n`);
  const d = c.devices;
  out.write('Configured identity devices:\n');
  out.write(`  ID card reader         ${d.idReader.kind}  ${d.idReader.port} at ${d.idReader.baudRate} baud${d.idReader.kind === 'device' ? present(d.idReader.port, serial.ports) : ''}\n`);
  out.write(`  social security reader ${d.sscReader.kind}  ${d.sscReader.reader === '' ? 'first reader' : `reader containing "${d.sscReader.reader}"`}\n`);
  out.write(`  barcode scanner        ${d.barcode.kind}  ${d.barcode.mode} ${d.barcode.device}, terminator ${d.barcode.terminator}\n`);
  out.write(`Configured terminal devices (${c.profile} profile${c.profile === 'sim' ? ': simulated unless a kind says otherwise' : ''}):\n`);
  for (const [what, where, state] of await terminalDevices(c)) out.write(`  ${what.padEnd(22)} ${where}  ${state}\n`);
  return 0;
}

/** What the hardware profile will open, and whether it is there: a maintainer's check before starting. */
async function terminalDevices(c: LifecheckConfig): Promise<Array<[string, string, string]>> {
  const d = c.devices;
  const file = (path: string) => (existsSync(path) ? 'present' : 'MISSING');
  const screen = (): string => {
    if (!existsSync(d.display.framebuffer)) return 'MISSING';
    try {
      // The geometry as the framebuffer driver will take it.
      const { sysfsDir, geometry } = geometrySource(d.display);
      const g = readGeometry(sysfsDir, geometry);
      return `present, ${g.width}x${g.height} ${g.format}`;
    } catch (e) {
      return `present, but ${(e as Error).message}`;
    }
  };
  const touch = (await probeDevice(d.touch.device)) === null ? 'present' : 'MISSING';
  const camera =
    d.camera.kind === 'device' ? [`device ${d.camera.device} ${d.camera.width}x${d.camera.height} ${d.camera.fourcc}`, file(d.camera.device)] : d.camera.kind === 'clip' ? [`clip ${d.camera.clip}`, file(d.camera.clip)] : [d.camera.kind, ''];
  const missingFonts = Object.values(d.display.fonts).filter((f) => !existsSync(f));
  const fonts = missingFonts.length === 0 ? 'present' : `MISSING: ${missingFonts.join(', ')}`;
  return [
    ['screen', d.display.framebuffer, screen()],
    ['touchscreen', d.touch.device, touch],
    ['camera', camera[0]!, camera[1]!],
    ['receipt printer', d.printer.device, file(d.printer.device)],
    ['speaker', `ALSA ${d.speaker.alsaDevice}, volume ${d.speaker.volume}%`, ''],
    ['screen fonts', d.display.fonts.regular, fonts],
    ['landmark model', c.vision.modelPath, `${file(c.vision.modelPath)}${c.vision.modelCache && existsSync(c.vision.modelCache) ? ', converted copy made' : ''}`],
  ];
}

function present(path: string, ports: Array<{ path: string; detail: string }>): string {
  return ports.some((p) => p.path === path || p.detail.endsWith(path)) ? '' : '  (not among the serial ports seen)';
}

/** The JSON a read prints: masked, with every check problem. */
function describe(kind: string, identity: Omit<Identity, 'source'>, utcOffsetMinutes: number, extra: Record<string, unknown>) {
  return {
    kind,
    name: maskName(identity.name),
    idNumber: maskIdNumber(identity.idNumber),
    gender: identity.gender,
    nation: identity.nation ?? null,
    birthDate: identity.birthDate ?? null,
    validFrom: identity.validFrom ?? null,
    validTo: identity.validTo ?? null,
    problems: cardProblems(identity, localDate(Date.now(), utcOffsetMinutes)),
    ...extra,
  };
}

/** Waits for the first detailed read, or the timeout; the driver runs only meanwhile. */
async function firstRead<R>(driver: { start(): Promise<void>; stop(): Promise<void>; onRead(l: (r: R) => void): () => void }, timeoutS: number): Promise<R | null> {
  let resolveRead: (r: R | null) => void = () => {};
  const read = new Promise<R | null>((resolve) => (resolveRead = resolve));
  driver.onRead((r) => resolveRead(r));
  const timer = setTimeout(() => resolveRead(null), timeoutS * 1_000);
  await driver.start();
  const result = await read;
  clearTimeout(timer);
  await driver.stop();
  return result;
}

async function readId(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const values = parse(args, { port: { type: 'string' }, baud: { type: 'string' }, timeout: { type: 'string' } });
  const c = config(values);
  const baud = values.baud === undefined ? c.devices.idReader.baudRate : Number(values.baud);
  if (!Number.isInteger(baud) || baud <= 0) throw new DevicesUsageError(`--baud must be a positive integer (got '${values.baud}')`);
  const timeoutS = seconds(values.timeout, 10);
  const port = values.port ?? c.devices.idReader.port;
  const devicesConfig = { ...c.devices, idReader: { ...c.devices.idReader, port, baudRate: baud } };
  const reader = idReaderDriver(devicesConfig, new RealClock(), silentLogger());
  const faults: string[] = [];
  reader.onEvent((e) => {
    if (e.type === 'device.fault') faults.push(e.reason);
  });
  const read = await firstRead<CardRead>(reader, timeoutS);
  if (read === null) {
    const why = faults.length ? `; the reader was ${faults.at(-1) === 'unplugged' ? `not found (${port} cannot be opened)` : 'not responding'}` : '';
    err.write(`lifecheck devices read-id: no ID card read within ${timeoutS} s on ${port}${why}\n`);
    return 1;
  }
  if (read.outcome === 'error') {
    const what = read.kind === 'foreign-permanent' ? 'foreign permanent resident ID card: refused, the terminal serves citizen ID numbers' : `${read.reason}: ${read.detail}`;
    err.write(`lifecheck devices read-id: card not read: ${what}\n`);
    return 1;
  }
  const kind = read.card.kind === 'hmt-residence' ? 'hk-macau-taiwan-residence-permit' : 'resident-id-card';
  out.write(JSON.stringify(describe(kind, read.identity, c.terminal.utcOffsetMinutes, { photoBytes: read.photo.length, readMs: read.ms })) + '\n');
  return 0;
}

async function readSsc(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const values = parse(args, { reader: { type: 'string' }, timeout: { type: 'string' } });
  const c = config(values);
  const timeoutS = seconds(values.timeout, 10);
  const name = values.reader ?? c.devices.sscReader.reader;
  const reader = sscReaderDriver({ ...c.devices, sscReader: { ...c.devices.sscReader, reader: name } }, new RealClock(), silentLogger());
  const faults: string[] = [];
  reader.onEvent((e) => {
    if (e.type === 'device.fault') faults.push(e.reason);
  });
  const read = await firstRead<SscCardRead>(reader, timeoutS);
  if (read === null) {
    const last = faults.at(-1);
    const why =
      last === 'pcscd-unavailable' ? `; pcscd is not running (${reader.socketPath})` : last === 'no-reader' ? `; no PC/SC reader${name ? ` named like "${name}"` : ''}` : '';
    err.write(`lifecheck devices read-ssc: no social security card read within ${timeoutS} s${why}\n`);
    return 1;
  }
  if (read.outcome === 'error') {
    err.write(`lifecheck devices read-ssc: card in ${read.reader} not read: ${read.reason}: ${read.detail}\n`);
    return 1;
  }
  const { identity, cardNumber } = read.holder;
  out.write(JSON.stringify(describe('social-security-card', identity, c.terminal.utcOffsetMinutes, { cardNumber: maskIdNumber(cardNumber), reader: read.reader, readMs: read.ms, apdus: read.apdus })) + '\n');
  return 0;
}

/** Taps closer together than this are one touch bouncing (nobody reaches the next corner so fast). */
const TOUCH_BOUNCE_MS = 300;

/**
 * Asks for the four corners of the screen, one touch each, and prints the touchscreen's
 * calibration as configuration JSON on stdout (the asking goes to stderr, so stdout can go to a file).
 */
async function calibrateTouch(args: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const values = parse(args, { device: { type: 'string' }, timeout: { type: 'string' } });
  const c = config(values);
  const device = values.device ?? c.devices.touch.device;
  const timeoutS = seconds(values.timeout, 60);
  const missing = await probeDevice(device);
  if (missing !== null) {
    err.write(`lifecheck devices calibrate-touch: touchscreen ${device} cannot be opened: ${missing}\n`);
    return 1;
  }
  const touches: RawPoint[] = [];
  let gone: string | null = null;
  let wake = () => {};
  let lastTap = -Infinity;
  // Raw units, and where the finger came down (panels may drift as it lifts).
  const reader = readTouches(
    device,
    defaultRecordSize(),
    RAW_PLACEMENT,
    (e) => {
      if (e.type !== 'touch.tap') return;
      // A finger bouncing on the glass is one touch, not the next corner.
      const now = Date.now();
      if (now - lastTap < TOUCH_BOUNCE_MS) return;
      lastTap = now;
      touches.push({ x: e.downX ?? e.x, y: e.downY ?? e.y });
      wake();
    },
    (reason) => {
      gone = reason;
      wake();
    },
  );
  const nextTouch = () =>
    new Promise<RawPoint | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutS * 1000);
      const check = () => {
        if (touches.length === 0 && gone === null) return;
        clearTimeout(timer);
        resolve(touches.shift() ?? null);
      };
      wake = check;
      check();
    });
  try {
    err.write('Touch the four corners of the screen in turn, each as close to the edge as you can.\n');
    const points: Partial<Record<Corner, RawPoint>> = {};
    for (const corner of CORNERS) {
      err.write(`  ${corner} ... `);
      const p = await nextTouch();
      if (!p) {
        err.write(`\nlifecheck devices calibrate-touch: ${gone !== null ? `the touchscreen went away (${gone})` : `no touch within ${timeoutS} s`}\n`);
        return 1;
      }
      err.write(`raw ${p.x}, ${p.y}\n`);
      points[corner] = p;
    }
    const calibration = calibrationFromCorners(points as Record<Corner, RawPoint>);
    out.write(JSON.stringify({ devices: { touch: { device, calibration } } }, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    err.write(`lifecheck devices calibrate-touch: ${e.message}\n`);
    return 1;
  } finally {
    await reader.stop();
  }
}
