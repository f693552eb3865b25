/**
 * A ScreenView as an SVG document, drawn in the rectangles of layoutScreen. High contrast (near
 * black on white, white on dark blue), big type, one main action per page. Fonts are named by the
 * families the renderer registers (FONT_FAMILY), with a fallback for rare characters in names.
 */
import type { Size } from '../drivers/display/port.js';
import { historyRows, OVERLAY_TEXT, screenText } from './content.js';
import { guideSvg } from './guide.js';
import { layoutScreen, wrapText, type Rect, type ScreenLayout } from './layout.js';
import type { ScreenView } from './view.js';

/** Registered by the renderer: the main CJK font, then a font with CJK Extension B (e.g. 𪚥). */
export const FONT_FAMILY = "'LC Sans', 'LC Fallback'";

export const COLORS = {
  background: '#FFFFFF',
  text: '#111111',
  muted: '#333333',
  header: '#0B3D75',
  headerText: '#FFFFFF',
  button: '#0B4F9C',
  buttonPressed: '#062B57',
  buttonText: '#FFFFFF',
  disabled: '#C9CED6',
  disabledText: '#4A4F57',
  footer: '#1F2937',
  footerText: '#FFFFFF',
  tip: '#FFF4CC',
  tipBorder: '#B38600',
  area: '#2B2B2B',
  areaText: '#FFFFFF',
  overlayDim: '#000000',
  action: '#0B4F9C',
  good: '#146C2E',
  bad: '#9A1B1B',
} as const;

