/**
 * The verification cycle (docs/si-api.md): from the first day of the person's birthday month to
 * the last day of the month before it, one year later. A person born in March verifies once
 * between 1 March and the end of the next February.
 */
export interface CycleDates {
  from: string;
  to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The cycle that contains `today` (YYYY-MM-DD) for someone born on `birthDate` (YYYY-MM-DD). */
export function cycleFor(birthDate: string, today: string): CycleDates {
  const month = Number(birthDate.slice(5, 7));
  const year = Number(today.slice(0, 4));
  const todayMonth = Number(today.slice(5, 7));
  const startYear = todayMonth >= month ? year : year - 1;
  // Last day of the month before the birthday month, a year on (Date with day 0 = last of previous month).
  const end = new Date(Date.UTC(startYear + 1, month - 1, 0));
  return { from: `${startYear}-${pad(month)}-01`, to: `${end.getUTCFullYear()}-${pad(end.getUTCMonth() + 1)}-${pad(end.getUTCDate())}` };
}

export function inCycle(date: string, cycle: CycleDates): boolean {
  return date >= cycle.from && date <= cycle.to;
}
