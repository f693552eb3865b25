/**
 * Where each button of a ScreenView sits on a screen of a given size. The renderer draws buttons
 * in these rectangles and touches are hit-tested against the very same ones, so what is drawn is
 * what is pressed. Proportions follow the elderly-friendly rules: buttons at least 120 px tall at
 * 1280x800, a footer bar along the bottom, one column of main actions in the middle.
 */
import type { Size } from '../drivers/display/port.js';
import type { ButtonId } from '../machine/types.js';
import type { ScreenView } from './view.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedButton {
  id: ButtonId;
  rect: Rect;
  enabled: boolean;
}

export function footerHeight(size: Size): number {
  return Math.max(120, Math.round(size.height * 0.15));
}

export function layoutButtons(view: ScreenView, size: Size): PlacedButton[] {
  const fh = view.screen === 'home' ? 0 : footerHeight(size);
  const footer = view.buttons.filter((b) => b.footer);
  const main = view.buttons.filter((b) => !b.footer);
  const placed: PlacedButton[] = [];

  // Footer: six equal slots — 上一步, terminal number, 帮助, 返回首页, 扫描二维码, 剩余N秒.
  const slot = size.width / 6;
  const slotOf: Partial<Record<ButtonId, number>> = { back: 0, help: 2, home: 3, qr: 4 };
  for (const b of footer) {
    const i = slotOf[b.id] ?? 0;
    const pad = Math.round(fh * 0.1);
    placed.push({
      id: b.id,
      enabled: b.enabled,
      rect: { x: Math.round(i * slot) + pad, y: size.height - fh + pad, width: Math.round(slot) - 2 * pad, height: fh - 2 * pad },
    });
  }

  // Main buttons: one centred column in the lower part of the body, tallest first action on top.
  const bodyBottom = size.height - fh;
  const height = Math.max(120, Math.round(size.height * 0.15));
  const gap = Math.round(height * 0.25);
  const width = Math.round(Math.min(size.width * 0.6, 900));
  const total = main.length * height + Math.max(0, main.length - 1) * gap;
  let y = bodyBottom - Math.round(size.height * 0.05) - total;
  for (const b of main) {
    placed.push({ id: b.id, enabled: b.enabled, rect: { x: Math.round((size.width - width) / 2), y, width, height } });
    y += height + gap;
  }
  return placed;
}

/** The enabled button under (x, y), if any. */
export function hitTest(view: ScreenView, size: Size, x: number, y: number): ButtonId | null {
  for (const b of layoutButtons(view, size)) {
    const r = b.rect;
    if (b.enabled && x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height) return b.id;
  }
  return null;
}
