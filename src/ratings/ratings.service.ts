// Business rules of the branch classification ratings: reading what the viewer may see, versioned guidelines,
// the yearly cycle's stages, scoring (single and bulk), publication with its follow-ups, and the distribution report.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, max, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { branchRatingScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import { dataAccessInsert, dataAccessValues, isRecordedReader, type DataAccessValues } from '../data-access/data-access.service.js';
import { type Db, type DbOrTx } from '../db/client.js';
import { isTransaction, runInTransaction } from '../db/transaction.js';
import { arrayLiteral, keyArray, preparedSelectRowsByShape, preparedStatementByShape, selectRows } from '../db/sql/index.js';
import { DomainError, ErrorCollector, isUniqueViolation, type LocalizedMessage } from '../errors.js';
import type { PageRequest } from '../db/page.js';
import { branchesTable, organizationsTable, type BranchRow } from '../members/members.table.js';
import { enqueueEvent } from '../outbox/outbox.service.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import {
  checkIndicatorValue,
  computeRating,
  SUPERVISED_GRADES,
  type Grade,
  type GradingGuideline,
  type GradingResult,
  type Stage,
} from './ratings.grading.js';
import {
  branchRatingsTable,
  ratingCyclesTable,
  ratingGuidelinesTable,
  ratingIndicatorsTable,
  ratingOverrideDecisionsTable,
  ratingOverrideRulesTable,
  ratingScoreLinesTable,
  supervisoryFollowUpsTable,
  type BranchGrade,
  type BranchRatingRow,
  type RatingCycleRow,
  type RatingCycleStatus,
  type RatingGuidelineRow,
  type RatingIndicatorRow,
  type RatingOverrideDecisionRow,
  type RatingOverrideRuleRow,
  type RatingScoreLineRow,
  type SupervisoryFollowUpRow,
  type SupervisoryFollowUpStatus,
} from './ratings.table.js';

type District = NonNullable<BranchRow['district']>;
type IndicatorCategory = RatingIndicatorRow['category'];
type IndicatorMethod = RatingIndicatorRow['method'];
type OverrideType = RatingOverrideRuleRow['type'];

export const CYCLE_STATUSES: readonly RatingCycleStatus[] = ['PLANNED', 'SELF_ASSESSMENT', 'ASSOCIATION_SCORING', 'BUREAU_REVIEW', 'PUBLISHED'];
/** The cycle status in which each stage enters its lines. */
export const STAGE_STATUS: Record<Stage, RatingCycleStatus> = {
  SELF: 'SELF_ASSESSMENT',
  ASSOCIATION: 'ASSOCIATION_SCORING',
  BUREAU: 'BUREAU_REVIEW',
};
export const MAX_SCORES_PER_CALL = 100;
export const MAX_OVERRIDES_PER_CALL = 20;
export const MAX_IMPORT_ROWS = 2000;
export const MAX_INDICATORS = 100;
export const MAX_OVERRIDE_RULES = 20;

// ---------------------------------------------------------------- reading ratings, filtered by the viewer

/** A rating as the API shows it: the row plus its cycle's year and status and the branch's firm. */
export type BranchRatingView = Omit<BranchRatingRow, 'createdAt' | 'updatedAt'> & {
  /** A Date from the query builder, the driver's text from hand-written reads: the DateTime scalar takes both. */
  updatedAt: Date | string;
  year: number;
  cycleStatus: RatingCycleStatus;
  guidelineId: number;
  firmId: number;
};

export interface BranchRatingFilter {
  grade?: BranchGrade | null;
  district?: District | null;
}

const { createdAt: _ratingCreated, ...ratingColumns } = getTableColumns(branchRatingsTable);
export const ratingViewColumns = {
  ...ratingColumns,
  year: ratingCyclesTable.year,
  cycleStatus: ratingCyclesTable.status,
  guidelineId: ratingCyclesTable.guidelineId,
  firmId: branchesTable.firmId,
};

/**
 * Which ratings the viewer sees, from its branchRatingScope: only its firms' (`firmIds`, when `ofFirms`), only in
 * published cycles (`publishedOnly`); null when none at all (no query is needed). Rendered as builder SQL by
 * ratingVisibility and, with the firms as a placeholder, by visibleRatingsCondition for prepared statements.
 */
function visibleRatings(viewer: Viewer): { ofFirms: boolean; publishedOnly: boolean; firmIds: number[] } | null {
  const scope = branchRatingScope(viewer);
  if (scope.firms.kind === 'none') return null;
  const firmIds = scope.firms.kind === 'orgs' ? scope.firms.organizationIds : [];
  return { ofFirms: scope.firms.kind === 'orgs', publishedOnly: !scope.unpublishedCycles, firmIds };
}

/** The viewer's row filter as SQL, or null when the viewer may see no rating at all (no query is needed). */
function ratingVisibility(viewer: Viewer): SQL | undefined | null {
  const visible = visibleRatings(viewer);
  if (!visible) return null;
  return and(
    visible.ofFirms ? inArray(branchesTable.firmId, visible.firmIds) : undefined,
    visible.publishedOnly ? eq(ratingCyclesTable.status, 'PUBLISHED') : undefined,
  );
}

/** ratingVisibility for a prepared statement (`and …` conditions, or nothing), its firms in the `firmIds` placeholder. */
function visibleRatingsCondition({ ofFirms, publishedOnly }: { ofFirms: boolean; publishedOnly: boolean }): SQL {
  return sql`${ofFirms ? sql` and ${branchesTable.firmId} = any(${sql.placeholder('firmIds')}::int[])` : sql``}${publishedOnly ? sql` and ${ratingCyclesTable.status} = 'PUBLISHED'` : sql``}`;
}

function selectRatingViews(db: DbOrTx) {
  return db
    .select(ratingViewColumns)
    .from(branchRatingsTable)
    .innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId))
    .innerJoin(branchesTable, eq(branchesTable.id, branchRatingsTable.branchId));
}

