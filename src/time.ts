// Dates as the association sees them: calendar days in Asia/Shanghai.
const shanghaiDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day last formatted and the instants it spans: every request asks, and the day changes once a day. */
let remembered = { day: '', from: 0, until: 0 };
const HOUR_MS = 3_600_000;

export function todayInShanghai(now: Date = new Date()): string {
  const at = now.getTime();
  if (at >= remembered.from && at < remembered.until) return remembered.day;
  const day = shanghaiDay.format(now);
  // Shanghai keeps UTC+8 all year: the day runs from 16:00 UTC the evening before. The formatter stays the authority;
  // the window only saves formatting again within the same day.
  const from = Date.parse(`${day}T00:00:00+08:00`);
  if (at >= from && at < from + 24 * HOUR_MS) remembered = { day, from, until: from + 24 * HOUR_MS };
  return day;
}
