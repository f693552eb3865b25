/**
 * The browser panel's picture of the screen. It is the framebuffer driver itself
 * (src/drivers/display/framebuffer.ts) drawing into a memory file instead of /dev/fb0: the page shows
 * the pixels a terminal's panel would, with the same partial redraws (countdown box, camera preview).
 * After each draw the file is read back, the changed rectangle found and reported; whoever serves
 * the page encodes only that rectangle.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readSync, closeSync, rmSync, ftruncateSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisplayPort, Size } from '../drivers/display/port.js';
import { FramebufferDisplay } from '../drivers/display/framebuffer.js';
import type { Rect } from '../screens/layout.js';
import type { FontFiles } from '../screens/renderer.js';
import type { ScreenView } from '../screens/view.js';
import type { Logger } from '../log/logger.js';

export interface MirrorOptions {
  size: Size;
  fonts?: FontFiles;
  logger: Logger;
  photo?: (ref: string) => Buffer | undefined;
  qrSvg?: string;
}

/** tmpfs when there is one: the mirror is rewritten on every draw and never needs a disk. */
function memoryDir(): string {
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

export class MirrorFramebuffer extends FramebufferDisplay {
  private readonly dir: string;
  private readonly file: string;
  /** What the framebuffer memory holds (B,G,R,X), as read back after the last draw. */
  private readonly memory: Buffer;
  /** The pixels last reported, to find what changed. */
  private readonly shown: Buffer;
  private readonly stride: number;
  private scheduled = false;
  /** Opened on the first page's visit; drawn only while a page watches. */
  private opened = false;
  private awake = false;
  private latest: ScreenView | null = null;
  private drawPending = false;
  private readonly listeners = new Set<(rect: Rect) => void>();
  private readonly viewListeners = new Set<(view: ScreenView) => void>();
  /** Draws since start (the bench and tests read it). */
  draws = 0;

  constructor(private readonly mirror: MirrorOptions) {
    // Made on the first page's visit (owner-only: the camera preview is a face), removed on stop.
    const dir = join(memoryDir(), `lifecheck-panel-${process.pid}-${randomBytes(6).toString('hex')}`);
    const file = join(dir, 'fb');
    const { width, height } = mirror.size;
    const stride = width * 4;
    super({
      device: file,
      sysfsDir: dir,
      geometry: { width, height, stride, format: 'xrgb8888' },
      logger: mirror.logger,
      ...(mirror.fonts ? { fonts: mirror.fonts } : {}),
      ...(mirror.photo ? { photo: mirror.photo } : {}),
      ...(mirror.qrSvg ? { qrSvg: mirror.qrSvg } : {}),
    });
    this.dir = dir;
    this.file = file;
    this.stride = stride;
    this.memory = Buffer.alloc(stride * height);
    this.shown = Buffer.alloc(stride * height);
  }

  /** Nothing yet: a terminal nobody watches in a browser pays nothing for the mirror. */
  override async start(): Promise<void> {}

  /** A page watches: open the memory framebuffer (first time) and draw what the terminal shows now. */
  async wake(): Promise<void> {
    if (!this.opened) {
      mkdirSync(this.dir, { mode: 0o700 });
      // The framebuffer driver opens an existing device of the right size, as /dev/fb0 is.
      const fd = openSync(this.file, 'w', 0o600);
      ftruncateSync(fd, this.memory.length);
      closeSync(fd);
      await super.start();
      this.opened = true;
    }
    this.awake = true;
    if (this.latest) super.show(this.latest);
    this.changed();
  }

  /** No page watches any more: stop drawing (the next wake redraws). */
  sleep(): void {
    this.awake = false;
  }

  override async stop(): Promise<void> {
    this.awake = false;
    if (this.opened) await super.stop();
    this.opened = false;
    this.listeners.clear();
    this.viewListeners.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Drawn in the next turn, not inside the terminal's own drawing: views that come in one turn (a
   * button pressed and released at once, a screen and its countdown) cost one draw, the last.
   */
  override show(view: ScreenView): void {
    this.latest = view;
    for (const l of this.viewListeners) l(view);
    if (!this.awake || this.drawPending) return;
    this.drawPending = true;
    setImmediate(() => {
      this.drawPending = false;
      if (!this.awake || !this.latest) return;
      super.show(this.latest);
      // Read back at once: whoever waits for this turn's draws (the page's ping) sees them.
      this.draws++;
      this.readBack();
    });
  }

  /** Each view drawn (the page learns where the buttons are). */
  onView(listener: (view: ScreenView) => void): () => void {
    this.viewListeners.add(listener);
    return () => this.viewListeners.delete(listener);
  }

  override blitCamera(frame: { width: number; height: number; data: Uint8Array }, mirror: boolean): void {
    if (!this.awake) return;
    super.blitCamera(frame, mirror);
    this.changed();
  }

  /** Called with the rectangle that changed, once the draws of one turn of the event loop are done. */
  onChange(listener: (rect: Rect) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The pixels shown now, B,G,R,X, rows `stride` bytes apart (read only: the next draw changes them). */
  get shownFrame(): { data: Buffer; stride: number } {
    return { data: this.shown, stride: this.stride };
  }

  /** RGBA pixels of a rectangle of what is shown now (the whole screen when no rectangle). */
  pixels(rect: Rect = { x: 0, y: 0, width: this.mirror.size.width, height: this.mirror.size.height }): Uint8ClampedArray {
    const out = new Uint8ClampedArray(rect.width * rect.height * 4);
    for (let y = 0; y < rect.height; y++) {
      let s = (rect.y + y) * this.stride + rect.x * 4;
      let o = y * rect.width * 4;
      for (let x = 0; x < rect.width; x++, s += 4, o += 4) {
        out[o] = this.shown[s + 2]!;
        out[o + 1] = this.shown[s + 1]!;
        out[o + 2] = this.shown[s]!;
        out[o + 3] = 255;
      }
    }
    return out;
  }

  /** Several draws in one turn (a screen and its countdown, camera frames) are read back once. */
  private changed(): void {
    this.draws++;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.readBack();
    });
  }

  private readBack(): void {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return; // stopped meanwhile
    }
    try {
      let done = 0;
      while (done < this.memory.length) {
        const n = readSync(fd, this.memory, done, this.memory.length - done, done);
        if (n === 0) break;
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    const rect = changedRect(this.shown, this.memory, this.mirror.size.width, this.mirror.size.height);
    if (!rect) return;
    for (let y = rect.y; y < rect.y + rect.height; y++) this.memory.copy(this.shown, y * this.stride, y * this.stride, (y + 1) * this.stride);
    for (const l of this.listeners) l(rect);
  }
}

/** The smallest rectangle outside which `a` and `b` (32 bits a pixel, rows packed) are equal; null if equal. */
export function changedRect(a: Buffer, b: Buffer, width: number, height: number): Rect | null {
  const stride = width * 4;
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    if (a.compare(b, y * stride, (y + 1) * stride, y * stride, (y + 1) * stride) !== 0) {
      if (top < 0) top = y;
      bottom = y;
    }
  }
  if (top < 0) return null;
  const a32 = new Uint32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
  const b32 = new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  let left = width;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    const row = y * width;
    for (let x = 0; x < left; x++) {
      if (a32[row + x] !== b32[row + x]) {
        left = x;
        break;
      }
    }
    for (let x = width - 1; x > right; x--) {
      if (a32[row + x] !== b32[row + x]) {
        right = x;
        break;
      }
    }
  }
  return { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * The terminal's display shown twice: on the simulated display (which the demo person and the
 * REPL watch) and on the mirror. The mirror is a courtesy: if it fails, it is given up, said once,
 * and the terminal goes on.
 */
export class TeeDisplay implements DisplayPort {
  private mirrorOk = true;

  constructor(
    private readonly main: DisplayPort,
    private readonly mirror: DisplayPort,
    private readonly logger: Logger,
  ) {}

  get size(): Size {
    return this.main.size;
  }

  async start(): Promise<void> {
    await this.main.start();
    try {
      await this.mirror.start();
    } catch (e) {
      this.fail(e);
    }
  }

  async stop(): Promise<void> {
    await this.mirror.stop().catch(() => {});
    await this.main.stop();
  }

  show(view: ScreenView): void {
    this.main.show(view);
    if (!this.mirrorOk) return;
    try {
      this.mirror.show(view);
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    this.mirrorOk = false;
    this.logger.error({ err: (e as Error).message }, 'panel: the screen mirror failed; the terminal goes on without it');
  }
}