function listConditions(year: number, filter: BranchRatingFilter): SQL | undefined {
  return and(
    eq(ratingCyclesTable.year, year),
    filter.grade ? eq(branchRatingsTable.grade, filter.grade) : undefined,
    filter.district ? eq(branchesTable.district, filter.district) : undefined,
  );
}

export async function listBranchRatings(
  db: DbOrTx,
  viewer: Viewer,
  year: number,
  filter: BranchRatingFilter,
  page: PageRequest,
): Promise<BranchRatingView[]> {
  const visible = ratingVisibility(viewer);
  if (visible === null) return [];
  return selectRatingViews(db)
    .where(and(visible, listConditions(year, filter), page.afterKey === null ? undefined : gt(branchRatingsTable.id, page.afterKey)))
    .orderBy(asc(branchRatingsTable.id))
    .limit(page.limit + 1);
}

export async function countBranchRatings(db: DbOrTx, viewer: Viewer, year: number, filter: BranchRatingFilter): Promise<number> {
  const visible = ratingVisibility(viewer);
  if (visible === null) return 0;
  // The branches join is only paid for when a district filter or a member's firms need it.
  const needsBranches = Boolean(filter.district) || branchRatingScope(viewer).firms.kind === 'orgs';
  const query = db.select({ n: count() }).from(branchRatingsTable).innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId)).$dynamic();
  const [row] = await (needsBranches ? query.innerJoin(branchesTable, eq(branchesTable.id, branchRatingsTable.branchId)) : query).where(
    and(visible, listConditions(year, filter)),
  );
  return row?.n ?? 0;
}

export async function loadBranchRatingsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<BranchRatingView[]> {
  const visible = ratingVisibility(viewer);
  if (visible === null || ids.length === 0) return [];
  return selectRatingViews(db).where(and(visible, inArray(branchRatingsTable.id, [...ids])));
}

/** The visible ratings of many branches, newest year first (a hot nested path: hand-written, no per-row mapping). */
export async function loadBranchRatingsOfBranches(
  db: DbOrTx,
  viewer: Viewer,
  branchIds: readonly number[],
  columns: typeof ratingViewColumns = ratingViewColumns,
  options: { recordAs?: string } = {},
): Promise<BranchRatingView[]> {
  const visible = visibleRatings(viewer);
  if (!visible || branchIds.length === 0) return [];
  // A recorded reader's read is recorded by the same statement: { branches, rows } as recordDataAccess would have.
  const recorded = options.recordAs !== undefined && isRecordedReader(viewer);
  // Recorded with asynchronous commit only when the read is its own transaction (never a caller's).
  const shape = { columns, ofFirms: visible.ofFirms, publishedOnly: visible.publishedOnly, recorded, asyncCommit: recorded && !isTransaction(db) };
  return ratingsOfBranches<BranchRatingView>(db, shape, {
    ids: arrayLiteral(branchIds),
    firmIds: arrayLiteral(visible.firmIds),
    branches: branchIds.length,
    ...(recorded ? dataAccessValues(viewer, options.recordAs!) : {}),
  });
}

/**
 * Prepared per column set, visibility (visibleRatingsCondition) and whether the read is recorded. The same key list on both sides of the branches join lets the planner read only those branches by key
 * instead of hashing the whole table (it cannot infer the second condition from the first).
 */
const ratingsOfBranches = preparedSelectRowsByShape<
  { ids: string; firmIds: string; branches: number } & Partial<DataAccessValues>,
  { columns: typeof ratingViewColumns; ofFirms: boolean; publishedOnly: boolean; recorded: boolean; asyncCommit: boolean }
>(({ columns, ofFirms, publishedOnly, recorded, asyncCommit }) => ({
  columns,
  rest: sql`from ${branchRatingsTable}
      join ${ratingCyclesTable} on ${ratingCyclesTable.id} = ${branchRatingsTable.cycleId}
      join ${branchesTable} on ${branchesTable.id} = ${branchRatingsTable.branchId}
      where ${branchRatingsTable.branchId} = any(${sql.placeholder('ids')}::int[]) and ${branchesTable.id} = any(${sql.placeholder('ids')}::int[])${visibleRatingsCondition({ ofFirms, publishedOnly })}`,
  order: sql`q."year" desc, q."id"`,
  alongside: recorded ? dataAccessInsert(sql`jsonb_build_object('branches', ${sql.placeholder('branches')}::integer, 'rows', (select count(*)::integer from q))`, asyncCommit) : undefined,
}));

/** Branches under daily supervision in a year: rated C or D in a published cycle. */
export async function listSupervision(db: DbOrTx, viewer: Viewer, year: number): Promise<BranchRatingView[]> {
  const visible = ratingVisibility(viewer);
  if (visible === null) return [];
  return selectRatingViews(db)
    .where(
      and(
        visible,
        eq(ratingCyclesTable.year, year),
        eq(ratingCyclesTable.status, 'PUBLISHED'),
        inArray(branchRatingsTable.grade, [...SUPERVISED_GRADES]),
      ),
    )
    .orderBy(desc(branchRatingsTable.grade), asc(branchRatingsTable.id));
}

export const isUnderDailySupervision = (r: Pick<BranchRatingView, 'cycleStatus' | 'grade'>) =>
  r.cycleStatus === 'PUBLISHED' && SUPERVISED_GRADES.includes(r.grade);

// The nested lists below are reached only through a rating the viewer may already see.

export async function loadScoreLinesByRatingIds(db: DbOrTx, ratingIds: readonly number[]): Promise<RatingScoreLineRow[]> {
  return db
    .select()
    .from(ratingScoreLinesTable)
    .where(inArray(ratingScoreLinesTable.ratingId, [...ratingIds]))
    .orderBy(asc(ratingScoreLinesTable.ratingId), asc(ratingScoreLinesTable.stage), asc(ratingScoreLinesTable.indicatorId));
}

