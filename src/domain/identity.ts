/** Who stands at the terminal, as read from a card or resolved from a barcode. Personal data. */
export type Gender = 'male' | 'female' | 'unknown';

export type IdentitySource = 'id-card' | 'ssc' | 'barcode';

export interface Identity {
  source: IdentitySource;
  name: string;
  gender: Gender;
  /** 18-character resident ID number (GB 11643); the social security number equals it. */
  idNumber: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  nation?: string;
  /** YYYY-MM-DD */
  validFrom?: string;
  /** YYYY-MM-DD, or 'long-term' for 长期 cards; absent when the source has no validity. */
  validTo?: string | 'long-term';
  /** Social security card number (EF05), only for source 'ssc'. */
  cardNumber?: string;
}

/** Keep the first 4 and last 4 characters, star the rest: what screens, receipts and logs may show. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 8) return '*'.repeat(idNumber.length);
  return idNumber.slice(0, 4) + '*'.repeat(idNumber.length - 8) + idNumber.slice(-4);
}

/** Keep the family name (first character), star the rest: 张三丰 → 张**. */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length === 0) return '';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}
