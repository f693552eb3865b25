/**
 * The Linux framebuffer display. Geometry comes from sysfs (virtual_size, bits_per_pixel, stride)
 * unless configured; the channel order is not in sysfs and comes from config. A shadow copy of the
 * device memory means only rows that changed are written; the countdown is redrawn as its own small
 * rectangle once a second; the camera picture is scaled straight into the preview rectangle.
 */
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from '../../log/logger.js';
import { layoutScreen, type Rect } from '../../screens/layout.js';
import { ScreenRenderer, type FontFiles, type Rgba } from '../../screens/renderer.js';
import type { SvgAssets } from '../../screens/svg.js';
import { sameScreen, type ScreenView } from '../../screens/view.js';
import type { DisplayPort, Size } from './port.js';
import { bytesPerPixel, convert, scaleBgrInto, scaleInto, type PixelFormat } from './pixels.js';

export interface FbGeometry {
  width: number;
  height: number;
  /** Bytes from one row to the next (may exceed width * bytes per pixel). */
  stride: number;
  format: PixelFormat;
}

export interface FramebufferOptions {
  device: string;
  /** e.g. /sys/class/graphics/fb0 */
  sysfsDir: string;
  /** 32 bpp channel order is not in sysfs; only xrgb8888 (B,G,R,X in memory) is supported at 32 bpp. */
  geometry?: Partial<FbGeometry>;
  /** /sys/class/graphics/fbcon/cursor_blink: the console cursor must not blink over the kiosk. */
  cursorBlinkPath?: string;
  fonts?: FontFiles;
  logger: Logger;
  /** The captured photo's bytes by ref (from the terminal's photo store). */
  photo?: (ref: string) => Buffer | undefined;
  /** SVG of the 扫描二维码 overlay's QR code. */
  qrSvg?: string;
}

export class FramebufferError extends Error {}

/** How a framebuffer is configured (devices.display): where its geometry comes from. */
export interface FramebufferSetting {
  framebuffer: string;
  geometry: 'sysfs' | 'config';
  sysfsDir: string;
  width: number;
  height: number;
  stride: number;
  format: PixelFormat;
}

/**
 * The sysfs folder to read (configured, else /sys/class/graphics/<device name>) and, with geometry
 * `config`, the whole geometry from the configuration (stride 0: rows packed).
 */
export function geometrySource(d: FramebufferSetting): { sysfsDir: string; geometry?: FbGeometry } {
  const sysfsDir = d.sysfsDir || join('/sys/class/graphics', basename(d.framebuffer));
  if (d.geometry !== 'config') return { sysfsDir };
  return { sysfsDir, geometry: { width: d.width, height: d.height, format: d.format, stride: d.stride || d.width * bytesPerPixel(d.format) } };
}

/** The framebuffer is there but cannot be used as sysfs describes it: only configuration fixes that. */
export class FramebufferGeometryError extends FramebufferError {}

export function readGeometry(sysfsDir: string, overrides: Partial<FbGeometry> = {}): FbGeometry {
  const read = (name: string): string => {
    const path = join(sysfsDir, name);
    if (!existsSync(path)) throw new FramebufferError(`framebuffer: ${path} is missing (no framebuffer yet, or set devices.display.sysfsDir, or geometry config with width/height/stride/format)`);
    return readFileSync(path, 'utf8').trim();
  };
  let width = overrides.width;
  let height = overrides.height;
  if (width === undefined || height === undefined) {
    const m = /^(\d+),(\d+)$/.exec(read('virtual_size'));
    if (!m) throw new FramebufferGeometryError(`framebuffer: cannot parse ${join(sysfsDir, 'virtual_size')}; set devices.display.geometry to config`);
    width ??= Number(m[1]);
    height ??= Number(m[2]);
  }
  let format = overrides.format;
  if (!format) {
    const bpp = Number(read('bits_per_pixel'));
    if (bpp === 32) format = 'xrgb8888';
    else if (bpp === 16) format = 'rgb565';
    else throw new FramebufferGeometryError(`framebuffer: ${bpp} bits per pixel is not supported (16 or 32); set devices.display.geometry to config with a supported format`);
  }
  const stride = overrides.stride ?? (existsSync(join(sysfsDir, 'stride')) ? Number(read('stride')) : width * bytesPerPixel(format));
  if (stride < width * bytesPerPixel(format)) throw new FramebufferGeometryError(`framebuffer: stride ${stride} is shorter than a row of ${width} pixels; check devices.display.stride`);
  return { width, height, stride, format };
}