export type OverrideDecisionView = RatingOverrideDecisionRow & { type: OverrideType };

export async function loadOverrideDecisionsByRatingIds(db: DbOrTx, ratingIds: readonly number[]): Promise<OverrideDecisionView[]> {
  return db
    .select({ ...getTableColumns(ratingOverrideDecisionsTable), type: ratingOverrideRulesTable.type })
    .from(ratingOverrideDecisionsTable)
    .innerJoin(ratingOverrideRulesTable, eq(ratingOverrideRulesTable.id, ratingOverrideDecisionsTable.ruleId))
    .where(inArray(ratingOverrideDecisionsTable.ratingId, [...ratingIds]))
    .orderBy(asc(ratingOverrideDecisionsTable.ratingId), asc(ratingOverrideDecisionsTable.stage), asc(ratingOverrideDecisionsTable.ruleId));
}

export async function loadFollowUpsByRatingIds(db: DbOrTx, ratingIds: readonly number[]): Promise<SupervisoryFollowUpRow[]> {
  return db
    .select()
    .from(supervisoryFollowUpsTable)
    .where(inArray(supervisoryFollowUpsTable.ratingId, [...ratingIds]))
    .orderBy(
      asc(supervisoryFollowUpsTable.ratingId),
      asc(supervisoryFollowUpsTable.dueOn),
      asc(supervisoryFollowUpsTable.type),
      asc(supervisoryFollowUpsTable.owner),
    );
}

// ---------------------------------------------------------------- guidelines and cycles (public reference data)

export async function listGuidelines(db: DbOrTx): Promise<RatingGuidelineRow[]> {
  return db.select().from(ratingGuidelinesTable).orderBy(desc(ratingGuidelinesTable.version));
}

export async function loadGuidelinesByIds(db: DbOrTx, ids: readonly number[]): Promise<RatingGuidelineRow[]> {
  return db.select().from(ratingGuidelinesTable).where(inArray(ratingGuidelinesTable.id, [...ids]));
}

export async function loadIndicatorsByGuidelineIds(db: DbOrTx, guidelineIds: readonly number[]): Promise<RatingIndicatorRow[]> {
  return db
    .select()
    .from(ratingIndicatorsTable)
    .where(inArray(ratingIndicatorsTable.guidelineId, [...guidelineIds]))
    .orderBy(asc(ratingIndicatorsTable.guidelineId), asc(ratingIndicatorsTable.position));
}

export async function loadIndicatorsByIds(db: DbOrTx, ids: readonly number[]): Promise<RatingIndicatorRow[]> {
  return db.select().from(ratingIndicatorsTable).where(inArray(ratingIndicatorsTable.id, [...ids]));
}

export async function loadOverrideRulesByGuidelineIds(db: DbOrTx, guidelineIds: readonly number[]): Promise<RatingOverrideRuleRow[]> {
  return db
    .select()
    .from(ratingOverrideRulesTable)
    .where(inArray(ratingOverrideRulesTable.guidelineId, [...guidelineIds]))
    .orderBy(asc(ratingOverrideRulesTable.guidelineId), asc(ratingOverrideRulesTable.id));
}

export async function listCycles(db: DbOrTx): Promise<RatingCycleRow[]> {
  return db.select().from(ratingCyclesTable).orderBy(desc(ratingCyclesTable.year));
}

export async function loadCyclesByIds(db: DbOrTx, ids: readonly number[]): Promise<RatingCycleRow[]> {
  return db.select().from(ratingCyclesTable).where(inArray(ratingCyclesTable.id, [...ids]));
}

export async function findCycleByYear(db: DbOrTx, year: number): Promise<RatingCycleRow | null> {
  if (!Number.isInteger(year)) return null;
  const [row] = await db.select().from(ratingCyclesTable).where(eq(ratingCyclesTable.year, year)).limit(1);
  return row ?? null;
}

/** The grading inputs of a guideline version, in the pure function's terms. */
export function gradingGuideline(guideline: RatingGuidelineRow, indicators: readonly RatingIndicatorRow[]): GradingGuideline {
  return {
    baseScore: guideline.baseScore,
    thresholds: { a: guideline.thresholdA, b: guideline.thresholdB, c: guideline.thresholdC },
    indicators: indicators.map((i) => ({ id: i.id, method: i.method, points: i.points, cap: i.cap })),
  };
}

// ---------------------------------------------------------------- report

/** Ratings of a year counted by grade: one grouped statement. */
export async function ratingDistribution(db: DbOrTx, year: number): Promise<{ grade: BranchGrade; count: number }[]> {
  return db
    .select({ grade: branchRatingsTable.grade, count: count() })
    .from(branchRatingsTable)
    .innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId))
    .where(eq(ratingCyclesTable.year, year))
    .groupBy(branchRatingsTable.grade)
    .orderBy(asc(branchRatingsTable.grade));
}

export type RatingDistributionGrouping = 'DISTRICT' | 'FIRM';

export interface RatingDistributionRow {
  grade: BranchGrade;
  count: number;
  /** Set when grouped by district (null: a branch outside Shenzhen). */
  district: District | null;
  /** Set when grouped by firm. */
  firmId: number | null;
}

/**
 * The reports' distribution: ratings of a year the viewer may see, counted by grade, optionally also by the branch's
 * district or firm. One grouped statement (none when the viewer may see no rating).
 */
export async function ratingDistributionReport(
  db: DbOrTx,
  viewer: Viewer,
  year: number,
  by: RatingDistributionGrouping | null,
): Promise<RatingDistributionRow[]> {
  const visible = visibleRatings(viewer);
  if (!visible) return [];
  return distributionStatement<RatingDistributionRow>(db, { by, ofFirms: visible.ofFirms, publishedOnly: visible.publishedOnly }, {
    year,
    firmIds: arrayLiteral(visible.firmIds),
  });
}

