// The face pipeline on real photos: detection, landmarks, pose, and how they follow simple image
// changes (rotation, mirror, scale, light). Real OpenCV, real dlib model, real pictures.
import t from 'tap';
import { testEngine, face } from './engine-fixture.js';
import type { Mat } from '../../src/vision/cv.js';
import type { FaceObservation } from '../../src/vision/observation.js';

const engine = testEngine();
const cv = engine.cv;

function one(mat: Mat): FaceObservation {
  const p = engine.pipeline();
  const o = p.analyze(mat, 0);
  if (o.faces.length !== 1) throw new Error(`expected one face, found ${o.faces.length}`);
  return o.faces[0]!;
}

function rotate(mat: Mat, degrees: number): Mat {
  const m = cv.getRotationMatrix2D(new cv.Point2(mat.cols / 2, mat.rows / 2), degrees, 1);
  return mat.warpAffine(m, new cv.Size(mat.cols, mat.rows), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
}

for (const name of ['grace-hopper', 'astronaut'] as const) {
  t.test(`${name}: one frontal face with open eyes and a closed mouth`, async (t) => {
    const f = one(face(name));
    t.ok(Math.abs(f.pose.yaw) < 8, `yaw ${f.pose.yaw.toFixed(1)}`);
    t.ok(Math.abs(f.pose.roll) < 8, `roll ${f.pose.roll.toFixed(1)}`);
    t.ok(Math.abs(f.pose.pitch) < 15, `pitch ${f.pose.pitch.toFixed(1)}`);
    t.ok(f.ear.mean > 0.2 && f.ear.mean < 0.45, `ear ${f.ear.mean.toFixed(3)}`);
    t.ok(f.mar < 0.25, `mar ${f.mar.toFixed(3)}`);
    t.equal(f.landmarks.length, 136);
    // the landmark box lies inside the photo, around the face
    t.ok(f.box[0] > 0 && f.box[1] > 0 && f.box[0] + f.box[2] < 512 && f.box[1] + f.box[3] < 512, `box ${f.box}`);
  });

  t.test(`${name}: roll follows an in-plane rotation`, async (t) => {
    const base = one(face(name)).pose.roll;
    for (const angle of [-20, -10, 10, 20]) {
      const roll = one(rotate(face(name), angle)).pose.roll;
      // getRotationMatrix2D turns counter-clockwise for positive angles, our roll's positive sense
      t.ok(Math.abs(roll - base - angle) < 4, `rotated ${angle}°: roll ${roll.toFixed(1)} (base ${base.toFixed(1)})`);
    }
  });

  t.test(`${name}: a mirror flips roll and yaw, keeps pitch`, async (t) => {
    const a = one(face(name)).pose;
    const b = one(face(name).flip(1)).pose;
    t.ok(Math.abs(a.roll + b.roll) < 3, `roll ${a.roll.toFixed(1)} / mirrored ${b.roll.toFixed(1)}`);
    t.ok(Math.abs(a.yaw + b.yaw) < 7, `yaw ${a.yaw.toFixed(1)} / mirrored ${b.yaw.toFixed(1)}`);
    t.ok(Math.abs(a.pitch - b.pitch) < 5, `pitch ${a.pitch.toFixed(1)} / mirrored ${b.pitch.toFixed(1)}`);
    const rolled = one(rotate(face(name), 15).flip(1)).pose.roll;
    t.ok(Math.abs(rolled + 15 + a.roll) < 4, `rotated 15° then mirrored: roll ${rolled.toFixed(1)}`);
  });

  t.test(`${name}: scale and light change the measures little`, async (t) => {
    const a = one(face(name));
    for (const [label, mat] of [
      ['scaled 0.7', face(name).rescale(0.7)],
      ['scaled 1.4', face(name).rescale(1.4)],
      ['darkened to 40%', face(name).convertTo(cv.CV_8UC3, 0.4, 0)],
    ] as const) {
      const b = one(mat);
      t.ok(Math.abs(a.pose.yaw - b.pose.yaw) < 5 && Math.abs(a.pose.roll - b.pose.roll) < 3 && Math.abs(a.pose.pitch - b.pose.pitch) < 6,
        `${label}: pose ${JSON.stringify(b.pose, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}`);
      t.ok(Math.abs(a.ear.mean - b.ear.mean) < 0.07, `${label}: ear ${b.ear.mean.toFixed(3)} vs ${a.ear.mean.toFixed(3)}`);
    }
    // The darkened face is dimmer and fails the photo gate on exposure.
    const dark = one(face(name).convertTo(cv.CV_8UC3, 0.4, 0));
    t.ok(dark.quality.brightness < a.quality.brightness * 0.5, 'brightness drops with the light');
    t.equal(dark.quality.score, 0, 'too dark for the photo');
  });
}

t.test('no face in an empty picture; two faces side by side', async (t) => {
  t.same(engine.pipeline().analyze(new cv.Mat(480, 640, cv.CV_8UC3, [128, 128, 128]), 0).faces, []);
  const both = new cv.Mat(512, 1024, cv.CV_8UC3, [0, 0, 0]);
  face('grace-hopper').copyTo(both.getRegion(new cv.Rect(0, 0, 512, 512)));
  face('grace-hopper').flip(1).copyTo(both.getRegion(new cv.Rect(512, 0, 512, 512)));
  const o = engine.pipeline().analyze(both, 0);
  t.equal(o.faces.length, 2, 'two faces');
  t.not(o.faces[0]!.track, o.faces[1]!.track, 'two tracks');
});

t.test('a face is followed with one track, and dropped when it leaves', async (t) => {
  const p = engine.pipeline();
  const img = face('grace-hopper');
  const tracks = new Set<number>();
  for (let i = 0; i < 12; i++) for (const f of p.analyze(img, i * 66).faces) tracks.add(f.track);
  t.equal(tracks.size, 1, 'one track over 12 frames');
  const empty = new cv.Mat(512, 512, cv.CV_8UC3, [90, 90, 90]);
  let lostAfter = -1;
  for (let i = 0; i < 20; i++) {
    if (p.analyze(empty, (12 + i) * 66).faces.length === 0) {
      lostAfter = i + 1;
      break;
    }
  }
  t.ok(lostAfter > 0 && lostAfter <= 11, `dropped after ${lostAfter} empty frames (two missed detections at most)`);
  const again = p.analyze(img, 40 * 66).faces;
  t.equal(again.length, 1);
  t.notOk(tracks.has(again[0]!.track), 'a returning face is a new track');
});

t.test('the photo gate: a good frontal portrait passes, a blurred one does not', async (t) => {
  const sharp = one(face('grace-hopper'));
  t.ok(sharp.quality.score > 0, `score ${sharp.quality.score}`);
  const blurred = one(face('grace-hopper').gaussianBlur(new cv.Size(15, 15), 6));
  t.ok(blurred.quality.sharpness < sharp.quality.sharpness / 4, `sharpness ${blurred.quality.sharpness} vs ${sharp.quality.sharpness}`);
  t.equal(blurred.quality.score, 0);
});
