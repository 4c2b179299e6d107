// The continuing-education hours rule (SAC 后续职业培训学时, the partner contract's plain 15/10 rule), as pure functions.
//
// - A session belongs to the calendar year of its START in Asia/Shanghai (UTC+8 all year): a session from
//   2025-12-31 23:00 to 2026-01-01 01:00 Shanghai time counts in 2025. (DOMAIN.md §11.3 names the end; the team chose
//   the start so a session's year is known when it is scheduled and never moves with an overrun.)
// - A completed session credits its creditHours once per practitioner, however many attendance or view records it
//   has; REQUIRED (必修) and ELECTIVE (选修) are summed apart.
// - met: total >= 15 and required >= 10. Neither the first-year nor the degree exemption is modelled.
// Hours have one decimal: they are summed in tenths, so 0.1 + 0.2 is exactly 0.3.

export const REQUIRED_TOTAL_HOURS = 15;
export const REQUIRED_REQUIRED_HOURS = 10;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

export interface CompletedSession {
  sessionId: number;
  startsAt: Date;
  creditHours: number;
  creditType: 'REQUIRED' | 'ELECTIVE';
}

export interface CreditSummary {
  year: number;
  requiredHours: number;
  electiveHours: number;
  totalHours: number;
  met: boolean;
}

/** The calendar year of an instant in Asia/Shanghai. */
export function shanghaiYearOf(at: Date): number {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCFullYear();
}

/** The instants [from, until) of a calendar year in Asia/Shanghai. */
export function shanghaiYearRange(year: number): { from: Date; until: Date } {
  return { from: new Date(Date.UTC(year, 0, 1) - SHANGHAI_OFFSET_MS), until: new Date(Date.UTC(year + 1, 0, 1) - SHANGHAI_OFFSET_MS) };
}

/** Whether the hours meet the yearly minimum. */
export function hoursMet(requiredHours: number, totalHours: number): boolean {
  return totalHours >= REQUIRED_TOTAL_HOURS && requiredHours >= REQUIRED_REQUIRED_HOURS;
}

/**
 * One practitioner's summary of a year from the sessions they completed (any number of records per session, any
 * years): each session once, only those starting in `year` (Shanghai time).
 */
export function creditSummary(year: number, completed: readonly CompletedSession[]): CreditSummary {
  const seen = new Set<number>();
  let required = 0;
  let elective = 0;
  for (const s of completed) {
    if (seen.has(s.sessionId) || shanghaiYearOf(s.startsAt) !== year) continue;
    seen.add(s.sessionId);
    const tenths = Math.round(s.creditHours * 10);
    if (s.creditType === 'REQUIRED') required += tenths;
    else elective += tenths;
  }
  const requiredHours = required / 10;
  const electiveHours = elective / 10;
  const totalHours = (required + elective) / 10;
  return { year, requiredHours, electiveHours, totalHours, met: hoursMet(requiredHours, totalHours) };
}

/**
 * Completion by viewing (ONLINE_RECORDED sessions only): the watched seconds of all of a practitioner's distinct view
 * events reach 80 % of the session's length (DOMAIN.md §11.3's completion convention). Live and offline sessions are
 * completed only by the association's attendance records.
 */
export const VIEW_COMPLETION_SHARE = 0.8;
export function completedByViewing(session: { mode: string; startsAt: Date; endsAt: Date }, watchedSeconds: number): boolean {
  if (session.mode !== 'ONLINE_RECORDED') return false;
  return watchedSeconds >= VIEW_COMPLETION_SHARE * ((session.endsAt.getTime() - session.startsAt.getTime()) / 1000);
}