/**
 * The distribution's GROUP BY, prepared per grouping and visibility (visibleRatingsCondition). The branches join is
 * only paid for when grouping by branch or filtering by a member's firms.
 */
const distributionStatement = preparedStatementByShape<{ year: number; firmIds: string }, { by: RatingDistributionGrouping | null; ofFirms: boolean; publishedOnly: boolean }>(
  ({ by, ofFirms, publishedOnly }) => {
    const r = branchRatingsTable;
    const b = branchesTable;
    const groupKey = by === 'DISTRICT' ? sql`${b.district}, ` : by === 'FIRM' ? sql`${b.firmId}, ` : sql``;
    return sql`select ${r.grade} as "grade", count(*)::int as "count",
        ${by === 'DISTRICT' ? sql`${b.district}` : sql`null`} as "district", ${by === 'FIRM' ? sql`${b.firmId}` : sql`null::integer`} as "firmId"
      from ${r} join ${ratingCyclesTable} on ${ratingCyclesTable.id} = ${r.cycleId}
      ${by !== null || ofFirms ? sql`join ${b} on ${b.id} = ${r.branchId}` : sql``}
      where ${ratingCyclesTable.year} = ${sql.placeholder('year')}::integer${visibleRatingsCondition({ ofFirms, publishedOnly })}
      group by ${groupKey}${r.grade}
      order by ${by === 'DISTRICT' ? sql`${b.district} asc nulls last, ` : groupKey}${r.grade} asc`;
  },
);

export interface FollowUpStatusRow {
  type: SupervisoryFollowUpRow['type'];
  status: SupervisoryFollowUpStatus;
  count: number;
  /** Not DONE and due before `today`. */
  overdue: number;
  /** Distinct branches concerned. */
  branches: number;
}

/**
 * The follow-ups of a year's supervised branches (the viewer's visible ratings), counted by type and status with the
 * overdue ones among them: one grouped statement.
 */
export async function followUpStatusReport(db: DbOrTx, viewer: Viewer, year: number, today: string): Promise<FollowUpStatusRow[]> {
  const visible = ratingVisibility(viewer);
  if (visible === null) return [];
  const f = supervisoryFollowUpsTable;
  return db
    .select({
      type: f.type,
      status: f.status,
      count: count(),
      overdue: sql<number>`count(*) filter (where ${f.status} <> 'DONE' and ${f.dueOn} < ${today}::date)`.mapWith(Number),
      branches: sql<number>`count(distinct ${branchRatingsTable.branchId})`.mapWith(Number),
    })
    .from(f)
    .innerJoin(branchRatingsTable, eq(branchRatingsTable.id, f.ratingId))
    .innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId))
    .innerJoin(branchesTable, eq(branchesTable.id, branchRatingsTable.branchId))
    .where(and(visible, eq(ratingCyclesTable.year, year)))
    .groupBy(f.type, f.status)
    .orderBy(asc(f.type), asc(f.status));
}

/** One row of the branch-ratings CSV export. */
export type BranchRatingExportRow = Awaited<ReturnType<typeof exportBranchRatingBatch>>[number];

/**
 * One keyset batch of the CSV export: the viewer's visible ratings of a year with id > afterId, in id order, with
 * their branch and firm. The export repeats it until a batch comes back short, so memory stays one batch.
 */
export async function exportBranchRatingBatch(db: DbOrTx, viewer: Viewer, year: number, afterId: number, limit: number) {
  const visible = ratingVisibility(viewer);
  if (visible === null) return [];
  return db
    .select({
      id: branchRatingsTable.id,
      year: ratingCyclesTable.year,
      cycleStatus: ratingCyclesTable.status,
      firmId: branchesTable.firmId,
      firmName: organizationsTable.name,
      firmCreditCode: organizationsTable.creditCode,
      branchId: branchesTable.id,
      branchName: branchesTable.name,
      branchKind: branchesTable.kind,
      district: branchesTable.district,
      selfScore: branchRatingsTable.selfScore,
      associationScore: branchRatingsTable.associationScore,
      bureauScore: branchRatingsTable.bureauScore,
      totalScore: branchRatingsTable.totalScore,
      computedGrade: branchRatingsTable.computedGrade,
      grade: branchRatingsTable.grade,
      adjustedGrade: branchRatingsTable.adjustedGrade,
      adjustmentReason: branchRatingsTable.adjustmentReason,
      version: branchRatingsTable.version,
      updatedAt: branchRatingsTable.updatedAt,
    })
    .from(branchRatingsTable)
    .innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId))
    .innerJoin(branchesTable, eq(branchesTable.id, branchRatingsTable.branchId))
    .innerJoin(organizationsTable, eq(organizationsTable.id, branchesTable.firmId))
    .where(and(visible, eq(ratingCyclesTable.year, year), gt(branchRatingsTable.id, afterId)))
    .orderBy(asc(branchRatingsTable.id))
    .limit(limit);
}

// ---------------------------------------------------------------- follow-up progress (association, bureau)

const FOLLOW_UP_ORDER: readonly SupervisoryFollowUpStatus[] = ['OPEN', 'IN_PROGRESS', 'DONE'];
const followUpStatusZh: Record<SupervisoryFollowUpStatus, string> = { OPEN: '未开始', IN_PROGRESS: '进行中', DONE: '已完成' };
export const MAX_FOLLOW_UP_NOTE_LENGTH = 500;

/**
 * Records the progress of a supervisory follow-up: OPEN → IN_PROGRESS → DONE, forward only (DONE is final). Only a
 * follow-up of a rating the actor may see can be found; the change is audited.
 */
