// Writing scores: rating rows created and locked, score lines upserted in bulk, and scores and grades recomputed from
// every stage's lines. Shared by single scoring, the association's import and the demo seed.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../db/client.js';
import { computeRating, type GradingGuideline, type GradingResult, type Stage } from './ratings.grading.js';
import { loadOverrideDecisionsByRatingIds } from './ratings.reads.js';
import { branchRatingsTable, ratingScoreLinesTable, type BranchRatingRow } from './ratings.table.js';

/** What recomputing a rating keeps from its row: the bureau's adjustment. */
export type RatingState = Pick<BranchRatingRow, 'id' | 'adjustedGrade' | 'adjustmentReason'>;

/**
 * Recomputes the scores and grades of some ratings of one cycle from all their stage lines and override decisions,
 * and writes them in one statement. Callers hold the ratings' row locks.
 */
export async function recomputeRatings(
  tx: Tx,
  guideline: GradingGuideline,
  ratings: readonly RatingState[],
): Promise<Map<number, GradingResult>> {
  const results = new Map<number, GradingResult>();
  if (ratings.length === 0) return results;
  const ids = ratings.map((r) => r.id);
  const lines = await tx
    .select({ ratingId: ratingScoreLinesTable.ratingId, indicatorId: ratingScoreLinesTable.indicatorId, stage: ratingScoreLinesTable.stage, value: ratingScoreLinesTable.value })
    .from(ratingScoreLinesTable)
    .where(inArray(ratingScoreLinesTable.ratingId, ids));
  const decisions = await loadOverrideDecisionsByRatingIds(tx, ids);
  for (const rating of ratings) {
    results.set(
      rating.id,
      computeRating(guideline, {
        lines: lines.filter((l) => l.ratingId === rating.id),
        overrides: decisions.filter((d) => d.ratingId === rating.id),
        adjustedGrade: rating.adjustedGrade,
      }),
    );
  }
  const rows = ratings.map((r) => {
    const g = results.get(r.id)!;
    return sql`(${r.id}::int, ${g.stageScores.SELF}::numeric, ${g.stageScores.ASSOCIATION}::numeric, ${g.stageScores.BUREAU}::numeric,
      ${g.totalScore}::numeric, ${g.computedGrade}::branch_grade, ${g.grade}::branch_grade, ${r.adjustedGrade}::branch_grade, ${r.adjustmentReason}::text)`;
  });
  await tx.execute(sql`
    update ${branchRatingsTable} as r set
      self_score = v.self_score, association_score = v.association_score, bureau_score = v.bureau_score,
      total_score = v.total_score, computed_grade = v.computed_grade, grade = v.grade,
      adjusted_grade = v.adjusted_grade, adjustment_reason = v.adjustment_reason,
      version = r.version + 1, updated_at = now()
    from (values ${sql.join(rows, sql`, `)}) as v(id, self_score, association_score, bureau_score, total_score, computed_grade, grade, adjusted_grade, adjustment_reason)
    where r.id = v.id`);
  return results;
}

export interface ScoreLineInsert {
  ratingId: number;
  stage: Stage;
  indicatorId: number;
  value: number;
  comment: string | null;
  enteredBy: string;
  enteredByRole: string;
}

/**
 * Writes many score lines in one statement, replacing a stage's earlier line for the same indicator. The rows
 * travel as one JSON parameter: thousands of bound parameters are far slower, on PGlite above all.
 */
export async function upsertScoreLines(tx: DbOrTx, lines: readonly ScoreLineInsert[]): Promise<void> {
  if (lines.length === 0) return;
  const json = JSON.stringify(
    lines.map((l) => ({
      rating_id: l.ratingId,
      stage: l.stage,
      indicator_id: l.indicatorId,
      value: l.value,
      comment: l.comment,
      entered_by: l.enteredBy,
      entered_by_role: l.enteredByRole,
    })),
  );
  await tx.execute(sql`
    insert into ${ratingScoreLinesTable} (rating_id, stage, indicator_id, value, comment, entered_by, entered_by_role)
    select rating_id, stage, indicator_id, value, comment, entered_by, entered_by_role
    from jsonb_to_recordset(${json}::jsonb)
      as x(rating_id int, stage rating_stage, indicator_id int, value numeric, comment text, entered_by text, entered_by_role text)
    on conflict (rating_id, stage, indicator_id) do update set
      value = excluded.value, comment = excluded.comment, entered_by = excluded.entered_by,
      entered_by_role = excluded.entered_by_role, entered_at = now()`);
}

/** Makes sure a rating row exists for each branch (created at the base score), then locks them in id order. */
export async function lockRatings(tx: Tx, cycleId: number, guideline: GradingGuideline, branchIds: readonly number[]): Promise<BranchRatingRow[]> {
  const empty = computeRating(guideline, { lines: [] });
  const sorted = [...new Set(branchIds)].sort((a, b) => a - b);
  await tx
    .insert(branchRatingsTable)
    .values(sorted.map((branchId) => ({ cycleId, branchId, totalScore: empty.totalScore, computedGrade: empty.computedGrade, grade: empty.grade })))
    .onConflictDoNothing({ target: [branchRatingsTable.cycleId, branchRatingsTable.branchId] });
  return tx
    .select()
    .from(branchRatingsTable)
    .where(and(eq(branchRatingsTable.cycleId, cycleId), inArray(branchRatingsTable.branchId, sorted)))
    .orderBy(asc(branchRatingsTable.id))
    .for('update');
}
