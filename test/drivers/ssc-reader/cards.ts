/** Social security cards of the fictional test persons, for the applet and the vpcd emulator. */
import type { SscCardData } from '../../../src/drivers/ssc-reader/ssc-records.js';
import { testPerson } from '../../../src/si-client/test-persons.js';

export function sscCardOf(key: string, cardNumber = 'A01234567'): SscCardData {
  const p = testPerson(key).identity;
  return { cardNumber, idNumber: p.idNumber, name: p.name, gender: p.gender, nation: p.nation!, birthDate: p.birthDate!, issuedOn: '2018-06-01', validTo: '2028-06-01' };
}
