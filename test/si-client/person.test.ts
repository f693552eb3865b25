/** The one Identity ↔ SI person mapping, both ways, with and without the optional fields. */
import t from 'tap';
import { identityOfPerson, personOfIdentity } from '../../src/si-client/person.js';
import { Person } from '../../src/si-client/schema.js';
import { TEST_PERSONS } from '../../src/si-client/test-persons.js';

t.test('every test person survives the round trip through the API shape, valid against its schema', async (t) => {
  for (const p of TEST_PERSONS) {
    const wire = personOfIdentity(p.identity, p.sscCardNumber);
    t.ok(Person.safeParse(wire).success, `${p.key}: a valid API person`);
    const back = identityOfPerson(wire, 'ssc');
    const { source: _s, cardNumber, ...rest } = back;
    t.same(rest, p.identity, `${p.key}: the same person`);
    t.equal(cardNumber, p.sscCardNumber, `${p.key}: the card number comes back as cardNumber`);
  }
});

t.test('the card number is the Identity’s only when the card identified the person', async (t) => {
  const wire = { name: '陈秀英', gender: 'female' as const, idNumber: '440602195203150220', sscCardNumber: 'A12345678' };
  t.equal(identityOfPerson(wire, 'ssc').cardNumber, 'A12345678');
  t.notOk('cardNumber' in identityOfPerson(wire, 'barcode'), 'a scanned code is not the card');
});

t.test('absent optional fields stay absent, not undefined', async (t) => {
  const wire = personOfIdentity({ name: '李建国', gender: 'male', idNumber: '44060219500101031X' });
  t.same(Object.keys(wire).sort(), ['gender', 'idNumber', 'name']);
  t.same(Object.keys(identityOfPerson(wire, 'barcode')).sort(), ['gender', 'idNumber', 'name', 'source']);
});
