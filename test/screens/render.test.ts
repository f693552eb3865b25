import t from 'tap';
import { createCanvas, Image } from '@napi-rs/canvas';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureView, GUIDE_FIXTURES } from '../../src/screens/fixtures.js';
import { SCREEN_IDS } from '../../src/screens/view.js';
import { encodeGrayPng, toGray } from '../png-gray.js';
import { qrSvg } from '../../src/screens/qr.js';
import { registerFonts, ScreenRenderer } from '../../src/screens/renderer.js';
import { samplePhoto } from '../../src/screens/sample-photo.js';
import { FONT_FAMILY } from '../../src/screens/svg.js';
import { ROOT } from '../helpers.js';

const GOLDEN = join(ROOT, 'test', 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Goldens are kept at half size to keep the repository small; layout and colour changes still show. */
const SCALE = 0.5;

/** The render at half size in gray: what a golden holds (as a gray PNG) and is compared with. */
function shrink(png: Buffer): { png: Buffer; gray: Uint8Array } {
  const img = new Image();
  img.src = png;
  const w = Math.round(img.width * SCALE);
  const h = Math.round(img.height * SCALE);
  const c = createCanvas(w, h);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0, w, h);
  const gray = toGray(ctx.getImageData(0, 0, w, h).data);
  return { png: encodeGrayPng(gray, w, h), gray };
}

function decodeGray(png: Buffer): Uint8Array {
  const img = new Image();
  img.src = png;
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return toGray(ctx.getImageData(0, 0, img.width, img.height).data);
}

/** A gray level difference beyond this is a changed pixel, not antialiasing. */
const TOLERANCE = 40;
/** Goldens are judged in blocks of this many pixels square (at half size: 16 px of the real screen). */
const BLOCK = 8;
/** Changed pixels allowed in any one block: a changed digit (25+ at half size) must fail, a stray edge pixel not. */
const BLOCK_BUDGET = 4;
/** Changed pixels allowed over the whole screen. */
const SHARE_BUDGET = 0.002;

interface GoldenDiff {
  /** Share of pixels changed beyond TOLERANCE. */
  share: number;
  /** Most changed pixels in one BLOCK x BLOCK block, and where it is (golden pixels). */
  worstBlock: number;
  at: { x: number; y: number } | null;
}

/**
 * How a render differs from its golden. A whole-screen share alone lets a changed digit through
 * (one digit of the masked ID number is 0.02% of the screen), so changes are also counted per block:
 * any small region that changed is a failure, wherever it is.
 */
function goldenDiff(a: Uint8Array, b: Uint8Array, width: number): GoldenDiff {
  if (a.length !== b.length) return { share: 1, worstBlock: Infinity, at: null };
  const blocksPerRow = Math.ceil(width / BLOCK);
  const blocks = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i]! - b[i]!) <= TOLERANCE) continue;
    n++;
    const key = Math.floor(i / width / BLOCK) * blocksPerRow + Math.floor((i % width) / BLOCK);
    blocks.set(key, (blocks.get(key) ?? 0) + 1);
  }
  let worstBlock = 0;
  let at: GoldenDiff['at'] = null;
  for (const [key, count] of blocks) {
    if (count <= worstBlock) continue;
    worstBlock = count;
    at = { x: (key % blocksPerRow) * BLOCK, y: Math.floor(key / blocksPerRow) * BLOCK };
  }
  return { share: n / a.length, worstBlock, at };
}

function matchesGolden(d: GoldenDiff): boolean {
  return d.share <= SHARE_BUDGET && d.worstBlock <= BLOCK_BUDGET;
}

function describe(d: GoldenDiff): string {
  return `${(d.share * 100).toFixed(3)}% of pixels differ, at most ${d.worstBlock} in one ${BLOCK}x${BLOCK} block${d.at ? ` (at ${d.at.x},${d.at.y} of the half-size golden)` : ''}`;
}

/** One golden per screen (its plain fixture), plus the rare-name confirm screen. */
const GOLDEN_FIXTURES = [...SCREEN_IDS, 'confirm-rare-name', 'overlay-qr', ...GUIDE_FIXTURES];

/** Share of pixels whose channels differ by more than `tolerance` (font hinting may move a few). */
function differing(a: Uint8ClampedArray, b: Uint8ClampedArray, tolerance = 40): number {
  if (a.length !== b.length) return 1;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    if (Math.abs(a[i]! - b[i]!) > tolerance || Math.abs(a[i + 1]! - b[i + 1]!) > tolerance || Math.abs(a[i + 2]! - b[i + 2]!) > tolerance) n++;
  }
  return n / (a.length / 4);
}

