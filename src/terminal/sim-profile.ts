/**
 * The simulated device profile: every port backed by its simulated twin and the simulated SI
 * service. Used by `lifecheck run` on the sim profile, the demo, trace replay and tests — always
 * through the same Terminal composition as the hardware profile.
 */
import type { InspectionEvent } from 'xstate';
import type { Clock } from '../clock/clock.js';
import type { LifecheckConfig } from '../config/config.js';
import { DEFAULT_PORTRAIT, delaysOf, settingsOf } from '../config/config.js';
import type { BarcodeTwin } from '../drivers/barcode/twin.js';
import { SimCamera } from '../drivers/camera/sim.js';
import { SimDisplay } from '../drivers/display/sim.js';
import type { IdReaderTwin } from '../drivers/id-reader/twin.js';
import { createIdentityTwins } from '../drivers/identity-devices.js';
import { SimPrinter } from '../drivers/printer/sim.js';
import { SimSpeaker } from '../drivers/speaker/sim.js';
import type { SscReaderTwin } from '../drivers/ssc-reader/twin.js';
import { SimTouch } from '../drivers/touch/sim.js';
import type { Logger } from '../log/logger.js';
import type { DelayName } from '../machine/delays.js';
import type { ScreenView } from '../screens/view.js';
import { createHttpsSi, createOutbox } from '../si-client/from-config.js';
import type { Outbox } from '../si-client/outbox.js';
import { SimSi } from '../si-client/sim.js';
import { CooperativeVision } from '../vision/cooperative.js';
import { ScriptedVision } from '../vision/scripted.js';
import { engineOptions, VisionEngine } from '../vision/engine.js';
import { OpenCvVision } from '../vision/opencv-vision.js';
import { OpenCvCamera, type CameraSource } from '../drivers/camera/opencv.js';
import type { CameraPort } from '../drivers/camera/port.js';
import { clipKind } from '../vision/clip.js';
import { Performer } from '../vision/synth/performer.js';
import { pipelineDetector, prepareSource, type SynthSource } from '../vision/synth/source.js';
import type { VisionPort } from '../vision/port.js';
import type { Output } from './outputs.js';
import { PhotoStore } from './photo-store.js';
import { Terminal, type TerminalPorts } from './terminal.js';

export interface SimDevices {
  /** Simulated twins, or real drivers behind our emulators (config devices.<name>.kind). */
  idReader: IdReaderTwin;
  sscReader: SscReaderTwin;
  barcode: BarcodeTwin;
  touch: SimTouch;
  display: SimDisplay;
  speaker: SimSpeaker;
  printer: SimPrinter;
  camera: SimCamera;
  si: SimSi;
  /** Present when vision is 'scripted' (traces, REPL); the cooperative person acts by itself. */
  vision: ScriptedVision | null;
}

export interface SimTerminalOptions {
  config: LifecheckConfig;
  clock: Clock;
  logger: Logger;
  seed: number;
  /**
   * 'scripted': vision results come from the trace; 'cooperative': a simulated person performs every
   * action; 'opencv': the face pipeline judges the camera's frames (pushed into the simulated camera).
   */
  vision: 'scripted' | 'cooperative' | 'opencv';
  /** The loaded vision engine for 'opencv' (loaded from config.vision when absent). */
  engine?: VisionEngine;
  delays?: Partial<Record<DelayName, number>>;
  onOutput?: (output: Output) => void;
  onView?: (view: ScreenView) => void;
  inspect?: (event: InspectionEvent) => void;
  /** Jitter source of the outbox retries; replay passes a seeded one. */
  random?: () => number;
  /** Keep the last N transitions for the debug REPL. */
  history?: number;
  /** Real drivers to use instead of their simulated twins (e.g. the ALSA speaker in a test). */
  ports?: Partial<Pick<TerminalPorts, 'speaker' | 'printer' | 'display'>>;
}

