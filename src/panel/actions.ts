/**
 * What the panel's page may ask for, checked here one by one: touches go into the touch port,
 * cards, codes and simulated-SI faults through the REPL's own `inject` (src/ops/commands.ts), and
 * plugs and printer states into the simulated devices. The page is never handed the REPL itself:
 * `screen FILE` or `record start FILE` write files, which no web page may ask for.
 */
import type { CameraPort } from '../drivers/camera/port.js';
import type { Size } from '../drivers/display/port.js';
import type { SimPrinterStatus } from '../drivers/printer/sim.js';
import { runCommand, CommandError, type CommandContext } from '../ops/commands.js';
import type { SimDevices } from '../terminal/sim-profile.js';
import { API_OPS } from '../si-dev/faults.js';
import { opencv } from '../vision/cv.js';

export class PanelActionError extends Error {}

export type PanelAction =
  | { t: 'ping' }
  | { t: 'down'; x: number; y: number }
  | { t: 'up'; x: number; y: number }
  | { t: 'card'; person: string | { name: string; idNumber: string } }
  | { t: 'ssc'; person: string | { name: string; idNumber: string } }
  | { t: 'barcode'; token: string }
  | { t: 'plug'; device: PluggableDevice; plugged: boolean }
  | { t: 'printer'; status: SimPrinterStatus }
  | { t: 'si'; fault: string; op?: string };

export const PLUGGABLE = ['idReader', 'sscReader', 'barcode', 'camera'] as const;
export type PluggableDevice = (typeof PLUGGABLE)[number];
const PRINTER_STATES: SimPrinterStatus[] = ['ok', 'paper-out', 'cover-open', 'offline', 'jammed'];
/** Simulated SI: the REPL's `inject si OP FAULT`, armed for the next call of OP. */
const SIM_SI_FAULTS = ['unreachable', 'timeout', 'server', 'hang'];
/** Reference SI over HTTPS: si-dev's fault switch (src/si-dev/faults.ts), or clear. */
const HTTPS_SI_FAULTS = ['down', 'error', 'latency', 'blackhole', 'malformed', 'clear'];

export interface PanelActionsOptions {
  devices: SimDevices;
  /** The camera the terminal watches (the simulated one, or the synthesised person). */
  camera: CameraPort;
  /** The REPL's context: injection goes through its commands. */
  commands: CommandContext;
  size: Size;
  /** Where the reference SI's faults are switched (si.kind https); empty: none. */
  siAdmin: string;
}

function coordinate(v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PanelActionError('a touch needs numbers x and y');
  return Math.min(max - 1, Math.max(0, Math.round(v)));
}

function oneLine(v: unknown, what: string, max = 200): string {
  if (typeof v !== 'string' || !v.trim()) throw new PanelActionError(`${what} is missing`);
  if (v.length > max || /[\r\n]/.test(v)) throw new PanelActionError(`${what}: one line of at most ${max} characters`);
  return v.trim();
}

export class PanelActions {
  /** Webcam frames received from pages, and those the camera took (it takes them while it runs). */
  readonly webcamStats = { received: 0, delivered: 0, decodeMs: 0 };

  constructor(private readonly options: PanelActionsOptions) {}

  /**
   * A frame of the page's webcam as the terminal's camera sees one: decoded to BGR (so the preview
   * draws it and the pipeline judges it) and pushed into the simulated camera, which takes it only
   * while it runs (the capture screen). Only where injection is allowed and the camera is the
   * simulated one.
   */
  webcam(jpeg: Buffer): void {
    if (!this.injection) throw new PanelActionError('webcam: device injection is off on this terminal');
    const { devices, camera, commands } = this.options;
    if (camera !== devices.camera) throw new PanelActionError('webcam: the terminal films with its own camera (devices.camera.kind); set it to sim to stand in front of the webcam');
    if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new PanelActionError('webcam: frames must be JPEG');
    this.webcamStats.received++;
    if (!devices.camera.running) return;
    const started = performance.now();
    const cv = opencv();
    const mat = cv.imdecode(jpeg);
    try {
      if (mat.empty) throw new PanelActionError('webcam: a frame could not be decoded');
      const frame = { at: commands.clock?.now() ?? Date.now(), format: 'bgr' as const, width: mat.cols, height: mat.rows, data: mat.getData() };
      this.webcamStats.decodeMs += performance.now() - started;
      if (devices.camera.push(frame)) this.webcamStats.delivered++;
    } finally {
      mat.release();
    }
  }

  /** Cards, plugs, printer and SI: only where the REPL may inject (sim profile, ops.allowInjection). */
  get injection(): boolean {
    return this.options.commands.allowInjection && this.options.commands.devices !== null;
  }

  get siFaults(): 'sim' | 'https' | 'none' {
    if (!this.injection) return 'none';
    if (this.options.commands.siKind !== 'https') return 'sim';
    return this.options.siAdmin ? 'https' : 'none';
  }

