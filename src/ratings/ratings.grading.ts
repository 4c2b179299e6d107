// The pure grade computation: from a guideline version and the stage lines to scores and a grade. No I/O, so the
// same function scores the demo data, every mutation and the unit tests, and always gives the same answer.
//
// The model (DOMAIN.md §1.4): a branch starts from the base score (100). A BASE indicator is worth `points` and a
// line says how many points were earned; the shortfall is lost. A DEDUCTION indicator takes `points` per
// occurrence, a BONUS indicator gives `points` per occurrence, each at most `cap` in total. Grades follow the
// thresholds (A ≥ a, B ≥ b, C ≥ c, else D); then override rules apply (DIRECT_D, or DOWNGRADE_ONE per rule);
// finally a grade the bureau set in its review stands.
//
// Stages overlay per indicator: each indicator takes its line from the latest stage that scored it
// (SELF < ASSOCIATION < BUREAU), so the bureau adjusts single indicators without re-entering the rest.
// An indicator no stage scored counts as nothing lost, nothing deducted, nothing added.

export type Grade = 'A' | 'B' | 'C' | 'D';
export type IndicatorMethod = 'BASE' | 'DEDUCTION' | 'BONUS';
export type OverrideType = 'DIRECT_D' | 'DOWNGRADE_ONE';
export type Stage = 'SELF' | 'ASSOCIATION' | 'BUREAU';

export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D'];
export const STAGES: readonly Stage[] = ['SELF', 'ASSOCIATION', 'BUREAU'];
/** The most occurrences one line of a DEDUCTION or BONUS indicator may report. */
export const MAX_OCCURRENCES = 99;

export interface Thresholds {
  a: number;
  b: number;
  c: number;
}

export interface GradingIndicator {
  id: number;
  method: IndicatorMethod;
  points: number;
  cap: number | null;
}

export interface GradingGuideline {
  baseScore: number;
  thresholds: Thresholds;
  indicators: readonly GradingIndicator[];
}

export interface GradingLine {
  indicatorId: number;
  stage: Stage;
  value: number;
}

export interface GradingOverride {
  ruleId: number;
  stage: Stage;
  type: OverrideType;
  applied: boolean;
}

export interface GradingInput {
  lines: readonly GradingLine[];
  overrides?: readonly GradingOverride[];
  /** The bureau's adjusted grade, if any: it has the last word. */
  adjustedGrade?: Grade | null;
}

export interface IndicatorResult {
  indicatorId: number;
  /** The effective line's value, or null when no stage scored the indicator. */
  value: number | null;
  /** Signed effect on the total score. */
  points: number;
  /** The stage whose line counts, or null. */
  stage: Stage | null;
}

export interface GradingResult {
  totalScore: number;
  /** From the thresholds alone. */
  computedGrade: Grade;
  /** After override rules and the bureau's adjustment. */
  grade: Grade;
  /** The total as it stood after each stage; null for a stage that entered no lines. */
  stageScores: Record<Stage, number | null>;
  indicators: IndicatorResult[];
  /** The rules in force (the latest stage's decision per rule, when it applies them). */
  appliedOverrides: { ruleId: number; type: OverrideType; stage: Stage }[];
}

// All arithmetic runs in hundredths of a point, on integers, so 0.1 + 0.2 never decides a grade.
const toCents = (x: number) => Math.round(x * 100);
const fromCents = (c: number) => c / 100;
const stageRank = (s: Stage) => STAGES.indexOf(s);

export function gradeForScore(score: number, thresholds: Thresholds): Grade {
  const s = toCents(score);
  if (s >= toCents(thresholds.a)) return 'A';
  if (s >= toCents(thresholds.b)) return 'B';
  if (s >= toCents(thresholds.c)) return 'C';
  return 'D';
}

/** DIRECT_D wins; otherwise each DOWNGRADE_ONE rule lowers the grade one step, never below D. */
export function applyOverrideRules(grade: Grade, types: readonly OverrideType[]): Grade {
  if (types.includes('DIRECT_D')) return 'D';
  const downgrades = types.filter((t) => t === 'DOWNGRADE_ONE').length;
  return GRADES[Math.min(GRADES.indexOf(grade) + downgrades, GRADES.length - 1)]!;
}

