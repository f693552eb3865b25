/**
 * GB 11643-1999 citizen identification numbers: 6-digit region, 8-digit birth date, 3-digit
 * sequence (odd = male), 1 check character computed as ISO 7064 MOD 11-2.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';

export type IdNumberProblem =
  | 'bad-format'
  | 'bad-check-digit'
  | 'bad-birth-date'
  | 'birth-date-mismatch';

/** The check character for the first 17 digits. */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

export function isValidDate(yyyymmdd: string): boolean {
  if (!/^\d{8}$/.test(yyyymmdd)) return false;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1850 || m < 1 || m > 12 || d < 1) return false;
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= daysInMonth;
}

/**
 * Checks an ID number. `birthDate` (YYYY-MM-DD), when the card states one, must agree with the
 * number. Returns the problems found; an empty list means the number is valid.
 */
export function checkIdNumber(idNumber: string, birthDate?: string): IdNumberProblem[] {
  const upper = idNumber.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(upper)) return ['bad-format'];
  const problems: IdNumberProblem[] = [];
  if (checkCharacter(upper) !== upper[17]) problems.push('bad-check-digit');
  const birth = upper.slice(6, 14);
  if (!isValidDate(birth)) problems.push('bad-birth-date');
  else if (birthDate && birthDate.replaceAll('-', '') !== birth) problems.push('birth-date-mismatch');
  return problems;
}

/** Builds a valid number from region, birth date (YYYYMMDD) and sequence: for test persons and scrubbed traces. */
export function makeIdNumber(region: string, birthYYYYMMDD: string, sequence: number): string {
  const first17 = `${region}${birthYYYYMMDD}${String(sequence).padStart(3, '0')}`;
  if (!/^\d{17}$/.test(first17)) throw new Error('makeIdNumber: region must be 6 digits, birth 8 digits, sequence 0-999');
  return first17 + checkCharacter(first17);
}

/**
 * Whether a card is expired on `today` (YYYY-MM-DD). A card is valid through its last day;
 * 'long-term' (长期) never expires; a missing date cannot be judged and is not expired.
 */
export function isExpired(validTo: string | undefined, today: string): boolean {
  if (validTo === undefined || validTo === 'long-term') return false;
  return validTo < today;
}
