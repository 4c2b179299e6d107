// The working-day calendar loaded into `working_calendar` (DEMO DATA, see docs/EARLY-REPORTS.md): the public holidays
// and make-up working days (调休上班) of the Chinese mainland, from the State Council General Office's yearly notices
// on holiday arrangements (国务院办公厅关于…部分节假日安排的通知) as recalled for 2025 and 2026; for 2027, whose notice
// this data predates, only the statutory holiday days (全国年节及纪念日放假办法, as amended in 2024) without bridging
// or make-up days. Verify against the published notice before relying on a deadline; an operator replaces the rows.

interface Span {
  from: string;
  to: string;
  name: string;
}

const holidays: Span[] = [
  // 2025
  { from: '2025-01-01', to: '2025-01-01', name: '元旦' },
  { from: '2025-01-28', to: '2025-02-04', name: '春节' },
  { from: '2025-04-04', to: '2025-04-06', name: '清明节' },
  { from: '2025-05-01', to: '2025-05-05', name: '劳动节' },
  { from: '2025-05-31', to: '2025-06-02', name: '端午节' },
  { from: '2025-10-01', to: '2025-10-08', name: '国庆节、中秋节' },
  // 2026
  { from: '2026-01-01', to: '2026-01-03', name: '元旦' },
  { from: '2026-02-15', to: '2026-02-23', name: '春节' },
  { from: '2026-04-04', to: '2026-04-06', name: '清明节' },
  { from: '2026-05-01', to: '2026-05-05', name: '劳动节' },
  { from: '2026-06-19', to: '2026-06-21', name: '端午节' },
  { from: '2026-09-25', to: '2026-09-27', name: '中秋节' },
  { from: '2026-10-01', to: '2026-10-07', name: '国庆节' },
  // 2027: statutory days only (approximation until the notice is loaded)
  { from: '2027-01-01', to: '2027-01-01', name: '元旦' },
  { from: '2027-02-05', to: '2027-02-08', name: '春节' },
  { from: '2027-04-05', to: '2027-04-05', name: '清明节' },
  { from: '2027-05-01', to: '2027-05-02', name: '劳动节' },
  { from: '2027-06-09', to: '2027-06-09', name: '端午节' },
  { from: '2027-09-15', to: '2027-09-15', name: '中秋节' },
  { from: '2027-10-01', to: '2027-10-03', name: '国庆节' },
];

/** Saturdays and Sundays that are working days (调休上班). */
const makeUpDays: { day: string; name: string }[] = [
  { day: '2025-01-26', name: '春节调休上班' },
  { day: '2025-02-08', name: '春节调休上班' },
  { day: '2025-04-27', name: '劳动节调休上班' },
  { day: '2025-09-28', name: '国庆节调休上班' },
  { day: '2025-10-11', name: '国庆节调休上班' },
  { day: '2026-01-04', name: '元旦调休上班' },
  { day: '2026-02-14', name: '春节调休上班' },
  { day: '2026-02-28', name: '春节调休上班' },
  { day: '2026-05-09', name: '劳动节调休上班' },
  { day: '2026-09-20', name: '国庆节调休上班' },
  { day: '2026-10-10', name: '国庆节调休上班' },
];

/** Every row of the demo calendar, in day order. */
export function demoCalendarRows(): { day: string; working: boolean; name: string }[] {
  const rows: { day: string; working: boolean; name: string }[] = [];
  for (const span of holidays) {
    for (let at = Date.parse(`${span.from}T00:00:00Z`); at <= Date.parse(`${span.to}T00:00:00Z`); at += 86_400_000) {
      rows.push({ day: new Date(at).toISOString().slice(0, 10), working: false, name: span.name });
    }
  }
  rows.push(...makeUpDays.map((m) => ({ ...m, working: true })));
  return rows.sort((a, b) => (a.day < b.day ? -1 : 1));
}

/** The demo calendar as the pure deadline functions take it. */
export function demoCalendar(): Map<string, boolean> {
  return new Map(demoCalendarRows().map((r) => [r.day, r.working]));
}
