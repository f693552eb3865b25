/**
 * Where everything of a ScreenView sits on a screen of a given size. The renderer draws in these
 * rectangles and touches are hit-tested against the very same ones, so what is drawn is what is
 * pressed. Sizes follow the elderly-friendly rules (at 1280x800: body text 36 px, buttons 120 px
 * tall) and scale with the short side, so 1280x800, 1920x1080 and 1080x1920 all work.
 */
import type { Size } from '../drivers/display/port.js';
import type { ButtonId } from '../machine/types.js';
import { screenText } from './content.js';
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

export interface Metrics {
  scale: number;
  title: number;
  big: number;
  body: number;
  tip: number;
  button: number;
  footer: number;
  lineGap: number;
  margin: number;
}

export interface ScreenLayout {
  size: Size;
  portrait: boolean;
  metrics: Metrics;
  header: Rect;
  /** The footer bar (null on home) and its six slots: 上一步, terminal number, 帮助, 返回首页, 扫描二维码, 剩余N秒. */
  footer: Rect | null;
  footerSlots: Rect[];
  /** Where the title and body lines go. */
  text: Rect;
  /** Camera preview, captured photo or history table, when the screen has one. */
  area: Rect | null;
  /** The caption band across the bottom of the picture area (the live preview stays above it). */
  caption: Rect | null;
  tip: Rect | null;
  buttons: PlacedButton[];
  /** The overlay panel, when an overlay is open. */
  panel: Rect | null;
}

export function metrics(size: Size): Metrics {
  const s = Math.min(size.width, size.height) / 800;
  const r = (n: number) => Math.round(n * s);
  return { scale: s, title: r(56), big: r(72), body: r(36), tip: r(32), button: r(44), footer: r(32), lineGap: r(16), margin: r(40) };
}

/** The footer bar: tall enough that its buttons, inside a 10% padding, are at least 120 px tall. */
export function footerHeight(size: Size): number {
  return Math.max(144, Math.round(Math.min(size.width, size.height) * 0.18));
}

/** Width of a text in px: CJK and full-width forms are 1 em, the rest about 0.55 em. */
export function textWidth(text: string, fontSize: number): number {
  let w = 0;
  for (const ch of text) w += /[\u0000-\u02ff\u2000-\u206f]/.test(ch) ? 0.55 : 1;
  return w * fontSize;
}

/** Breaks a text into lines no wider than `width` (CJK may break between any two characters). */
export function wrapText(text: string, width: number, fontSize: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of text) {
    if (line && textWidth(line + ch, fontSize) > width) {
      // Keep closing punctuation with the line it closes.
      if (/[，。、：；！？）」,.:;!?)]/.test(ch)) {
        line += ch;
        continue;
      }
      lines.push(line);
      line = '';
    }
    line += ch;
  }
  if (line) lines.push(line);
  return lines;
}

