import t from 'tap';
import { cardProblems, refusal } from '../../src/domain/card-check.js';
import { makeIdNumber } from '../../src/domain/id-number.js';

const female = makeIdNumber('440604', '19480315', 22); // sequence 022: even, a woman
const base = { idNumber: female, gender: 'female' as const, birthDate: '1948-03-15', validFrom: '2016-05-10', validTo: 'long-term' };
const today = '2026-11-28';

t.test('a good card has no problems', async (t) => {
  t.same(cardProblems(base, today), []);
});

t.test('each problem on its own', async (t) => {
  t.same(cardProblems({ ...base, idNumber: female.slice(0, 17) + (female[17] === '0' ? '1' : '0') }, today), ['bad-check-digit']);
  t.same(cardProblems({ ...base, birthDate: '1948-03-16' }, today), ['birth-date-mismatch']);
  t.same(cardProblems({ ...base, gender: 'male' }, today), ['gender-mismatch']);
  t.same(cardProblems({ ...base, gender: 'unknown' }, today), [], 'an unknown gender is not a mismatch');
  t.same(cardProblems({ ...base, validTo: '2026-11-27' }, today), ['expired']);
  t.same(cardProblems({ ...base, validTo: '2026-11-28' }, today), [], 'valid through its last day');
  t.same(cardProblems({ ...base, validFrom: '2026-11-29' }, today), ['not-yet-valid']);
  t.same(cardProblems({ ...base, idNumber: '12345' }, today), ['bad-format'], 'no gender check on a malformed number');
});

t.test('problems add up', async (t) => {
  t.same(cardProblems({ ...base, gender: 'male', validTo: '2020-01-01', birthDate: '1950-01-01' }, today), ['birth-date-mismatch', 'gender-mismatch', 'expired']);
});

t.test('refusal: what the terminal turns a card away for, of all its problems', async (t) => {
  t.equal(refusal([]), null);
  for (const p of ['bad-format', 'bad-check-digit', 'bad-birth-date', 'birth-date-mismatch'] as const) t.equal(refusal([p]), 'bad-id-number', p);
  t.equal(refusal(['expired']), 'expired');
  t.equal(refusal(['expired', 'bad-check-digit']), 'bad-id-number', 'a wrong number first: the expiry of a misread card means nothing');
  t.equal(refusal(['gender-mismatch', 'not-yet-valid']), null, 'a maintainer’s matter, not a reason to turn a retiree away');
});
