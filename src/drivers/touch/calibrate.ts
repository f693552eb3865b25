/**
 * Touch calibration from four corners touched in turn (top left, top right, bottom right, bottom
 * left), in the panel's raw units. The panel's evdev ranges are not readable without an ioctl, and
 * a panel may be mounted turned or mirrored: the corners tell both the range and the orientation.
 */
import type { AxisCalibration } from './evdev.js';

export interface RawPoint {
  x: number;
  y: number;
}

export const CORNERS = ['top left', 'top right', 'bottom right', 'bottom left'] as const;
export type Corner = (typeof CORNERS)[number];

export class CalibrationError extends Error {
  override name = 'CalibrationError';
}

/**
 * The calibration that maps the four touched corners onto the screen's corners. Throws a
 * CalibrationError when the touches cannot be corners of one rectangle (too close together, or
 * not going round the screen in the asked order).
 */
export function calibrationFromCorners(points: Record<Corner, RawPoint>): AxisCalibration {
  const { 'top left': tl, 'top right': tr, 'bottom right': br, 'bottom left': bl } = points;
  const mean = (a: number, b: number) => (a + b) / 2;
  // Going right on the screen: which raw axis moves most?
  const acrossX = Math.abs(mean(tr.x - tl.x, br.x - bl.x));
  const acrossY = Math.abs(mean(tr.y - tl.y, br.y - bl.y));
  const swapXY = acrossY > acrossX;
  // The raw axis that runs along the screen's X, and the one along its Y.
  const alongX = (p: RawPoint) => (swapXY ? p.y : p.x);
  const alongY = (p: RawPoint) => (swapXY ? p.x : p.y);
  const left = mean(alongX(tl), alongX(bl));
  const right = mean(alongX(tr), alongX(br));
  const top = mean(alongY(tl), alongY(tr));
  const bottom = mean(alongY(bl), alongY(br));
  const spanX = Math.abs(right - left);
  const spanY = Math.abs(bottom - top);
  // Each side must be far longer than the disagreement between its two touches.
  const wobbleX = Math.max(Math.abs(alongX(tl) - alongX(bl)), Math.abs(alongX(tr) - alongX(br)));
  const wobbleY = Math.max(Math.abs(alongY(tl) - alongY(tr)), Math.abs(alongY(bl) - alongY(br)));
  if (spanX === 0 || spanY === 0 || wobbleX > spanX / 4 || wobbleY > spanY / 4) {
    throw new CalibrationError('the four touches are not the corners of the screen in the asked order (top left, top right, bottom right, bottom left); touch each corner as close to the edge as you can');
  }
  const rangeX = { min: Math.round(Math.min(left, right)), max: Math.round(Math.max(left, right)) };
  const rangeY = { min: Math.round(Math.min(top, bottom)), max: Math.round(Math.max(top, bottom)) };
  // minX/maxX always describe the raw X axis, whichever screen axis it runs along.
  const raw = swapXY ? { x: rangeY, y: rangeX } : { x: rangeX, y: rangeY };
  return { minX: raw.x.min, maxX: raw.x.max, minY: raw.y.min, maxY: raw.y.max, swapXY, invertX: left > right, invertY: top > bottom };
}
