/**
 * Writes dlib's serialisation (serialize.h) for tests: small hand-made shape predictors whose
 * predictions can be worked out by hand, and broken files.
 */
export function dlibInt(value: number): Buffer {
  const neg = value < 0;
  let v = Math.abs(value);
  const bytes: number[] = [];
  do {
    bytes.push(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return Buffer.from([bytes.length | (neg ? 0x80 : 0), ...bytes]);
}

/** value = mantissa · 2^exponent with an integer mantissa (exact for the floats used in tests). */
export function dlibFloat(value: number): Buffer {
  let exponent = 0;
  let mantissa = value;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    exponent -= 1;
  }
  return Buffer.concat([dlibInt(mantissa), dlibInt(exponent)]);
}

export interface TinyTree {
  splits: Array<[number, number, number]>;
  leaves: number[][];
}

export interface TinyModel {
  initialShape: number[];
  forests: TinyTree[][];
  anchors: number[][];
  deltas: Array<Array<[number, number]>>;
  version?: number;
}

export function writeDlibModel(m: TinyModel): Buffer {
  const out: Buffer[] = [];
  const column = (values: number[]) => {
    out.push(dlibInt(-values.length), dlibInt(-1));
    for (const v of values) out.push(dlibFloat(v));
  };
  out.push(dlibInt(m.version ?? 1));
  column(m.initialShape);
  out.push(dlibInt(m.forests.length));
  for (const level of m.forests) {
    out.push(dlibInt(level.length));
    for (const tree of level) {
      out.push(dlibInt(tree.splits.length));
      for (const [a, b, t] of tree.splits) out.push(dlibInt(a), dlibInt(b), dlibFloat(t));
      out.push(dlibInt(tree.leaves.length));
      for (const leaf of tree.leaves) column(leaf);
    }
  }
  out.push(dlibInt(m.anchors.length));
  for (const level of m.anchors) {
    out.push(dlibInt(level.length));
    for (const a of level) out.push(dlibInt(a));
  }
  out.push(dlibInt(m.deltas.length));
  for (const level of m.deltas) {
    out.push(dlibInt(level.length));
    for (const [x, y] of level) out.push(dlibFloat(x), dlibFloat(y));
  }
  return Buffer.concat(out);
}

/** A two-point model with one tree: loads and converts in milliseconds (engine and start-up tests). */
export const TINY_MODEL: TinyModel = {
  initialShape: [0.25, 0.5, 0.75, 0.5],
  forests: [[{ splits: [[0, 1, 10]], leaves: [[0.125, 0, 0, 0], [0, 0, 0, -0.125]] }]],
  anchors: [[0, 1]],
  deltas: [[[0, 0], [0, 0]]],
};
