// The measures of SAC's 《自律措施实施办法》 (DOMAIN.md §14.3) and what each kind means for publication, the member's
// rights and its branches' ratings. Pure: no I/O.
import type { DisciplinaryMeasureType } from './self-regulation.table.js';

/** 自律管理措施: for lighter and ordinary violations; never published. */
export const SELF_REGULATORY_MEASURES: readonly DisciplinaryMeasureType[] = [
  'TALK_REMINDER',
  'WRITTEN_UNDERTAKING',
  'MANDATORY_TRAINING',
  'WARNING',
  'ORDER_TO_CORRECT',
  'ORDER_COMPLIANCE_CHECK',
  'SUSPEND_FILING',
];

/** 纪律处分, lightest first: for serious and severe violations; published when the case is FINAL. */
export const DISCIPLINARY_SANCTIONS: readonly DisciplinaryMeasureType[] = [
  'INDUSTRY_CRITICISM',
  'PUBLIC_CENSURE',
  'SUSPEND_QUALIFICATION',
  'SUSPEND_MEMBERSHIP_RIGHTS',
  'EXPEL',
];

export function isDisciplinarySanction(type: DisciplinaryMeasureType): boolean {
  return DISCIPLINARY_SANCTIONS.includes(type);
}

/**
 * The measures that become a training obligation of the member at FINAL (要求参加强化培训). The training domain's
 * `recordTrainingObligation(tx, …)` (the training domain) is called for each of them in finalizeCase's transaction.
 */
export const TRAINING_OBLIGATION_MEASURES: readonly DisciplinaryMeasureType[] = ['MANDATORY_TRAINING'];

/** Measures with a period: their endsOn is the last day in force. The others take effect once (endsOn optional, kept). */
export const PERIOD_MEASURES: readonly DisciplinaryMeasureType[] = ['SUSPEND_FILING', 'SUSPEND_QUALIFICATION', 'SUSPEND_MEMBERSHIP_RIGHTS'];

// ---------------------------------------------------------------- the ratings feed (DOMAIN.md §1.4 and §14.4)
//
// The branch classification guideline's self-regulatory indicator (VD_SELF_REGULATORY, 自律管理措施（每次）, 0.5
// points per occurrence, capped by the guideline) takes the member's FINAL cases decided in year Y into the rating
// cycle of year Y + 1, on every open branch of the member (the association's discipline of a firm reflects on its
// branch network, which the ratings grade). Each case counts once, by its heaviest measure, at the points of the
// §1.4 deduction table expressed in occurrences of 0.5:
// - 自律管理措施 only: 1 occurrence (−0.5, the table's 自律管理措施 row);
// - INDUSTRY_CRITICISM: 4 occurrences (−2, the table's 通报批评);
// - PUBLIC_CENSURE or heavier: 5 occurrences (−2.5, the table's 公开谴责; heavier sanctions reach the indicator's cap anyway).

/** The indicator of the rating guideline that self-regulatory cases feed. */
export const SELF_REGULATORY_INDICATOR_CODE = 'VD_SELF_REGULATORY';

/** Occurrences of the self-regulatory indicator that one FINAL case with these measures counts for. */
export function indicatorOccurrencesOfCase(measures: readonly DisciplinaryMeasureType[]): number {
  if (measures.length === 0) return 0;
  if (measures.some((m) => DISCIPLINARY_SANCTIONS.indexOf(m) >= 1)) return 5;
  if (measures.includes('INDUSTRY_CRITICISM')) return 4;
  return 1;
}
