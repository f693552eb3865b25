/**
 * Personal data out of recorded traces: names and ID numbers become consistent fakes (the same
 * person always gets the same fake within a recording) that still pass GB 11643 and mask exactly
 * like the real ones (first 4 and last 4 characters, family name), so a replay of the scrubbed
 * trace shows the very same screens, prompts and receipts as the live session did.
 */
import { checkCharacter, isValidDate } from '../domain/id-number.js';
import type { Identity } from '../domain/identity.js';

const FAKE_GIVEN = ['某', '甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];

export class Scrubber {
  private readonly ids = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private readonly tokens = new Map<string, string>();
  private readonly cards = new Map<string, string>();

  /**
   * Keeps the first 4 and last 4 characters (what screens show), the birth year and the sex
   * digit; replaces region digits 5–6 and month/day so the check character still holds.
   */
  idNumber(real: string): string {
    const known = this.ids.get(real);
    if (known) return known;
    let fake = real;
    if (/^\d{17}[\dX]$/i.test(real)) {
      const check = real[17]!.toUpperCase();
      // A number that fails its check must still fail after scrubbing: the replay must see the same problem.
      const valid = checkCharacter(real.slice(0, 17)) === check;
      const year = real.slice(6, 10);
      const start = this.ids.size * 7;
      search: for (let k = 0; k < 100 * 12 * 28; k++) {
        const n = (start + k) % (100 * 12 * 28);
        const region = String(Math.floor(n / (12 * 28))).padStart(2, '0');
        const month = String(Math.floor((n % (12 * 28)) / 28) + 1).padStart(2, '0');
        const day = String((n % 28) + 1).padStart(2, '0');
        const first17 = `${real.slice(0, 4)}${region}${year}${month}${day}${real.slice(14, 17)}`;
        if (first17 === real.slice(0, 17) || !isValidDate(`${year}${month}${day}`)) continue;
        if ((checkCharacter(first17) === check) === valid && ![...this.ids.values()].includes(first17 + check)) {
          fake = first17 + check;
          break search;
        }
      }
    }
    this.ids.set(real, fake);
    return fake;
  }

  /** Same family name (the one character screens show), invented given name of the same length. */
  name(real: string): string {
    const known = this.names.get(real);
    if (known) return known;
    const chars = Array.from(real);
    const fake = chars.length ? chars[0] + chars.slice(1).map((_, i) => FAKE_GIVEN[(this.names.size + i) % FAKE_GIVEN.length]).join('') : '';
    this.names.set(real, fake);
    return fake;
  }

  token(real: string): string {
    const known = this.tokens.get(real);
    if (known) return known;
    const fake = `TOKEN-${this.tokens.size + 1}`;
    this.tokens.set(real, fake);
    return fake;
  }

  identity<T extends Partial<Identity> & { name: string; idNumber: string }>(real: T): T {
    const idNumber = this.idNumber(real.idNumber);
    const fake: T = { ...real, name: this.name(real.name), idNumber };
    // The card's birth date follows the fake number when it agreed with the real one (as it should).
    const dateOf = (n: string) => `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`;
    if (real.birthDate && /^\d{17}/.test(idNumber) && real.birthDate === dateOf(real.idNumber)) fake.birthDate = dateOf(idNumber);
    if (real.cardNumber) {
      const card = this.cards.get(real.cardNumber) ?? `C${String(this.cards.size + 1).padStart(8, '0')}`;
      this.cards.set(real.cardNumber, card);
      fake.cardNumber = card;
    }
    return fake;
  }
}
