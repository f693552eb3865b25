/**
 * The peer of bench/vision: @vladmandic/human on TensorFlow.js's WASM backend (one thread, SIMD),
 * face detection + 468-point mesh, offline with the models shipped in its npm package. Run as a
 * child process by bench/vision so its memory is its own; prints one JSON line.
 *   node --import tsx bench/vision-peer.ts FRAMES.bin WIDTH HEIGHT COUNT
 * FRAMES.bin: COUNT frames of packed RGB.
 */
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const [file, w, h, n] = process.argv.slice(2);
const width = Number(w), height = Number(h), count = Number(n);
const require = createRequire(import.meta.url);
// The package's "exports" keys lack "./", so its WASM build is loaded by path.
const dist = dirname(require.resolve('@vladmandic/human'));
const { Human } = require(join(dist, 'human.node-wasm.js')) as { Human: new (config: object) => HumanLike };

interface Tensor { dispose(): void }
interface HumanLike {
  tf: {
    io: {
      registerLoadRouter(r: (url: string) => unknown): void;
      getModelArtifactsForJSON(json: unknown, load: (manifest: Array<{ paths: string[]; weights: unknown[] }>) => Promise<[unknown[], ArrayBuffer]>): Promise<unknown>;
      concatenateArrayBuffers(b: ArrayBuffer[]): ArrayBuffer;
    };
    tensor4d(data: Int32Array, shape: number[], dtype: string): Tensor;
  };
  load(): Promise<void>;
  detect(input: Tensor): Promise<{ face: Array<{ rotation?: { angle: { yaw: number; pitch: number; roll: number } } }> }>;
}

const human = new Human({
  backend: 'wasm',
  wasmPath: dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/',
  modelBasePath: pathToFileURL(join(dist, '..', 'models') + '/').href,
  debug: false,
  async: false,
  warmup: 'none',
  // Every frame analysed afresh (no result cache, detector on every frame), like our pipeline's worst case.
  cacheSensitivity: 0,
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: { rotation: false, maxDetected: 2, skipFrames: 0, skipTime: 0, return: false },
    mesh: { enabled: true },
    iris: { enabled: false },
    attention: { enabled: false },
    emotion: { enabled: false },
    description: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
});
const tf = human.tf;
// tfjs without tfjs-node cannot read file:// URLs: models are read from the package's folder.
tf.io.registerLoadRouter((url: string) => {
  if (typeof url !== 'string' || !url.startsWith('file://')) return null;
  const jsonPath = fileURLToPath(url);
  return {
    load: async () =>
      tf.io.getModelArtifactsForJSON(JSON.parse(await readFile(jsonPath, 'utf8')), async (manifest) => {
        const bufs = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(dirname(jsonPath), p))));
        return [manifest.flatMap((g) => g.weights), tf.io.concatenateArrayBuffers(bufs.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer))];
      }),
  };
});

const t0 = performance.now();
await human.load();
const loadMs = performance.now() - t0;
const all = await readFile(file!);
const size = width * height * 3;
const tensors: Tensor[] = [];
for (let i = 0; i < count; i++) tensors.push(tf.tensor4d(Int32Array.from(all.subarray(i * size, (i + 1) * size)), [1, height, width, 3], 'int32'));
const t1 = performance.now();
await human.detect(tensors[0]!);
const warmupMs = performance.now() - t1;
const samples: number[] = [];
let faces = 0;
let angles = null as null | { yaw: number; pitch: number; roll: number };
for (const t of tensors) {
  const s = performance.now();
  const r = await human.detect(t);
  samples.push(performance.now() - s);
  faces += r.face.length;
  angles = r.face[0]?.rotation?.angle ?? angles;
}
for (const t of tensors) t.dispose();
process.stdout.write(JSON.stringify({ loadMs, warmupMs, samples, faces, angles, rssMB: process.memoryUsage().rss / 2 ** 20 }) + '\n');
