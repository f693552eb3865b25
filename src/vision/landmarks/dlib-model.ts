/**
 * dlib's shape predictor (an ensemble of regression trees, Kazemi & Sullivan 2014) read from dlib's
 * own serialisation, e.g. Debian libdlib-data's shape_predictor_68_face_landmarks.dat (~100 MB), and
 * a converted copy that loads in tens of milliseconds instead of seconds.
 *
 * dlib's format, as its serialize.h writes it:
 * - integers: a control byte (low 4 bits: how many bytes follow, bit 7: negative), then that many
 *   bytes, least significant first;
 * - floats: two integers, mantissa (int64) and exponent (int16): value = mantissa * 2^exponent;
 * - std::vector: its size, then the items; matrix: -rows, -cols (negated in the current format),
 *   then the items row by row; dlib::vector<float,2>: x, y;
 * - shape_predictor: version 1, initial shape (column matrix), forests (vector per cascade level of
 *   trees: splits [idx1, idx2, thresh], leaf values [column matrices]), anchor indices, deltas.
 */
import { closeSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { compressLeaves, DEFAULT_COMPONENTS, type CompressedLeaves } from './compress.js';

export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/** The predictor in flat typed arrays: every tree of every level has the same depth in dlib's models. */
export interface ShapeModel {
  /** Number of landmarks (68 for the iBUG 300-W model). */
  parts: number;
  /** Mean shape in the detection box's unit square: x0, y0, x1, y1, … */
  initialShape: Float32Array;
  levels: number;
  treesPerLevel: number;
  /** Split nodes per tree (2^depth - 1); leaves per tree = splitsPerTree + 1. */
  splitsPerTree: number;
  /** Feature pixels per level. */
  pixelsPerLevel: number;
  /** [level][tree][split]: pixel indices and threshold. */
  splitIdx1: Uint16Array;
  splitIdx2: Uint16Array;
  splitThresh: Float32Array;
  /** [level][tree][leaf][2 * parts]: shape increments. */
  leafValues: Float32Array;
  /** [level][pixel]: the landmark a feature pixel hangs from and its offset in the unit square. */
  anchorIdx: Uint16Array;
  deltas: Float32Array;
  /** Leaves as coefficients on each level's principal directions (compress.ts), when made. */
  compressed?: CompressedLeaves;
}

/** A cursor over dlib's serialised bytes. */
class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  int(what: string, maxBytes = 8): number {
    const control = this.byte(what);
    const size = control & 0x0f;
    if (size === 0 || size > maxBytes || (control & 0x70) !== 0) {
      throw new ModelFormatError(`bad integer control byte 0x${control.toString(16)} for ${what} at byte ${this.pos - 1}`);
    }
    if (this.pos + size > this.buf.length) throw new ModelFormatError(`file ends inside ${what}`);
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + this.buf[this.pos + i]!;
    this.pos += size;
    return control & 0x80 ? -value : value;
  }

  float(what: string): number {
    const mantissa = this.int(`${what} (mantissa)`, 8);
    const exponent = this.int(`${what} (exponent)`, 2);
    // dlib marks non-finite values with reserved exponents.
    if (exponent === 32000) return Infinity;
    if (exponent === 32001) return -Infinity;
    if (exponent === 32002) return NaN;
    return mantissa * 2 ** exponent;
  }

  count(what: string, limit: number): number {
    const n = this.int(what);
    if (n < 0 || n > limit) throw new ModelFormatError(`${what} = ${n} is out of range (0..${limit})`);
    return n;
  }

  /** A column matrix<float,0,1>. */
  column(what: string, into: Float32Array, offset: number, expected: number): void {
    const rows = Math.abs(this.int(`${what} rows`));
    const cols = Math.abs(this.int(`${what} cols`));
    if (cols !== 1 || rows !== expected) throw new ModelFormatError(`${what} is ${rows}x${cols}, expected ${expected}x1`);
    for (let i = 0; i < rows; i++) into[offset + i] = this.float(what);
  }

  private byte(what: string): number {
    if (this.pos >= this.buf.length) throw new ModelFormatError(`file ends before ${what}`);
    return this.buf[this.pos++]!;
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }
}