export async function updateFollowUpStatus(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; status: SupervisoryFollowUpStatus; note?: string | null },
): Promise<SupervisoryFollowUpRow> {
  const errors = new ErrorCollector();
  const note = cleanText(errors, input.note, { field: ['input', 'note'], max: MAX_FOLLOW_UP_NOTE_LENGTH, multiline: true, labelZh: '说明', labelEn: 'note' });
  errors.throwIfAny();
  const notFound = new DomainError('NOT_FOUND', ['input', 'id'], { zh: '监管措施不存在', en: 'Follow-up not found' });
  const visible = ratingVisibility(actor);
  const id = input.id;
  if (visible === null || id === null) throw notFound;
  return runInTransaction(db, async (tx) => {
    const [found] = await tx
      .select({ followUp: supervisoryFollowUpsTable })
      .from(supervisoryFollowUpsTable)
      .innerJoin(branchRatingsTable, eq(branchRatingsTable.id, supervisoryFollowUpsTable.ratingId))
      .innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId))
      .innerJoin(branchesTable, eq(branchesTable.id, branchRatingsTable.branchId))
      .where(and(visible, eq(supervisoryFollowUpsTable.id, id)))
      .for('update', { of: supervisoryFollowUpsTable });
    if (!found) throw notFound;
    const before = found.followUp;
    if (FOLLOW_UP_ORDER.indexOf(input.status) <= FOLLOW_UP_ORDER.indexOf(before.status)) {
      throw new DomainError('INVALID_STATE', ['input', 'status'], {
        zh: `监管措施当前为“${followUpStatusZh[before.status]}”，不能变为“${followUpStatusZh[input.status]}”`,
        en: `The follow-up is ${before.status}; it cannot move to ${input.status}`,
      });
    }
    const [after] = await tx
      .update(supervisoryFollowUpsTable)
      .set({
        status: input.status,
        completedOn: input.status === 'DONE' ? todayInShanghai() : null,
        ...(note !== undefined ? { note } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(supervisoryFollowUpsTable.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: 'supervisory_follow_up.update', entityType: 'SupervisoryFollowUp', entityId: before.id, before, after });
    return after!;
  });
}

// ---------------------------------------------------------------- guideline versions (association)

const CODE = /^[A-Z][A-Z0-9_]{1,39}$/;
const MAX_POINTS = 1000;

/** A score or point value: finite, at most two decimals, within (min, max] or [min, max]. */
function checkPoints(
  errors: ErrorCollector,
  value: number,
  field: string[],
  label: LocalizedMessage,
  range: { min: number; max: number; minExclusive?: boolean },
): boolean {
  if (!Number.isFinite(value) || Math.abs(value * 100 - Math.round(value * 100)) > 1e-6) {
    errors.add('INVALID', field, { zh: `${label.zh}最多保留两位小数`, en: `${label.en} must have at most two decimals` });
    return false;
  }
  const low = range.minExclusive ? value <= range.min : value < range.min;
  if (low || value > range.max) {
    const zhLow = range.minExclusive ? `大于 ${range.min}` : `不小于 ${range.min}`;
    const enLow = range.minExclusive ? `greater than ${range.min}` : `at least ${range.min}`;
    errors.add('OUT_OF_RANGE', field, {
      zh: `${label.zh}应${zhLow}且不大于 ${range.max}`,
      en: `${label.en} must be ${enLow} and at most ${range.max}`,
    });
    return false;
  }
  return true;
}

export interface IndicatorInput {
  code: string;
  category: IndicatorCategory;
  nameZh: string;
  nameEn: string;
  method: IndicatorMethod;
  points: number;
  cap?: number | null;
}

export interface OverrideRuleInput {
  code: string;
  type: OverrideType;
  nameZh: string;
  nameEn: string;
}

export interface GuidelineInput {
  title: string;
  note?: string | null;
  baseScore?: number | null;
  thresholds?: { a: number; b: number; c: number } | null;
  indicators: IndicatorInput[];
  overrideRules?: OverrideRuleInput[] | null;
}

export const DEFAULT_BASE_SCORE = 100;
export const DEFAULT_THRESHOLDS = { a: 90, b: 80, c: 70 } as const;

