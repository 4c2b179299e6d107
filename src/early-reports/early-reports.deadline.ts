// When an early report is due, and whether it came late (pure functions; the same rule runs in SQL as dueAtSql in
// early-reports.service.ts, and a test holds the two together).
//
// The deadlines of the contract, counted from `occurredAt`:
// - CRITICAL 2 hours, SEVERE 24 hours, MODERATE 3 days (72 hours; Asia/Shanghai keeps UTC+8 all year);
// - MINOR 5 working days: the report is due by the end (24:00, Asia/Shanghai) of the fifth working day after the day
//   it occurred on. A working day is Monday to Friday unless the calendar says it is a public holiday, or a Saturday or
//   Sunday the calendar makes a working day (调休上班). (Demo convention: DOMAIN.md §13.3.)
// A report is late when `reportedAt` is after its deadline.
import type { EarlyReportSeverity } from './early-reports.table.js';

export const DEADLINE_HOURS: Record<Exclude<EarlyReportSeverity, 'MINOR'>, number> = { CRITICAL: 2, SEVERE: 24, MODERATE: 72 };
export const MINOR_WORKING_DAYS = 5;
/** How far past the occurrence day the working-day search looks (the longest holiday run is 9 days). */
export const WORKING_DAY_HORIZON = 60;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/** The calendar's exceptions to Monday–Friday: day (YYYY-MM-DD) → working (true: a make-up working day). */
export type WorkingCalendar = ReadonlyMap<string, boolean>;

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDayOf(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whether a day is a working day: the calendar's word if it has one, else Monday to Friday. */
export function isWorkingDay(day: string, calendar: WorkingCalendar): boolean {
  const listed = calendar.get(day);
  if (listed !== undefined) return listed;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The n-th working day after `day` (n ≥ 1; `day` itself never counts). */
export function addWorkingDays(day: string, n: number, calendar: WorkingCalendar): string {
  let found = 0;
  for (let i = 1; i <= WORKING_DAY_HORIZON; i++) {
    const next = addDays(day, i);
    if (isWorkingDay(next, calendar) && ++found === n) return next;
  }
  throw new Error(`no ${n} working days within ${WORKING_DAY_HORIZON} days after ${day}`);
}

/** The instant a report of this severity that occurred at `occurredAt` is due. */
export function dueAt(severity: EarlyReportSeverity, occurredAt: Date, calendar: WorkingCalendar): Date {
  if (severity !== 'MINOR') return new Date(occurredAt.getTime() + DEADLINE_HOURS[severity] * HOUR_MS);
  const lastDay = addWorkingDays(shanghaiDayOf(occurredAt), MINOR_WORKING_DAYS, calendar);
  // The end of the last day in Shanghai: the next day's 00:00 (UTC+8).
  return new Date(Date.parse(`${addDays(lastDay, 1)}T00:00:00Z`) - SHANGHAI_OFFSET_MS);
}

/** Whether a report came late: reported after its deadline. */
export function isLate(severity: EarlyReportSeverity, occurredAt: Date, reportedAt: Date, calendar: WorkingCalendar): boolean {
  return reportedAt.getTime() > dueAt(severity, occurredAt, calendar).getTime();
}