export interface SvgAssets {
  /** The captured photo (JPEG or PNG bytes) for the captured screen. */
  photo?: Buffer;
  /** SVG markup of the QR code for the 扫描二维码 overlay (a complete <svg>). */
  qrSvg?: string;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function rect(r: Rect, fill: string, extra = ''): string {
  return `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" fill="${fill}"${extra}/>`;
}

function text(x: number, y: number, size: number, fill: string, content: string, opts: { bold?: boolean; anchor?: 'start' | 'middle' | 'end' } = {}): string {
  return `<text x="${Math.round(x)}" y="${Math.round(y)}" font-size="${size}" fill="${fill}"${opts.bold ? ' font-weight="bold"' : ''}${opts.anchor && opts.anchor !== 'start' ? ` text-anchor="${opts.anchor}"` : ''}>${escapeXml(content)}</text>`;
}

/** Lines of text from the top of `r`, wrapped to its width; returns the markup and the next y. */
function paragraph(r: Rect, y: number, size: number, fill: string, content: string, bold = false, anchor: 'start' | 'middle' = 'start'): { svg: string; y: number } {
  let svg = '';
  // Big type needs less leading than body text to read as one block.
  const lh = Math.round(size * (size > 48 ? 1.25 : 1.4));
  for (const line of wrapText(content, r.width, size)) {
    svg += text(anchor === 'middle' ? r.x + r.width / 2 : r.x, y + size, size, fill, line, { bold, anchor });
    y += lh;
  }
  return { svg, y };
}

function buttons(view: ScreenView, layout: ScreenLayout): string {
  let svg = '';
  const m = layout.metrics;
  for (const b of layout.buttons) {
    const label = view.buttons.find((v) => v.id === b.id)?.label ?? b.id;
    const isFooter = view.buttons.find((v) => v.id === b.id)?.footer ?? false;
    const fill = !b.enabled ? COLORS.disabled : view.pressed === b.id ? COLORS.buttonPressed : COLORS.button;
    const color = b.enabled ? COLORS.buttonText : COLORS.disabledText;
    const size = isFooter ? m.footer : m.button;
    const r = b.rect;
    svg += `<rect x="${r.x}" y="${r.y}" width="${r.width}" height="${r.height}" rx="${Math.round(12 * m.scale)}" fill="${fill}"${isFooter ? ` stroke="${COLORS.footerText}" stroke-width="2"` : ''}/>`;
    svg += text(r.x + r.width / 2, r.y + r.height / 2 + size * 0.36, size, color, label, { bold: true, anchor: 'middle' });
  }
  return svg;
}

/** The 剩余N秒 box alone: also rendered by itself as the countdown's dirty rectangle. */
export function countdownSvg(view: ScreenView, layout: ScreenLayout): string {
  const slot = layout.footerSlots[5];
  if (!slot || view.secondsLeft === null) return '';
  const m = layout.metrics;
  return rect(slot, COLORS.footer) + text(slot.x + slot.width / 2, slot.y + slot.height / 2 + m.footer * 0.36, m.footer, COLORS.footerText, `剩余${view.secondsLeft}秒`, { bold: true, anchor: 'middle' });
}

function footer(view: ScreenView, layout: ScreenLayout): string {
  if (!layout.footer) return '';
  const m = layout.metrics;
  const number = layout.footerSlots[1]!;
  return (
    rect(layout.footer, COLORS.footer) +
    text(number.x + number.width / 2, number.y + number.height / 2 + m.footer * 0.36, m.footer, COLORS.footerText, view.terminalNumber, { anchor: 'middle' }) +
    countdownSvg(view, layout)
  );
}

function area(view: ScreenView, layout: ScreenLayout, assets: SvgAssets): string {
  const a = layout.area;
  if (!a) return '';
  const m = layout.metrics;
  const kind = screenText(view).area;
  if (kind === 'history') {
    const rows = historyRows(view);
    if (!rows.length) return '';
    const head = ['年度', '验证日期', '办理渠道', '结果'];
    // Column shares fit "2024 | 2024年3月18日 | 服务窗口 | 通过" at body size, portrait included.
    const shares = [0.18, 0.38, 0.26, 0.18];
    const colX = shares.map((_, i) => a.x + a.width * shares.slice(0, i).reduce((p, c) => p + c, 0) + m.lineGap);
    const rh = Math.round(m.body * 1.8);
    let svg = rect({ x: a.x, y: a.y, width: a.width, height: rh }, COLORS.header);
    head.forEach((h, i) => (svg += text(colX[i]!, a.y + rh * 0.68, m.body, COLORS.headerText, h, { bold: true })));
    rows.slice(0, Math.max(1, Math.floor(a.height / rh) - 1)).forEach((row, r) => {
      const y = a.y + rh * (r + 1);
      if (r % 2 === 1) svg += rect({ x: a.x, y, width: a.width, height: rh }, '#EEF2F7');
      row.forEach((cell, i) => (svg += text(colX[i]!, y + rh * 0.68, m.body, COLORS.text, cell)));
    });
    return svg;
  }
  let svg = rect(a, COLORS.area);
  const caption = screenText(view).caption;
  if (kind === 'photo' && assets.photo) {
    const mime = assets.photo[0] === 0x89 ? 'image/png' : 'image/jpeg';
    svg += `<image x="${a.x}" y="${a.y}" width="${a.width}" height="${a.height}" preserveAspectRatio="xMidYMid meet" href="data:${mime};base64,${assets.photo.toString('base64')}"/>`;
  } else if (kind === 'preview') {
    // The camera picture is blitted here by the display, frame by frame; this is its frame.
    svg += text(a.x + a.width / 2, a.y + a.height / 2, m.body, COLORS.areaText, '摄像头画面', { anchor: 'middle' });
    svg += guideSvg(view, pictureRect(layout), m.scale);
  }
  const band = layout.caption;
  if (caption && band) {
    svg += `<rect x="${band.x}" y="${band.y}" width="${band.width}" height="${band.height}" fill="#000000" fill-opacity="0.6"/>`;
    svg += paragraph({ ...band, width: band.width - 2 * m.lineGap }, band.y + m.lineGap / 4, m.tip, COLORS.areaText, caption, false, 'middle').svg;
  }
  return svg;
}

/** The part of the preview area the live picture shows in (above the caption band). */
export function pictureRect(layout: ScreenLayout): Rect {
  const a = layout.area!;
  return { ...a, height: (layout.caption?.y ?? a.y + a.height) - a.y };
}

function overlay(view: ScreenView, layout: ScreenLayout, assets: SvgAssets): string {
  if (!view.overlay || !layout.panel) return '';
  const p = layout.panel;
  const m = layout.metrics;
  const content = OVERLAY_TEXT[view.overlay];
  let svg = `<rect x="0" y="0" width="${layout.size.width}" height="${layout.size.height}" fill="${COLORS.overlayDim}" fill-opacity="0.55"/>`;
  svg += `<rect x="${p.x}" y="${p.y}" width="${p.width}" height="${p.height}" rx="${Math.round(16 * m.scale)}" fill="${COLORS.background}" stroke="${COLORS.header}" stroke-width="4"/>`;
  const inner: Rect = { x: p.x + m.margin, y: p.y + m.margin, width: p.width - 2 * m.margin, height: p.height - 2 * m.margin };
  svg += text(p.x + p.width / 2, inner.y + m.title, m.title, COLORS.text, content.title, { bold: true, anchor: 'middle' });
  let y = inner.y + m.title + 2 * m.lineGap;
  for (const line of content.lines) {
    const para = paragraph(inner, y, m.body, COLORS.text, line);
    svg += para.svg;
    y = para.y + m.lineGap / 2;
  }
  if (view.overlay === 'qr' && assets.qrSvg) {
    const close = layout.buttons.find((b) => b.id === 'closeOverlay')?.rect;
    const side = Math.max(0, Math.min(inner.width, (close ? close.y : inner.y + inner.height) - y - m.lineGap));
    const inside = assets.qrSvg.replace(/^[\s\S]*?<svg/, '<svg').replace(/<svg/, `<svg x="${Math.round(p.x + (p.width - side) / 2)}" y="${Math.round(y)}" width="${side}" height="${side}"`);
    svg += inside;
  }
  return svg;
}

/** How many px the body text runs past its box (into buttons, tip or footer): 0 when it fits. */
export function textOverflow(view: ScreenView, size: Size): number {
  return compose(view, size, {}).overflow;
}

export function renderSvg(view: ScreenView, size: Size, assets: SvgAssets = {}): string {
  return compose(view, size, assets).svg;
}

function compose(view: ScreenView, size: Size, assets: SvgAssets): { svg: string; overflow: number } {
  const layout = layoutScreen(view, size);
  const m = layout.metrics;
  const content = screenText(view);
  let body = '';
  // Header bar: where the person is.
  body += rect(layout.header, COLORS.header);
  body += text(m.margin, layout.header.height / 2 + m.body * 0.36, m.body, COLORS.headerText, '市民之窗 · 离退休人员生存验证', { bold: true });

  const t = layout.text;
  const home = view.screen === 'home';
  const anchor = home ? 'middle' : 'start';
  let y = t.y;
  const title = paragraph(t, y, home ? m.big : m.title, COLORS.text, content.title, true, anchor);
  body += title.svg;
  y = title.y + m.lineGap;
  if (layout.area && content.area !== 'history' && !layout.portrait) {
    // Landscape capture: the words stand right of the picture.
  } else if (layout.area && layout.portrait && content.area !== 'history') {
    y = layout.area.y + layout.area.height + m.lineGap;
  }
  for (const line of content.lines) {
    const size = line.big ? m.big : m.body;
    const fill = line.tone === 'good' ? COLORS.good : line.tone === 'bad' ? COLORS.bad : line.big ? COLORS.action : line.strong ? COLORS.text : COLORS.muted;
    const para = paragraph(t, y, size, fill, line.text, line.big || line.strong, anchor);
    body += para.svg;
    y = para.y + m.lineGap / 2;
  }
  // The last line's descenders end about 0.3 em below the next line's top.
  const textEnd = y - m.lineGap / 2 - Math.round(m.body * 0.1);
  body += area(view, layout, assets);
  if (layout.tip && content.tip) {
    body += `<rect x="${layout.tip.x}" y="${layout.tip.y}" width="${layout.tip.width}" height="${layout.tip.height}" rx="${Math.round(10 * m.scale)}" fill="${COLORS.tip}" stroke="${COLORS.tipBorder}" stroke-width="2"/>`;
    const inner = { ...layout.tip, x: layout.tip.x + m.lineGap, width: layout.tip.width - 2 * m.lineGap };
    body += paragraph(inner, layout.tip.y + m.lineGap - m.tip * 0.2, m.tip, COLORS.text, content.tip).svg;
  }
  body += footer(view, layout);
  // An overlay dims everything, then its own buttons (关闭, 返回首页) are drawn on top.
  body += overlay(view, layout, assets);
  body += buttons(view, layout);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}" font-family="${FONT_FAMILY}">${rect({ x: 0, y: 0, ...size }, COLORS.background)}${body}</svg>`;
  return { svg, overflow: Math.max(0, Math.round(textEnd - (t.y + t.height))) };
}
