// Dates as the association sees them: calendar days in Asia/Shanghai.
const shanghaiDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

export function todayInShanghai(now: Date = new Date()): string {
  return shanghaiDay.format(now);
}
