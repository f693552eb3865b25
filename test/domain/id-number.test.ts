import t from 'tap';
import { checkCharacter, checkIdNumber, isExpired, isValidDate, makeIdNumber } from '../../src/domain/id-number.js';
import { maskIdNumber, maskName } from '../../src/domain/identity.js';

t.test('GB 11643 check character', async (t) => {
  // The standard's worked example: 11010519491231002X.
  t.equal(checkCharacter('11010519491231002'), 'X');
  t.same(checkIdNumber('11010519491231002X'), []);
  t.same(checkIdNumber('11010519491231002x'), [], 'lower-case x is the same character');
  t.same(checkIdNumber('110105194912310021'), ['bad-check-digit']);
});

t.test('made numbers always pass, and every single-digit change is caught', async (t) => {
  for (let seq = 0; seq < 1000; seq += 37) {
    const id = makeIdNumber('440604', '19480315', seq);
    t.same(checkIdNumber(id), [], id);
    for (let pos = 0; pos < 17; pos++) {
      const d = Number(id[pos]);
      const changed = id.slice(0, pos) + String((d + 1) % 10) + id.slice(pos + 1);
      t.not(checkIdNumber(changed).length, 0, `${changed} must be refused`);
    }
  }
});

t.test('format, birth date and consistency', async (t) => {
  t.same(checkIdNumber('12345'), ['bad-format']);
  t.same(checkIdNumber('44060419480315002A'), ['bad-format']);
  const feb30 = '44060419480230' + '002';
  t.ok(checkIdNumber(feb30 + checkCharacter(feb30)).includes('bad-birth-date'));
  const id = makeIdNumber('440604', '19480315', 22);
  t.same(checkIdNumber(id, '1948-03-15'), []);
  t.same(checkIdNumber(id, '1948-03-16'), ['birth-date-mismatch']);
  t.ok(isValidDate('20240229'));
  t.notOk(isValidDate('20230229'));
  t.throws(() => makeIdNumber('4406', '19480315', 1));
});

t.test('expiry: valid through the last day, long-term never expires', async (t) => {
  t.notOk(isExpired('2026-11-28', '2026-11-28'));
  t.ok(isExpired('2026-11-27', '2026-11-28'));
  t.notOk(isExpired('long-term', '2099-01-01'));
  t.notOk(isExpired(undefined, '2026-11-28'));
});

t.test('masking keeps first 4 and last 4 of the number, the family name of the name', async (t) => {
  t.equal(maskIdNumber('11010519491231002X'), '1101**********002X');
  t.equal(maskIdNumber('1234567'), '*******');
  t.equal(maskName('陈秀英'), '陈**');
  t.equal(maskName('𪚥一'), '𪚥*', 'astral-plane characters count as one');
  t.equal(maskName(''), '');
});
