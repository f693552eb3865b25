/**
 * The hardware profile's terminal with every pluggable device on the nearest real layer this
 * machine has, each of which can be unplugged and plugged back: the ID card reader and the serial
 * scanner on socat ptys whose nodes vanish and return (with our GA/T 467 and scanner emulators on
 * the far ends), the social security card reader behind a private pcscd that is stopped and
 * started, the camera's node (/dev/video0 stand-in) removed and made again, the touchscreen an
 * evdev FIFO whose writer closes and whose node is removed, the printer a FIFO whose reader closes
 * and whose node is removed. Everything runs on the real clock through the real drivers, as
 * production composes them (createHardwareTerminal); the machine's own device health says when a
 * device was lost and when it is back. Used by test/terminal/replug.test.ts and bench/replug.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RealClock } from '../../src/clock/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { SerialScannerEmulator } from '../../src/drivers/barcode/emulator.js';
import { Gat467Emulator } from '../../src/drivers/id-reader/emulator.js';
import { PtyPair } from '../../src/drivers/pty-pair.js';
import { PrivatePcscd } from '../../src/drivers/ssc-reader/private-pcscd.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { DeviceId } from '../../src/machine/types.js';
import { createOutboxKey } from '../../src/si-client/outbox-crypto.js';
import { ensureDevCerts } from '../../src/si-dev/certs.js';
import { createHardwareTerminal, type HardwareTerminal } from '../../src/terminal/hardware-profile.js';
import { alsaTestHome } from '../audio/alsa-capture.js';
import { FifoDevice } from '../drivers/printer/devices.js';
import { installFakeTimedatectl } from '../helpers.js';

/** The devices a maintainer can pull out of a terminal (the display and the sound card are soldered in). */
export const REPLUG_DEVICES = ['idReader', 'sscReader', 'barcode', 'camera', 'touch', 'printer'] as const;
export type ReplugDevice = (typeof REPLUG_DEVICES)[number];

/** How each device is pulled out here, in words for the table. */
export const HOW_UNPLUGGED: Record<ReplugDevice, string> = {
  idReader: 'pty node vanishes (socat ends), made again',
  sscReader: 'pcscd stopped, started again',
  barcode: 'pty node vanishes (socat ends), made again',
  camera: 'video node removed, made again',
  touch: 'evdev FIFO writer closed and node removed, made again',
  printer: 'lp FIFO reader closed and node removed, made again',
};

export interface ReplugCycle {
  device: ReplugDevice;
  /** From the start of the unplug to the terminal reporting the device faulty. */
  detectMs: number;
  /** From the device being back (node there, daemon answering) to the terminal reporting it ok. */
  recoverMs: number;
  /** What the person sees while it is out, and once it is back. */
  screenWhileOut: string;
  screenAfter: string;
  /** The home screen's own account, while out and after: whether it serves, and what it names as down. */
  homeWhileOut: HomeState | null;
  homeAfter: HomeState | null;
}

export interface HomeState {
  canServe: boolean;
  faults: string[];
}

interface Health {
  ok: boolean;
  at: number;
}

const W = 1280;
const H = 800;

export class ReplugRig {
  private readonly health = new Map<DeviceId, Health>();
  private waiters: Array<() => void> = [];
  private idPair: PtyPair | null = null;
  private idEmulator: Gat467Emulator | null = null;
  private scanPair: PtyPair | null = null;
  private scanEmulator: SerialScannerEmulator | null = null;
  private panel: FileHandle | null = null;
  private lp0: FifoDevice | null = null;
  private closers: Array<() => unknown> = [];

  private constructor(
    readonly dir: string,
    private readonly paths: { idReader: string; barcode: string; camera: string; touch: string; printer: string },
    private readonly pcscd: PrivatePcscd,
  ) {}

  /** The terminal under test; set by open(). */
  hw: HardwareTerminal | undefined;