function checkGuideline(input: GuidelineInput) {
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: 100, required: true, labelZh: '标题', labelEn: 'title' });
  const note = cleanText(errors, input.note, { field: ['input', 'note'], max: 2000, multiline: true, labelZh: '修订说明', labelEn: 'note' });
  const baseScore = input.baseScore ?? DEFAULT_BASE_SCORE;
  checkPoints(errors, baseScore, ['input', 'baseScore'], { zh: '基础分', en: 'baseScore' }, { min: 0, max: MAX_POINTS, minExclusive: true });
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  let thresholdsOk = true;
  for (const key of ['a', 'b', 'c'] as const) {
    thresholdsOk &&= checkPoints(errors, thresholds[key], ['input', 'thresholds', key], { zh: `${key.toUpperCase()} 类分数线`, en: `threshold ${key}` }, { min: 0, max: MAX_POINTS, minExclusive: true });
  }
  if (thresholdsOk && !(thresholds.a > thresholds.b && thresholds.b > thresholds.c)) {
    errors.add('INVALID', ['input', 'thresholds'], { zh: '分数线应满足 A > B > C', en: 'thresholds must satisfy a > b > c' });
  }

  const indicators = input.indicators ?? [];
  if (indicators.length === 0) errors.add('REQUIRED', ['input', 'indicators'], { zh: '至少需要一个评价指标', en: 'At least one indicator is required' });
  if (indicators.length > MAX_INDICATORS) {
    errors.add('LIMIT_EXCEEDED', ['input', 'indicators'], { zh: `评价指标最多 ${MAX_INDICATORS} 个`, en: `At most ${MAX_INDICATORS} indicators` });
  }
  const codes = new Set<string>();
  const indicatorValues = indicators.slice(0, MAX_INDICATORS).map((ind, i) => {
    const field = (name: string) => ['input', 'indicators', String(i), name];
    const code = (ind.code ?? '').trim();
    if (!CODE.test(code)) {
      errors.add('INVALID', field('code'), { zh: '指标代码应为 2–40 位大写字母、数字或下划线，以字母开头', en: 'code must be 2–40 capital letters, digits or underscores, starting with a letter' });
    } else if (codes.has(code)) {
      errors.add('DUPLICATE', field('code'), { zh: `指标代码 ${code} 重复`, en: `Indicator code ${code} appears twice` });
    }
    codes.add(code);
    const nameZh = cleanText(errors, ind.nameZh, { field: field('nameZh'), max: 100, required: true, labelZh: '中文名称', labelEn: 'nameZh' });
    const nameEn = cleanText(errors, ind.nameEn, { field: field('nameEn'), max: 200, required: true, labelZh: '英文名称', labelEn: 'nameEn' });
    checkPoints(errors, ind.points, field('points'), { zh: '分值', en: 'points' }, { min: 0, max: 100, minExclusive: true });
    const cap = ind.cap ?? null;
    if (cap !== null) {
      if (ind.method === 'BASE') {
        errors.add('INVALID', field('cap'), { zh: '基础项没有封顶分值', en: 'A BASE indicator has no cap' });
      } else if (checkPoints(errors, cap, field('cap'), { zh: '封顶分值', en: 'cap' }, { min: 0, max: MAX_POINTS, minExclusive: true }) && cap < ind.points) {
        errors.add('OUT_OF_RANGE', field('cap'), { zh: '封顶分值不能小于单次分值', en: 'cap cannot be less than points' });
      }
    }
    return { position: i + 1, code, category: ind.category, nameZh: nameZh!, nameEn: nameEn!, method: ind.method, points: ind.points, cap };
  });

  const rules = input.overrideRules ?? [];
  if (rules.length > MAX_OVERRIDE_RULES) {
    errors.add('LIMIT_EXCEEDED', ['input', 'overrideRules'], { zh: `调整规则最多 ${MAX_OVERRIDE_RULES} 条`, en: `At most ${MAX_OVERRIDE_RULES} override rules` });
  }
  const ruleCodes = new Set<string>();
  const ruleValues = rules.slice(0, MAX_OVERRIDE_RULES).map((rule, i) => {
    const field = (name: string) => ['input', 'overrideRules', String(i), name];
    const code = (rule.code ?? '').trim();
    if (!CODE.test(code)) {
      errors.add('INVALID', field('code'), { zh: '规则代码应为 2–40 位大写字母、数字或下划线，以字母开头', en: 'code must be 2–40 capital letters, digits or underscores, starting with a letter' });
    } else if (ruleCodes.has(code)) {
      errors.add('DUPLICATE', field('code'), { zh: `规则代码 ${code} 重复`, en: `Rule code ${code} appears twice` });
    }
    ruleCodes.add(code);
    const nameZh = cleanText(errors, rule.nameZh, { field: field('nameZh'), max: 100, required: true, labelZh: '中文名称', labelEn: 'nameZh' });
    const nameEn = cleanText(errors, rule.nameEn, { field: field('nameEn'), max: 200, required: true, labelZh: '英文名称', labelEn: 'nameEn' });
    return { code, type: rule.type, nameZh: nameZh!, nameEn: nameEn! };
  });
  errors.throwIfAny();
  return { title: title!, note: note ?? null, baseScore, thresholds, indicators: indicatorValues, rules: ruleValues };
}

/**
 * Adds a guideline version: the next version number, never an edit of an existing one, so a cycle scored under
 * an earlier version keeps its indicators, thresholds and results.
 */
export async function createGuidelineVersion(db: DbOrTx, actor: Viewer, input: GuidelineInput): Promise<RatingGuidelineRow> {
  const g = checkGuideline(input);
  try {
    return await runInTransaction(db, async (tx) => {
      const [{ latest }] = (await tx.select({ latest: max(ratingGuidelinesTable.version) }).from(ratingGuidelinesTable)) as [{ latest: number | null }];
      const [guideline] = await tx
        .insert(ratingGuidelinesTable)
        .values({
          version: (latest ?? 0) + 1,
          title: g.title,
          note: g.note,
          baseScore: g.baseScore,
          thresholdA: g.thresholds.a,
          thresholdB: g.thresholds.b,
          thresholdC: g.thresholds.c,
        })
        .returning();
      const indicators = await tx
        .insert(ratingIndicatorsTable)
        .values(g.indicators.map((i) => ({ ...i, guidelineId: guideline!.id })))
        .returning();
      const rules =
        g.rules.length === 0
          ? []
          : await tx.insert(ratingOverrideRulesTable).values(g.rules.map((r) => ({ ...r, guidelineId: guideline!.id }))).returning();
      await recordAudit(tx, actor, {
        action: 'rating_guideline.create',
        entityType: 'RatingGuideline',
        entityId: guideline!.id,
        after: { guideline, indicators, overrideRules: rules },
      });
      return guideline!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'rating_guidelines_version_key')) {
      throw new DomainError('DUPLICATE', ['input'], {
        zh: '另一个版本刚刚创建，请刷新后重试',
        en: 'Another version was created at the same time; reload and try again',
      });
    }
    throw error;
  }
}

// ---------------------------------------------------------------- cycles (association moves the stages, regulator publishes)

const NOT_FOUND_CYCLE = { zh: '该年度的评价周期不存在', en: 'No rating cycle for that year' };

export interface CycleInput {
  year: number;
  guidelineVersion: number;
  selfAssessmentDueOn: string;
  associationScoringDueOn: string;
  bureauReviewDueOn: string;
  publicationDueOn: string;
}

function checkYear(errors: ErrorCollector, year: number) {
  if (!Number.isInteger(year) || year < 2019 || year > 2100) {
    errors.add('OUT_OF_RANGE', ['input', 'year'], { zh: '年度应在 2019–2100 之间', en: 'year must be between 2019 and 2100' });
  }
}

