/**
 * The simulated device profile: every port backed by its simulated twin and the simulated SI
 * service. Used by `lifecheck run` on the sim profile, the demo, trace replay and tests — always
 * through the same Terminal composition as the hardware profile.
 */
import type { InspectionEvent } from 'xstate';
import type { Clock } from '../clock/clock.js';
import type { LifecheckConfig } from '../config/config.js';
import type { BarcodeTwin } from '../drivers/barcode/twin.js';
import { SimCamera } from '../drivers/camera/sim.js';
import type { CameraPort } from '../drivers/camera/port.js';
import type { DisplayPort } from '../drivers/display/port.js';
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
import { ScriptedVision } from '../vision/scripted.js';
import type { Output } from './outputs.js';
import { PhotoStore } from './photo-store.js';
import type { Terminal, TerminalPorts } from './terminal.js';
import { configuredTerminal } from './configured.js';
import { cameraOf, lazyEngine, visionOf } from './camera-vision.js';
import { SimTimeSync } from '../drivers/time-sync/sim.js';
import { timedatectlSync } from '../drivers/time-sync/timedatectl.js';
import type { VisionEngine } from '../vision/engine.js';
import type { TerminalHooks } from './hooks.js';

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
  /** The clock check's twin (devices.clock.kind sim): set() makes the clock untrusted. */
  clock: SimTimeSync;
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
  /** The fleet metrics' hooks (src/terminal/hooks.ts). */
  hooks?: TerminalHooks;
  /**
   * The screen as a profile extra shows it (the browser panel, src/panel): given the simulated
   * display, the photo store and the terminal's camera, returns the display the terminal draws on.
   */
  screen?: (parts: { main: DisplayPort; photos: PhotoStore; camera: CameraPort }) => DisplayPort;
}

export function createSimTerminal(options: SimTerminalOptions): { terminal: Terminal; devices: SimDevices; outbox: Outbox; photos: PhotoStore; camera: CameraPort } {
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
    clock: new SimTimeSync(),
    vision: scripted,
  };
  // si.kind 'https': the SI service over HTTPS (si-dev in the demo); devices.si then goes unused.
  const random = options.random ?? Math.random;
  const siLink = config.si.kind === 'https' ? createHttpsSi(config, clock, options.logger, random) : si;
  const siPort = options.hooks?.si?.(siLink) ?? siLink;
  const outbox = createOutbox(config, siPort, clock, options.logger, random);
  const engineNow = lazyEngine(config, options.logger, options.engine);
  const terminalCamera = cameraOf({ ...options, sim: camera, engine: engineNow });
  const vision = scripted ?? visionOf({ ...options, vision: options.vision === 'opencv' ? 'opencv' : 'cooperative', camera: terminalCamera, photos, engine: engineNow, onFrame: options.hooks?.visionFrame });
  const terminal = configuredTerminal({
    ...options,
    ports: {
      idReader: devices.idReader,
      camera: terminalCamera,
      sscReader: devices.sscReader,
      barcode: devices.barcode,
      touch: devices.touch,
      display: options.ports?.display ?? options.screen?.({ main: devices.display, photos, camera: terminalCamera }) ?? devices.display,
      speaker: options.ports?.speaker ?? devices.speaker,
      printer: options.ports?.printer ?? devices.printer,
      timeSync: config.devices.clock.kind === 'sim' ? devices.clock : timedatectlSync(config.devices.clock, clock, options.logger),
      vision,
      si: siPort,
    },
    outbox,
    photos,
  });
  return { terminal, devices, outbox, photos, camera: terminalCamera };
}

