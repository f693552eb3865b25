/**
 * The real vision port: camera frames through the face pipeline, the action judge and auto-capture,
 * answered to the machine as vision.* events. Time comes only from the frames' capture times, so a
 * clip on a simulated clock replays exactly.
 *
 * Frames are analysed as they arrive, synchronously: the camera driver reads the next frame only
 * after this one was judged, and it keeps only the newest, so a slow frame drops frames instead of
 * queueing them (a queue would judge the past).
 */
import type { CameraPort, Frame } from '../drivers/camera/port.js';
import type { PhotoStore } from '../terminal/photo-store.js';
import type { Logger } from '../log/logger.js';
import { ActionJudge, type JudgeEvent, type ThresholdOverrides } from './actions.js';
import { AutoCapture, type CaptureOptions } from './capture.js';
import type { VisionEngine } from './engine.js';
import type { Mat } from './cv.js';
import { DEFAULT_HINT_THRESHOLDS, frameHint, HintDebounce, type Hint, type HintTiming } from './hints.js';
import { Delays } from '../machine/delays.js';
import type { FrameObservation } from './observation.js';
import type { VisionCommand, VisionEvent, VisionPort, VisionSession } from './port.js';

export interface OpenCvVisionOptions {
  thresholds?: ThresholdOverrides;
  capture?: CaptureOptions;
  /** Hint debouncing (defaults: Delays.HINT_SETTLE, HINT_CLEAR, PROMPT_REPEAT). */
  hints?: Partial<HintTiming>;
  /** Called with every analysed frame (the REPL's `vision` view, tests, bench). */
  onObservation?: (observation: FrameObservation) => void;
  /** Seconds each offered frame took to judge (fleet metrics). */
  onFrameSeconds?: (seconds: number) => void;
}

export class OpenCvVision implements VisionPort {
  constructor(
    private readonly engine: VisionEngine,
    private readonly camera: CameraPort,
    private readonly photos: PhotoStore,
    private readonly log: Logger,
    private readonly options: OpenCvVisionOptions = {},
  ) {}

  open(emit: (event: VisionEvent) => void): VisionSession {
    const session = new Session(this.engine, this.photos, this.log, this.options, emit);
    const offFrame = this.camera.onFrame((frame) => session.offer(frame));
    const offError = this.camera.onError((reason) => emit({ type: 'vision.cameraError', reason }));
    this.camera.start().catch((e: Error) => emit({ type: 'vision.cameraError', reason: e.message }));
    return {
      command: (command) => session.command(command),
      stop: () => {
        offFrame();
        offError();
        session.close();
        void this.camera.stop();
      },
    };
  }
}

type Phase = 'idle' | 'baseline' | 'acting' | 'capturing' | 'done';

class Session {
  private readonly pipeline;
  private readonly judge: ActionJudge;
  /** Candidates are kept as JPEG: encoded only when a frame becomes the best so far. */
  private readonly capture: AutoCapture<Buffer>;
  private phase: Phase = 'idle';
  private closed = false;
  private index = 0;
  private readonly hints: HintDebounce;
  /** The face is placed well enough to start the challenge (not too far, one face). */
  private placed = false;

  constructor(
    private readonly engine: VisionEngine,
    private readonly photos: PhotoStore,
    private readonly log: Logger,
    private readonly options: OpenCvVisionOptions,
    private readonly emit: (event: VisionEvent) => void,
  ) {
    this.pipeline = engine.pipeline();
    this.judge = new ActionJudge(options.thresholds);
    // Candidates that lose to a better frame, or a session that ends before the photo, leave no
    // face bytes behind in memory.
    this.capture = new AutoCapture<Buffer>(options.capture, (jpeg) => jpeg.fill(0));
    this.hints = new HintDebounce({ settleMs: Delays.HINT_SETTLE, clearMs: Delays.HINT_CLEAR, repeatMs: Delays.PROMPT_REPEAT, ...options.hints });
  }

  command(command: VisionCommand): void {
    if (command.type === 'baseline') {
      this.judge.clear();
      this.phase = 'baseline';
      // Already holding a neutral (e.g. the machine restarted the challenge after a lost face
      // that came back): the person need not hold still again.
      if (this.judge.state.phase === 'ready' && this.placed) queueMicrotask(() => this.ready());
    } else if (command.type === 'expect') {
      this.judge.expect(command.action);
      this.phase = 'acting';
    } else {
      this.judge.clear();
      this.capture.reset();
      this.phase = 'capturing';
    }
  }

  offer(frame: Frame): void {
    if (this.closed) return;
    const started = performance.now();
    this.analyse(frame);
    this.options.onFrameSeconds?.((performance.now() - started) / 1000);
  }

  close(): void {
    this.closed = true;
    this.capture.reset();
  }

  private analyse(frame: Frame): void {
    let mat: Mat;
    try {
      mat = this.engine.matOf(frame);
    } catch (e) {
      // One bad frame (a torn MJPEG frame after a USB hiccup) is skipped, not fatal.
      this.log.warn({ reason: (e as Error).message }, 'vision: frame skipped');
      return;
    }
    try {
      const observation = this.pipeline.analyze(mat, frame.at, this.index++);
      this.options.onObservation?.(observation);
      this.hint(observation);
      for (const event of this.judge.observe(observation)) this.onJudge(event);
      // A neutral pose held too far back is not ready yet: the challenge starts once the person
      // came close enough (they heard 「请靠近一点」 meanwhile).
      if (this.phase === 'baseline' && this.placed && this.judge.state.phase === 'ready') this.ready();
      if (this.phase === 'capturing') {
        const chosen = this.capture.observe(observation, () => this.engine.jpeg(mat));
        if (chosen) {
          this.phase = 'done';
          this.answer({ type: 'vision.photo', photoRef: this.photos.put(chosen.frame), quality: chosen.score });
        }
      }
    } finally {
      mat.release();
    }
  }

  /** Tells the machine what to fix, debounced; once the photo is taken there is nothing to fix. */
  private hint(observation: FrameObservation): void {
    const raw: Hint | null = this.phase === 'done' ? null : frameHint(observation, this.phase === 'acting' ? 'acting' : 'placing', { ...DEFAULT_HINT_THRESHOLDS, gate: this.engine.quality });
    this.placed = observation.faces.length === 1 && raw !== 'too-far';
    const changed = this.hints.observe(raw, observation.at);
    if (changed !== undefined) this.answer({ type: 'vision.hint', hint: changed });
  }

  private ready(): void {
    this.phase = 'idle';
    this.answer({ type: 'vision.faceReady' });
  }

  private onJudge(event: JudgeEvent): void {
    if (event.type === 'baseline') {
      // Answered after the frame, once placement is known (analyse).
    } else if (event.type === 'passed') {
      if (this.phase === 'acting') this.answer({ type: 'vision.actionPassed', action: event.action });
    } else if (event.type === 'restart') {
      // Only once the person is being judged: while positioning, the machine just keeps waiting.
      if (this.phase === 'acting' || this.phase === 'capturing') {
        this.phase = 'idle';
        this.answer(event.reason === 'multiple-faces' ? { type: 'vision.multipleFaces' } : { type: 'vision.faceLost' });
      }
    }
  }

  private answer(event: VisionEvent): void {
    if (!this.closed) this.emit(event);
  }
}
