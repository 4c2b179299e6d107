// Scoring: a branch's lines entered in its stage (the firm's self-assessment, the association's scoring, the bureau's
// review) and the association's bulk import, each checked against the cycle's guideline before anything is written.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { mayAdjustGrade, mayApplyOverrideRules, mayScoreBranch, scoringStageOf } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx, Tx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, type LocalizedMessage } from '../errors.js';
import { branchesTable, type BranchRow } from '../members/members.table.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import { alreadyPublished, lockCycle } from './ratings.cycles.js';
import { checkIndicatorValue, type Grade, type Stage } from './ratings.grading.js';
import { gradingGuideline, loadIndicatorsByGuidelineIds, loadOverrideRulesByGuidelineIds } from './ratings.guidelines.js';
import { lockRatings, recomputeRatings, upsertScoreLines, type RatingState } from './ratings.recompute.js';
import {
  ratingGuidelinesTable,
  ratingOverrideDecisionsTable,
  ratingScoreLinesTable,
  type RatingCycleRow,
  type RatingCycleStatus,
  type RatingGuidelineRow,
  type RatingIndicatorRow,
  type RatingOverrideRuleRow,
  type RatingScoreLineRow,
} from './ratings.table.js';

/** The cycle status in which each stage enters its lines. */
export const STAGE_STATUS: Record<Stage, RatingCycleStatus> = {
  SELF: 'SELF_ASSESSMENT',
  ASSOCIATION: 'ASSOCIATION_SCORING',
  BUREAU: 'BUREAU_REVIEW',
};
export const MAX_SCORES_PER_CALL = 100;
export const MAX_OVERRIDES_PER_CALL = 20;
/** One cycle of the whole Shenzhen network: about 560 branches × the guideline's basic items (about 5,500 rows), with room. */
export const MAX_IMPORT_ROWS = 10_000;

const STAGE_LABEL: Record<Stage, LocalizedMessage> = {
  SELF: { zh: '机构自评', en: 'self-assessment' },
  ASSOCIATION: { zh: '协会评分', en: 'association scoring' },
  BUREAU: { zh: '证监局复核', en: 'bureau review' },
};

interface CycleForScoring {
  cycle: RatingCycleRow;
  guideline: RatingGuidelineRow;
  indicators: RatingIndicatorRow[];
  rules: RatingOverrideRuleRow[];
}

/** Locks the cycle against a concurrent stage move and checks it is in the actor's stage. */
async function cycleForScoring(tx: Tx, year: number, stage: Stage): Promise<CycleForScoring> {
  const cycle = await lockCycle(tx, year, 'share');
  if (cycle.status === 'PUBLISHED') throw alreadyPublished(cycle.year);
  if (cycle.status !== STAGE_STATUS[stage]) {
    throw new DomainError('INVALID_STATE', ['input', 'year'], {
      zh: `周期当前为 ${cycle.status}，${STAGE_LABEL[stage].zh}只能在 ${STAGE_STATUS[stage]} 阶段进行`,
      en: `The cycle is ${cycle.status}; ${STAGE_LABEL[stage].en} happens only in ${STAGE_STATUS[stage]}`,
    });
  }
  if (stage === 'SELF' && todayInShanghai() > cycle.selfAssessmentDueOn) {
    throw new DomainError('INVALID_STATE', ['input', 'year'], {
      zh: `自评截止日期（${cycle.selfAssessmentDueOn}）已过`,
      en: `The self-assessment deadline (${cycle.selfAssessmentDueOn}) has passed`,
    });
  }
  const [guideline] = await tx.select().from(ratingGuidelinesTable).where(eq(ratingGuidelinesTable.id, cycle.guidelineId));
  const [indicators, rules] = [
    await loadIndicatorsByGuidelineIds(tx, [cycle.guidelineId]),
    await loadOverrideRulesByGuidelineIds(tx, [cycle.guidelineId]),
  ];
  return { cycle, guideline: guideline!, indicators, rules };
}


/** What scoring reads of a branch: whose it is, and whether it was still open in the cycle's year. */
const BRANCH_COLUMNS = { id: branchesTable.id, firmId: branchesTable.firmId, closedOn: branchesTable.closedOn };

