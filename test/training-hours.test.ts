// The continuing-education hours rule (src/training/training.hours.ts): pure, no database.
import { describe, expect, it } from 'vitest';
import { completedByViewing, creditSummary, hoursMet, shanghaiYearOf, shanghaiYearRange, type CompletedSession } from '../src/training/training.hours.js';

const at = (iso: string) => new Date(iso);
const session = (sessionId: number, startsAt: string, creditHours: number, creditType: 'REQUIRED' | 'ELECTIVE'): CompletedSession => ({
  sessionId,
  startsAt: at(startsAt),
  creditHours,
  creditType,
});

describe('the hours rule', () => {
  it('places a session in the Asia/Shanghai year of its start', () => {
    // 2025-12-31 16:30 UTC is 2026-01-01 00:30 in Shanghai.
    expect(shanghaiYearOf(at('2025-12-31T16:30:00Z'))).toBe(2026);
    expect(shanghaiYearOf(at('2025-12-31T15:59:59Z'))).toBe(2025);
    const { from, until } = shanghaiYearRange(2026);
    expect(from.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(until.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('counts a session spanning midnight on New Year in the year it started', () => {
    // 2025-12-31 23:00 → 2026-01-01 01:00 Shanghai time.
    const overnight = session(1, '2025-12-31T15:00:00+00:00', 2, 'REQUIRED');
    expect(creditSummary(2025, [overnight]).requiredHours).toBe(2);
    expect(creditSummary(2026, [overnight]).totalHours).toBe(0);
  });

  it('counts a session once however many records it has', () => {
    const s = session(7, '2026-03-10T02:00:00Z', 3, 'REQUIRED');
    expect(creditSummary(2026, [s, s, { ...s }]).totalHours).toBe(3);
  });

  it('sums required and elective apart, in tenths (0.1 + 0.2 = 0.3)', () => {
    const summary = creditSummary(2026, [
      session(1, '2026-01-02T02:00:00Z', 0.1, 'ELECTIVE'),
      session(2, '2026-01-03T02:00:00Z', 0.2, 'ELECTIVE'),
      session(3, '2026-01-04T02:00:00Z', 1.5, 'REQUIRED'),
    ]);
    expect(summary).toEqual({ year: 2026, requiredHours: 1.5, electiveHours: 0.3, totalHours: 1.8, met: false });
  });

  it('is met at 15 hours of which at least 10 required, and not otherwise', () => {
    expect(hoursMet(10, 15)).toBe(true);
    expect(hoursMet(9.9, 20)).toBe(false);
    expect(hoursMet(14.9, 14.9)).toBe(false);
    const tenRequired = [session(1, '2026-02-01T02:00:00Z', 10, 'REQUIRED'), session(2, '2026-02-02T02:00:00Z', 5, 'ELECTIVE')];
    expect(creditSummary(2026, tenRequired).met).toBe(true);
    const allElective = [session(1, '2026-02-01T02:00:00Z', 9, 'REQUIRED'), session(2, '2026-02-02T02:00:00Z', 12, 'ELECTIVE')];
    expect(creditSummary(2026, allElective)).toMatchObject({ totalHours: 21, met: false });
    expect(creditSummary(2026, [])).toEqual({ year: 2026, requiredHours: 0, electiveHours: 0, totalHours: 0, met: false });
  });

  it('completes a recorded session by watching 80 % of its length, never a live or offline one', () => {
    const recorded = { mode: 'ONLINE_RECORDED', startsAt: at('2026-03-01T02:00:00Z'), endsAt: at('2026-03-01T04:00:00Z') };
    expect(completedByViewing(recorded, 5760)).toBe(true);
    expect(completedByViewing(recorded, 5759)).toBe(false);
    expect(completedByViewing({ ...recorded, mode: 'ONLINE_LIVE' }, 99_999)).toBe(false);
    expect(completedByViewing({ ...recorded, mode: 'OFFLINE' }, 99_999)).toBe(false);
  });
});
