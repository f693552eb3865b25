import type { Identity } from '../domain/identity.js';

/** The birth date a card states: the identity's own, else the one inside the ID number. */
export function birthDateOf(identity: Omit<Identity, 'source'>): string {
  if (identity.birthDate) return identity.birthDate;
  const d = identity.idNumber.slice(6, 14);
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
}
