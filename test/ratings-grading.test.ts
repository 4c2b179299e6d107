// The pure grade computation: thresholds at their edges, deductions with caps, bonuses, stage overlay, overrides.
import { describe, expect, it } from 'vitest';
import {
  applyOverrideRules,
  checkIndicatorValue,
  computeRating,
  gradeForScore,
  type GradingGuideline,
  type GradingIndicator,
} from '../src/ratings/ratings.grading.js';

const thresholds = { a: 90, b: 80, c: 70 };
const COMPLIANCE: GradingIndicator = { id: 1, method: 'BASE', points: 15, cap: null };
const PREMISES: GradingIndicator = { id: 2, method: 'BASE', points: 10, cap: null };
const WARNING_LETTER: GradingIndicator = { id: 3, method: 'DEDUCTION', points: 1, cap: 3 };
const SELF_REG: GradingIndicator = { id: 4, method: 'DEDUCTION', points: 0.5, cap: null };
const EDUCATION: GradingIndicator = { id: 5, method: 'BONUS', points: 1, cap: 2 };
const guideline: GradingGuideline = { baseScore: 100, thresholds, indicators: [COMPLIANCE, PREMISES, WARNING_LETTER, SELF_REG, EDUCATION] };

const association = (indicatorId: number, value: number) => ({ indicatorId, stage: 'ASSOCIATION' as const, value });

describe('grade thresholds', () => {
  it.each([
    [100, 'A'],
    [90, 'A'],
    [89.99, 'B'],
    [80, 'B'],
    [79.99, 'C'],
    [70, 'C'],
    [69.99, 'D'],
    [0, 'D'],
  ])('a score of %s is grade %s (A ≥ 90, B ≥ 80, C ≥ 70)', (score, grade) => {
    expect(gradeForScore(score, thresholds)).toBe(grade);
  });

  it('compares in hundredths, so floating-point sums land on the right side of an edge', () => {
    expect(gradeForScore(0.1 + 0.2 + 89.7, thresholds)).toBe('A');
    expect(computeRating({ ...guideline, indicators: [{ id: 9, method: 'BASE', points: 10.3, cap: null }] }, { lines: [association(9, 0.3)] }).totalScore).toBe(90);
  });

  it('follows a guideline\'s own thresholds', () => {
    expect(gradeForScore(85, { a: 85, b: 75, c: 60 })).toBe('A');
    expect(gradeForScore(59.5, { a: 85, b: 75, c: 60 })).toBe('D');
  });
});

describe('scores', () => {
  it('starts from the base score: an unscored branch has lost nothing', () => {
    const r = computeRating(guideline, { lines: [] });
    expect(r).toMatchObject({ totalScore: 100, computedGrade: 'A', grade: 'A', stageScores: { SELF: null, ASSOCIATION: null, BUREAU: null } });
  });

  it('loses the shortfall of a basic item', () => {
    const r = computeRating(guideline, { lines: [association(1, 11.5), association(2, 10)] });
    expect(r.totalScore).toBe(96.5);
    expect(r.indicators.find((i) => i.indicatorId === 1)).toEqual({ indicatorId: 1, value: 11.5, points: -3.5, stage: 'ASSOCIATION' });
  });

  it('deducts points per occurrence up to the cap', () => {
    expect(computeRating(guideline, { lines: [association(3, 2)] }).totalScore).toBe(98);
    expect(computeRating(guideline, { lines: [association(3, 3)] }).totalScore).toBe(97);
    // Five warning letters at 1 point each, capped at 3.
    expect(computeRating(guideline, { lines: [association(3, 5)] }).totalScore).toBe(97);
    // No cap: every occurrence counts.
    expect(computeRating(guideline, { lines: [association(4, 7)] }).totalScore).toBe(96.5);
  });

  it('adds bonus points up to their cap, above the base score', () => {
    expect(computeRating(guideline, { lines: [association(5, 1)] }).totalScore).toBe(101);
    expect(computeRating(guideline, { lines: [association(5, 9)] }).totalScore).toBe(102);
    expect(computeRating(guideline, { lines: [association(1, 5), association(5, 2)] }).totalScore).toBe(92);
  });

  it('never goes below zero', () => {
    const harsh: GradingGuideline = { baseScore: 10, thresholds, indicators: [SELF_REG, { id: 6, method: 'DEDUCTION', points: 8, cap: null }] };
    const r = computeRating(harsh, { lines: [association(6, 5)] });
    expect(r.totalScore).toBe(0);
    expect(r.grade).toBe('D');
  });

  it('shows no negative zero for an indicator that took nothing', () => {
    const r = computeRating(guideline, { lines: [association(3, 0)] });
    expect(Object.is(r.indicators.find((i) => i.indicatorId === 3)!.points, 0)).toBe(true);
  });

  it('ignores lines of indicators outside the guideline version', () => {
    expect(computeRating(guideline, { lines: [association(99, 50)] }).totalScore).toBe(100);
  });
});

