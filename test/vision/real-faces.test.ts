/**
 * The face pipeline on real photographs (test/fixtures/real-faces and the two portraits of
 * assets/faces; sources and licences in test/fixtures/real-faces/README.md), each judged on its own:
 * a fresh pipeline per image, so nothing is followed from one photo to the next.
 *
 * Each photo: exactly one face. Then copies made here with OpenCV: turned ±12°, mirrored, darkened,
 * scaled to 0.6x. How often the pose answers each change as it should is printed (t.comment) for
 * the bench and the docs; the assertions are floors a little under what was measured (2026-12-04:
 * 31 photos, 30 with one face to vary):
 * - roll follows a ±12° turn within 5°: 58 of 60 turned copies (the other 2: no single face found);
 *   asserted ≥ 90%;
 * - a mirror flips the sign of yaw (17 faces turned ≥ 5°) and of roll (6 tilted ≥ 5°): all, asserted
 *   all; the mirrored pose is the original's with yaw and roll negated within 5°: 29 of 30, asserted ≥ 90%;
 * - darkened to 35% brightness and scaled to 0.6x: yaw, pitch and roll within 5° in 30 of 30 (largest
 *   changes 4.3° and 2.7°); asserted ≥ 90%.
 * A variant where the pipeline does not find exactly one face counts as a miss.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testEngine, FACES } from './engine-fixture.js';
import type { Mat } from '../../src/vision/cv.js';
import type { HeadPose } from '../../src/vision/pose.js';

t.setTimeout(120_000);

const REAL = new URL('../fixtures/real-faces/', import.meta.url).pathname;
const PHOTOS = [
  ...readdirSync(REAL).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(REAL, f)),
  join(FACES, 'grace-hopper.jpg'),
  join(FACES, 'astronaut.jpg'),
];

/**
 * Photos where the cascade also reports a second, false face (measured): Brillouin's crop has his
 * collar and tie knot taken for a small face. Kept as found, not cropped away: it is what the
 * pipeline does on real photos. For these the person's face must still be the one at the centre.
 */
const KNOWN_EXTRA = new Set(['solvay-back-11-brillouin.jpg']);

const TURN = 12;
const WITHIN = 5;
/** Darkened copy: every pixel times this (a dim room, a backlit face). */
const DARK = 0.35;
const SCALE = 0.6;

const engine = testEngine();
const cv = engine.cv;
const nameOf = (path: string) => path.split('/').pop()!;

function faces(image: Mat) {
  // A fresh pipeline: each image judged on its own.
  return engine.pipeline().analyze(image, 0).faces;
}

/** The one face's pose, or null when the pipeline does not find exactly one face. */
function onePose(image: Mat): HeadPose | null {
  const found = faces(image);
  image.release();
  return found.length === 1 ? found[0]!.pose : null;
}

