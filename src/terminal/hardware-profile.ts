/**
 * The hardware profile: every port backed by its real driver — the framebuffer and the evdev
 * touchscreen, the ALSA speaker with the prerendered voice, the usblp receipt printer, the V4L2
 * camera judged by the face pipeline, the identity devices, and the SI service over HTTPS behind
 * the durable outbox. The same Terminal composition as the sim profile (src/terminal/configured.ts).
 */
import type { InspectionEvent } from 'xstate';
import { PromptSounds } from '../audio/prompt-sounds.js';
import { EspeakTts } from '../audio/tts.js';
import type { Clock } from '../clock/clock.js';
import type { LifecheckConfig } from '../config/config.js';
import type { CameraPort, Frame } from '../drivers/camera/port.js';
import type { DisplayPort } from '../drivers/display/port.js';
import { FramebufferDisplay, geometrySource } from '../drivers/display/framebuffer.js';
import { createIdentityTwins } from '../drivers/identity-devices.js';
import { UsblpPrinter } from '../drivers/printer/usblp.js';
import { AlsaSpeaker } from '../drivers/speaker/alsa.js';
import { defaultRecordSize, EvdevTouch } from '../drivers/touch/evdev.js';
import type { Logger } from '../log/logger.js';
import type { DelayName } from '../machine/delays.js';
import { qrSvg } from '../screens/qr.js';
import { createHttpsSi, createOutbox } from '../si-client/from-config.js';
import type { Outbox } from '../si-client/outbox.js';
import type { VisionEngine } from '../vision/engine.js';
import { cameraOf, lazyEngine, visionOf } from './camera-vision.js';
import { configuredTerminal } from './configured.js';
import { timedatectlSync } from '../drivers/time-sync/timedatectl.js';
import type { Output } from './outputs.js';
import { PhotoStore } from './photo-store.js';
import type { Terminal } from './terminal.js';
import type { TerminalHooks } from './hooks.js';

export interface HardwareTerminalOptions {
  config: LifecheckConfig;
  clock: Clock;
  logger: Logger;
  /** Seed of the challenge order; production passes a random one. */
  seed: number;
  /** The loaded vision engine (loaded from config.vision when absent). */
  engine?: VisionEngine;
  /** Environment of aplay; HOME decides which ALSA configuration it reads (tests: a file PCM). */
  env?: NodeJS.ProcessEnv;
  /** Size of one evdev record: this machine's kernel's unless given (24 on 64-bit, 16 on 32-bit ARM). */
  recordSize?: 16 | 24;
  /** Jitter source of the SI and outbox retries. */
  random?: () => number;
  delays?: Partial<Record<DelayName, number>>;
  onOutput?: (output: Output) => void;
  inspect?: (event: InspectionEvent) => void;
  history?: number;
  /** The fleet metrics' hooks (src/terminal/hooks.ts). */
  hooks?: TerminalHooks;
  /** The screen shown elsewhere too (the browser panel, src/panel): returns the display the terminal draws on. */
  screen?: (parts: { main: DisplayPort; photos: PhotoStore; camera: CameraPort }) => DisplayPort;
}

export interface HardwareTerminal {
  terminal: Terminal;
  outbox: Outbox;
  photos: PhotoStore;
  display: FramebufferDisplay;
  camera: CameraPort;
  sounds: PromptSounds;
}

export async function createHardwareTerminal(options: HardwareTerminalOptions): Promise<HardwareTerminal> {
  const { config, clock, logger } = options;
  const d = config.devices;
  const random = options.random ?? Math.random;
  // First what only the configuration can fix (certificates, outbox key): EX_CONFIG, not a restart loop.
  const si = createHttpsSi(config, clock, logger, random);
  const siPort = options.hooks?.si?.(si) ?? si;
  const outbox = createOutbox(config, siPort, clock, logger, random);
  try {
    const photos = new PhotoStore();
    const display = new FramebufferDisplay({
      device: d.display.framebuffer,
      ...geometrySource(d.display),
      ...(d.display.cursorBlink ? { cursorBlinkPath: d.display.cursorBlink } : {}),
      fonts: d.display.fonts,
      logger,
      photo: (ref) => photos.get(ref),
      qrSvg: await qrSvg(config.terminal.qrUrl),
    });
    // Touches land in the framebuffer's own pixels, whatever size sysfs reports.
    const size = display.size;
    const touch = new EvdevTouch({ device: d.touch.device, recordSize: options.recordSize ?? defaultRecordSize(), calibration: d.touch.calibration, size, clock, logger });
    const sounds = new PromptSounds({ language: config.voice.language, rate: config.voice.rate, cacheDir: config.voice.cacheDir, recordingsDir: config.voice.recordingsDir, tts: new EspeakTts(), logger });
    const speaker = new AlsaSpeaker({ device: d.speaker.alsaDevice, volume: d.speaker.volume, sounds, logger, ...(options.env ? { env: options.env } : {}) });
    const promptError = options.hooks?.promptError;
    if (promptError) speaker.onEvent((e) => e.type === 'failed' && promptError());
    const printer = new UsblpPrinter({
      device: d.printer.device,
      paper: d.printer.paperWidth,
      qr: d.printer.qr,
      statusQuery: d.printer.statusQuery,
      statusTimeoutMs: d.printer.statusTimeoutMs,
      timeoutMs: d.printer.timeoutMs,
      pollMs: d.printer.pollMs,
      clock,
      logger,
    });
    // kind device: the real driver on the device; emulator: the real driver on our emulator (a bench).
    const identity = createIdentityTwins(d, clock, logger);
    const engine = lazyEngine(config, logger, options.engine);
    const camera = cameraOf({ config, clock, logger, seed: options.seed, engine });
    const vision = visionOf({ config, clock, logger, vision: 'opencv', camera, photos, engine, onFrame: options.hooks?.visionFrame });
    showPreview(camera, display, d.display.mirrorPreview, logger);
    const terminal = configuredTerminal({
      ...options,
      ports: {
        idReader: identity.idReader,
        sscReader: identity.sscReader,
        barcode: identity.barcode,
        camera,
        touch,
        display: options.screen?.({ main: display, photos, camera }) ?? display,
        speaker,
        printer,
        timeSync: timedatectlSync(d.clock, clock, logger),
        vision,
        si,
      },
      outbox,
      photos,
    });
    return { terminal, outbox, photos, display, camera, sounds };
  } catch (e) {
    // A device it cannot be built without: nothing may keep the process alive for systemd's retry.
    outbox.stop();
    si.close();
    throw e;
  }
}

/**
 * The live camera picture on the capture screen, mirrored like a looking glass when configured.
 * The picture is a courtesy: if drawing it fails, it is given up (said once) and the frames still
 * reach the face pipeline, which listens on the same camera.
 */
export function showPreview(camera: CameraPort, display: FramebufferDisplay, mirror: boolean, logger: Logger): void {
  const off = camera.onFrame((frame: Frame) => {
    // Encoded frames are decoded by the vision pipeline; the preview shows decoded ones only.
    if (frame.format !== 'bgr') return;
    try {
      display.blitCamera(frame, mirror);
    } catch (e) {
      off();
      logger.error({ err: (e as Error).message }, 'camera preview failed; the capture screen goes on without the live picture');
    }
  });
}
