/**
 * The real camera through OpenCV (@u4/opencv4nodejs): a V4L2 device, a video file or a folder of
 * images, delivered as packed BGR frames stamped with the injected Clock.
 *
 * - One read at a time: the next frame is read (readAsync / imreadAsync, on libuv's pool, so the
 *   event loop never waits for a decode) only after the previous one was delivered, and listeners
 *   run synchronously: a slow consumer gets fewer frames, never a queue of old ones.
 * - Stale frames (device): the bindings expose read() only, not grab()/retrieve(), so frames cannot
 *   be skipped without decoding them. Instead: CAP_PROP_BUFFERSIZE = 1 (V4L2 honours it, through
 *   VIDIOC_REQBUFS; the kernel driver may grant more, the count is read back; other backends may
 *   ignore it), the driver reads continuously so the queue does not fill while it keeps up, and
 *   after a stall (a listener or the event loop held the loop for more than 1.5 frame intervals) a
 *   frame that waited in the queue is read and thrown away: its V4L2 timestamp (CAP_PROP_POS_MSEC,
 *   CLOCK_MONOTONIC) says it is more than two intervals old, or, without a usable timestamp, the read
 *   returned at once instead of waiting for the sensor. At most as many frames in a row as the queue
 *   holds are dropped; each one still takes a `seq`, so the gap shows downstream.
 * - Unplug: a device that cannot be opened, or a read that returns an empty frame, is reported once
 *   (onError 'camera disconnected' + device.fault 'unplugged'), released and reopened with backoff
 *   (500 ms doubling to 5 s, no jitter by default) until it answers again: then device.ok.
 * - Files and folders are paced to their frame rate on the Clock (fps 0: as fast as consumed). A
 *   clip that ends restarts when `loop`, else onError('end of clip') once and nothing more (no
 *   fault: a clip is not a device). Unreadable images in a folder are skipped and logged.
 * - stop() releases the capture and resolves at once, even while a native read is in flight; that
 *   read's frame is dropped. start() again first waits for that read to end (the device stays busy
 *   until then), then opens anew.
 * - Every Mat is released explicitly as soon as its bytes are copied. With the bindings' external
 *   memory tracking on (their default), a Mat left to the garbage collector is freed from a GC
 *   finalizer, whose Nan::AdjustExternalMemory call can abort the process (V8 "Check failed:
 *   marking_done_"; reproduced here reading an H.264 clip, then an MJPEG one).
 *   OPENCV4NODEJS_DISABLE_EXTERNAL_MEM_TRACKING=1, set before the bindings load, removes that path
 *   for every Mat.
 *
 * Opening is synchronous in the bindings (no openAsync): ~0.02 ms for a missing V4L2 node, a few ms
 * for a file, longer for a real camera's first negotiation. It happens at start and on replug only.
 */
import { existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../clock/clock.js';
import { silentLogger, type Logger } from '../../log/logger.js';
import { backoffDelay, type BackoffOptions } from '../../si-client/backoff.js';
import { opencv, type CV, type Mat } from '../../vision/cv.js';
import { sleep } from '../clock-sleep.js';
import { HealthReporter } from '../health.js';
import { CameraListeners } from './listeners.js';
import type { BgrFrame, CameraPort } from './port.js';

/** A V4L2 camera: `/dev/video0` (or a udev symlink) or its index. */
export interface DeviceSource {
  kind: 'device';
  device: string | number;
  width: number;
  height: number;
  fps: number;
  fourcc: 'MJPG' | 'YUYV';
  /**
   * 'v4l2' (default): only the V4L2 backend is asked. 'any': OpenCV picks a backend (FFmpeg,
   * GStreamer, V4L2...), e.g. for a network stream or a pipeline that can drop out like a device.
   */
  api?: 'v4l2' | 'any';
}

/** A video file through VideoCapture. */
export interface FileSource {
  kind: 'file';
  path: string;
  /** Default: the file's own rate (25 when it states none). 0: as fast as consumed (tests, analysis). */
  fps?: number;
  /** Start again from the first frame at the end (default false: 'end of clip'). */
  loop?: boolean;
}

/** A folder of .jpg/.jpeg/.png images, in file-name order. */
export interface FolderSource {
  kind: 'folder';
  path: string;
  /** 0: as fast as consumed. */
  fps: number;
  /** Start again from the first image at the end (default false: 'end of clip'). */
  loop?: boolean;
}

export type CameraSource = DeviceSource | FileSource | FolderSource;

export interface OpenCvCameraOptions {
  source: CameraSource;
  clock: Clock;
  /** Opens, faults, skipped images (default: silent). */
  logger?: Logger;
  /** Waits between attempts to reopen a lost device (default 500 ms doubling up to 5 s). */
  retry?: BackoffOptions;
  /** Jitter for those waits, 0..1 as in backoffDelay (default () => 1: none, a local device has no fleet to spread). */
  random?: () => number;
  /** Drop device frames that waited in the queue after a stall (default true). */
  dropStale?: boolean;
  /** While watched and not streaming, a device's node is looked for this often (default 0.5 s; 0: never). */
  presencePollMs?: number;
}

export const OPENCV_CAMERA_DEFAULTS = {
  retry: { baseMs: 500, maxMs: 5_000 },
  /** Frame rate of a video file that states none. */
  fileFps: 25,
  dropStale: true,
  // A stat of the node: cheap enough to look twice a second, so a replugged camera is back well
  // within the 2 s a replug is allowed (docs/hardware.md).
  presencePollMs: 500,
} as const;

/** What an image folder (a camera replay, a `lifecheck vision` clip) may hold: what OpenCV reads. */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp']);

type VideoCapture = InstanceType<CV['VideoCapture']>;

/** The integer OpenCV's CAP_PROP_FOURCC takes: the four characters, little-endian. */
export function fourccCode(code: string): number {
  if (code.length !== 4) throw new Error(`a FOURCC has four characters, not "${code}"`);
  return (code.charCodeAt(0) | (code.charCodeAt(1) << 8) | (code.charCodeAt(2) << 16) | (code.charCodeAt(3) << 24)) >>> 0;
}

export function fourccText(code: number): string {
  return String.fromCharCode(code & 0xff, (code >>> 8) & 0xff, (code >>> 16) & 0xff, (code >>> 24) & 0xff);
}

/** What the driver knows about one device read, to tell whether the frame waited in the queue. */
export interface ReadTiming {
  /** Age of the frame from its device timestamp, when the backend gives a usable one; else null. */
  ageMs: number | null;
  /** How long the read took. */
  readMs: number;
  /** How long the loop did not read before it (listeners, a busy event loop). */
  idleMs: number;
  /** The device's frame interval. */
  intervalMs: number;
}

/** Whether a device frame is stale: it waited in the driver's queue while the loop was not reading. */
export function isStale({ ageMs, readMs, idleMs, intervalMs }: ReadTiming): boolean {
  // A fresh frame is up to about an interval old when it is dequeued (exposure and USB transfer).
  if (ageMs !== null) return ageMs > 2 * intervalMs;
  // No timestamp: after a stall, a read that did not wait for the sensor took a queued frame.
  return idleMs > 1.5 * intervalMs && readMs < intervalMs / 4;
}

/**
 * Age of a frame from V4L2's buffer timestamp (CAP_PROP_POS_MSEC: ms on CLOCK_MONOTONIC, the clock
 * process.hrtime reads). Null when the value cannot be such a timestamp (0 before the first frame,
 * a driver stamping wall-clock time, another backend's meaning of the property).
 */
export function frameAge(posMsec: number, monotonicMs: number): number | null {
  if (!Number.isFinite(posMsec) || posMsec <= 0) return null;
  const age = monotonicMs - posMsec;
  return age >= -50 && age <= 10_000 ? Math.max(0, age) : null;
}

function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The images of a folder, by name; throws with the path when there is none to play. */
export function folderImages(path: string, what = 'camera folder'): string[] {
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (e) {
    throw new Error(`${what} ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const images = names.filter((n) => IMAGE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (images.length === 0) throw new Error(`${what} ${path} holds no ${[...IMAGE_EXTENSIONS].join('/')} images`);
  return images;
}

/** One start()..stop(). */
interface Run {
  readonly abort: AbortController;
  /** Resolves when the loop has ended, with no read in flight. */
  done: Promise<void>;
  capture: VideoCapture | null;
  /** Pacing: slot n is due at epoch + round(n * interval). */
  epoch: number;
  slot: number;
  lastAt: number;
  /** 'camera disconnected' was said for the current outage. */
  saidDisconnected: boolean;
}

/** Errors thrown by the native bindings are often plain strings. */
function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class OpenCvCamera extends CameraListeners implements CameraPort {
  private readonly health: HealthReporter;
  private readonly logger: Logger;
  private current: Run | null = null;
  /** The last run's loop: a new run starts once it is over. */
  private previous: Promise<void> = Promise.resolve();
  private nextSeq = 0;
  private inFlight = 0;
  private presenceTimer: unknown = null;

  constructor(private readonly options: OpenCvCameraOptions) {
    super();
    this.logger = options.logger ?? silentLogger();
    this.health = new HealthReporter('camera', (e) => this.safely('status', () => this.status.emit(e)), this.logger);
  }

  /** Listeners' bugs must not stop the camera: what they throw is logged. */
  private safely(what: string, emit: () => void): void {
    try {
      emit();
    } catch (e) {
      this.logger.error({ reason: reasonOf(e) }, `camera: ${what} listener threw`);
    }
  }

  private say(reason: string): void {
    this.safely('error', () => this.errors.emit(reason));
  }

  /** A native read (frame or image) is in flight: diagnostics and tests. */
  get reading(): boolean {
    return this.inFlight > 0;
  }

  /** Between start() and stop(). */
  get running(): boolean {
    return this.current !== null;
  }

  /**
   * Opens the source and starts delivering frames. Rejects when OpenCV is missing or a file or
   * folder cannot be played (configuration); a device that is not there is reported through
   * onError/onStatus and retried in the background instead.
   */
  async start(): Promise<void> {
    if (this.current) return;
    const run: Run = {
      abort: new AbortController(),
      done: Promise.resolve(),
      capture: null,
      epoch: 0,
      slot: 0,
      lastAt: -Infinity,
      saidDisconnected: false,
    };
    this.current = run;
    // The previous run's last read may still hold the device.
    await this.previous;
    if (run.abort.signal.aborted) return;
    let loop: () => Promise<void>;
    try {
      loop = this.prepare(run, opencv());
    } catch (e) {
      if (this.current === run) this.current = null;
      throw e;
    }
    run.epoch = this.options.clock.now();
    run.done = loop().catch((e: unknown) => {
      // Never an unhandled rejection: whatever went wrong is said once, the camera stops delivering.
      this.logger.error({ reason: reasonOf(e) }, 'camera loop failed');
      if (this.current === run && !run.abort.signal.aborted) this.say(`camera failed: ${reasonOf(e)}`);
    }).finally(() => this.release(run));
    this.previous = run.done;
  }

  /**
   * Reports the device's presence while it is not streaming (the terminal's whole life): the
   * camera only streams on the capture screen, and a camera lost there, or unplugged at the idle
   * terminal, must be seen coming back (device.ok) without anyone reaching the capture screen —
   * the terminal shows out-of-service, and 重试 stays off, until it is. Only the device node is
   * looked for: opening a camera while idle would light it and renegotiate it every time.
   */
  watch(): void {
    const source = this.options.source;
    const every = this.options.presencePollMs ?? OPENCV_CAMERA_DEFAULTS.presencePollMs;
    if (source.kind !== 'device' || every <= 0 || this.presenceTimer !== null) return;
    // An index is /dev/videoN; a stream URL or pipeline has no node to look for.
    const node = typeof source.device === 'number' ? `/dev/video${source.device}` : source.device.startsWith('/') ? source.device : null;
    if (node === null) return;
    const look = () => {
      if (!this.current) {
        if (existsSync(node)) this.health.healthy();
        else this.health.fault('unplugged', `${node} is not there`);
      }
      this.presenceTimer = this.options.clock.setTimeout(look, every);
    };
    look();
  }

  unwatch(): void {
    if (this.presenceTimer !== null) this.options.clock.clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
  }

  /** Stops delivering and releases the capture; resolves without waiting for a read in flight. */
  async stop(): Promise<void> {
    const run = this.current;
    if (!run) return;
    this.current = null;
    run.abort.abort();
    this.release(run);
  }

  private release(run: Run): void {
    const capture = run.capture;
    run.capture = null;
    // A read in flight keeps its own reference to the native capture until it returns.
    capture?.release();
  }

  /** Opens what must be there before start() resolves; returns the loop. */
  private prepare(run: Run, cv: CV): () => Promise<void> {
    const source = this.options.source;
    if (source.kind === 'device') return () => this.runDevice(run, cv, source);
    if (source.kind === 'folder') {
      const files = folderImages(source.path);
      return () => this.runFolder(run, cv, source, files);
    }
    const capture = this.openFile(cv, source.path);
    run.capture = capture;
    const stated = capture.get(cv.CAP_PROP_FPS);
    const fps = source.fps ?? (Number.isFinite(stated) && stated > 0 ? stated : OPENCV_CAMERA_DEFAULTS.fileFps);
    this.logger.info({ path: source.path, fps, frames: capture.get(cv.CAP_PROP_FRAME_COUNT) }, 'camera: clip open');
    return () => this.runFile(run, cv, source, fps);
  }

  private openFile(cv: CV, path: string): VideoCapture {
    try {
      return new cv.VideoCapture(path);
    } catch (e) {
      throw new Error(`camera clip ${path} cannot be opened: ${reasonOf(e)}`);
    }
  }

  // ---- device ----

  private async runDevice(run: Run, cv: CV, source: DeviceSource): Promise<void> {
    const { clock } = this.options;
    const retry = this.options.retry ?? OPENCV_CAMERA_DEFAULTS.retry;
    const random = this.options.random ?? (() => 1);
    const signal = run.abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      const opened = await this.openDevice(run, cv, source);
      if (signal.aborted) return;
      if (opened) {
        attempt = 0;
        run.saidDisconnected = false;
        this.health.healthy();
        await this.streamDevice(run, cv, opened, source);
        this.release(run);
        if (signal.aborted) return;
        this.disconnected(run, 'the device returned an empty frame');
      }
      const wait = backoffDelay(attempt++, retry, random);
      this.logger.debug({ device: source.device, attempt, waitMs: wait }, 'camera: reopening later');
      await sleep(clock, wait, signal);
    }
  }

  /** The device opened and set up, or null (reported) when it cannot be opened. */
  private async openDevice(run: Run, cv: CV, source: DeviceSource): Promise<{ intervalMs: number; queue: number; v4l2: boolean } | null> {
    const v4l2 = (source.api ?? 'v4l2') === 'v4l2';
    let capture: VideoCapture;
    try {
      capture = new cv.VideoCapture(source.device, v4l2 ? cv.CAP_V4L2 : cv.CAP_ANY);
    } catch (e) {
      this.disconnected(run, reasonOf(e));
      return null;
    }
    run.capture = capture;
    // FOURCC first, then the size (V4L2 renegotiates after the height), the rate, then the queue.
    const settings: Array<[string, number, number]> = [
      ['fourcc', cv.CAP_PROP_FOURCC, fourccCode(source.fourcc)],
      ['width', cv.CAP_PROP_FRAME_WIDTH, source.width],
      ['height', cv.CAP_PROP_FRAME_HEIGHT, source.height],
      ['fps', cv.CAP_PROP_FPS, source.fps],
      // One buffer: the frame read is the one captured after the previous read (see the header).
      ['buffersize', cv.CAP_PROP_BUFFERSIZE, 1],
    ];
    const refused: string[] = [];
    for (const [name, prop, value] of settings) {
      const ok = await capture.setAsync(prop, value).catch(() => false);
      if (run.abort.signal.aborted) return null;
      if (!ok) refused.push(name);
    }
    const fps = capture.get(cv.CAP_PROP_FPS);
    const queue = capture.get(cv.CAP_PROP_BUFFERSIZE);
    const got = {
      width: capture.get(cv.CAP_PROP_FRAME_WIDTH),
      height: capture.get(cv.CAP_PROP_FRAME_HEIGHT),
      fps,
      fourcc: fourccText(capture.get(cv.CAP_PROP_FOURCC)),
      buffers: queue,
    };
    this.logger.info({ device: source.device, ...got, refused }, 'camera open');
    return {
      intervalMs: 1000 / (Number.isFinite(fps) && fps > 0 ? fps : source.fps),
      queue: Number.isFinite(queue) && queue >= 1 ? Math.min(10, Math.round(queue)) : 4,
      v4l2,
    };
  }

  /** Reads until the device is lost (an empty frame) or the run stops. */
  private async streamDevice(run: Run, cv: CV, device: { intervalMs: number; queue: number; v4l2: boolean }, source: DeviceSource): Promise<void> {
    const dropStale = this.options.dropStale ?? OPENCV_CAMERA_DEFAULTS.dropStale;
    let lastReturn = performance.now();
    let dropped = 0;
    for (;;) {
      const capture = run.capture;
      if (!capture) return;
      const started = performance.now();
      const mat = await this.read(run, cv, capture);
      if (mat === null) return;
      const returned = performance.now();
      if (mat.empty) {
        mat.release();
        return;
      }
      const seq = this.nextSeq++;
      const timing: ReadTiming = {
        ageMs: device.v4l2 ? frameAge(capture.get(cv.CAP_PROP_POS_MSEC), monotonicMs()) : null,
        readMs: returned - started,
        idleMs: started - lastReturn,
        intervalMs: device.intervalMs,
      };
      lastReturn = returned;
      if (dropStale && dropped < device.queue && isStale(timing)) {
        dropped++;
        mat.release();
        this.logger.debug({ device: source.device, seq, ...timing }, 'camera: stale frame dropped');
        continue;
      }
      dropped = 0;
      this.deliver(run, cv, mat, seq);
    }
  }

  private disconnected(run: Run, detail: string): void {
    if (this.current !== run || run.abort.signal.aborted) return;
    if (!run.saidDisconnected) {
      run.saidDisconnected = true;
      this.say('camera disconnected');
    }
    this.health.fault('unplugged', detail);
  }

  // ---- file ----

  private async runFile(run: Run, cv: CV, source: FileSource, fps: number): Promise<void> {
    let frames = 0;
    for (;;) {
      const capture = run.capture;
      if (!capture) return;
      const mat = await this.read(run, cv, capture);
      if (mat === null) return;
      if (mat.empty) {
        mat.release();
        this.release(run);
        if (!source.loop || frames === 0) return this.endOfClip(run, frames === 0 ? 'the clip has no frames' : 'the clip ended');
        try {
          run.capture = this.openFile(cv, source.path);
        } catch (e) {
          return this.endOfClip(run, reasonOf(e));
        }
        frames = 0;
        continue;
      }
      frames++;
      const seq = this.nextSeq++;
      if (!(await this.pace(run, run.slot++, fps))) {
        mat.release();
        return;
      }
      this.deliver(run, cv, mat, seq);
    }
  }

  // ---- folder ----

  private async runFolder(run: Run, cv: CV, source: FolderSource, files: string[]): Promise<void> {
    const signal = run.abort.signal;
    for (;;) {
      let delivered = 0;
      for (const file of files) {
        // An unreadable image keeps its number and its time slot: the gap shows, the timeline holds.
        const seq = this.nextSeq++;
        const slot = run.slot++;
        let mat: Mat | null = null;
        let reason = 'not an image';
        this.inFlight++;
        try {
          mat = await cv.imreadAsync(join(source.path, file));
        } catch (e) {
          reason = reasonOf(e);
        } finally {
          this.inFlight--;
        }
        if (signal.aborted) {
          mat?.release();
          return;
        }
        if (!mat || mat.empty) {
          mat?.release();
          this.logger.warn({ file, reason }, 'camera: unreadable image skipped');
          continue;
        }
        if (!(await this.pace(run, slot, source.fps))) {
          mat.release();
          return;
        }
        if (this.deliver(run, cv, mat, seq)) delivered++;
      }
      if (!source.loop || delivered === 0) return this.endOfClip(run, delivered === 0 ? 'no readable image in the folder' : 'the folder ended');
    }
  }

  // ---- shared ----

  /** One native read; null (the frame released) when the run was stopped meanwhile. */
  private async read(run: Run, cv: CV, capture: VideoCapture): Promise<Mat | null> {
    this.inFlight++;
    let mat: Mat;
    try {
      mat = await capture.readAsync();
    } catch (e) {
      // A backend error reads like an empty frame: the device is gone or the clip is over.
      this.logger.debug({ reason: reasonOf(e) }, 'camera: read failed');
      mat = new cv.Mat();
    } finally {
      this.inFlight--;
    }
    if (run.abort.signal.aborted) {
      mat.release();
      return null;
    }
    return mat;
  }

  /** Waits for a paced frame's slot on the clock; false when the run stopped meanwhile. */
  private async pace(run: Run, slot: number, fps: number): Promise<boolean> {
    if (fps > 0) {
      const { clock } = this.options;
      const interval = 1000 / fps;
      const now = clock.now();
      let due = run.epoch + Math.round(slot * interval);
      if (now - due > interval) {
        // More than a frame behind (a slow consumer or slow reads): carry on at the frame rate from
        // the last frame instead of catching up in a burst of frames stamped the same instant.
        due = Math.max(now, run.lastAt + Math.round(interval));
        run.epoch = due - Math.round(slot * interval);
      }
      if (due > now) await sleep(clock, due - now, run.abort.signal);
    }
    return this.current === run && !run.abort.signal.aborted;
  }

  /** Copies the frame out of the Mat (released here) and hands it to the listeners. */
  private deliver(run: Run, cv: CV, mat: Mat, seq: number): boolean {
    let frame: BgrFrame;
    try {
      frame = bgrFrame(cv, mat, this.options.clock.now(), seq);
    } catch (e) {
      this.logger.warn({ seq, reason: reasonOf(e) }, 'camera: frame skipped');
      return false;
    } finally {
      mat.release();
    }
    if (this.current !== run || run.abort.signal.aborted) return false;
    run.lastAt = frame.at;
    this.safely('frame', () => this.frames.emit(frame));
    return true;
  }

  private endOfClip(run: Run, detail: string): void {
    this.release(run);
    if (this.current !== run || run.abort.signal.aborted) return;
    this.logger.info({ detail }, 'camera: end of clip');
    this.say('end of clip');
  }
}

/** A Mat (8-bit BGR, grey or BGRA) as a packed BGR frame. Does not release `mat`. */
function bgrFrame(cv: CV, mat: Mat, at: number, seq: number): BgrFrame {
  let bgr = mat;
  if (mat.channels === 1) bgr = mat.cvtColor(cv.COLOR_GRAY2BGR);
  else if (mat.channels === 4) bgr = mat.cvtColor(cv.COLOR_BGRA2BGR);
  try {
    if (bgr.type !== cv.CV_8UC3) throw new Error(`unexpected image type ${bgr.type} (${bgr.channels} channels)`);
    const data = bgr.getData();
    const width = bgr.cols;
    const height = bgr.rows;
    if (data.length !== width * height * 3) throw new Error(`a ${width}x${height} image gave ${data.length} bytes`);
    return { format: 'bgr', at, seq, width, height, data };
  } finally {
    if (bgr !== mat) bgr.release();
  }
}
