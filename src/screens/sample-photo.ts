/**
 * A drawn stand-in for a captured photo (a simple face on a plain background) for screenshots and
 * golden tests: no real person's picture is needed to show the captured screen.
 */
import { createCanvas } from '@napi-rs/canvas';

export function samplePhoto(width = 640, height = 480): Buffer {
  const c = createCanvas(width, height);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#9fb7cf';
  ctx.fillRect(0, 0, width, height);
  const cx = width / 2;
  const cy = height * 0.48;
  ctx.fillStyle = '#3b3b3b';
  ctx.beginPath();
  ctx.ellipse(cx, cy - height * 0.08, width * 0.17, height * 0.26, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#e8c4a0';
  ctx.beginPath();
  ctx.ellipse(cx, cy, width * 0.14, height * 0.24, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#2a2a2a';
  for (const dx of [-0.055, 0.055]) {
    ctx.beginPath();
    ctx.ellipse(cx + dx * width, cy - height * 0.04, width * 0.016, height * 0.012, 0, 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.strokeStyle = '#8a3b3b';
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.arc(cx, cy + height * 0.09, width * 0.04, 0.15 * Math.PI, 0.85 * Math.PI);
  ctx.stroke();
  ctx.fillStyle = '#44546a';
  ctx.fillRect(cx - width * 0.22, cy + height * 0.24, width * 0.44, height * 0.3);
  return c.toBuffer('image/png');
}