export async function createCycle(db: DbOrTx, actor: Viewer, input: CycleInput): Promise<RatingCycleRow> {
  const errors = new ErrorCollector();
  checkYear(errors, input.year);
  const deadlines = ['selfAssessmentDueOn', 'associationScoringDueOn', 'bureauReviewDueOn', 'publicationDueOn'] as const;
  for (let i = 1; i < deadlines.length; i++) {
    if (input[deadlines[i]!] < input[deadlines[i - 1]!]) {
      errors.add('INVALID', ['input', deadlines[i]!], {
        zh: '各阶段截止日期应依次不早于前一阶段',
        en: `${deadlines[i]} cannot be before ${deadlines[i - 1]}`,
      });
    }
  }
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const [guideline] = await tx
        .select({ id: ratingGuidelinesTable.id })
        .from(ratingGuidelinesTable)
        .where(eq(ratingGuidelinesTable.version, input.guidelineVersion));
      if (!guideline) throw new DomainError('NOT_FOUND', ['input', 'guidelineVersion'], { zh: '指引版本不存在', en: 'No such guideline version' });
      const [cycle] = await tx
        .insert(ratingCyclesTable)
        .values({
          year: input.year,
          guidelineId: guideline.id,
          selfAssessmentDueOn: input.selfAssessmentDueOn,
          associationScoringDueOn: input.associationScoringDueOn,
          bureauReviewDueOn: input.bureauReviewDueOn,
          publicationDueOn: input.publicationDueOn,
        })
        .returning();
      await recordAudit(tx, actor, { action: 'rating_cycle.create', entityType: 'RatingCycle', entityId: cycle!.id, after: cycle });
      return cycle!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'rating_cycles_year_key')) {
      throw new DomainError('DUPLICATE', ['input', 'year'], { zh: '该年度已有评价周期', en: 'A cycle for that year already exists' });
    }
    throw error;
  }
}

async function lockCycle(tx: DbOrTx, year: number, strength: 'update' | 'share'): Promise<RatingCycleRow> {
  const [cycle] = Number.isInteger(year)
    ? await tx.select().from(ratingCyclesTable).where(eq(ratingCyclesTable.year, year)).for(strength)
    : [];
  if (!cycle) throw new DomainError('NOT_FOUND', ['input', 'year'], NOT_FOUND_CYCLE);
  return cycle;
}

function alreadyPublished(year: number): DomainError {
  return new DomainError('ALREADY_PUBLISHED', ['input', 'year'], {
    zh: `${year} 年度评价结果已发布，不能再修改`,
    en: `The ${year} cycle is already published and can no longer change`,
  });
}

/** The association moves a cycle one stage on: PLANNED → SELF_ASSESSMENT → ASSOCIATION_SCORING → BUREAU_REVIEW. */
export async function advanceCycle(db: DbOrTx, actor: Viewer, input: { year: number; to: RatingCycleStatus }): Promise<RatingCycleRow> {
  return runInTransaction(db, async (tx) => {
    const before = await lockCycle(tx, input.year, 'update');
    if (before.status === 'PUBLISHED') throw alreadyPublished(before.year);
    const next = CYCLE_STATUSES[CYCLE_STATUSES.indexOf(before.status) + 1]!;
    if (input.to !== next) {
      throw new DomainError('INVALID_STATE', ['input', 'to'], {
        zh: `周期当前为 ${before.status}，下一阶段只能是 ${next}`,
        en: `The cycle is ${before.status}; the only next stage is ${next}`,
      });
    }
    if (next === 'PUBLISHED') {
      throw new DomainError('INVALID_STATE', ['input', 'to'], {
        zh: '评价结果由证监局发布（publishRatingCycle）',
        en: 'Publication is the regulator\'s step (publishRatingCycle)',
      });
    }
    const [after] = await tx
      .update(ratingCyclesTable)
      .set({ status: next, updatedAt: sql`now()` })
      .where(eq(ratingCyclesTable.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: 'rating_cycle.advance', entityType: 'RatingCycle', entityId: before.id, before, after });
    return after!;
  });
}

/** Adds calendar days to an ISO date. */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The supervisory follow-ups a published grade brings [DOMAIN §1.1]: C gets the warning talk with the branch head
 * and a rectification report; D gets those too, becomes a key inspection target of the bureau and the
 * association, and brings the talk with the firm's brokerage executive and chief compliance officer.
 */
export function followUpPlan(year: number, publishedOn: string) {
  const talkBy = addDays(publishedOn, 30);
  const reportBy = addDays(publishedOn, 60);
  const inspectionBy = `${year + 1}-12-31`;
  const forC = [
    { type: 'WARNING_TALK_BRANCH_HEAD', owner: 'BUREAU', dueOn: talkBy },
    { type: 'RECTIFICATION_REPORT', owner: 'BRANCH', dueOn: reportBy },
  ] as const;
  const forD = [
    ...forC,
    { type: 'KEY_INSPECTION_TARGET', owner: 'BUREAU', dueOn: inspectionBy },
    { type: 'KEY_INSPECTION_TARGET', owner: 'ASSOCIATION', dueOn: inspectionBy },
    { type: 'TALK_HQ_BROKERAGE_EXEC_AND_CCO', owner: 'BUREAU', dueOn: talkBy },
  ] as const;
  return { C: forC, D: forD } as const;
}