  /** Whether a page's webcam can be the terminal's camera (the simulated camera, injection allowed). */
  get webcamAllowed(): boolean {
    return this.injection && this.options.camera === this.options.devices.camera;
  }

  get printerStates(): SimPrinterStatus[] {
    return PRINTER_STATES;
  }

  async run(a: PanelAction): Promise<unknown> {
    const { devices, size } = this.options;
    switch (a.t) {
      case 'down':
        return { delivered: devices.touch.down(coordinate(a.x, size.width), coordinate(a.y, size.height)) };
      case 'up':
        return { delivered: devices.touch.lift(coordinate(a.x, size.width), coordinate(a.y, size.height)) };
      default:
        break;
    }
    if (!this.injection) throw new PanelActionError('device injection is off on this terminal (sim profile and ops.allowInjection only)');
    switch (a.t) {
      case 'card':
      case 'ssc':
        return this.inject(`${a.t} ${this.person(a.person)}`);
      case 'barcode':
        return this.inject(`barcode ${oneLine(a.token, 'the code')}`);
      case 'plug':
        return this.plug(a.device, a.plugged === true);
      case 'printer':
        if (!PRINTER_STATES.includes(a.status)) throw new PanelActionError(`printer status: one of ${PRINTER_STATES.join(', ')}`);
        devices.printer.setStatus(a.status);
        return { printer: a.status };
      case 'si':
        return this.si(a.fault, a.op);
      default:
        throw new PanelActionError(`unknown action '${(a as { t?: unknown }).t}'`);
    }
  }

  private person(p: unknown): string {
    if (typeof p === 'string') return oneLine(p, 'the test person', 40);
    if (p && typeof p === 'object') {
      const { name, idNumber } = p as { name?: unknown; idNumber?: unknown };
      // A card as typed on the page, malformed or not: the terminal checks it as it checks any card.
      return JSON.stringify({ name: oneLine(name, 'the name', 40), idNumber: oneLine(idNumber, 'the ID number', 40), gender: 'unknown' });
    }
    throw new PanelActionError('a card needs a test person or a name and an ID number');
  }

  private async inject(line: string): Promise<unknown> {
    try {
      return await runCommand(this.options.commands, `inject ${line}`);
    } catch (e) {
      if (e instanceof CommandError) throw new PanelActionError(e.message);
      throw e;
    }
  }

  private plug(device: unknown, plugged: boolean): unknown {
    const { devices, camera } = this.options;
    if (!(PLUGGABLE as readonly unknown[]).includes(device)) throw new PanelActionError(`plug: one of ${PLUGGABLE.join(', ')}`);
    if (device === 'camera') {
      // The terminal's own camera: the simulated one or the synthesised person, whichever it watches.
      const c = camera as CameraPort & { unplug?: () => void; replug?: () => void };
      if (!c.unplug || !c.replug) throw new PanelActionError('this camera cannot be unplugged from the panel');
      if (plugged) c.replug();
      else c.unplug();
      return { device, plugged };
    }
    const d = devices[device as Exclude<PluggableDevice, 'camera'>];
    if (plugged) d.replug();
    else d.unplug();
    return { device, plugged };
  }

  private async si(fault: unknown, op: unknown): Promise<unknown> {
    const kind = this.siFaults;
    if (kind === 'sim') {
      if (typeof fault !== 'string' || !SIM_SI_FAULTS.includes(fault)) throw new PanelActionError(`SI fault: one of ${SIM_SI_FAULTS.join(', ')}`);
      if (typeof op !== 'string' || !['lookup', 'resolveToken', 'history', 'submit'].includes(op)) throw new PanelActionError('SI fault: op lookup, resolveToken, history or submit');
      return this.inject(`si ${op} ${fault}`);
    }
    if (kind === 'none') throw new PanelActionError('SI faults: this terminal talks to an SI over HTTPS; set ops.panel.siAdmin to the reference SI\'s admin URL');
    if (typeof fault !== 'string' || !HTTPS_SI_FAULTS.includes(fault)) throw new PanelActionError(`SI fault: one of ${HTTPS_SI_FAULTS.join(', ')}`);
    if (op !== undefined && !(API_OPS as readonly unknown[]).includes(op)) throw new PanelActionError(`SI fault: op one of ${API_OPS.join(', ')}`);
    const base = this.options.siAdmin;
    if (fault === 'clear') return admin(base, 'DELETE', '/faults');
    const current = ((await admin(base, 'GET', '/faults')) as { faults: unknown[] }).faults;
    // A latency long enough to be felt but inside the SI client's timeout; `down` until cleared.
    const input = { kind: fault, ...(op ? { ops: [op] } : {}), ...(fault === 'latency' ? { latencyMs: 5_000 } : {}) };
    return admin(base, 'PUT', '/faults', [...current, input]);
  }
}

/** The reference SI's admin API (loopback only: config checks ops.panel.siAdmin). */
async function admin(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(new URL(path, base), { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  const answer = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) throw new PanelActionError(`reference SI: ${JSON.stringify(answer)}`);
  return answer;
}