function turned(image: Mat, deg: number): Mat {
  const centre = new cv.Point2(image.cols / 2, image.rows / 2);
  return image.warpAffine(cv.getRotationMatrix2D(centre, deg, 1), new cv.Size(image.cols, image.rows), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
}

const within = (a: number, b: number) => Math.abs(a - b) <= WITHIN;
const samePose = (a: HeadPose, b: HeadPose) => within(a.yaw, b.yaw) && within(a.pitch, b.pitch) && within(a.roll, b.roll);
const pct = (n: number, of: number) => `${n}/${of} (${of ? Math.round((100 * n) / of) : 0}%)`;

interface Measured {
  name: string;
  pose: HeadPose;
  turns: Array<{ deg: number; pose: HeadPose | null }>;
  mirror: HeadPose | null;
  dark: HeadPose | null;
  small: HeadPose | null;
}

const measured: Measured[] = [];

t.test('the set: at least 20 real photos, each with its source and licence in the README', async (t) => {
  t.ok(PHOTOS.length >= 20, `${PHOTOS.length} photos`);
  const readme = readFileSync(join(REAL, 'README.md'), 'utf8');
  for (const path of PHOTOS) t.match(readme, `| ${path.startsWith(REAL) ? '' : '../../../assets/faces/'}${nameOf(path)} |`, `${nameOf(path)} is in the README`);
});

t.test('each photo alone: exactly one face', async (t) => {
  for (const path of PHOTOS) {
    const name = nameOf(path);
    const image = cv.imread(path);
    const found = faces(image);
    if (KNOWN_EXTRA.has(name)) {
      // The person's face is the big one, and it is where the crop was centred.
      const [x, y, w, h] = found.reduce((a, b) => (b.box[2] > a.box[2] ? b : a)).box;
      t.ok(x < image.cols / 2 && x + w > image.cols / 2 && y < image.rows / 2 && y + h > image.rows / 2, `${name}: the person's face is found (${found.length} faces, a known false one beside it)`);
    } else {
      t.equal(found.length, 1, `${name}: one face`);
    }
    const pose = found[0]?.pose;
    if (found.length === 1 && pose) {
      measured.push({
        name,
        pose,
        turns: [TURN, -TURN].map((deg) => ({ deg, pose: onePose(turned(image, deg)) })),
        mirror: onePose(image.flip(1)),
        dark: onePose(image.convertTo(cv.CV_8U, DARK, 0)),
        small: onePose(image.resize(Math.round(image.rows * SCALE), Math.round(image.cols * SCALE), 0, 0, cv.INTER_AREA)),
      });
    }
    image.release();
  }
  t.comment(`poses found (yaw/pitch/roll): ${measured.map((m) => `${m.name.replace(/\.jpg$/, '')} ${m.pose.yaw.toFixed(0)}/${m.pose.pitch.toFixed(0)}/${m.pose.roll.toFixed(0)}`).join(', ')}`);
});

t.test('variants: rotation, mirror, light and scale', async (t) => {
  t.ok(measured.length >= 20, `${measured.length} photos with one face to vary`);

  // Roll follows the turn: a copy turned counter-clockwise by deg reads roll + deg.
  const turns = measured.flatMap((m) => m.turns.map((v) => ({ m, v })));
  const rollFollows = turns.filter(({ m, v }) => v.pose && within(v.pose.roll - m.pose.roll, v.deg));
  const turnMiss = turns.filter(({ v }) => !v.pose);
  t.comment(`roll follows a ±${TURN}° turn within ${WITHIN}°: ${pct(rollFollows.length, turns.length)}; no single face found: ${turnMiss.length}` +
    `; off: ${turns.filter((x) => !rollFollows.includes(x)).map(({ m, v }) => `${m.name} ${v.deg > 0 ? '+' : ''}${v.deg}° ${v.pose ? `Δroll ${(v.pose.roll - m.pose.roll).toFixed(1)}` : 'no face'}`).join(', ') || 'none'}`);
  t.ok(rollFollows.length >= 0.9 * turns.length, 'roll follows the turn in at least 90% of turned copies');

  // Mirror: yaw and roll change sign, pitch stays.
  const mirrored = measured.filter((m) => m.mirror);
  const turnedFaces = mirrored.filter((m) => Math.abs(m.pose.yaw) >= WITHIN);
  const tiltedFaces = mirrored.filter((m) => Math.abs(m.pose.roll) >= WITHIN);
  const yawFlips = turnedFaces.filter((m) => Math.sign(m.mirror!.yaw) === -Math.sign(m.pose.yaw));
  const rollFlips = tiltedFaces.filter((m) => Math.sign(m.mirror!.roll) === -Math.sign(m.pose.roll));
  const mirrorExact = mirrored.filter((m) => within(m.mirror!.yaw, -m.pose.yaw) && within(m.mirror!.roll, -m.pose.roll) && within(m.mirror!.pitch, m.pose.pitch));
  t.comment(`mirror: one face in ${pct(mirrored.length, measured.length)}; yaw sign flips ${pct(yawFlips.length, turnedFaces.length)} of faces turned ≥ ${WITHIN}°; ` +
    `roll sign flips ${pct(rollFlips.length, tiltedFaces.length)} of faces tilted ≥ ${WITHIN}°; pose mirrored within ${WITHIN}° ${pct(mirrorExact.length, measured.length)}` +
    `; off: ${mirrored.filter((m) => !mirrorExact.includes(m)).map((m) => `${m.name} yaw ${m.pose.yaw.toFixed(1)}→${m.mirror!.yaw.toFixed(1)} roll ${m.pose.roll.toFixed(1)}→${m.mirror!.roll.toFixed(1)}`).join(', ') || 'none'}`);
  t.equal(yawFlips.length, turnedFaces.length, 'a mirror flips the sign of yaw on every face turned 5° or more');
  t.equal(rollFlips.length, tiltedFaces.length, 'a mirror flips the sign of roll on every face tilted 5° or more');
  t.ok(mirrorExact.length >= 0.9 * measured.length, 'the mirrored pose is the negated one within 5° in at least 90% of photos');

  // Light and scale change nothing about the head.
  for (const [what, pick] of [
    [`darkened to ${DARK * 100}%`, (m: Measured) => m.dark],
    [`scaled to ${SCALE}x`, (m: Measured) => m.small],
  ] as const) {
    const same = measured.filter((m) => pick(m) && samePose(pick(m)!, m.pose));
    const worst = Math.max(...measured.map((m) => { const p = pick(m); return p ? Math.max(Math.abs(p.yaw - m.pose.yaw), Math.abs(p.pitch - m.pose.pitch), Math.abs(p.roll - m.pose.roll)) : Infinity; }));
    t.comment(`${what}: pose within ${WITHIN}° ${pct(same.length, measured.length)}; no single face found: ${measured.filter((m) => !pick(m)).length}; largest change ${worst.toFixed(1)}°`);
    t.ok(same.length >= 0.9 * measured.length, `${what}: pose within ${WITHIN}° in at least 90% of photos`);
  }
});