/** Creates the follow-ups of every C and D rating of a cycle in one statement; returns how many. */
export async function insertFollowUps(tx: DbOrTx, cycle: { id: number; year: number }, publishedOn: string): Promise<number> {
  const plan = followUpPlan(cycle.year, publishedOn);
  const specs = (['C', 'D'] as const).flatMap((grade) =>
    plan[grade].map((f) => sql`(${grade}::branch_grade, ${f.type}::supervisory_follow_up_type, ${f.owner}::follow_up_owner, ${f.dueOn}::date)`),
  );
  const result = (await tx.execute(sql`
    insert into ${supervisoryFollowUpsTable} (rating_id, type, owner, due_on)
    select r.id, s.type, s.owner, s.due_on
    from ${branchRatingsTable} r
    join (values ${sql.join(specs, sql`, `)}) as s(grade, type, owner, due_on) on s.grade = r.grade
    where r.cycle_id = ${cycle.id}
    on conflict do nothing`)) as unknown as { rowCount?: number | null; affectedRows?: number };
  return Number(result.rowCount ?? result.affectedRows ?? 0);
}

/** The regulator publishes a cycle in BUREAU_REVIEW: grades become visible to firms and C/D follow-ups are created. */
export async function publishCycle(db: DbOrTx, actor: Viewer, year: number): Promise<RatingCycleRow> {
  return runInTransaction(db, async (tx) => {
    const before = await lockCycle(tx, year, 'update');
    if (before.status === 'PUBLISHED') throw alreadyPublished(before.year);
    if (before.status !== 'BUREAU_REVIEW') {
      throw new DomainError('INVALID_STATE', ['input', 'year'], {
        zh: `周期当前为 ${before.status}，须在证监局复核阶段（BUREAU_REVIEW）才能发布`,
        en: `The cycle is ${before.status}; it can be published only from BUREAU_REVIEW`,
      });
    }
    const [after] = await tx
      .update(ratingCyclesTable)
      .set({ status: 'PUBLISHED', publishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(ratingCyclesTable.id, before.id))
      .returning();
    const followUps = await insertFollowUps(tx, before, todayInShanghai());
    const distribution = await ratingDistribution(tx, before.year);
    const grades = Object.fromEntries(distribution.map((d) => [d.grade, d.count]));
    await enqueueEvent(tx, {
      type: 'rating_cycle.published',
      entityType: 'RatingCycle',
      entityId: before.id,
      payload: { year: before.year, publishedAt: after!.publishedAt, grades, followUps },
    });
    await recordAudit(tx, actor, {
      action: 'rating_cycle.publish',
      entityType: 'RatingCycle',
      entityId: before.id,
      before,
      after: { ...after, grades, followUps },
    });
    return after!;
  });
}

// ---------------------------------------------------------------- scoring

/** Which stage a role scores in; other roles never score. */
export function stageOf(viewer: Viewer): Stage | null {
  if (viewer.role === 'FIRM') return 'SELF';
  if (viewer.role === 'ASSOCIATION') return 'ASSOCIATION';
  if (viewer.role === 'REGULATOR') return 'BUREAU';
  return null;
}

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
async function cycleForScoring(tx: DbOrTx, year: number, stage: Stage): Promise<CycleForScoring> {
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

interface RatingState {
  id: number;
  adjustedGrade: BranchGrade | null;
  adjustmentReason: string | null;
}

/**
 * Recomputes the scores and grades of some ratings of one cycle from all their stage lines and override decisions,
 * and writes them in one statement. Callers hold the ratings' row locks.
 */
export async function recomputeRatings(
  tx: DbOrTx,
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
async function lockRatings(tx: DbOrTx, c: CycleForScoring, branchIds: readonly number[]): Promise<BranchRatingRow[]> {
  const empty = computeRating(gradingGuideline(c.guideline, c.indicators), { lines: [] });
  const sorted = [...new Set(branchIds)].sort((a, b) => a - b);
  await tx
    .insert(branchRatingsTable)
    .values(sorted.map((branchId) => ({ cycleId: c.cycle.id, branchId, totalScore: empty.totalScore, computedGrade: empty.computedGrade, grade: empty.grade })))
    .onConflictDoNothing({ target: [branchRatingsTable.cycleId, branchRatingsTable.branchId] });
  return tx
    .select()
    .from(branchRatingsTable)
    .where(and(eq(branchRatingsTable.cycleId, c.cycle.id), inArray(branchRatingsTable.branchId, sorted)))
    .orderBy(asc(branchRatingsTable.id))
    .for('update');
}

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
  const stage = stageOf(actor);
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
  if (overrides.length > 0 && stage === 'SELF') {
    errors.add('INVALID', ['input', 'overrides'], { zh: '调整规则由协会或证监局适用', en: 'Override rules are applied by the association or the bureau' });
  }
  if (adjustment && stage !== 'BUREAU') {
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
    const [branch] = input.branchId === null ? [] : await tx.select().from(branchesTable).where(eq(branchesTable.id, input.branchId));
    if (!branch) throw new DomainError('NOT_FOUND', ['input', 'branchId'], { zh: '分支机构不存在', en: 'Branch not found' });
    if (stage === 'SELF' && branch.firmId !== actor.organizationId) {
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

    const [before] = await lockRatings(tx, c, [branch.id]);
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
    const result = (await recomputeRatings(tx, gradingGuideline(c.guideline, c.indicators), [state])).get(before!.id)!;
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

function valueMessage(indicator: RatingIndicatorRow, value: number): LocalizedMessage {
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
    const branches = branchIds.length === 0 ? [] : await tx.select().from(branchesTable).where(inArray(branchesTable.id, branchIds));
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

    const ratings = await lockRatings(tx, c, branchIds);
    const ratingOfBranch = new Map(ratings.map((r) => [r.branchId, r.id]));
    const who = { enteredBy: actor.subject, enteredByRole: actor.role };
    await upsertScoreLines(
      tx,
      lines.map((l) => ({ ratingId: ratingOfBranch.get(l.branchId)!, stage: 'ASSOCIATION', indicatorId: l.indicatorId, value: l.value, comment: l.comment, ...who })),
    );
    const results = await recomputeRatings(tx, gradingGuideline(c.guideline, c.indicators), ratings);
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
