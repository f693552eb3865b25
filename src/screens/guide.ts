/**
 * What the capture screen draws over the live picture: the face guide (an oval the face should
 * fill, coloured by how the face is placed) and, while an action is asked for, its pictogram (which
 * way to move, or the eye or mouth). Pure: a view and the picture's rectangle in, SVG out. The
 * picture is mirrored, so an arrow to the screen's left is the person's own left.
 */
import type { Action, Hint } from '../vision/port.js';
import type { Rect } from './layout.js';
import type { ScreenView } from './view.js';

export const GUIDE_COLORS = {
  /** The face is placed right (no placement hint) while the challenge runs. */
  good: '#2FBF4F',
  /** A placement hint is held: too far, too close, off-centre, more than one face. */
  bad: '#FF8A1F',
  /** Waiting for a face. */
  neutral: '#FFFFFF',
  outline: '#000000',
  badge: '#FFFFFF',
  glyph: '#0B4F9C',
} as const;

const PLACEMENT: ReadonlySet<Hint> = new Set<Hint>(['multiple-faces', 'too-far', 'too-close', 'off-centre-left', 'off-centre-right', 'off-centre-up', 'off-centre-down']);

export type GuideTone = keyof Pick<typeof GUIDE_COLORS, 'good' | 'bad' | 'neutral'>;

/** The oval's colour: placement hint → bad; face in place and the challenge under way → good. */
export function guideTone(view: ScreenView): GuideTone {
  const hint = view.fields.hint;
  if (typeof hint === 'string' && PLACEMENT.has(hint as Hint)) return 'bad';
  return view.mode === 'acting' || view.mode === 'framing' ? 'good' : 'neutral';
}

const r = (v: number) => Math.round(v);

/** An arrow from the centre (cx, cy) outward at `deg` (0 = right, 90 = up), length `len`. */
function arrow(cx: number, cy: number, len: number, deg: number, width: number, fill: string): string {
  const a = (deg * Math.PI) / 180;
  const ux = Math.cos(a), uy = -Math.sin(a);
  const px = -uy, py = ux;
  const head = len * 0.45, half = width / 2, wing = width * 1.3;
  const sx = cx - (ux * len) / 2, sy = cy - (uy * len) / 2;
  const bx = sx + ux * (len - head), by = sy + uy * (len - head);
  const tx = sx + ux * len, ty = sy + uy * len;
  const pts = [
    [sx + px * half, sy + py * half],
    [bx + px * half, by + py * half],
    [bx + px * wing, by + py * wing],
    [tx, ty],
    [bx - px * wing, by - py * wing],
    [bx - px * half, by - py * half],
    [sx - px * half, sy - py * half],
  ];
  return `<polygon points="${pts.map(([x, y]) => `${r(x!)},${r(y!)}`).join(' ')}" fill="${fill}"/>`;
}

/** The pictogram of an action inside a badge of radius `rad` centred at (cx, cy). */
export function actionGlyph(action: Action, cx: number, cy: number, rad: number): string {
  const c = GUIDE_COLORS.glyph;
  const len = rad * 1.3, w = rad * 0.28;
  switch (action) {
    case 'raise_head':
      return arrow(cx, cy, len, 90, w, c);
    case 'lower_head':
      return arrow(cx, cy, len, -90, w, c);
    // Mirrored picture: the person's left is the screen's left.
    case 'turn_left':
      return arrow(cx, cy, len, 180, w, c);
    case 'turn_right':
      return arrow(cx, cy, len, 0, w, c);
    case 'nod':
      return arrow(cx, cy - rad * 0.3, len * 0.6, 90, w * 0.8, c) + arrow(cx, cy + rad * 0.3, len * 0.6, -90, w * 0.8, c);
    case 'shake_head':
      return arrow(cx - rad * 0.3, cy, len * 0.6, 180, w * 0.8, c) + arrow(cx + rad * 0.3, cy, len * 0.6, 0, w * 0.8, c);
    case 'blink': {
      // An eye, and below it the closed lid: open, then shut.
      const ew = rad * 0.75, eh = rad * 0.38, ey = cy - rad * 0.2;
      return (
        `<path d="M ${r(cx - ew)} ${r(ey)} Q ${r(cx)} ${r(ey - eh * 1.6)} ${r(cx + ew)} ${r(ey)} Q ${r(cx)} ${r(ey + eh * 1.6)} ${r(cx - ew)} ${r(ey)} Z" fill="none" stroke="${c}" stroke-width="${r(rad * 0.1)}"/>` +
        `<circle cx="${r(cx)}" cy="${r(ey)}" r="${r(eh * 0.7)}" fill="${c}"/>` +
        `<path d="M ${r(cx - ew)} ${r(cy + rad * 0.45)} Q ${r(cx)} ${r(cy + rad * 0.75)} ${r(cx + ew)} ${r(cy + rad * 0.45)}" fill="none" stroke="${c}" stroke-width="${r(rad * 0.1)}"/>`
      );
    }
    case 'open_mouth':
      // Lips around an open mouth.
      return (
        `<ellipse cx="${r(cx)}" cy="${r(cy)}" rx="${r(rad * 0.6)}" ry="${r(rad * 0.5)}" fill="none" stroke="${c}" stroke-width="${r(rad * 0.14)}"/>` +
        `<ellipse cx="${r(cx)}" cy="${r(cy)}" rx="${r(rad * 0.42)}" ry="${r(rad * 0.32)}" fill="${c}"/>`
      );
  }
}

/**
 * The guide over the picture rectangle `pic` (the part of the preview above the caption): the oval
 * a face of about a third of the frame's width fills, and the action's pictogram in a corner badge.
 */
export function guideSvg(view: ScreenView, pic: Rect, scale: number): string {
  const tone = guideTone(view);
  const cx = pic.x + pic.width / 2, cy = pic.y + pic.height * 0.48;
  const rx = pic.width * 0.2, ry = Math.min(rx * 1.3, pic.height * 0.42);
  const sw = Math.max(4, r(8 * scale));
  let svg = `<ellipse cx="${r(cx)}" cy="${r(cy)}" rx="${r(rx)}" ry="${r(ry)}" fill="none" stroke="${GUIDE_COLORS.outline}" stroke-width="${sw + r(4 * scale)}" stroke-opacity="0.6"/>`;
  svg += `<ellipse cx="${r(cx)}" cy="${r(cy)}" rx="${r(rx)}" ry="${r(ry)}" fill="none" stroke="${GUIDE_COLORS[tone]}" stroke-width="${sw}"${tone === 'neutral' ? ` stroke-dasharray="${r(24 * scale)} ${r(14 * scale)}"` : ''}/>`;
  const action = view.mode === 'acting' && typeof view.fields.action === 'string' ? (view.fields.action as Action) : null;
  if (action) {
    const rad = Math.min(pic.width, pic.height) * 0.16;
    const bx = pic.x + pic.width - rad - r(12 * scale), by = pic.y + rad + r(12 * scale);
    svg += `<circle cx="${r(bx)}" cy="${r(by)}" r="${r(rad)}" fill="${GUIDE_COLORS.badge}" stroke="${GUIDE_COLORS.outline}" stroke-width="${r(3 * scale)}"/>`;
    svg += actionGlyph(action, bx, by, rad);
  }
  return svg;
}
