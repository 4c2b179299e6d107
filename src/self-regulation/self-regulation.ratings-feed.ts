// FINAL disciplinary cases feed the self-regulatory indicator of the member's branches in the next rating cycle (the
// rule is in self-regulation.measures.ts). Only the cases of the association that runs the ratings with the bureau
// (RATINGS_ASSOCIATION_ID, SZSA) count: another association's discipline is not part of its branch evaluation. Written as the association stage's line of that indicator, recomputed from
// all the member's FINAL cases of the year, so feeding twice gives the same line.
import { and, eq, gte, inArray, isNull, lt, sql } from 'drizzle-orm';
import { RATINGS_ASSOCIATION_ID } from '../auth/policy.js';
import type { Tx } from '../db/client.js';
import { branchesTable } from '../members/members.table.js';
import { gradingGuideline, loadIndicatorsByGuidelineIds } from '../ratings/ratings.guidelines.js';
import { lockRatings, recomputeRatings, upsertScoreLines } from '../ratings/ratings.recompute.js';
import { ratingCyclesTable, ratingGuidelinesTable } from '../ratings/ratings.table.js';
import { MAX_OCCURRENCES } from '../ratings/ratings.grading.js';
import { indicatorOccurrencesOfCase, SELF_REGULATORY_INDICATOR_CODE } from './self-regulation.measures.js';
import { disciplinaryCasesTable, disciplinaryMeasuresTable, type DisciplinaryMeasureType } from './self-regulation.table.js';

/** The statuses of a cycle whose association-stage lines may still change: the feed writes only into these. */
export const FEEDABLE_CYCLE_STATUSES = ['PLANNED', 'SELF_ASSESSMENT', 'ASSOCIATION_SCORING'] as const;

/** Who the score lines say entered them. */
export const FEED_SUBJECT = 'system:self-regulation';

export interface FeedResult {
  cycleYear: number;
  occurrences: number;
  branches: number;
}

/**
 * Feeds one member's FINAL cases decided in `decidedYear` into the cycle of decidedYear + 1, if that cycle exists and its
 * association stage is not over. Returns what was written, or null when there was no cycle to feed (the lead wires the
 * same call into cycle creation at merge, for cycles created later).
 */
export async function feedSelfRegulatoryIndicator(tx: Tx, organizationId: number, decidedYear: number): Promise<FeedResult | null> {
  const cycleYear = decidedYear + 1;
  const [cycle] = await tx
    .select()
    .from(ratingCyclesTable)
    .where(and(eq(ratingCyclesTable.year, cycleYear), inArray(ratingCyclesTable.status, [...FEEDABLE_CYCLE_STATUSES])))
    .for('share');
  if (!cycle) return null;
  const indicators = await loadIndicatorsByGuidelineIds(tx, [cycle.guidelineId]);
  const indicator = indicators.find((i) => i.code === SELF_REGULATORY_INDICATOR_CODE);
  if (!indicator) return null;
  const [guideline] = await tx.select().from(ratingGuidelinesTable).where(eq(ratingGuidelinesTable.id, cycle.guidelineId));

  const c = disciplinaryCasesTable;
  const m = disciplinaryMeasuresTable;
  const cases = await tx
    .select({ id: c.id, decisionNumber: c.decisionNumber, types: sql<DisciplinaryMeasureType[]>`array_agg(${m.type}::text order by ${m.id})` })
    .from(c)
    .innerJoin(m, eq(m.caseId, c.id))
    .where(
      and(
        eq(c.associationId, RATINGS_ASSOCIATION_ID),
        eq(c.organizationId, organizationId),
        eq(c.stage, 'FINAL'),
        gte(c.decidedOn, `${decidedYear}-01-01`),
        lt(c.decidedOn, `${decidedYear + 1}-01-01`),
      ),
    )
    .groupBy(c.id, c.decisionNumber)
    .orderBy(c.id);
  const occurrences = Math.min(MAX_OCCURRENCES, cases.reduce((sum, k) => sum + indicatorOccurrencesOfCase(k.types), 0));
  const branches = await tx
    .select({ id: branchesTable.id })
    .from(branchesTable)
    .where(and(eq(branchesTable.firmId, organizationId), isNull(branchesTable.closedOn)));
  if (branches.length === 0 || cases.length === 0) return { cycleYear, occurrences, branches: 0 };

  const grading = gradingGuideline(guideline!, indicators);
  const ratings = await lockRatings(tx, cycle.id, grading, branches.map((b) => b.id));
  const comment = `自律管理：${cycleYear - 1} 年终结的纪律处分及自律管理措施 ${cases.map((k) => k.decisionNumber).join('、')}`;
  await upsertScoreLines(
    tx,
    ratings.map((r) => ({
      ratingId: r.id,
      stage: 'ASSOCIATION' as const,
      indicatorId: indicator.id,
      value: occurrences,
      comment: comment.slice(0, 500),
      enteredBy: FEED_SUBJECT,
      enteredByRole: 'ASSOCIATION',
    })),
  );
  await recomputeRatings(tx, grading, ratings);
  return { cycleYear, occurrences, branches: ratings.length };
}
