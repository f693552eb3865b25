/**
 * Seeded inputs for the parser fuzz tests: random bytes and mutations of valid inputs. The same
 * seed gives the same inputs on every machine, so a failure names an input that can be replayed.
 */
import { nextRandom } from '../../src/machine/challenge.js';

export class Rng {
  constructor(private state: number) {}

  /** 0 <= x < 1 */
  next(): number {
    const r = nextRandom(this.state);
    this.state = r.state;
    return r.value;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** One to four edits of `input`: bit flips, byte changes, inserts, deletes, truncation, duplication. */
export function mutate(rng: Rng, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const at = b.length ? rng.int(b.length) : 0;
    switch (rng.int(7)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << rng.int(8));
        break;
      case 1:
        if (b.length) b[at] = rng.int(256);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(8)))]);
        break;
      case 4:
        b = b.subarray(0, at);
        break;
      case 5:
        b = Buffer.concat([b, b.subarray(at)]);
        break;
      default:
        // Interesting values: zero, all ones, high bit, ASCII space.
        if (b.length) b[at] = rng.pick([0x00, 0xff, 0x80, 0x7f, 0x20]);
    }
  }
  return b;
}

/** Splits `data` into 1..n random chunks, as a serial line delivers it. */
export function chunks(rng: Rng, data: Buffer, n = 6): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  const pieces = 1 + rng.int(n);
  for (let i = 0; i < pieces - 1 && off < data.length; i++) {
    const len = rng.int(data.length - off + 1);
    out.push(data.subarray(off, off + len));
    off += len;
  }
  out.push(data.subarray(off));
  return out;
}
