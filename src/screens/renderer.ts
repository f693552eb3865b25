/**
 * SVG → pixels with Skia (@napi-rs/canvas): the fastest rasteriser measured on this machine.
 * Fonts are registered explicitly from configured paths — never left to whatever the system has —
 * with a second font for CJK Extension B characters that appear in some names (𪚥).
 */
import { createCanvas, GlobalFonts, Image, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import type { Size } from '../drivers/display/port.js';
import { layoutScreen, type Rect } from './layout.js';
import { countdownSvg, FONT_FAMILY, pictureRect, renderSvg, type SvgAssets } from './svg.js';
import { guideSvg } from './guide.js';
import type { ScreenView } from './view.js';
import { DEFAULT_FONTS, type FontFiles } from './fonts.js';

export { DEFAULT_FONTS, type FontFiles } from './fonts.js';

let registered: string | null = null;

/** Registers the fonts once per process; a missing file is a clear error naming it. */
export function registerFonts(fonts: FontFiles = DEFAULT_FONTS): void {
  const key = JSON.stringify(fonts);
  if (registered === key) return;
  for (const [role, path] of Object.entries(fonts)) {
    if (!existsSync(path)) throw new Error(`font file for '${role}' not found: ${path} (install fonts-noto-cjk and fonts-hanazono, or set devices.display.fonts.${role})`);
  }
  const [main, fallback] = FONT_FAMILY.split(',').map((f) => f.trim().replace(/'/g, ''));
  GlobalFonts.registerFromPath(fonts.regular, main);
  GlobalFonts.registerFromPath(fonts.bold, main);
  GlobalFonts.registerFromPath(fonts.fallback, fallback);
  registered = key;
}

/** An RGBA picture: 4 bytes per pixel, rows top to bottom. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export class ScreenRenderer {
  private readonly canvas;
  private readonly ctx: SKRSContext2D;
  /** A canvas the size of the countdown box: its redraw reads back only those pixels. */
  private small: { canvas: Canvas; ctx: SKRSContext2D; width: number; height: number } | null = null;

  constructor(
    readonly size: Size,
    fonts: FontFiles = DEFAULT_FONTS,
  ) {
    registerFonts(fonts);
    this.canvas = createCanvas(size.width, size.height);
    this.ctx = this.canvas.getContext('2d');
  }

  /**
   * The whole screen. Pixels come from the canvas's own buffer (faster than getImageData's copy);
   * every screen paints an opaque background, so they are plain RGBA.
   */
  render(view: ScreenView, assets: SvgAssets = {}): Rgba {
    this.draw(this.ctx, renderSvg(view, this.size, assets));
    const data = this.canvas.data();
    return { width: this.size.width, height: this.size.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  }

  /** Only the 剩余N秒 box, as its own small picture: the once-a-second redraw. */
  renderCountdown(view: ScreenView): { rect: Rect; image: Rgba } | null {
    const layout = layoutScreen(view, this.size);
    const slot = layout.footerSlots[5];
    const inner = countdownSvg(view, layout);
    if (!slot || !inner) return null;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${slot.width}" height="${slot.height}" viewBox="${slot.x} ${slot.y} ${slot.width} ${slot.height}" font-family="${FONT_FAMILY}">${inner}</svg>`;
    let small = this.small;
    if (!small || small.width !== slot.width || small.height !== slot.height) {
      const canvas = createCanvas(slot.width, slot.height);
      small = { canvas, ctx: canvas.getContext('2d'), width: slot.width, height: slot.height };
      this.small = small;
    }
    this.draw(small.ctx, svg);
    const data = small.canvas.data();
    return { rect: slot, image: { width: slot.width, height: slot.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) } };
  }

  /**
   * The face guide and pictogram alone on a transparent picture of the camera picture's rectangle:
   * the display draws them again over every camera frame (null when the screen has no live picture).
   */
  renderGuide(view: ScreenView): { rect: Rect; image: Rgba } | null {
    const layout = layoutScreen(view, this.size);
    if (view.screen !== 'capture' || !layout.area) return null;
    const rect = pictureRect(layout);
    const canvas = createCanvas(rect.width, rect.height);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${rect.width}" height="${rect.height}" viewBox="${rect.x} ${rect.y} ${rect.width} ${rect.height}">${guideSvg(view, rect, layout.metrics.scale)}</svg>`;
    this.draw(canvas.getContext('2d'), svg);
    const data = canvas.data();
    return { rect, image: { width: rect.width, height: rect.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) } };
  }

  /** PNG of the whole screen as last rendered (screenshots, the REPL's screen dump). */
  png(view: ScreenView, assets: SvgAssets = {}): Buffer {
    this.render(view, assets);
    return this.canvas.toBuffer('image/png');
  }

  /**
   * One Image, reused: a new Image per frame leaves its decoded bitmap to the garbage collector,
   * which does not see native memory and let RSS grow by ~4 MB a frame (measured).
   */
  private readonly image = new Image();

  private draw(ctx: SKRSContext2D, svg: string): void {
    this.image.src = Buffer.from(svg);
    ctx.drawImage(this.image, 0, 0);
  }
}