describe('stages', () => {
  it('takes each indicator from the latest stage that scored it and keeps the total after every stage', () => {
    const r = computeRating(guideline, {
      lines: [
        { indicatorId: 1, stage: 'SELF', value: 15 },
        { indicatorId: 2, stage: 'SELF', value: 9 },
        { indicatorId: 1, stage: 'ASSOCIATION', value: 12 },
        { indicatorId: 1, stage: 'BUREAU', value: 10 },
        { indicatorId: 3, stage: 'BUREAU', value: 1 },
      ],
    });
    expect(r.stageScores).toEqual({ SELF: 99, ASSOCIATION: 96, BUREAU: 93 });
    expect(r.totalScore).toBe(93);
    expect(r.indicators.map((i) => [i.indicatorId, i.stage, i.value])).toEqual([
      [1, 'BUREAU', 10],
      [2, 'SELF', 9],
      [3, 'BUREAU', 1],
      [4, null, null],
      [5, null, null],
    ]);
  });

  it('gives the same answer whatever order the lines come in', () => {
    const lines = [
      { indicatorId: 1, stage: 'BUREAU' as const, value: 10 },
      { indicatorId: 1, stage: 'SELF' as const, value: 15 },
      { indicatorId: 1, stage: 'ASSOCIATION' as const, value: 12 },
    ];
    expect(computeRating(guideline, { lines })).toEqual(computeRating(guideline, { lines: [...lines].reverse() }));
  });
});

describe('overrides', () => {
  it('rates directly D whatever the score', () => {
    const r = computeRating(guideline, { lines: [], overrides: [{ ruleId: 1, stage: 'ASSOCIATION', type: 'DIRECT_D', applied: true }] });
    expect(r).toMatchObject({ totalScore: 100, computedGrade: 'A', grade: 'D' });
  });

  it('downgrades one grade per rule, never below D', () => {
    expect(applyOverrideRules('A', ['DOWNGRADE_ONE'])).toBe('B');
    expect(applyOverrideRules('A', ['DOWNGRADE_ONE', 'DOWNGRADE_ONE'])).toBe('C');
    expect(applyOverrideRules('C', ['DOWNGRADE_ONE', 'DOWNGRADE_ONE'])).toBe('D');
    expect(applyOverrideRules('D', ['DOWNGRADE_ONE'])).toBe('D');
    expect(applyOverrideRules('A', ['DOWNGRADE_ONE', 'DIRECT_D'])).toBe('D');
    expect(applyOverrideRules('B', [])).toBe('B');
  });

  it('lets a later stage withdraw a rule an earlier stage applied', () => {
    const r = computeRating(guideline, {
      lines: [association(1, 12)],
      overrides: [
        { ruleId: 7, stage: 'ASSOCIATION', type: 'DOWNGRADE_ONE', applied: true },
        { ruleId: 7, stage: 'BUREAU', type: 'DOWNGRADE_ONE', applied: false },
        { ruleId: 8, stage: 'BUREAU', type: 'DOWNGRADE_ONE', applied: true },
      ],
    });
    expect(r.appliedOverrides).toEqual([{ ruleId: 8, type: 'DOWNGRADE_ONE', stage: 'BUREAU' }]);
    expect(r.grade).toBe('B');
  });

  it('lets the bureau\'s adjusted grade have the last word', () => {
    const r = computeRating(guideline, {
      lines: [association(1, 0)],
      overrides: [{ ruleId: 1, stage: 'ASSOCIATION', type: 'DIRECT_D', applied: true }],
      adjustedGrade: 'C',
    });
    expect(r).toMatchObject({ totalScore: 85, computedGrade: 'B', grade: 'C' });
  });
});

describe('checkIndicatorValue', () => {
  it('accepts 0..points in hundredths for a basic item', () => {
    expect(checkIndicatorValue(COMPLIANCE, 0)).toBeNull();
    expect(checkIndicatorValue(COMPLIANCE, 15)).toBeNull();
    expect(checkIndicatorValue(COMPLIANCE, 12.25)).toBeNull();
    expect(checkIndicatorValue(COMPLIANCE, 15.01)).toBe('OUT_OF_RANGE');
    expect(checkIndicatorValue(COMPLIANCE, -0.5)).toBe('OUT_OF_RANGE');
    expect(checkIndicatorValue(COMPLIANCE, 1.005)).toBe('INVALID');
    expect(checkIndicatorValue(COMPLIANCE, Number.NaN)).toBe('INVALID');
  });

  it('accepts whole occurrence counts 0..99 for deductions and bonuses', () => {
    expect(checkIndicatorValue(WARNING_LETTER, 0)).toBeNull();
    expect(checkIndicatorValue(WARNING_LETTER, 99)).toBeNull();
    expect(checkIndicatorValue(WARNING_LETTER, 100)).toBe('OUT_OF_RANGE');
    expect(checkIndicatorValue(EDUCATION, -1)).toBe('OUT_OF_RANGE');
    expect(checkIndicatorValue(EDUCATION, 1.5)).toBe('INVALID');
  });
});