export interface FramebufferStats {
  fullRenders: number;
  countdownRenders: number;
  previewBlits: number;
  rowsWritten: number;
  bytesWritten: number;
}

export class FramebufferDisplay implements DisplayPort {
  private fd: number | null = null;
  private geometry: FbGeometry | null = null;
  private renderer: ScreenRenderer | null = null;
  private shadow = Buffer.alloc(0);
  private frame = Buffer.alloc(0);
  private drawn: ScreenView | null = null;
  /** The face guide's pixels as drawn in the frame (offsets, then their bytes), put back over every camera frame. */
  private guide: { offsets: Uint32Array; bytes: Buffer } | null = null;
  readonly stats: FramebufferStats = { fullRenders: 0, countdownRenders: 0, previewBlits: 0, rowsWritten: 0, bytesWritten: 0 };

  constructor(private readonly options: FramebufferOptions) {}

  get size(): Size {
    const g = this.geometry ?? readGeometry(this.options.sysfsDir, this.options.geometry);
    return { width: g.width, height: g.height };
  }

  async start(): Promise<void> {
    const g = readGeometry(this.options.sysfsDir, this.options.geometry);
    this.geometry = g;
    try {
      this.fd = openSync(this.options.device, 'r+');
    } catch (e) {
      throw new FramebufferError(`framebuffer: cannot open ${this.options.device}: ${(e as Error).message}`);
    }
    this.shadow = Buffer.alloc(g.stride * g.height);
    this.frame = Buffer.alloc(g.stride * g.height);
    // Unknown contents at start: write everything once.
    this.shadow.fill(0x5a);
    this.renderer = new ScreenRenderer({ width: g.width, height: g.height }, this.options.fonts);
    if (this.options.cursorBlinkPath) {
      try {
        writeFileSync(this.options.cursorBlinkPath, '0');
      } catch (e) {
        this.options.logger.warn({ path: this.options.cursorBlinkPath, err: (e as Error).message }, 'cannot hide the console cursor');
      }
    }
  }

  async stop(): Promise<void> {
    if (this.fd === null || !this.geometry) return;
    // Blank the panel: nothing of the last person stays on screen after the daemon stops.
    this.frame.fill(0);
    this.flush(0, this.geometry.height);
    closeSync(this.fd);
    this.fd = null;
    this.drawn = null;
  }

  show(view: ScreenView): void {
    if (this.fd === null || !this.renderer || !this.geometry) return;
    const last = this.drawn;
    this.drawn = view;
    if (last && last.pressed === view.pressed && sameScreen(last, view) && last.private.photoRef === view.private.photoRef) {
      if (last.secondsLeft !== view.secondsLeft) this.drawCountdown(view);
      return;
    }
    const image = this.renderer.render(view, this.assets(view));
    this.stats.fullRenders++;
    const g = this.geometry;
    convert(image.data, g.width * 4, g.width, g.height, g.format, this.frame, 0, g.stride);
    this.keepGuide(view);
    this.flush(0, g.height);
  }

  /** Scales an RGBA picture into the preview area of the capture screen, if it is shown. */
  blitPreview(frame: Rgba): void {
    this.preview(frame.width, frame.height, (rect, visible, g) => scaleInto(frame.data, frame.width, frame.height, rect, visible, g.format, this.frame, g.stride));
  }

  /** Scales a camera frame (packed BGR, as OpenCV gives it) into the preview area, mirrored if asked. */
  blitCamera(frame: { width: number; height: number; data: Uint8Array }, mirror: boolean): void {
    this.preview(frame.width, frame.height, (rect, visible, g) => scaleBgrInto(frame.data, frame.width, frame.height, rect, visible, g.format, this.frame, g.stride, mirror));
  }

