/**
 * The camera and the vision port as the configuration asks for them; shared by the sim and the
 * hardware profile, so a clip, the synthesised person or a V4L2 camera is judged by the same
 * pipeline whichever profile runs it.
 */
import type { Clock } from '../clock/clock.js';
import { DEFAULT_PORTRAIT, type LifecheckConfig } from '../config/config.js';
import { OpenCvCamera, type CameraSource } from '../drivers/camera/opencv.js';
import type { CameraPort } from '../drivers/camera/port.js';
import type { SimCamera } from '../drivers/camera/sim.js';
import type { Logger } from '../log/logger.js';
import { clipKind } from '../vision/clip.js';
import { CooperativeVision } from '../vision/cooperative.js';
import { engineOptions, VisionEngine } from '../vision/engine.js';
import { OpenCvVision } from '../vision/opencv-vision.js';
import type { VisionPort } from '../vision/port.js';
import { Performer } from '../vision/synth/performer.js';
import { pipelineDetector, prepareSource, type SynthSource } from '../vision/synth/source.js';
import type { PhotoStore } from './photo-store.js';

/** One engine for the pipeline and the synthesised person's face, loaded when first needed. */
export function lazyEngine(config: LifecheckConfig, logger: Logger, given?: VisionEngine): () => VisionEngine {
  let engine = given ?? null;
  return () => {
    if (engine) return engine;
    engine = VisionEngine.create(engineOptions(config.vision));
    logger.info({ from: engine.load.from, ms: Math.round(engine.load.ms) }, 'vision: landmark model loaded');
    const problem = engine.cacheProblem(config.vision.modelCache);
    if (problem) logger.warn({ cache: config.vision.modelCache }, `vision: ${problem}`);
    return engine;
  };
}

export interface CameraChoice {
  config: LifecheckConfig;
  clock: Clock;
  logger: Logger;
  seed: number;
  /** The simulated camera, for kind sim (the sim profile only). */
  sim?: SimCamera;
  engine: () => VisionEngine;
}

/**
 * The terminal's camera: the simulated one (frames pushed in), the synthesised person, or the
 * OpenCV driver on a clip or a V4L2 device. In the sim profile a real camera leaves the simulated
 * twin in `devices` unopened, so frames injected from the REPL are reported as dropped.
 */
export function cameraOf(choice: CameraChoice): CameraPort {
  const c = choice.config.devices.camera;
  if (c.kind === 'sim') {
    if (!choice.sim) throw new Error('devices.camera.kind sim: this profile has no simulated camera');
    return choice.sim;
  }
  if (c.kind === 'synth') {
    const portrait = c.portrait || DEFAULT_PORTRAIT;
    return new Performer({ clock: choice.clock, seed: choice.seed, timing: { fps: c.fps }, source: () => portraitSource(choice.engine(), portrait) });
  }
  const source: CameraSource =
    c.kind === 'device'
      ? { kind: 'device', device: c.device, width: c.width, height: c.height, fps: c.fps, fourcc: c.fourcc }
      : clipKind(c.clip) === 'folder'
        ? { kind: 'folder', path: c.clip, fps: c.fps, loop: true }
        : { kind: 'file', path: c.clip, loop: true };
  return new OpenCvCamera({ source, clock: choice.clock, logger: choice.logger });
}

export interface VisionChoice {
  config: LifecheckConfig;
  clock: Clock;
  logger: Logger;
  /** 'cooperative': a simulated person performs every action (sim demo); 'opencv': the face pipeline. */
  vision: 'cooperative' | 'opencv';
  camera: CameraPort;
  photos: PhotoStore;
  engine: () => VisionEngine;
  /** Seconds the face pipeline spent on each frame (fleet metrics). */
  onFrame?: ((seconds: number) => void) | undefined;
}

/** The vision port on the terminal's camera; the synthesised person hears what it asks. */
export function visionOf(choice: VisionChoice): VisionPort {
  const vision =
    choice.vision === 'opencv'
      ? new OpenCvVision(choice.engine(), choice.camera, choice.photos, choice.logger, choice.onFrame ? { onFrameSeconds: choice.onFrame } : {})
      : new CooperativeVision(choice.clock, choice.camera, choice.photos);
  // A person in front of the camera hears the prompts; the synthesised one hears the commands.
  return choice.camera instanceof Performer ? choice.camera.listen(vision) : vision;
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
