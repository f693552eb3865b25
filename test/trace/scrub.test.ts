import t from 'tap';
import { checkIdNumber } from '../../src/domain/id-number.js';
import { maskIdNumber, maskName } from '../../src/domain/identity.js';
import { TEST_PERSONS } from '../../src/si-client/test-persons.js';
import { Scrubber } from '../../src/trace/scrub.js';

t.test('fake ID numbers: valid, same mask, consistent, distinct, birth date follows', async (t) => {
  const s = new Scrubber();
  const fakes = new Set<string>();
  for (const p of TEST_PERSONS) {
    const real = p.identity;
    const fake = s.identity(real);
    t.not(fake.idNumber, real.idNumber);
    t.same(checkIdNumber(fake.idNumber, fake.birthDate), [], `${maskIdNumber(real.idNumber)} → valid fake`);
    t.equal(maskIdNumber(fake.idNumber), maskIdNumber(real.idNumber), 'masks the same');
    t.equal(fake.idNumber.slice(6, 10), real.idNumber.slice(6, 10), 'same birth year');
    t.not(fake.name, real.name);
    t.equal(maskName(fake.name), maskName(real.name), 'name masks the same');
    t.equal(s.identity(real).idNumber, fake.idNumber, 'the same person gets the same fake');
    fakes.add(fake.idNumber);
  }
  t.equal(fakes.size, TEST_PERSONS.length);
});

t.test('a number that fails its check still fails after scrubbing', async (t) => {
  const s = new Scrubber();
  const bad = '440604194803150221';
  t.same(checkIdNumber(bad), ['bad-check-digit']);
  const fake = s.idNumber(bad);
  t.not(fake, bad);
  t.ok(checkIdNumber(fake).includes('bad-check-digit'));
  t.equal(maskIdNumber(fake), maskIdNumber(bad));
});

t.test('tokens and card numbers become numbered fakes', async (t) => {
  const s = new Scrubber();
  t.equal(s.token('ESSC-REAL-1'), 'TOKEN-1');
  t.equal(s.token('ESSC-REAL-2'), 'TOKEN-2');
  t.equal(s.token('ESSC-REAL-1'), 'TOKEN-1');
  const p = { ...TEST_PERSONS[0]!.identity, cardNumber: 'REALCARD123' };
  t.match(s.identity(p).cardNumber, /^C\d{8}$/);
});
