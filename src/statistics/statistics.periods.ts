// The statistics calendar (pure functions): period labels, their dates and when returns are due.
//
// Demo convention (DOMAIN.md §12.1; the association's own calendar is not public):
// - a monthly return ("2026-11") is due by the 10th WORKING day of the next month, working days being Monday to
//   Friday in Asia/Shanghai with no holiday table (the CSRC's old rule counted trading days; a holiday table is a
//   later addition as data);
// - an annual return ("2025") is due on 30 April of the next year (the audited yearly return's date).
// Dates are calendar days (YYYY-MM-DD) in Asia/Shanghai; the arithmetic below works on UTC midnights of those days,
// which is exact for calendar days.

export type PeriodKind = 'MONTHLY' | 'ANNUAL';

export interface PeriodDates {
  label: string;
  kind: PeriodKind;
  startsOn: string;
  endsOn: string;
  dueOn: string;
}

const MONTHLY = /^(\d{4})-(0[1-9]|1[0-2])$/;
const ANNUAL = /^(\d{4})$/;
export const WORKING_DAYS_TO_FILE = 10;

const day = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/** The n-th working day (Monday–Friday) of a month. */
export function nthWorkingDay(year: number, month: number, n: number): string {
  let count = 0;
  for (let d = 1; d <= 31; d++) {
    const date = utc(year, month, d);
    if (date.getUTCMonth() !== month - 1) break;
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && ++count === n) return day(date);
  }
  throw new RangeError(`a month has fewer than ${n} working days`);
}

/** Due date of a monthly return: the 10th working day of the following month. */
export function monthlyDueOn(year: number, month: number): string {
  const next = month === 12 ? { y: year + 1, m: 1 } : { y: year, m: month + 1 };
  return nthWorkingDay(next.y, next.m, WORKING_DAYS_TO_FILE);
}

/** Due date of an annual return: 30 April of the following year. */
export function annualDueOn(year: number): string {
  return `${year + 1}-04-30`;
}

/** The period a label names, or null when the label is malformed ("2026-11", "2025"). */
export function periodDates(label: string): PeriodDates | null {
  const m = MONTHLY.exec(label);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    if (year < 2000 || year > 2100) return null;
    return { label, kind: 'MONTHLY', startsOn: day(utc(year, month, 1)), endsOn: day(utc(year, month + 1, 0)), dueOn: monthlyDueOn(year, month) };
  }
  const a = ANNUAL.exec(label);
  if (a) {
    const year = Number(a[1]);
    if (year < 2000 || year > 2100) return null;
    return { label, kind: 'ANNUAL', startsOn: `${year}-01-01`, endsOn: `${year}-12-31`, dueOn: annualDueOn(year) };
  }
  return null;
}

/** Monthly labels from `from` to `to` inclusive ("2025-12" … "2026-11"). */
export function monthLabels(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** Whole days from `from` to `to` (calendar days). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