  /** Builds the stand-ins and starts the terminal on the home screen with every device ok. */
  static async open(options: { logger?: Logger } = {}): Promise<ReplugRig> {
    const dir = mkdtempSync(join(tmpdir(), 'lifecheck-replug-'));
    const pcscd = await PrivatePcscd.start({});
    const rig = new ReplugRig(
      dir,
      { idReader: join(dir, 'idreader'), barcode: join(dir, 'scanner'), camera: join(dir, 'video0'), touch: join(dir, 'event0'), printer: join(dir, 'lp0') },
      pcscd,
    );
    try {
      await rig.build(options.logger ?? silentLogger());
    } catch (e) {
      await rig.close();
      throw e;
    }
    return rig;
  }

  private async build(logger: Logger): Promise<void> {
    const dir = this.dir;
    // The social security card reader's driver finds pcscd here, as at a terminal through /run/pcscd.
    const socketBefore = process.env.PCSCLITE_CSOCK_NAME;
    process.env.PCSCLITE_CSOCK_NAME = this.pcscd.socketPath;
    this.closers.push(() => (socketBefore === undefined ? delete process.env.PCSCLITE_CSOCK_NAME : (process.env.PCSCLITE_CSOCK_NAME = socketBefore)));
    const timedatectl = installFakeTimedatectl();
    this.closers.push(timedatectl.remove);

    const fb = join(dir, 'fb0');
    writeFileSync(fb, Buffer.alloc(W * 4 * H));
    const sysfs = join(dir, 'sys-fb0');
    mkdirSync(sysfs);
    writeFileSync(join(sysfs, 'virtual_size'), `${W},${H}\n`);
    writeFileSync(join(sysfs, 'bits_per_pixel'), '32\n');
    writeFileSync(join(sysfs, 'stride'), `${W * 4}\n`);
    const alsa = alsaTestHome(dir);
    const certs = ensureDevCerts(join(dir, 'certs'));
    const keyFile = join(dir, 'outbox.key');
    createOutboxKey(keyFile);

    for (const device of ['idReader', 'barcode', 'camera', 'touch', 'printer'] as const) await this.plugIn(device);

    const config = loadConfig({
      ignoreSystemFile: true,
      env: {},
      overrides: {
        profile: 'hardware',
        terminal: { number: 'T-0042' },
        // Nothing here talks to the SI: a port nobody listens on.
        si: { url: 'https://127.0.0.1:9', caFile: certs.caCert, certFile: certs.clientCert, keyFile: certs.clientKey },
        devices: {
          idReader: { port: this.paths.idReader },
          barcode: { mode: 'serial', device: this.paths.barcode },
          camera: { device: this.paths.camera },
          touch: { device: this.paths.touch },
          display: { framebuffer: fb, sysfsDir: sysfs, cursorBlink: '' },
          speaker: { alsaDevice: alsa.device },
          printer: { device: this.paths.printer, statusQuery: false },
        },
        voice: { cacheDir: join(dir, 'voice'), recordingsDir: '' },
        outbox: { path: join(dir, 'outbox.sqlite'), keyFile },
        ops: { metrics: { listen: '' } },
      },
    });
    const hw = await createHardwareTerminal({ config, clock: new RealClock(), logger, seed: 3, env: alsa.env });
    this.hw = hw;
    const { terminal } = hw;
    await terminal.start();
    const record = (devices: Record<DeviceId, { ok: boolean }>) => {
      const now = performance.now();
      for (const [id, h] of Object.entries(devices) as Array<[DeviceId, { ok: boolean }]>) {
        if (this.health.get(id)?.ok !== h.ok) this.health.set(id, { ok: h.ok, at: now });
      }
      for (const w of this.waiters.splice(0)) w();
    };
    record(terminal.machineActor.getSnapshot().context.devices);
    terminal.machineActor.subscribe((snapshot) => record(snapshot.context.devices));
    for (const device of REPLUG_DEVICES) await this.waitHealth(device, true, 10_000);
  }

  /** The home screen's fields now; null on any other screen. */
  get home(): HomeState | null {
    const v = this.hw?.terminal.view;
    if (!v || v.screen !== 'home') return null;
    return { canServe: v.fields.canServe !== false, faults: Array.isArray(v.fields.faults) ? v.fields.faults.map(String) : [] };
  }

