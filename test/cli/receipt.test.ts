/** `lifecheck receipt`: the sample receipts written as ESC/POS bytes and pictures, as the golden files. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { BIN, ROOT } from '../helpers.js';

// About 41 s on a 2-core CI machine with the other test job running; the suite's 60 s
// (.taprc) is for hangs, so this file asks for 180 s.
t.setTimeout(180_000);

const GOLDEN = join(ROOT, 'test', 'golden', 'receipts');

function lifecheck(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
}

t.test('--out FILE.bin writes the ESC/POS bytes of the golden file', async (t) => {
  const dir = t.testdir();
  for (const [fixture, paper] of [['accepted', '80'], ['queued', '58'], ['review', '58']] as const) {
    const out = join(dir, `${fixture}-${paper}.bin`);
    const r = lifecheck(['receipt', '--fixture', fixture, '--paper', paper, '--qr', 'native', '--out', out]);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, new RegExp(`receipt '${fixture}' on ${paper} mm paper, ESC/POS, native QR`));
    t.ok(readFileSync(out).equals(readFileSync(join(GOLDEN, `${fixture}-${paper}.bin`))), `${fixture} ${paper} mm as golden`);
  }
});

t.test('--out FILE.png writes the picture; --qr image puts the QR code in as a raster', async (t) => {
  const dir = t.testdir();
  const png = join(dir, 'r.png');
  t.equal(lifecheck(['receipt', '--paper', '58', '--out', png]).status, 0);
  const bytes = readFileSync(png);
  t.same([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
  t.equal(bytes.readUInt32BE(16), 384, '58 mm: 384 dots wide');
  const image = join(dir, 'i.bin');
  t.equal(lifecheck(['receipt', '--qr', 'image', '--paper', '80', '--out', image]).status, 0);
  t.ok(readFileSync(image).includes(Buffer.from([0x1d, 0x76, 0x30])));
  t.equal(lifecheck(['receipt', '--paper', '80', '--out', join(dir, 'r.svg')]).status, 0);
  t.match(readFileSync(join(dir, 'r.svg'), 'utf8'), /^<svg /);
});

t.test('bad input: a clear message, exit 2, no file written', async (t) => {
  const dir = t.testdir();
  const cases: Array<[string[], RegExp]> = [
    [['--fixture', 'nope', '--out', join(dir, 'a.bin')], /unknown fixture 'nope' \(have: accepted, review, queued, queued-no-number\)/],
    [['--paper', '76', '--out', join(dir, 'b.bin')], /--paper must be 58 or 80/],
    [['--qr', 'svg', '--out', join(dir, 'c.bin')], /--qr must be native or image/],
    [['--out', join(dir, 'd.pdf')], /--out must end in \.bin \(ESC\/POS\), \.png or \.svg/],
    [[], /receipt needs --out/],
    [['--colour'], /Unknown option '--colour'/],
  ];
  for (const [args, message] of cases) {
    const r = lifecheck(['receipt', ...args]);
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr, message);
    t.match(r.stderr, /Usage: lifecheck receipt/);
  }
  for (const f of ['a.bin', 'b.bin', 'c.bin', 'd.pdf']) t.notOk(existsSync(join(dir, f)), `${f} not written`);
  const list = lifecheck(['receipt', '--list']);
  t.equal(list.status, 0);
  t.match(list.stdout, /fixtures: accepted review queued queued-no-number/);
  t.match(lifecheck(['--help']).stdout, /lifecheck receipt/);
});