export function layoutScreen(view: ScreenView, size: Size): ScreenLayout {
  const m = metrics(size);
  const portrait = size.height > size.width;
  const { width: w, height: h } = size;
  const header: Rect = { x: 0, y: 0, width: w, height: Math.round(64 * m.scale) };
  // Footer slots, by index: 0 上一步, 1 terminal number, 2 帮助, 3 返回首页, 4 扫描二维码, 5 剩余N秒.
  // Landscape: one row of six. Portrait is too narrow for six big labels: two rows of three.
  const rowHeight = footerHeight(size);
  const fh = view.screen === 'home' ? 0 : portrait ? 2 * rowHeight : rowHeight;
  const footer: Rect | null = fh ? { x: 0, y: h - fh, width: w, height: fh } : null;
  const perRow = portrait ? 3 : 6;
  const cell = (slot: number, row: number): Rect => ({ x: Math.round((slot * w) / perRow), y: h - fh + row * rowHeight, width: Math.round(w / perRow), height: rowHeight });
  const footerSlots = !footer
    ? []
    : portrait
      ? [cell(0, 1), cell(1, 1), cell(0, 0), cell(1, 0), cell(2, 0), cell(2, 1)]
      : Array.from({ length: 6 }, (_, i) => cell(i, 0));
  const content = screenText(view);

  // 温馨提示 box: at the bottom of the body, as wide as the body.
  let bodyBottom = h - fh;
  let tip: Rect | null = null;
  if (content.tip) {
    const lines = wrapText(content.tip, w - 2 * m.margin - 2 * m.lineGap, m.tip).length;
    const height = lines * Math.round(m.tip * 1.4) + 2 * m.lineGap;
    tip = { x: m.margin, y: bodyBottom - m.lineGap - height, width: w - 2 * m.margin, height };
    bodyBottom = tip.y;
  }

  const top = header.height + Math.round(m.margin * 0.6);
  const hasArea = content.area === 'preview' || content.area === 'photo';
  const split = hasArea && !portrait;
  // Landscape capture screens: picture on the left, words and buttons on the right.
  let area: Rect | null = null;
  let column: Rect = { x: m.margin, y: top, width: w - 2 * m.margin, height: bodyBottom - top };
  if (hasArea) {
    if (split) {
      const aw = Math.round(w * 0.46);
      const ah = Math.min(Math.round((aw * 3) / 4), bodyBottom - top - m.lineGap);
      area = { x: m.margin, y: top, width: Math.round((ah * 4) / 3), height: ah };
      column = { x: area.x + area.width + m.margin, y: top, width: w - area.width - 3 * m.margin, height: bodyBottom - top };
    } else {
      const aw = Math.round(w * 0.7);
      const ah = Math.round((aw * 3) / 4);
      area = { x: Math.round((w - aw) / 2), y: top + m.title + 2 * m.lineGap, width: aw, height: ah };
    }
  }

  // Main buttons: one column at the bottom of the body (of the right column when split).
  const main = view.buttons.filter((b) => !b.footer);
  const bh = Math.max(120, Math.round(Math.min(w, h) * 0.15));
  const gap = Math.round(bh * 0.2);
  const bw = Math.round(Math.min(column.width, split ? column.width : w * (portrait ? 0.8 : 0.6), 900 * m.scale));
  const total = main.length * bh + Math.max(0, main.length - 1) * gap;
  // Home has no footer: its one big button keeps a margin from the screen's edge.
  let y = bodyBottom - (fh ? m.lineGap : m.margin * 2) - total;
  const buttons: PlacedButton[] = [];
  for (const b of main) {
    buttons.push({ id: b.id, enabled: b.enabled, rect: { x: Math.round(column.x + (column.width - bw) / 2), y, width: bw, height: bh } });
    y += bh + gap;
  }
  const slotOf: Partial<Record<ButtonId, number>> = { back: 0, help: 2, home: 3, qr: 4 };
  for (const b of view.buttons.filter((b) => b.footer)) {
    const r = footerSlots[slotOf[b.id] ?? 0]!;
    const pad = Math.round(r.height * 0.08);
    buttons.push({ id: b.id, enabled: b.enabled, rect: { x: r.x + pad, y: r.y + pad, width: r.width - 2 * pad, height: r.height - 2 * pad } });
  }

  const textBottom = main.length ? buttons[0]!.rect.y - m.lineGap : bodyBottom;
  const text: Rect = { x: column.x, y: column.y, width: column.width, height: Math.max(0, textBottom - column.y) };
  if (content.area === 'history') area = { x: text.x, y: text.y + m.title + 2 * m.lineGap, width: text.width, height: text.height - m.title - 2 * m.lineGap };

  let caption: Rect | null = null;
  if (area && content.caption) {
    const ch = wrapText(content.caption, area.width - 2 * m.lineGap, m.tip).length * Math.round(m.tip * 1.4) + m.lineGap;
    caption = { x: area.x, y: area.y + area.height - ch, width: area.width, height: ch };
  }

  let panel: Rect | null = null;
  if (view.overlay) {
    const pw = Math.round(w * (portrait ? 0.9 : 0.7));
    const ph = Math.round((h - fh) * 0.8);
    panel = { x: Math.round((w - pw) / 2), y: Math.round((h - fh - ph) / 2), width: pw, height: ph };
    // The overlay's 关闭 sits at the bottom of its panel.
    const close = buttons.find((b) => b.id === 'closeOverlay');
    if (close) close.rect = { x: Math.round(panel.x + (pw - bw) / 2), y: panel.y + ph - bh - m.margin, width: bw, height: bh };
  }
  return { size, portrait, metrics: m, header, footer, footerSlots, text, area, caption, tip, buttons, panel };
}

export function layoutButtons(view: ScreenView, size: Size): PlacedButton[] {
  return layoutScreen(view, size).buttons;
}

/** The enabled button under (x, y), if any. */
export function hitTest(view: ScreenView, size: Size, x: number, y: number): ButtonId | null {
  for (const b of layoutButtons(view, size)) {
    const r = b.rect;
    if (b.enabled && x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height) return b.id;
  }
  return null;
}
