/**
 * SVG → pixels with Skia (@napi-rs/canvas): the fastest rasteriser measured on this machine.
 * Fonts are registered explicitly from configured paths — never left to whatever the system has —
 * with a second font for CJK Extension B characters that appear in some names (𪚥).
 */
import { createCanvas, GlobalFonts, Image, type SKRSContext2D } from '@napi-rs/canvas';
import { existsSync } from 'node:fs';
import type { Size } from '../drivers/display/port.js';
import { layoutScreen, type Rect } from './layout.js';
import { countdownSvg, FONT_FAMILY, renderSvg, type SvgAssets } from './svg.js';
import type { ScreenView } from './view.js';

export interface FontFiles {
  regular: string;
  bold: string;
  /** A font with CJK Extension B, for rare characters in names. */
  fallback: string;
}

export const DEFAULT_FONTS: FontFiles = {
  regular: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  bold: '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
  fallback: '/usr/share/fonts/truetype/hanazono/HanaMinB.ttf',
};

let registered: string | null = null;

/** Registers the fonts once per process; a missing file is a clear error naming it. */
export function registerFonts(fonts: FontFiles = DEFAULT_FONTS): void {
  const key = JSON.stringify(fonts);
  if (registered === key) return;
  for (const [role, path] of Object.entries(fonts)) {
    if (!existsSync(path)) throw new Error(`font file for '${role}' not found: ${path} (install fonts-noto-cjk and fonts-hanazono, or set display.fonts.${role})`);
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

  constructor(
    readonly size: Size,
    fonts: FontFiles = DEFAULT_FONTS,
  ) {
    registerFonts(fonts);
    this.canvas = createCanvas(size.width, size.height);
    this.ctx = this.canvas.getContext('2d');
  }

  /** The whole screen. */
  render(view: ScreenView, assets: SvgAssets = {}): Rgba {
    this.draw(renderSvg(view, this.size, assets), 0, 0);
    return { width: this.size.width, height: this.size.height, data: this.ctx.getImageData(0, 0, this.size.width, this.size.height).data };
  }

  /** Only the 剩余N秒 box, as its own small picture: the once-a-second redraw. */
  renderCountdown(view: ScreenView): { rect: Rect; image: Rgba } | null {
    const layout = layoutScreen(view, this.size);
    const slot = layout.footerSlots[5];
    const inner = countdownSvg(view, layout);
    if (!slot || !inner) return null;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${slot.width}" height="${slot.height}" viewBox="${slot.x} ${slot.y} ${slot.width} ${slot.height}" font-family="${FONT_FAMILY}">${inner}</svg>`;
    this.draw(svg, slot.x, slot.y);
    return { rect: slot, image: { width: slot.width, height: slot.height, data: this.ctx.getImageData(slot.x, slot.y, slot.width, slot.height).data } };
  }

  /** PNG of the whole screen as last rendered (screenshots, the REPL's screen dump). */
  png(view: ScreenView, assets: SvgAssets = {}): Buffer {
    this.render(view, assets);
    return this.canvas.toBuffer('image/png');
  }

  private draw(svg: string, x: number, y: number): void {
    const image = new Image();
    image.src = Buffer.from(svg);
    this.ctx.drawImage(image, x, y);
  }
}