function checkBranchInCycle(errors: ErrorCollector, branch: Pick<BranchRow, 'closedOn'>, year: number, field: string[], prefix: LocalizedMessage) {
  if (branch.closedOn && branch.closedOn < `${year}-01-01`) {
    errors.add('INVALID', field, {
      zh: `${prefix.zh}该分支机构已于 ${branch.closedOn} 撤销，不参加 ${year} 年度评价`,
      en: `${prefix.en}the branch closed on ${branch.closedOn} and is not rated for ${year}`,
    });
  }
}


export interface IndicatorScoreInput {
  indicator: string;
  value: number;
  comment?: string | null;
}

export interface ScoreInput {
  year: number;
  branchId: number | null;
  scores?: IndicatorScoreInput[] | null;
  overrides?: { rule: string; applied: boolean; reason: string }[] | null;
  gradeAdjustment?: { grade?: Grade | null; reason?: string | null } | null;
}

export interface ScoreResult {
  ratingId: number;
  lines: RatingScoreLineRow[];
}

/**
 * Enters one branch's lines for the actor's stage: the firm for its own branches in SELF_ASSESSMENT, the
 * association in ASSOCIATION_SCORING, the regulator in BUREAU_REVIEW (with a reason for every change). Override
 * rules are the association's and the bureau's; a grade adjustment is the bureau's. The rating row is locked
 * while its lines change and its scores are recomputed, so concurrent scorers never lose each other's lines.
 */
