import t from 'tap';
import { decodeCardText, encodeCardText, kindOf, TEXT_BYTES } from '../../../src/drivers/id-reader/card-text.js';
import { makeIdNumber } from '../../../src/domain/id-number.js';
import { nationCode, nationName } from '../../../src/domain/nations.js';
import { testPerson } from '../../../src/si-client/test-persons.js';

const due = testPerson('due').identity;

/** Writes `value` (UCS-2LE) at byte `at` of a copy of `block`. */
function overwrite(block: Buffer, at: number, value: string): Buffer {
  const b = Buffer.from(block);
  Buffer.from(value, 'utf16le').copy(b, at);
  return b;
}

t.test('the byte layout: each field at its offset, UCS-2LE, space-padded', async (t) => {
  const block = encodeCardText({ ...due, birthDate: due.birthDate!, address: '广东省佛山市禅城区祖庙路1号' });
  t.equal(block.length, TEXT_BYTES);
  const at = (from: number, bytes: number) => block.toString('utf16le', from, from + bytes);
  t.equal(at(0, 30), '陈秀英' + ' '.repeat(12), 'name: 30 bytes');
  t.equal(at(30, 2), '2', 'gender: 2 bytes, 2 = female');
  t.equal(at(32, 4), '01', 'nation: code 01 = 汉');
  t.equal(at(36, 16), '19480315', 'birth: YYYYMMDD');
  t.equal(at(52, 70).trimEnd(), '广东省佛山市禅城区祖庙路1号');
  t.equal(at(122, 36), due.idNumber);
  t.equal(at(188, 16), '20160510');
  t.equal(at(204, 16), '长期' + ' '.repeat(6), 'valid to: 长期');
  t.equal(at(248, 2), ' ', 'card type flag blank: resident ID card');
});

t.test('decode: the identity the terminal needs, dates as YYYY-MM-DD, 长期 as long-term', async (t) => {
  const r = decodeCardText(encodeCardText({ ...due, birthDate: due.birthDate! }));
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.identity, {
    name: '陈秀英',
    gender: 'female',
    idNumber: due.idNumber,
    birthDate: '1948-03-15',
    nation: '汉',
    validFrom: '2016-05-10',
    validTo: 'long-term',
  });
  t.equal(r.card.kind, 'resident');
  t.equal(r.card.issuer, '佛山市公安局禅城分局');
  const dated = decodeCardText(encodeCardText({ ...due, birthDate: due.birthDate!, validFrom: '2005-01-01', validTo: '2025-01-01', nation: '朝鲜族', gender: 'male' }));
  t.match(dated, { ok: true, identity: { validTo: '2025-01-01', nation: '朝鲜', gender: 'male' } });
});

t.test('NUL padding instead of spaces, a lower-case x, unknown codes', async (t) => {
  const x = '11010519491231002x';
  let block = encodeCardText({ name: '张三', gender: 'male', idNumber: x, birthDate: '1949-12-31' });
  block = Buffer.from(block);
  block.fill(0, 4, 30); // name NUL-padded
  const r = decodeCardText(block);
  t.match(r, { ok: true, identity: { name: '张三', idNumber: '11010519491231002X' } });
  const odd = overwrite(overwrite(block, 30, '9'), 32, '77');
  t.match(decodeCardText(odd), { ok: true, identity: { gender: 'unknown' } });
  t.notOk((decodeCardText(odd) as { identity: { nation?: string } }).identity.nation, 'an unknown nation code gives no nation');
});

t.test('HK / Macau / Taiwan residence permit (J): recognised and decoded', async (t) => {
  const id = makeIdNumber('810000', '19500101', 15);
  const block = encodeCardText({ kind: 'hmt-residence', name: '梁志明', gender: 'male', idNumber: id, birthDate: '1950-01-01', passNumber: 'H12345678', issueCount: '02' });
  t.equal(block.toString('utf16le', 248, 250), 'J');
  t.equal(kindOf(block), 'hmt-residence');
  const r = decodeCardText(block);
  t.match(r, { ok: true, card: { kind: 'hmt-residence', passNumber: 'H12345678', issueCount: '02', nationCode: '' }, identity: { idNumber: id } });
  t.notOk(r.ok && r.identity.nation, 'permits carry no nation');
});

t.test('foreign permanent resident cards (I, Y): recognised and refused clearly', async (t) => {
  const block = encodeCardText({ kind: 'foreign-permanent', name: 'x', gender: 'male', idNumber: '', birthDate: '' });
  t.same(decodeCardText(block), { ok: false, kind: 'foreign-permanent', reason: 'foreign permanent resident ID card: not a citizen ID number' });
  t.equal(kindOf(overwrite(block, 248, 'Y')), 'foreign-permanent');
  t.match(decodeCardText(overwrite(block, 248, 'Q')), { ok: false, kind: 'unknown', reason: /type flag/ });
});

t.test('damaged text is refused with the field named, never thrown', async (t) => {
  const good = encodeCardText({ ...due, birthDate: due.birthDate! });
  t.match(decodeCardText(good.subarray(0, 200)), { ok: false, reason: /200 bytes/ });
  t.match(decodeCardText(overwrite(good, 0, '陈\u0001')), { ok: false, reason: /field name holds control/ });
  t.match(decodeCardText(overwrite(good, 0, ' '.repeat(15))), { ok: false, reason: /name is empty/ });
  t.match(decodeCardText(overwrite(good, 122, '44060419480315A')), { ok: false, reason: /ID number/ });
  t.match(decodeCardText(overwrite(good, 36, '19480230')), { ok: false, reason: /birth date/ });
  t.match(decodeCardText(overwrite(good, 188, '2016-5-1')), { ok: false, reason: /valid-from/ });
  t.match(decodeCardText(overwrite(good, 204, '永久    ')), { ok: false, reason: /valid-to/ });
  const lone = Buffer.from(good);
  lone.writeUInt16LE(0xd800, 4); // an unpaired high surrogate inside the name
  t.match(decodeCardText(lone), { ok: false, reason: /field name/ });
  t.throws(() => encodeCardText({ ...due, birthDate: due.birthDate!, name: '一二三四五六七八九十一二三四五六' }), /at most 15/);
});

t.test('nation table: 56 nations plus 97 and 98, both ways', async (t) => {
  t.equal(nationName(1), '汉');
  t.equal(nationName(56), '基诺');
  t.equal(nationName(97), '其他');
  t.equal(nationName(57), undefined);
  t.equal(nationName(0), undefined);
  t.equal(nationName(1.5), undefined);
  t.equal(nationCode('汉族'), 1);
  t.equal(nationCode('维吾尔'), 5);
  t.equal(nationCode('外国血统中国籍人士'), 98);
  t.equal(nationCode('火星'), undefined);
  for (let c = 1; c <= 56; c++) t.equal(nationCode(nationName(c)!), c);
});
