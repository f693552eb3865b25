/**
 * Every check a read card can fail, as a list: the terminal refuses a card on the ones `refusal`
 * names (src/machine), the `lifecheck devices read-*` commands show all of them to a maintainer.
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

/** ID number problems: the card's number cannot be this person's (GB 11643). A record, so a new kind must be listed. */
const ID_NUMBER_PROBLEMS: Record<IdNumberProblem, true> = { 'bad-format': true, 'bad-check-digit': true, 'bad-birth-date': true, 'birth-date-mismatch': true };

/**
 * What the terminal refuses a card for, of its problems: a number that cannot be right, then an
 * expired card. A gender that disagrees with the number or a validity that starts tomorrow is a
 * maintainer's matter (a reader's clock or a damaged read), not a reason to turn a retiree away.
 */
export function refusal(problems: readonly CardProblem[]): 'bad-id-number' | 'expired' | null {
  if (problems.some((p) => p in ID_NUMBER_PROBLEMS)) return 'bad-id-number';
  if (problems.includes('expired')) return 'expired';
  return null;
}
