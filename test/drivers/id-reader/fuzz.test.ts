/**
 * Fuzzing the GA/T 467 frame parser and the card text decoder: 100,000+ random and mutated inputs
 * each, fixed seeds. Nothing may throw, nothing may hang, and what comes out keeps its promises.
 */
import t from 'tap';
import { decodeCardText, encodeCardText, PHOTO_BYTES } from '../../../src/drivers/id-reader/card-text.js';
import { encodeRequest, encodeResponse, FrameParser, joinBaseInfo, MAX_BODY, splitBaseInfo } from '../../../src/drivers/id-reader/gat467.js';
import { TEST_PERSONS } from '../../../src/si-client/test-persons.js';
import { chunks, mutate, Rng } from '../fuzz-input.js';

const RUNS = 100_000;

const blocks = TEST_PERSONS.map((p) => encodeCardText({ ...p.identity, birthDate: p.identity.birthDate! }));
const readBase = (text: Buffer) => encodeResponse(0x90, joinBaseInfo(text, Buffer.alloc(PHOTO_BYTES, 0x5a)));
const validFrames = [
  encodeResponse(0x9f, Buffer.alloc(4)),
  encodeResponse(0x90, Buffer.alloc(8)),
  encodeResponse(0x80),
  encodeRequest('findCard'),
  encodeRequest('readBase'),
  readBase(blocks[0]!),
];

/** Random bytes that cannot contain a preamble (no 0xAA): pure noise between frames. */
function noise(rng: Rng, n: number): Buffer {
  const b = rng.bytes(n);
  for (let i = 0; i < b.length; i++) if (b[i] === 0xaa) b[i] = 0xab;
  return b;
}

t.test(`frame parser: ${RUNS} random and mutated streams`, async (t) => {
  const rng = new Rng(0x467);
  const started = performance.now();
  let frames = 0;
  let worstPending = 0;
  let lostFrames = 0;
  for (let i = 0; i < RUNS; i++) {
    const parser = new FrameParser();
    const mode = i % 4;
    let input: Buffer;
    let expected: Buffer[] | null = null;
    if (mode === 0) input = rng.bytes(rng.int(600));
    else if (mode === 1) input = mutate(rng, rng.pick(validFrames));
    else if (mode === 2) input = Buffer.concat([mutate(rng, rng.pick(validFrames)), rng.pick(validFrames), rng.bytes(rng.int(40))]);
    else {
      // Good frames in noise must all come out, in order.
      expected = [rng.pick(validFrames), rng.pick(validFrames)];
      input = Buffer.concat([noise(rng, rng.int(50)), expected[0]!, noise(rng, rng.int(50)), expected[1]!, noise(rng, rng.int(10))]);
    }
    const got: Buffer[] = [];
    for (const chunk of chunks(rng, input)) {
      for (const item of parser.push(chunk)) {
        if (item.kind === 'frame') {
          if (item.body.length > MAX_BODY) t.fail(`input ${i}: a body of ${item.body.length} bytes`);
          got.push(item.body);
        }
      }
      worstPending = Math.max(worstPending, parser.pending);
    }
    frames += got.length;
    if (expected) {
      const want = expected.map((f) => f.subarray(7, -1).toString('hex'));
      if (got.map((b) => b.toString('hex')).join() !== want.join()) lostFrames++;
    }
  }
  const ms = performance.now() - started;
  t.equal(lostFrames, 0, 'every good frame in noise was found');
  t.ok(worstPending <= MAX_BODY + 8, `the parser never held more than one frame (${worstPending} bytes)`);
  t.ok(frames > RUNS / 4, `${frames} frames came out`);
  t.comment(`frame parser: ${RUNS} streams in ${ms.toFixed(0)} ms`);
});

t.test(`card text decoder: ${RUNS} random and mutated blocks`, async (t) => {
  const rng = new Rng(0x256);
  const started = performance.now();
  let decoded = 0;
  for (let i = 0; i < RUNS; i++) {
    let block: Buffer;
    const mode = i % 3;
    if (mode === 0) {
      block = rng.bytes(rng.int(2) ? 256 : rng.int(300));
      // Half of the random blocks claim a known layout, so decoding goes past the type flag.
      if (block.length >= 250 && rng.int(2)) block.write(rng.pick([' ', 'J']), 248, 'utf16le');
    } else block = mutate(rng, rng.pick(blocks));
    const r = decodeCardText(block);
    if (r.ok) {
      decoded++;
      const id = r.identity;
      if (!/^\d{17}[\dX]$/.test(id.idNumber) || !/^\d{4}-\d{2}-\d{2}$/.test(id.birthDate ?? '') || id.name.trim() === '') {
        t.fail(`input ${i} decoded to a malformed identity`);
      }
    } else if (typeof r.reason !== 'string' || r.reason === '') t.fail(`input ${i}: no reason`);
  }
  const ms = performance.now() - started;
  t.ok(decoded > 1000, `${decoded} mutated blocks still decode (the rest are refused with a reason)`);
  t.comment(`text decoder: ${RUNS} blocks in ${ms.toFixed(0)} ms`);
});

t.test(`read-base payloads: ${RUNS / 10} mutated, split then decoded as the driver does`, async (t) => {
  const rng = new Rng(0x3001);
  let split = 0;
  for (let i = 0; i < RUNS / 10; i++) {
    const data = mutate(rng, joinBaseInfo(rng.pick(blocks), Buffer.alloc(PHOTO_BYTES, 1)));
    const parts = splitBaseInfo(data);
    if ('text' in parts) {
      split++;
      decodeCardText(parts.text);
    }
  }
  t.ok(split > 0, `${split} payloads kept consistent lengths`);
});
