// Calendar days in Asia/Shanghai (UTC+8 all year): the day turns at 16:00 UTC, and a remembered day never outlives it.
import { describe, expect, it } from 'vitest';
import { todayInShanghai } from '../src/time.js';

describe('todayInShanghai', () => {
  it('turns the day at midnight in Shanghai, 16:00 UTC, in either order of asking', () => {
    expect(todayInShanghai(new Date('2026-12-03T15:59:59.999Z'))).toBe('2026-12-03');
    expect(todayInShanghai(new Date('2026-12-03T16:00:00.000Z'))).toBe('2026-12-04');
    expect(todayInShanghai(new Date('2026-12-03T15:59:59.999Z'))).toBe('2026-12-03');
    expect(todayInShanghai(new Date('2026-12-04T15:59:59.999Z'))).toBe('2026-12-04');
    expect(todayInShanghai(new Date('2026-12-04T16:00:00.000Z'))).toBe('2026-12-05');
  });

  it('handles month, year and leap-day ends, and earlier instants after later ones', () => {
    expect(todayInShanghai(new Date('2020-02-28T16:30:00Z'))).toBe('2020-02-29');
    expect(todayInShanghai(new Date('2020-02-29T16:30:00Z'))).toBe('2020-03-01');
    expect(todayInShanghai(new Date('2025-12-31T16:00:00Z'))).toBe('2026-01-01');
    expect(todayInShanghai(new Date('2025-12-31T15:00:00Z'))).toBe('2025-12-31');
  });
});