export async function scoreBranchRating(db: DbOrTx, actor: Viewer, input: ScoreInput): Promise<ScoreResult> {
  const stage = scoringStageOf(actor);
  if (!stage) throw new DomainError('INVALID_STATE', null, { zh: '该角色不能评分', en: 'This role does not score' });
  const errors = new ErrorCollector();
  const scores = input.scores ?? [];
  const overrides = input.overrides ?? [];
  const adjustment = input.gradeAdjustment ?? null;
  if (scores.length === 0 && overrides.length === 0 && !adjustment) {
    errors.add('REQUIRED', ['input', 'scores'], { zh: '请至少提交一项评分、调整规则或等级调整', en: 'Give at least one score, override decision or grade adjustment' });
  }
  if (scores.length > MAX_SCORES_PER_CALL) {
    errors.add('LIMIT_EXCEEDED', ['input', 'scores'], { zh: `每次最多 ${MAX_SCORES_PER_CALL} 项评分`, en: `At most ${MAX_SCORES_PER_CALL} scores per call` });
  }
  if (overrides.length > MAX_OVERRIDES_PER_CALL) {
    errors.add('LIMIT_EXCEEDED', ['input', 'overrides'], { zh: `每次最多 ${MAX_OVERRIDES_PER_CALL} 条调整`, en: `At most ${MAX_OVERRIDES_PER_CALL} override decisions per call` });
  }
  if (overrides.length > 0 && !mayApplyOverrideRules(actor)) {
    errors.add('INVALID', ['input', 'overrides'], { zh: '调整规则由协会或证监局适用', en: 'Override rules are applied by the association or the bureau' });
  }
  if (adjustment && !mayAdjustGrade(actor)) {
    errors.add('INVALID', ['input', 'gradeAdjustment'], { zh: '等级调整由证监局在复核阶段作出', en: 'Grade adjustments are the bureau\'s, in its review' });
  }
  const seen = new Set<string>();
  const cleanedScores = scores.slice(0, MAX_SCORES_PER_CALL).map((s, i) => {
    const field = (name: string) => ['input', 'scores', String(i), name];
    const comment = cleanText(errors, s.comment, {
      field: field('comment'),
      max: 500,
      multiline: true,
      // The bureau's changes always carry their reason.
      required: stage === 'BUREAU',
      labelZh: stage === 'BUREAU' ? '调整理由' : '说明',
      labelEn: stage === 'BUREAU' ? 'comment (the reason for the adjustment)' : 'comment',
    });
    const code = (s.indicator ?? '').trim().slice(0, 60);
    if (seen.has(code)) errors.add('DUPLICATE', field('indicator'), { zh: `指标 ${code} 重复`, en: `Indicator ${code} appears twice` });
    seen.add(code);
    return { code, value: s.value, comment: comment ?? null, index: i };
  });
  const seenRules = new Set<string>();
  const cleanedOverrides = overrides.slice(0, MAX_OVERRIDES_PER_CALL).map((o, i) => {
    const field = (name: string) => ['input', 'overrides', String(i), name];
    const reason = cleanText(errors, o.reason, { field: field('reason'), max: 500, multiline: true, required: true, labelZh: '理由', labelEn: 'reason' });
    const code = (o.rule ?? '').trim().slice(0, 60);
    if (seenRules.has(code)) errors.add('DUPLICATE', field('rule'), { zh: `规则 ${code} 重复`, en: `Rule ${code} appears twice` });
    seenRules.add(code);
    return { code, applied: o.applied, reason: reason!, index: i };
  });
  const adjustmentReason = adjustment?.grade
    ? cleanText(errors, adjustment.reason, { field: ['input', 'gradeAdjustment', 'reason'], max: 500, multiline: true, required: true, labelZh: '调整理由', labelEn: 'reason' })
    : null;
  errors.throwIfAny();

  return runInTransaction(db, async (tx) => {
    const c = await cycleForScoring(tx, input.year, stage);
    const [branch] = input.branchId === null ? [] : await tx.select(BRANCH_COLUMNS).from(branchesTable).where(eq(branchesTable.id, input.branchId));
    if (!branch) throw new DomainError('NOT_FOUND', ['input', 'branchId'], { zh: '分支机构不存在', en: 'Branch not found' });
    if (!mayScoreBranch(actor, branch)) {
      throw new DomainError('NOT_OWN_BRANCH', ['input', 'branchId'], { zh: '只能为本机构的分支机构自评', en: 'A firm self-assesses only its own branches' });
    }
    const found = new ErrorCollector();
    checkBranchInCycle(found, branch, c.cycle.year, ['input', 'branchId'], { zh: '', en: '' });
    const indicatorByCode = new Map(c.indicators.map((i) => [i.code, i]));
    const ruleByCode = new Map(c.rules.map((r) => [r.code, r]));
    const lineValues = cleanedScores.flatMap((s) => {
      const indicator = indicatorByCode.get(s.code);
      const field = (name: string) => ['input', 'scores', String(s.index), name];
      if (!indicator) {
        found.add('UNKNOWN_INDICATOR', field('indicator'), {
          zh: `指标 ${s.code} 不属于本周期的指引（第 ${c.guideline.version} 版）`,
          en: `Indicator ${s.code} is not in this cycle's guideline (version ${c.guideline.version})`,
        });
        return [];
      }
      const problem = checkIndicatorValue(indicator, s.value);
      if (problem) found.add(problem, field('value'), valueMessage(indicator, s.value));
      return [{ indicatorId: indicator.id, value: s.value, comment: s.comment }];
    });
    const decisionValues = cleanedOverrides.flatMap((o) => {
      const rule = ruleByCode.get(o.code);
      if (!rule) {
        found.add('NOT_FOUND', ['input', 'overrides', String(o.index), 'rule'], {
          zh: `调整规则 ${o.code} 不属于本周期的指引`,
          en: `Override rule ${o.code} is not in this cycle's guideline`,
        });
        return [];
      }
      return [{ ruleId: rule.id, applied: o.applied, reason: o.reason }];
    });
    found.throwIfAny();

    const grading = gradingGuideline(c.guideline, c.indicators);
    const [before] = await lockRatings(tx, c.cycle.id, grading, [branch.id]);
    const previousLines = await tx
      .select()
      .from(ratingScoreLinesTable)
      .where(and(eq(ratingScoreLinesTable.ratingId, before!.id), eq(ratingScoreLinesTable.stage, stage)));
    const who = { enteredBy: actor.subject, enteredByRole: actor.role };
    const lines =
      lineValues.length === 0
        ? []
        : await tx
            .insert(ratingScoreLinesTable)
            .values(lineValues.map((l) => ({ ...l, ratingId: before!.id, stage, ...who })))
            .onConflictDoUpdate({
              target: [ratingScoreLinesTable.ratingId, ratingScoreLinesTable.stage, ratingScoreLinesTable.indicatorId],
              set: { value: sql`excluded.value`, comment: sql`excluded.comment`, enteredBy: sql`excluded.entered_by`, enteredByRole: sql`excluded.entered_by_role`, enteredAt: sql`now()` },
            })
            .returning();
    const decisions =
      decisionValues.length === 0
        ? []
        : await tx
            .insert(ratingOverrideDecisionsTable)
            .values(decisionValues.map((d) => ({ ...d, ratingId: before!.id, stage, ...who })))
            .onConflictDoUpdate({
              target: [ratingOverrideDecisionsTable.ratingId, ratingOverrideDecisionsTable.stage, ratingOverrideDecisionsTable.ruleId],
              set: { applied: sql`excluded.applied`, reason: sql`excluded.reason`, enteredBy: sql`excluded.entered_by`, enteredByRole: sql`excluded.entered_by_role`, enteredAt: sql`now()` },
            })
            .returning();
    const state: RatingState = adjustment
      ? { id: before!.id, adjustedGrade: adjustment.grade ?? null, adjustmentReason: adjustment.grade ? adjustmentReason! : null }
      : before!;
    const result = (await recomputeRatings(tx, grading, [state])).get(before!.id)!;
    await recordAudit(tx, actor, {
      action: 'branch_rating.score',
      entityType: 'BranchRating',
      entityId: before!.id,
      before: { rating: before, lines: previousLines },
      after: {
        stage,
        lines,
        overrideDecisions: decisions,
        adjustedGrade: state.adjustedGrade,
        adjustmentReason: state.adjustmentReason,
        totalScore: result.totalScore,
        computedGrade: result.computedGrade,
        grade: result.grade,
        version: before!.version + 1,
      },
    });
    return { ratingId: before!.id, lines };
  });
}

