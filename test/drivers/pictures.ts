/** Picture comparison for golden PNGs: decoded with Skia, compared pixel by pixel. */
import { createCanvas, Image } from '@napi-rs/canvas';

export function pixels(png: Buffer): { width: number; height: number; data: Uint8ClampedArray } {
  const image = new Image();
  image.src = png;
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

/** Same size, and at most 0.1% of pixels differ clearly (font hinting may move an edge). */
export function samePicture(a: Buffer, b: Buffer): boolean {
  const pa = pixels(a);
  const pb = pixels(b);
  if (pa.width !== pb.width || pa.height !== pb.height) return false;
  let differ = 0;
  for (let i = 0; i < pa.data.length; i += 4) if (Math.abs(pa.data[i]! - pb.data[i]!) > 64) differ++;
  return differ <= (pa.width * pa.height) / 1000;
}