/** Parses dlib's serialised shape_predictor. Throws ModelFormatError naming what was wrong and where. */
export function parseDlibShapePredictor(buf: Buffer): ShapeModel {
  const r = new Reader(buf);
  const version = r.int('version');
  if (version !== 1) throw new ModelFormatError(`not a dlib shape_predictor version 1 (found version ${version})`);
  const rows = Math.abs(r.int('initial shape rows'));
  const cols = Math.abs(r.int('initial shape cols'));
  if (cols !== 1 || rows < 2 || rows % 2 !== 0 || rows > 2 * 1000) throw new ModelFormatError(`initial shape is ${rows}x${cols}`);
  const parts = rows / 2;
  const initialShape = new Float32Array(rows);
  for (let i = 0; i < rows; i++) initialShape[i] = r.float('initial shape');

  const levels = r.count('cascade levels', 100);
  let treesPerLevel = -1;
  let splitsPerTree = -1;
  let splitIdx1!: Uint16Array, splitIdx2!: Uint16Array, splitThresh!: Float32Array, leafValues!: Float32Array;
  for (let level = 0; level < levels; level++) {
    const trees = r.count(`trees of level ${level}`, 100_000);
    if (treesPerLevel === -1) treesPerLevel = trees;
    else if (trees !== treesPerLevel) throw new ModelFormatError(`level ${level} has ${trees} trees, level 0 has ${treesPerLevel}`);
    for (let t = 0; t < trees; t++) {
      const splits = r.count('splits', 1 << 12);
      if (splitsPerTree === -1) {
        if (((splits + 1) & splits) !== 0) throw new ModelFormatError(`a tree has ${splits} splits (not a full binary tree)`);
        splitsPerTree = splits;
        const nTrees = levels * treesPerLevel;
        splitIdx1 = new Uint16Array(nTrees * splits);
        splitIdx2 = new Uint16Array(nTrees * splits);
        splitThresh = new Float32Array(nTrees * splits);
        leafValues = new Float32Array(nTrees * (splits + 1) * rows);
      } else if (splits !== splitsPerTree) {
        throw new ModelFormatError(`trees of different depths (${splits} and ${splitsPerTree} splits) are not supported`);
      }
      const tree = level * treesPerLevel + t;
      for (let s = 0; s < splits; s++) {
        const k = tree * splits + s;
        splitIdx1[k] = r.count('split pixel 1', 65_535);
        splitIdx2[k] = r.count('split pixel 2', 65_535);
        splitThresh[k] = r.float('split threshold');
      }
      const leaves = r.count('leaves', 1 << 13);
      if (leaves !== splits + 1) throw new ModelFormatError(`a tree has ${splits} splits but ${leaves} leaves`);
      for (let l = 0; l < leaves; l++) r.column('leaf value', leafValues, (tree * leaves + l) * rows, rows);
    }
  }

  if (r.count('anchor levels', 100) !== levels) throw new ModelFormatError('anchor indices do not match the cascade levels');
  let pixelsPerLevel = -1;
  let anchorIdx!: Uint16Array;
  for (let level = 0; level < levels; level++) {
    const n = r.count('feature pixels', 65_535);
    if (pixelsPerLevel === -1) {
      pixelsPerLevel = n;
      anchorIdx = new Uint16Array(levels * n);
    } else if (n !== pixelsPerLevel) throw new ModelFormatError('levels with different numbers of feature pixels are not supported');
    for (let i = 0; i < n; i++) anchorIdx[level * n + i] = r.count('anchor index', parts - 1);
  }
  if (r.count('delta levels', 100) !== levels) throw new ModelFormatError('deltas do not match the cascade levels');
  const deltas = new Float32Array(levels * pixelsPerLevel * 2);
  for (let level = 0; level < levels; level++) {
    if (r.count('deltas', 65_535) !== pixelsPerLevel) throw new ModelFormatError(`level ${level} has a different number of deltas than pixels`);
    for (let i = 0; i < pixelsPerLevel; i++) {
      deltas[(level * pixelsPerLevel + i) * 2] = r.float('delta x');
      deltas[(level * pixelsPerLevel + i) * 2 + 1] = r.float('delta y');
    }
  }
  if (!r.done) throw new ModelFormatError(`${buf.length - r.pos} bytes left over after the model`);
  for (let k = 0; k < splitIdx1.length; k++) {
    if (splitIdx1[k]! >= pixelsPerLevel || splitIdx2[k]! >= pixelsPerLevel) throw new ModelFormatError('a split names a feature pixel that does not exist');
  }
  return { parts, initialShape, levels, treesPerLevel, splitsPerTree, pixelsPerLevel, splitIdx1, splitIdx2, splitThresh, leafValues, anchorIdx, deltas };
}