  /** What the person sees now, in short: the screen, and on home whether it serves and what it says is down. */
  get screen(): string {
    const v = this.hw?.terminal.view;
    if (!v) return '(none)';
    if (v.screen !== 'home') return v.mode ? `${v.screen}/${v.mode}` : v.screen;
    const faults = Array.isArray(v.fields.faults) ? v.fields.faults.join(', ') : '';
    if (v.fields.canServe === false) return `home: out of service (${faults})`;
    return faults ? `home: serving, says ${faults} paused` : 'home: serving';
  }

  /** Pulls `device` out, waits for the terminal to notice, plugs it back, waits for it to be ok. */
  async cycle(device: ReplugDevice, options: { outMs?: number; timeoutMs?: number } = {}): Promise<ReplugCycle> {
    const timeoutMs = options.timeoutMs ?? 15_000;
    const unplugged = performance.now();
    await this.pullOut(device);
    const fault = await this.waitHealth(device, false, timeoutMs);
    // Left out a while, as a person fumbling with a cable would: the driver keeps looking meanwhile.
    await new Promise((r) => setTimeout(r, options.outMs ?? 300));
    const screenWhileOut = this.screen;
    const homeWhileOut = this.home;
    await this.plugIn(device);
    const back = performance.now();
    const ok = await this.waitHealth(device, true, timeoutMs);
    return { device, detectMs: fault - unplugged, recoverMs: ok - back, screenWhileOut, screenAfter: this.screen, homeWhileOut, homeAfter: this.home };
  }

  /** Resolves with the time the machine last took `device` to `ok`, once it has. */
  private async waitHealth(device: DeviceId, ok: boolean, timeoutMs: number): Promise<number> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const h = this.health.get(device);
      if (h && h.ok === ok) return h.at;
      const left = end - performance.now();
      if (left <= 0) throw new Error(`${device} was not reported ${ok ? 'ok' : 'faulty'} within ${timeoutMs} ms (screen ${this.screen})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async pullOut(device: ReplugDevice): Promise<void> {
    switch (device) {
      case 'idReader':
        await this.idEmulator?.close();
        await this.idPair?.close();
        this.idEmulator = null;
        this.idPair = null;
        return;
      case 'barcode':
        await this.scanEmulator?.close();
        await this.scanPair?.close();
        this.scanEmulator = null;
        this.scanPair = null;
        return;
      case 'sscReader':
        await this.pcscd.stop();
        return;
      case 'camera':
        rmSync(this.paths.camera, { force: true });
        return;
      case 'touch':
        await this.panel?.close();
        this.panel = null;
        rmSync(this.paths.touch, { force: true });
        return;
      case 'printer':
        this.lp0?.close();
        this.lp0 = null;
        rmSync(this.paths.printer, { force: true });
        return;
    }
  }

  private async plugIn(device: ReplugDevice): Promise<void> {
    switch (device) {
      case 'idReader':
        this.idPair = await PtyPair.open(this.paths.idReader, join(this.dir, 'idreader-far'));
        this.idEmulator = await Gat467Emulator.open(this.idPair.far);
        return;
      case 'barcode':
        this.scanPair = await PtyPair.open(this.paths.barcode, join(this.dir, 'scanner-far'));
        this.scanEmulator = await SerialScannerEmulator.open(this.scanPair.far);
        return;
      case 'sscReader':
        await this.pcscd.start();
        return;
      case 'camera':
        // Only the node's presence counts while nobody is in front of the camera.
        writeFileSync(this.paths.camera, '');
        return;
      case 'touch':
        execFileSync('mkfifo', [this.paths.touch]);
        // The panel's side holds the FIFO read-write (see test/drivers/touch/evdev.test.ts).
        this.panel = await open(this.paths.touch, 'r+');
        return;
      case 'printer':
        this.lp0 = new FifoDevice(this.paths.printer);
        return;
    }
  }

  /** Stops the terminal, then takes every stand-in down and restores the environment. */
  async close(): Promise<void> {
    await this.hw?.terminal.stop();
    await this.idEmulator?.close();
    await this.idPair?.close();
    await this.scanEmulator?.close();
    await this.scanPair?.close();
    await this.panel?.close();
    this.lp0?.close();
    await this.pcscd.close();
    for (const undo of this.closers.splice(0)) await undo();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
