/**
 * The one mapping between a person as the SI's API carries it (schema.ts Person) and an Identity as
 * the terminal holds it: the HTTPS client reads answers with it, si-dev builds its answers with it.
 * The social security card number travels as `sscCardNumber` and is the Identity's `cardNumber`
 * only when the person was identified by that card.
 */
import type { Identity } from '../domain/identity.js';
import type { PersonT } from './schema.js';

/** A person from the SI as the terminal's Identity, read from `source`. */
export function identityOfPerson(p: PersonT, source: 'ssc' | 'barcode'): Identity {
  return {
    source,
    name: p.name,
    gender: p.gender,
    idNumber: p.idNumber,
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.nation ? { nation: p.nation } : {}),
    ...(p.validFrom ? { validFrom: p.validFrom } : {}),
    ...(p.validTo ? { validTo: p.validTo } : {}),
    ...(source === 'ssc' && p.sscCardNumber ? { cardNumber: p.sscCardNumber } : {}),
  };
}

/** An Identity as the SI's API carries a person; `sscCardNumber` when the SI knows the card. */
export function personOfIdentity(identity: Omit<Identity, 'source'>, sscCardNumber?: string): PersonT {
  return {
    name: identity.name,
    gender: identity.gender,
    idNumber: identity.idNumber,
    ...(identity.birthDate ? { birthDate: identity.birthDate } : {}),
    ...(identity.nation ? { nation: identity.nation } : {}),
    ...(identity.validFrom ? { validFrom: identity.validFrom } : {}),
    ...(identity.validTo ? { validTo: identity.validTo } : {}),
    ...(sscCardNumber ? { sscCardNumber } : {}),
  };
}