function valueMessage(indicator: Pick<RatingIndicatorRow, 'code' | 'method' | 'points'>, value: number): LocalizedMessage {
  if (indicator.method === 'BASE') {
    return {
      zh: `指标 ${indicator.code} 的得分应在 0–${indicator.points} 之间（最多两位小数），收到 ${value}`,
      en: `Indicator ${indicator.code} scores 0–${indicator.points} (at most two decimals); got ${value}`,
    };
  }
  return {
    zh: `指标 ${indicator.code} 填写发生次数，应为 0–99 的整数，收到 ${value}`,
    en: `Indicator ${indicator.code} counts occurrences: a whole number 0–99; got ${value}`,
  };
}

export interface ImportRowInput {
  branchId: number | null;
  indicator: string;
  value: number;
  comment?: string | null;
}

/**
 * The association's bulk import of score lines in ASSOCIATION_SCORING: every row is checked first and any bad row
 * refuses the whole import (one error per bad row, naming it); otherwise all rows are written in one transaction.
 */
export async function importAssociationScores(
  db: DbOrTx,
  actor: Viewer,
  input: { year: number; rows: ImportRowInput[] },
): Promise<{ ratingIds: number[]; rows: number }> {
  const errors = new ErrorCollector();
  const rows = input.rows ?? [];
  if (rows.length === 0) errors.add('REQUIRED', ['input', 'rows'], { zh: '导入内容为空', en: 'rows is empty' });
  if (rows.length > MAX_IMPORT_ROWS) {
    errors.add('LIMIT_EXCEEDED', ['input', 'rows'], { zh: `每次最多导入 ${MAX_IMPORT_ROWS} 行`, en: `At most ${MAX_IMPORT_ROWS} rows per import` });
  }
  errors.throwIfAny();
  const rowPrefix = (i: number): LocalizedMessage => ({ zh: `第 ${i + 1} 行：`, en: `Row ${i + 1}: ` });
  const cleaned = rows.map((row, i) => ({
    ...row,
    indicator: (row.indicator ?? '').trim().slice(0, 60),
    comment: cleanText(errors, row.comment, { field: ['input', 'rows', String(i), 'comment'], max: 500, multiline: true, labelZh: `第 ${i + 1} 行说明`, labelEn: `row ${i + 1} comment` }) ?? null,
  }));

  return runInTransaction(db, async (tx) => {
    const c = await cycleForScoring(tx, input.year, 'ASSOCIATION');
    const branchIds = [...new Set(cleaned.flatMap((r) => (r.branchId === null ? [] : [r.branchId])))];
    const branches = branchIds.length === 0 ? [] : await tx.select(BRANCH_COLUMNS).from(branchesTable).where(inArray(branchesTable.id, branchIds));
    const branchById = new Map(branches.map((b) => [b.id, b]));
    const indicatorByCode = new Map(c.indicators.map((i) => [i.code, i]));
    const seen = new Set<string>();
    const lines: { branchId: number; indicatorId: number; value: number; comment: string | null }[] = [];
    cleaned.forEach((row, i) => {
      const field = (name: string) => ['input', 'rows', String(i), name];
      const prefix = rowPrefix(i);
      const branch = row.branchId === null ? undefined : branchById.get(row.branchId);
      if (!branch) errors.add('NOT_FOUND', field('branchId'), { zh: `${prefix.zh}分支机构不存在`, en: `${prefix.en}branch not found` });
      else checkBranchInCycle(errors, branch, c.cycle.year, field('branchId'), prefix);
      const indicator = indicatorByCode.get(row.indicator);
      if (!indicator) {
        errors.add('UNKNOWN_INDICATOR', field('indicator'), {
          zh: `${prefix.zh}指标 ${row.indicator} 不属于本周期的指引（第 ${c.guideline.version} 版）`,
          en: `${prefix.en}indicator ${row.indicator} is not in this cycle's guideline (version ${c.guideline.version})`,
        });
      } else {
        const problem = checkIndicatorValue(indicator, row.value);
        if (problem) {
          const m = valueMessage(indicator, row.value);
          errors.add(problem, field('value'), { zh: prefix.zh + m.zh, en: prefix.en + m.en });
        }
      }
      if (branch && indicator) {
        const key = `${branch.id}:${indicator.id}`;
        if (seen.has(key)) {
          errors.add('DUPLICATE', field('indicator'), {
            zh: `${prefix.zh}同一分支机构的指标 ${indicator.code} 重复`,
            en: `${prefix.en}indicator ${indicator.code} appears twice for the same branch`,
          });
        }
        seen.add(key);
        lines.push({ branchId: branch.id, indicatorId: indicator.id, value: row.value, comment: row.comment });
      }
    });
    errors.throwIfAny();

    const grading = gradingGuideline(c.guideline, c.indicators);
    const ratings = await lockRatings(tx, c.cycle.id, grading, branchIds);
    const ratingOfBranch = new Map(ratings.map((r) => [r.branchId, r.id]));
    const who = { enteredBy: actor.subject, enteredByRole: actor.role };
    await upsertScoreLines(
      tx,
      lines.map((l) => ({ ratingId: ratingOfBranch.get(l.branchId)!, stage: 'ASSOCIATION', indicatorId: l.indicatorId, value: l.value, comment: l.comment, ...who })),
    );
    const results = await recomputeRatings(tx, grading, ratings);
    await recordAudit(tx, actor, {
      action: 'branch_rating.import',
      entityType: 'RatingCycle',
      entityId: c.cycle.id,
      before: ratings.map((r) => ({ ratingId: r.id, branchId: r.branchId, totalScore: r.totalScore, grade: r.grade, version: r.version })),
      after: {
        rows: lines.length,
        ratings: ratings.map((r) => {
          const g = results.get(r.id)!;
          return { ratingId: r.id, branchId: r.branchId, totalScore: g.totalScore, grade: g.grade, version: r.version + 1 };
        }),
      },
    });
    return { ratingIds: ratings.map((r) => r.id), rows: lines.length };
  });
}