export function createSimTerminal(options: SimTerminalOptions): { terminal: Terminal; devices: SimDevices; outbox: Outbox; photos: PhotoStore } {
  const { config, clock } = options;
  const photos = new PhotoStore();
  const camera = new SimCamera();
  const si = new SimSi(clock);
  const scripted = options.vision === 'scripted' ? new ScriptedVision(camera, photos) : null;
  const identity = createIdentityTwins(config.devices, clock, options.logger);
  const devices: SimDevices = {
    idReader: identity.idReader,
    sscReader: identity.sscReader,
    barcode: identity.barcode,
    touch: new SimTouch(),
    display: new SimDisplay({ width: config.devices.display.width, height: config.devices.display.height }, options.onView),
    speaker: new SimSpeaker(),
    printer: new SimPrinter(clock),
    camera,
    si,
    vision: scripted,
  };
  const settings = settingsOf(config);
  // si.kind 'https': the SI service over HTTPS (si-dev in the demo); devices.si then goes unused.
  const random = options.random ?? Math.random;
  const siPort = config.si.kind === 'https' ? createHttpsSi(config, clock, options.logger, random) : si;
  const outbox = createOutbox(config, siPort, clock, options.logger, random);
  // One engine for the pipeline and the synthesised person's face, loaded when first needed.
  let engine = options.engine ?? null;
  const engineNow = (): VisionEngine => {
    if (engine) return engine;
    engine = VisionEngine.create(engineOptions(config.vision));
    options.logger.info({ from: engine.load.from, ms: Math.round(engine.load.ms) }, 'vision: landmark model loaded');
    const problem = engine.cacheProblem(config.vision.modelCache);
    if (problem) options.logger.warn({ cache: config.vision.modelCache }, `vision: ${problem}`);
    return engine;
  };
  const terminalCamera = cameraOf(options, camera, engineNow);
  const vision = scripted ?? visionOf(options, terminalCamera, photos, engineNow);
  const terminal = new Terminal({
    ports: {
      idReader: devices.idReader,
      camera: terminalCamera,
      sscReader: devices.sscReader,
      barcode: devices.barcode,
      touch: devices.touch,
      display: options.ports?.display ?? devices.display,
      speaker: options.ports?.speaker ?? devices.speaker,
      printer: options.ports?.printer ?? devices.printer,
      // The synthesised person hears what the terminal asks, as a person in front of it would.
      vision: terminalCamera instanceof Performer ? terminalCamera.listen(vision) : vision,
      si: siPort,
    },
    clock,
    settings,
    delays: { ...delaysOf(config), ...options.delays },
    receipt: { terminalNumber: settings.terminalNumber, utcOffsetMinutes: settings.utcOffsetMinutes, lookupUrl: config.terminal.receiptLookupUrl },
    outbox,
    photos,
    logger: options.logger,
    seed: options.seed,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
    ...(options.inspect ? { inspect: options.inspect } : {}),
    ...(options.history ? { history: options.history } : {}),
  });
  return { terminal, devices, outbox, photos };
}

/**
 * The terminal's camera: the simulated one (frames pushed in), or the OpenCV driver on a clip or a
 * V4L2 device. With a real camera the simulated twin stays in `devices` but is never opened, so
 * frames injected from the REPL are reported as dropped.
 */
function cameraOf(options: SimTerminalOptions, sim: SimCamera, engine: () => VisionEngine): CameraPort {
  const c = options.config.devices.camera;
  if (c.kind === 'sim') return sim;
  if (c.kind === 'synth') {
    const portrait = c.portrait || DEFAULT_PORTRAIT;
    return new Performer({ clock: options.clock, seed: options.seed, timing: { fps: c.fps }, source: () => portraitSource(engine(), portrait) });
  }
  const source: CameraSource =
    c.kind === 'device'
      ? { kind: 'device', device: c.device, width: c.width, height: c.height, fps: c.fps, fourcc: c.fourcc }
      : clipKind(c.clip) === 'folder'
        ? { kind: 'folder', path: c.clip, fps: c.fps, loop: true }
        : { kind: 'file', path: c.clip, loop: true };
  return new OpenCvCamera({ source, clock: options.clock, logger: options.logger });
}

function visionOf(options: SimTerminalOptions, camera: CameraPort, photos: PhotoStore, engine: () => VisionEngine): VisionPort {
  if (options.vision !== 'opencv') return new CooperativeVision(options.clock, camera, photos);
  // The same port the terminal reads (a clip, synth or device camera when configured).
  return new OpenCvVision(engine(), camera, photos, options.logger);
}

/** The synthesised person's face: the portrait with its landmarks, ready to turn in 3D. */
function portraitSource(engine: VisionEngine, path: string): SynthSource {
  let photo;
  try {
    photo = engine.cv.imread(path);
  } catch {
    photo = null;
  }
  if (!photo || photo.empty) throw new Error(`portrait ${path} cannot be read as an image`);
  try {
    return prepareSource(engine.cv, photo, pipelineDetector(engine.pipeline()), engine.predictor.model.initialShape);
  } finally {
    photo.release();
  }
}
