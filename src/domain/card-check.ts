/**
 * Every check a read card can fail, as a list: the terminal refuses a card on bad-id-number or
 * expired (src/machine), the `lifecheck devices read-*` commands show all of them to a maintainer.
 */
import { checkIdNumber, isExpired, type IdNumberProblem } from './id-number.js';
import type { Identity } from './identity.js';

export type CardProblem =
  | IdNumberProblem
  | 'expired'
  /** The card's validity starts after today: a wrong reader clock or a damaged read. */
  | 'not-yet-valid'
  /** The number's sequence digit is odd for men, even for women; the card says otherwise. */
  | 'gender-mismatch';

export function cardProblems(identity: Pick<Identity, 'idNumber' | 'gender' | 'birthDate' | 'validFrom' | 'validTo'>, today: string): CardProblem[] {
  const problems: CardProblem[] = [...checkIdNumber(identity.idNumber, identity.birthDate)];
  if (!problems.includes('bad-format') && identity.gender !== 'unknown') {
    const male = Number(identity.idNumber[16]) % 2 === 1;
    if (male !== (identity.gender === 'male')) problems.push('gender-mismatch');
  }
  if (isExpired(identity.validTo, today)) problems.push('expired');
  if (identity.validFrom !== undefined && identity.validFrom > today) problems.push('not-yet-valid');
  return problems;
}