function glyph(family: string, text: string): Uint8ClampedArray {
  registerFonts();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="120"><rect width="120" height="120" fill="#fff"/><text x="10" y="95" font-family="${family}" font-size="96">${text}</text></svg>`;
  const img = new Image();
  img.src = Buffer.from(svg);
  const c = createCanvas(120, 120);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return ctx.getImageData(0, 0, 120, 120).data;
}

t.test('a CJK Extension B name character (𪚥) is drawn, not a box', async (t) => {
  const rare = glyph(FONT_FAMILY, '𪚥');
  const box = glyph(FONT_FAMILY, '\u{10FFFD}'); // a code point no font has: drawn as the missing-glyph box
  const fromFallback = glyph("'LC Fallback'", '𪚥');
  t.ok(differing(rare, box) > 0.05, 'differs from the missing-glyph box');
  t.ok(differing(rare, fromFallback) < 0.01, 'is the fallback font’s glyph');
  const ink = (d: Uint8ClampedArray) => {
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i]! < 128) n++;
    return n;
  };
  t.ok(ink(rare) > 1000, 'and it has ink');
});

t.test('a missing font file is a clear error naming it', async (t) => {
  t.throws(() => registerFonts({ regular: '/nonexistent/font.ttc', bold: '/nonexistent/b.ttc', fallback: '/nonexistent/f.ttf' }), /font file for 'regular' not found: \/nonexistent\/font\.ttc/);
});

t.test('golden images of every screen at 1280x800 and 1080x1920 (half size, gray, judged per block)', async (t) => {
  const assets = { photo: samplePhoto(), qrSvg: await qrSvg('https://example.invalid/lifecheck/mobile') };
  for (const size of [
    { width: 1280, height: 800 },
    { width: 1080, height: 1920 },
  ]) {
    const renderer = new ScreenRenderer(size);
    for (const name of GOLDEN_FIXTURES) {
      const file = join(GOLDEN, `${name}-${size.width}x${size.height}.png`);
      const small = shrink(renderer.png(fixtureView(name), assets));
      if (UPDATE || !existsSync(file)) {
        if (!UPDATE) t.fail(`${file} is missing; run UPDATE_GOLDEN=1 npx tap test/screens/render.test.ts and look at it`);
        writeFileSync(file, small.png);
        continue;
      }
      const d = goldenDiff(small.gray, decodeGray(readFileSync(file)), Math.round(size.width * SCALE));
      t.ok(matchesGolden(d), `${name} ${size.width}x${size.height}: ${describe(d)}`);
    }
  }
});

t.test('the golden comparison fails a changed digit of the masked ID number or of the countdown', async (t) => {
  const assets = { photo: samplePhoto(), qrSvg: await qrSvg('https://example.invalid/lifecheck/mobile') };
  for (const size of [
    { width: 1280, height: 800 },
    { width: 1080, height: 1920 },
  ]) {
    const renderer = new ScreenRenderer(size);
    const width = Math.round(size.width * SCALE);
    const golden = (name: string) => decodeGray(readFileSync(join(GOLDEN, `${name}-${size.width}x${size.height}.png`)));
    const confirm = fixtureView('confirm');
    const idNumber = String(confirm.fields.idNumber);
    const changed = { ...confirm, fields: { ...confirm.fields, idNumber: idNumber.slice(0, -1) + (idNumber.endsWith('8') ? '3' : '8') } };
    const digit = goldenDiff(shrink(renderer.png(changed, assets)).gray, golden('confirm'), width);
    t.notOk(matchesGolden(digit), `${size.width}x${size.height}: last ID digit changed: ${describe(digit)}`);
    const countdown = goldenDiff(shrink(renderer.png(fixtureView('service', 298), assets)).gray, golden('service'), width);
    t.notOk(matchesGolden(countdown), `${size.width}x${size.height}: countdown 298 for 299: ${describe(countdown)}`);
    const fortySeven = goldenDiff(shrink(renderer.png(fixtureView('service', 47), assets)).gray, shrink(renderer.png(fixtureView('service', 42), assets)).gray, width);
    t.notOk(matchesGolden(fortySeven), `${size.width}x${size.height}: countdown 47 for 42: ${describe(fortySeven)}`);
    const same = goldenDiff(shrink(renderer.png(fixtureView('service'), assets)).gray, golden('service'), width);
    t.ok(matchesGolden(same), 'and the unchanged screen still matches');
  }
});

t.test('the countdown box renders alone, at its place in the footer', async (t) => {
  const size = { width: 1280, height: 800 };
  const renderer = new ScreenRenderer(size);
  const full = renderer.render(fixtureView('service', 42));
  const part = renderer.renderCountdown(fixtureView('service', 42))!;
  t.ok(part.rect.x > 1000 && part.rect.y > 600, 'bottom right');
  t.ok(part.rect.width * part.rect.height < size.width * size.height * 0.05, 'a small rectangle');
  // Its pixels equal the full render's pixels at the same place.
  let same = 0;
  for (let y = 0; y < part.rect.height; y++) {
    for (let x = 0; x < part.rect.width; x++) {
      const a = ((part.rect.y + y) * size.width + part.rect.x + x) * 4;
      const b = (y * part.rect.width + x) * 4;
      if (Math.abs(full.data[a]! - part.image.data[b]!) <= 40) same++;
    }
  }
  t.ok(same / (part.rect.width * part.rect.height) > 0.99, 'matches the full screen');
  t.equal(renderer.renderCountdown(fixtureView('home')), null, 'home has no countdown');
});