/** The signed effect of one indicator's value on the total, in hundredths. */
function contributionCents(indicator: GradingIndicator, value: number): number {
  const points = toCents(indicator.points);
  if (indicator.method === 'BASE') return toCents(value) - points;
  const raw = Math.round(value) * points;
  const capped = indicator.cap === null ? raw : Math.min(raw, toCents(indicator.cap));
  return indicator.method === 'DEDUCTION' ? 0 - capped : capped; // 0 - x, not -x: no negative zero
}

export type ValueProblem = 'OUT_OF_RANGE' | 'INVALID';

/** Whether a line's value fits its indicator: BASE 0..points (two decimals), others a whole count 0..99. */
export function checkIndicatorValue(indicator: GradingIndicator, value: number): ValueProblem | null {
  if (!Number.isFinite(value)) return 'INVALID';
  if (indicator.method === 'BASE') {
    if (Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) return 'INVALID';
    return value < 0 || toCents(value) > toCents(indicator.points) ? 'OUT_OF_RANGE' : null;
  }
  if (!Number.isInteger(value)) return 'INVALID';
  return value < 0 || value > MAX_OCCURRENCES ? 'OUT_OF_RANGE' : null;
}

/** The effective line per indicator among the stages up to `upTo`: the latest stage's line wins. */
function overlay(lines: readonly GradingLine[], upTo: Stage): Map<number, GradingLine> {
  const effective = new Map<number, GradingLine>();
  for (const line of lines) {
    if (stageRank(line.stage) > stageRank(upTo)) continue;
    const current = effective.get(line.indicatorId);
    if (!current || stageRank(line.stage) > stageRank(current.stage)) effective.set(line.indicatorId, line);
  }
  return effective;
}

function totalCents(guideline: GradingGuideline, effective: Map<number, GradingLine>): number {
  let total = toCents(guideline.baseScore);
  for (const indicator of guideline.indicators) {
    const line = effective.get(indicator.id);
    if (line) total += contributionCents(indicator, line.value);
  }
  // A score is never negative, however many deductions pile up.
  return Math.max(0, total);
}

/** Per indicator of the guideline, in its order: the effective line's value and its signed effect on the total. */
export function indicatorBreakdown(indicators: readonly GradingIndicator[], lines: readonly GradingLine[]): IndicatorResult[] {
  const effective = overlay(lines, 'BUREAU');
  return indicators.map((indicator): IndicatorResult => {
    const line = effective.get(indicator.id);
    return line
      ? { indicatorId: indicator.id, value: line.value, points: fromCents(contributionCents(indicator, line.value)), stage: line.stage }
      : { indicatorId: indicator.id, value: null, points: 0, stage: null };
  });
}

/** Per rule, the latest stage's decision stands (the bureau can withdraw what the association applied); the applied ones, by rule. */
export function effectiveOverrides<O extends GradingOverride>(decisions: readonly O[]): O[] {
  const latest = new Map<number, O>();
  for (const o of decisions) {
    const current = latest.get(o.ruleId);
    if (!current || stageRank(o.stage) > stageRank(current.stage)) latest.set(o.ruleId, o);
  }
  return [...latest.values()].filter((o) => o.applied).sort((x, y) => x.ruleId - y.ruleId);
}

export function computeRating(guideline: GradingGuideline, input: GradingInput): GradingResult {
  const known = new Set(guideline.indicators.map((i) => i.id));
  const lines = input.lines.filter((l) => known.has(l.indicatorId));
  const total = totalCents(guideline, overlay(lines, 'BUREAU'));

  const stageScores = {} as Record<Stage, number | null>;
  for (const stage of STAGES) {
    stageScores[stage] = lines.some((l) => l.stage === stage) ? fromCents(totalCents(guideline, overlay(lines, stage))) : null;
  }

  const appliedOverrides = effectiveOverrides(input.overrides ?? []).map(({ ruleId, type, stage }) => ({ ruleId, type, stage }));
  const totalScore = fromCents(total);
  const computedGrade = gradeForScore(totalScore, guideline.thresholds);
  const overridden = applyOverrideRules(computedGrade, appliedOverrides.map((o) => o.type));
  const grade = input.adjustedGrade ?? overridden;

  return { totalScore, computedGrade, grade, stageScores, indicators: indicatorBreakdown(guideline.indicators, lines), appliedOverrides };
}

/** Grades that put a published branch under the bureau's daily supervision. */
export const SUPERVISED_GRADES: readonly Grade[] = ['C', 'D'];