// ---- the converted copy: a small JSON header, then the arrays back to back (8-byte aligned) ----

const MAGIC = 'LCSHAPE2';
const ARRAYS = ['initialShape', 'splitIdx1', 'splitIdx2', 'splitThresh', 'leafValues', 'anchorIdx', 'deltas', 'basis', 'leafCoeffs'] as const;
type ArrayName = (typeof ARRAYS)[number];

function arrayOf(model: ShapeModel, name: ArrayName): Float32Array | Uint16Array {
  if (name === 'basis' || name === 'leafCoeffs') return model.compressed?.[name] ?? new Float32Array(0);
  return model[name];
}

interface CacheHeader {
  /** Size and modification time of the dlib file it was made from: a changed source is reconverted. */
  source: { size: number; mtimeMs: number };
  parts: number;
  levels: number;
  treesPerLevel: number;
  splitsPerTree: number;
  pixelsPerLevel: number;
  /** Principal directions per level of the compressed leaves; 0: not compressed. */
  components: number;
  arrays: Record<ArrayName, { type: 'f32' | 'u16'; length: number; offset: number }>;
}

export function serializeConverted(model: ShapeModel, source: { size: number; mtimeMs: number }): Buffer {
  const arrays = {} as CacheHeader['arrays'];
  let offset = 0;
  for (const name of ARRAYS) {
    const a = arrayOf(model, name);
    arrays[name] = { type: a instanceof Float32Array ? 'f32' : 'u16', length: a.length, offset };
    offset += Math.ceil(a.byteLength / 8) * 8;
  }
  const header: CacheHeader = {
    source,
    parts: model.parts,
    levels: model.levels,
    treesPerLevel: model.treesPerLevel,
    splitsPerTree: model.splitsPerTree,
    pixelsPerLevel: model.pixelsPerLevel,
    components: model.compressed?.components ?? 0,
    arrays,
  };
  const json = Buffer.from(JSON.stringify(header));
  const headLen = Math.ceil((MAGIC.length + 4 + json.length) / 8) * 8;
  const out = Buffer.alloc(headLen + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  for (const name of ARRAYS) {
    const a = arrayOf(model, name);
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(out, headLen + arrays[name].offset);
  }
  return out;
}

/** Reads a converted copy; returns null when it is not one or was made from another source file. */
export function parseConverted(buf: Buffer, source?: { size: number; mtimeMs: number }): ShapeModel | null {
  if (buf.length < MAGIC.length + 4 || buf.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
  const jsonLen = buf.readUInt32LE(MAGIC.length);
  let header: CacheHeader;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + jsonLen)) as CacheHeader;
  } catch {
    return null;
  }
  if (source && (header.source.size !== source.size || header.source.mtimeMs !== source.mtimeMs)) return null;
  const headLen = Math.ceil((MAGIC.length + 4 + jsonLen) / 8) * 8;
  // One aligned copy so the typed arrays can view it (a Buffer from readFileSync may be unaligned).
  const body = new ArrayBuffer(buf.length - headLen);
  new Uint8Array(body).set(buf.subarray(headLen));
  const view = {} as Record<ArrayName, Float32Array | Uint16Array>;
  for (const name of ARRAYS) {
    const a = header.arrays[name];
    if (!a || a.offset + a.length * (a.type === 'f32' ? 4 : 2) > body.byteLength) return null;
    view[name] = a.type === 'f32' ? new Float32Array(body, a.offset, a.length) : new Uint16Array(body, a.offset, a.length);
  }
  return {
    parts: header.parts,
    levels: header.levels,
    treesPerLevel: header.treesPerLevel,
    splitsPerTree: header.splitsPerTree,
    pixelsPerLevel: header.pixelsPerLevel,
    initialShape: view.initialShape as Float32Array,
    splitIdx1: view.splitIdx1 as Uint16Array,
    splitIdx2: view.splitIdx2 as Uint16Array,
    splitThresh: view.splitThresh as Float32Array,
    leafValues: view.leafValues as Float32Array,
    anchorIdx: view.anchorIdx as Uint16Array,
    deltas: view.deltas as Float32Array,
    ...(header.components > 0 ? { compressed: { components: header.components, basis: view.basis as Float32Array, leafCoeffs: view.leafCoeffs as Float32Array } } : {}),
  };
}