  private preview(width: number, height: number, draw: (rect: Rect, visible: number, g: FbGeometry) => void): void {
    const view = this.drawn;
    if (this.fd === null || !this.geometry || !view || view.screen !== 'capture' || view.overlay) return;
    const layout = layoutScreen(view, this.size);
    const area = layout.area;
    if (!area) return;
    // Keep the camera's aspect ratio inside the area; the caption band at the bottom stays drawn.
    const fit = Math.min(area.width / width, area.height / height);
    const w = Math.round(width * fit);
    const h = Math.round(height * fit);
    const visible = Math.min(h, (layout.caption?.y ?? area.y + area.height) - area.y);
    const rect: Rect = { x: area.x + Math.round((area.width - w) / 2), y: area.y, width: w, height: h };
    const g = this.geometry;
    draw(rect, visible, g);
    this.putGuide();
    // A new camera frame changes every row it covers: write those rows whole, in one go.
    this.write(rect.y * g.stride, visible * g.stride);
    this.stats.rowsWritten += visible;
    this.stats.previewBlits++;
  }

  /** Remembers where the face guide was drawn (its opaque pixels) and its bytes in the frame's format. */
  private keepGuide(view: ScreenView): void {
    this.guide = null;
    const part = view.overlay ? null : this.renderer!.renderGuide(view);
    if (!part) return;
    const g = this.geometry!;
    const bpp = bytesPerPixel(g.format);
    const { rect, image } = part;
    const offsets: number[] = [];
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        if (image.data[(y * image.width + x) * 4 + 3]! >= 128) offsets.push((rect.y + y) * g.stride + (rect.x + x) * bpp);
      }
    }
    const bytes = Buffer.alloc(offsets.length * bpp);
    offsets.forEach((o, i) => this.frame.copy(bytes, i * bpp, o, o + bpp));
    this.guide = { offsets: Uint32Array.from(offsets), bytes };
  }

  private putGuide(): void {
    const guide = this.guide;
    if (!guide) return;
    const bpp = bytesPerPixel(this.geometry!.format);
    const { offsets, bytes } = guide;
    for (let i = 0; i < offsets.length; i++) {
      const o = offsets[i]!;
      for (let b = 0; b < bpp; b++) this.frame[o + b] = bytes[i * bpp + b]!;
    }
  }

  private drawCountdown(view: ScreenView): void {
    const part = this.renderer!.renderCountdown(view);
    if (!part) return;
    this.writeRect(part.rect, part.image.data, part.rect.width * 4);
    this.stats.countdownRenders++;
  }

  private assets(view: ScreenView): SvgAssets {
    const assets: SvgAssets = {};
    if (view.private.photoRef && this.options.photo) {
      const photo = this.options.photo(view.private.photoRef);
      if (photo) assets.photo = photo;
    }
    if (this.options.qrSvg) assets.qrSvg = this.options.qrSvg;
    return assets;
  }

  /** Converts an RGBA rectangle into the frame and writes its rows' changed spans. */
  private writeRect(rect: Rect, rgba: Uint8ClampedArray, srcStride: number): void {
    const g = this.geometry!;
    const bpp = bytesPerPixel(g.format);
    const x = Math.max(0, rect.x);
    const y0 = Math.max(0, rect.y);
    const w = Math.min(rect.width, g.width - x);
    const h = Math.min(rect.height, g.height - y0);
    if (w <= 0 || h <= 0) return;
    convert(rgba, srcStride, w, h, g.format, this.frame, y0 * g.stride + x * bpp, g.stride, x, y0);
    for (let y = y0; y < y0 + h; y++) {
      const start = y * g.stride + x * bpp;
      const end = start + w * bpp;
      if (this.frame.compare(this.shadow, start, end, start, end) === 0) continue;
      this.write(start, end - start);
      this.stats.rowsWritten++;
    }
  }

  /** Writes the rows in [from, to) that differ from the shadow, coalescing neighbours into one write. */
  private flush(from: number, to: number): void {
    const g = this.geometry!;
    let runStart = -1;
    for (let y = from; y <= to; y++) {
      const changed =
        y < to && this.frame.compare(this.shadow, y * g.stride, (y + 1) * g.stride, y * g.stride, (y + 1) * g.stride) !== 0;
      if (changed && runStart < 0) runStart = y;
      if (!changed && runStart >= 0) {
        this.write(runStart * g.stride, (y - runStart) * g.stride);
        this.stats.rowsWritten += y - runStart;
        runStart = -1;
      }
    }
  }

  private write(offset: number, length: number): void {
    let done = 0;
    while (done < length) done += writeSync(this.fd!, this.frame, offset + done, length - done, offset + done);
    this.frame.copy(this.shadow, offset, offset, offset + length);
    this.stats.bytesWritten += length;
  }
}
