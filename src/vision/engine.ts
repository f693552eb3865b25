/**
 * The vision engine: OpenCV, the landmark model and the face pipeline, loaded once when the
 * terminal starts (so the first person does not wait for the model) and shared by every session,
 * the `lifecheck vision` commands and bench/vision.
 */
import { frameMat, jpegOf, opencv, type CV, type Mat } from './cv.js';
import { loadShapeModel, type LoadedModel } from './landmarks/dlib-model.js';
import { ShapePredictor } from './landmarks/predictor.js';
import type { QualityThresholds } from './capture.js';
import { DEFAULT_CASCADE, DEFAULT_PIPELINE, FacePipeline, type PipelineOptions } from './face-pipeline.js';
import type { Frame } from '../drivers/camera/port.js';

export interface EngineOptions {
  /** dlib-format 68-point shape predictor (Debian libdlib-data, or the deployment's own). */
  modelPath: string;
  /** Converted copy of the model, made on first load; empty: none (every start parses ~100 MB). */
  modelCache: string;
  /** Principal directions kept per cascade level of the model's leaves (0: exact, slower). */
  components?: number;
  pipeline?: Partial<PipelineOptions>;
}

export const DEFAULT_MODEL = '/usr/share/dlib/shape_predictor_68_face_landmarks.dat';

/** Engine options from the `vision` section of the configuration. */
export function engineOptions(vision: { modelPath: string; modelCache: string; cascadePath: string; focalFactor: number; detectWidth: number }): EngineOptions {
  return {
    modelPath: vision.modelPath,
    modelCache: vision.modelCache,
    pipeline: { cascadePath: vision.cascadePath, focalFactor: vision.focalFactor, detectWidth: vision.detectWidth },
  };
}

export class VisionEngine {
  private constructor(
    readonly cv: CV,
    readonly predictor: ShapePredictor,
    readonly load: Omit<LoadedModel, 'model'>,
    private readonly pipelineOptions: PipelineOptions,
  ) {}

  /** Loads OpenCV and the model; throws with the path and the reason when either is unusable. */
  static create(options: EngineOptions): VisionEngine {
    const cv = opencv();
    const loaded = loadShapeModel(options.modelPath, options.modelCache, options.components === undefined ? {} : { components: options.components });
    const { model, ...load } = loaded;
    const pipelineOptions = { ...DEFAULT_PIPELINE, cascadePath: DEFAULT_CASCADE, ...options.pipeline };
    try {
      // Fails here, at start, with the path, instead of on the first person.
      new cv.CascadeClassifier(pipelineOptions.cascadePath);
    } catch (e) {
      throw new Error(`face detector ${pipelineOptions.cascadePath} cannot be loaded: ${(e as Error).message}`);
    }
    return new VisionEngine(cv, new ShapePredictor(model, model.compressed ?? null), load, pipelineOptions);
  }

  /**
   * What a maintainer should hear about the model load: null when the converted copy served or was
   * written; else why every start will parse the whole model again (~15 s on 2 cores).
   */
  cacheProblem(cachePath: string): string | null {
    if (!this.load.cacheError) return null;
    return `the landmark model's converted copy ${cachePath} cannot be written (${this.load.cacheError}): every start parses the model again (${(this.load.ms / 1000).toFixed(0)} s)`;
  }

  /** The photo gate's thresholds in force (hints are told against the same limits). */
  get quality(): QualityThresholds {
    return this.pipelineOptions.quality;
  }

  /** A pipeline of its own (it holds the faces it follows): one per session or clip. */
  pipeline(): FacePipeline {
    return new FacePipeline(this.cv, this.predictor, this.pipelineOptions);
  }

  /** A camera frame as an OpenCV image (BGR). */
  matOf(frame: Frame): Mat {
    return frameMat(frame, this.cv);
  }

  /** The photo as JPEG (what the outbox stores and the captured screen shows). */
  jpeg(mat: Mat, quality = 90): Buffer {
    return jpegOf(mat, quality, this.cv);
  }
}