export interface LoadedModel {
  model: ShapeModel;
  /** Where it came from: the converted copy, or the dlib file (then converted for next time). */
  from: 'cache' | 'dlib';
  ms: number;
  /** Set when the converted copy could not be written (read-only disk, full disk): loading still works. */
  cacheError?: string;
}

/**
 * Loads the model from `modelPath` (dlib format) through the converted copy at `cachePath`: the copy
 * is used when it was made from this very file with the same compression, else the dlib file is
 * parsed (and its leaves compressed: `components`, 0 for none) and the copy rewritten (atomically:
 * a half-written copy is never read).
 */
export function loadShapeModel(modelPath: string, cachePath: string, options: { components?: number; now?: () => number } = {}): LoadedModel {
  const now = options.now ?? (() => performance.now());
  const components = options.components ?? DEFAULT_COMPONENTS;
  const started = now();
  let st;
  try {
    st = statSync(modelPath);
  } catch (e) {
    throw new ModelFormatError(`landmark model ${modelPath} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const source = { size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
  if (cachePath) {
    try {
      const cached = parseConverted(readFileSync(cachePath), source);
      if (cached && (cached.compressed?.components ?? 0) === Math.min(components, 2 * cached.parts)) return { model: cached, from: 'cache', ms: now() - started };
    } catch {
      // no copy yet, or unreadable: make one
    }
  }
  if (!looksLikeDlib(modelPath)) throw new ModelFormatError(`landmark model ${modelPath} is not a dlib shape predictor`);
  let model: ShapeModel;
  try {
    model = parseDlibShapePredictor(readFileSync(modelPath));
  } catch (e) {
    if (e instanceof ModelFormatError) throw new ModelFormatError(`landmark model ${modelPath}: ${e.message}`);
    throw e;
  }
  if (components > 0) model.compressed = compressLeaves(model, components);
  let cacheError: string | undefined;
  if (cachePath) {
    try {
      mkdirSync(dirname(cachePath), { recursive: true });
      const tmp = `${cachePath}.${process.pid}.tmp`;
      writeFileSync(tmp, serializeConverted(model, source));
      renameSync(tmp, cachePath);
    } catch (e) {
      cacheError = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    }
  }
  return { model, from: 'dlib', ms: now() - started, ...(cacheError ? { cacheError } : {}) };
}

/** A dlib shape predictor starts with version 1 written as the integer bytes 01 01. */
function looksLikeDlib(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head[0] === 0x01 && head[1] === 0x01;
  } finally {
    closeSync(fd);
  }
}
