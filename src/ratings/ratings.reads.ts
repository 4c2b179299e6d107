// The ratings' reads, each filtered by one rendering of the viewer's visibility: lists, loaders, the supervision list,
// the reports' distribution and follow-up counts, the CSV export's batches, and the read audit of them.
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, sql, type SQL } from 'drizzle-orm';
import { branchRatingScope, isRecordedReader } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import {
  dataAccessInsert,
  dataAccessValues,
  recordDataAccess,
  type DataAccessValues,
} from '../data-access/data-access.service.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { arrayLiteral, preparedSelectRowsByShape, preparedStatementByShape, tableColumns } from '../db/sql/index.js';
import { isTransaction } from '../db/transaction.js';
import { branchesTable, organizationsTable, type BranchRow } from '../members/members.table.js';
import { SUPERVISED_GRADES } from './ratings.grading.js';
import {
  branchRatingsTable,
  primaryContactUnitsTable,
  ratingCyclesTable,
  ratingOverrideDecisionsTable,
  ratingOverrideRulesTable,
  ratingScoreLinesTable,
  supervisoryFollowUpsTable,
  type BranchGrade,
  type BranchRatingRow,
  type RatingCycleStatus,
  type RatingOverrideDecisionRow,
  type RatingOverrideRuleRow,
  type RatingScoreLineRow,
  type SupervisoryFollowUpRow,
  type SupervisoryFollowUpStatus,
} from './ratings.table.js';

type District = NonNullable<BranchRow['district']>;
type OverrideType = RatingOverrideRuleRow['type'];

// ---------------------------------------------------------------- who sees which ratings

/** Which ratings a viewer sees, in the terms of the statements below. */
export interface RatingVisibility {
  /** Only ratings of the branches of `firmIds`; otherwise every firm's. */
  ofFirms: boolean;
  firmIds: number[];
  /** Only ratings of published cycles. */
  publishedOnly: boolean;
}

/** What of a RatingVisibility decides a prepared statement's text (the firms themselves are a value). */
type VisibilityShape = Pick<RatingVisibility, 'ofFirms' | 'publishedOnly'>;

/**
 * The viewer's branchRatingScope (src/auth/policy.ts decides) for the statements; null when the viewer may see no
 * rating at all, so that no query is needed.
 */
export function visibleRatings(viewer: Viewer): RatingVisibility | null {
  const scope = branchRatingScope(viewer);
  if (scope.firms.kind === 'none') return null;
  const firmIds = scope.firms.kind === 'orgs' ? scope.firms.organizationIds : [];
  return { ofFirms: scope.firms.kind === 'orgs', publishedOnly: !scope.unpublishedCycles, firmIds };
}

/**
 * The only rendering of the visibility rule into SQL, on a statement that joins the rating's cycle and branch. Bound
 * as values for the query builder, or for a prepared statement's text: the firms in its `firmIds` placeholder, the
 * status written in. Both spellings of a condition stay side by side so they cannot drift apart; each is the text
 * its statements were planned and measured with (docs/PERFORMANCE.md).
 */
function visibilityConditions(visible: VisibilityShape, binding: { values: readonly number[] } | 'placeholders' | { firmIds: SQL }): SQL[] {
  const conditions: SQL[] = [];
  if (visible.ofFirms) {
    conditions.push(
      binding === 'placeholders'
        ? sql`${branchesTable.firmId} = any(${sql.placeholder('firmIds')}::int[])`
        : 'firmIds' in binding
          ? sql`${branchesTable.firmId} = any(${binding.firmIds}::int[])`
          : inArray(branchesTable.firmId, [...binding.values]),
    );
  }
  if (visible.publishedOnly) {
    conditions.push(binding === 'placeholders' || 'firmIds' in binding ? sql`${ratingCyclesTable.status} = 'PUBLISHED'` : eq(ratingCyclesTable.status, 'PUBLISHED'));
  }
  return conditions;
}

/** A visibility as a query-builder condition: undefined when it lets every rating through. */
function visibilityWhere(visible: RatingVisibility): SQL | undefined {
  return and(...visibilityConditions(visible, { values: visible.firmIds }));
}

/** The viewer's row filter for the query builder, or null when the viewer may see no rating at all (no query is needed). */
export function ratingVisibility(viewer: Viewer): SQL | undefined | null {
  const visible = visibleRatings(viewer);
  return visible === null ? null : visibilityWhere(visible);
}

/** A visibility shape in a prepared statement's text: ` and …` per condition, or nothing. */
function preparedVisibility(shape: VisibilityShape): SQL {
  return sql.join(visibilityConditions(shape, 'placeholders').map((condition) => sql` and ${condition}`));
}

/**
 * Records one read of ratings (who, what, when) for the regulator and service accounts: once per root field or
 * loader batch, never per row. Nothing is recorded (and no statement runs) for a viewer who may see no rating at all.
 */
export async function recordRatingsRead(db: DbOrTx, viewer: Viewer, resource: string, details: Record<string, unknown>): Promise<void> {
  if (visibleRatings(viewer) === null || !isRecordedReader(viewer)) return;
  await recordDataAccess(db, viewer, { resource, details });
}

// ---------------------------------------------------------------- ratings

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
    .where(and(visible, listConditions(year, filter), pageCondition(page, branchRatingsTable.id)))
    .orderBy(pageOrderBy(page, 'asc', branchRatingsTable.id))
    .limit(page.limit + 1);
}

export async function countBranchRatings(db: DbOrTx, viewer: Viewer, year: number, filter: BranchRatingFilter): Promise<number> {
  const visible = visibleRatings(viewer);
  if (visible === null) return 0;
  // The branches join is only paid for when a district filter or a member's firms need it.
  const needsBranches = Boolean(filter.district) || visible.ofFirms;
  const query = db.select({ n: count() }).from(branchRatingsTable).innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId)).$dynamic();
  const [row] = await (needsBranches ? query.innerJoin(branchesTable, eq(branchesTable.id, branchRatingsTable.branchId)) : query).where(
    and(visibilityWhere(visible), listConditions(year, filter)),
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
  // Recorded with asynchronous commit only when the read is its own transaction (never a caller's: see dataAccessInsert).
  const shape = { columns, ofFirms: visible.ofFirms, publishedOnly: visible.publishedOnly, recorded, asyncCommit: recorded && !isTransaction(db) };
  return ratingsOfBranches<BranchRatingView>(db, shape, {
    ids: arrayLiteral(branchIds),
    firmIds: arrayLiteral(visible.firmIds),
    branches: branchIds.length,
    ...(recorded ? dataAccessValues(viewer, options.recordAs!) : {}),
  });
}

/**
 * Prepared per column set, visibility and whether the read is recorded. The same key list on both sides of the
 * branches join lets the planner read only those branches by key instead of hashing the whole table (it cannot infer
 * the second condition from the first).
 */
const ratingsOfBranches = preparedSelectRowsByShape<
  { ids: string; firmIds: string; branches: number } & Partial<DataAccessValues>,
  { columns: typeof ratingViewColumns; ofFirms: boolean; publishedOnly: boolean; recorded: boolean; asyncCommit: boolean }
>(({ columns, ofFirms, publishedOnly, recorded, asyncCommit }) => ({
  columns,
  rest: sql`from ${branchRatingsTable}
      join ${ratingCyclesTable} on ${ratingCyclesTable.id} = ${branchRatingsTable.cycleId}
      join ${branchesTable} on ${branchesTable.id} = ${branchRatingsTable.branchId}
      where ${branchRatingsTable.branchId} = any(${sql.placeholder('ids')}::int[]) and ${branchesTable.id} = any(${sql.placeholder('ids')}::int[])${preparedVisibility({ ofFirms, publishedOnly })}`,
  order: sql`q."year" desc, q."id"`,
  alongside: recorded ? dataAccessInsert(sql`jsonb_build_object('branches', ${sql.placeholder('branches')}::integer, 'rows', (select count(*)::integer from q))`, asyncCommit) : undefined,
}));

/**
 * The ratings of the given branches the viewer may see, as one level of a one-statement answer
 * (src/graphql/json-answer.ts): `parent` the branch, the named `columns` of the rating, and its cycle's `year` and
 * `status` (the names ratingViewColumns' year and cycleStatus have); listed in ratingListOrder (newest year first,
 * then id, as Branch.ratings orders).
 * `branches` is a relation of branch keys (`id`); `firmIds` the placeholder of the visible firms (visible.firmIds as an
 * array literal) when visible.ofFirms. Nothing when `visible` is null. The same joins and visibility conditions as
 * loadBranchRatingsOfBranches, so both paths answer the same rows.
 */
export function ratingRowsOfBranches(branches: SQL, visible: RatingVisibility | null, firmIds: SQL, columns: readonly string[]): SQL {
  const r = branchRatingsTable;
  const c = ratingCyclesTable;
  const conditions = visible ? visibilityConditions(visible, { firmIds }) : [sql`false`];
  // The branch's row only when the visibility asks for its firm (a smaller statement plans faster: it is planned for
  // every execution).
  const ofBranches = visible?.ofFirms
    ? sql` join ${branchesTable} on ${branchesTable.id} = ${r.branchId} and ${branchesTable.id} in (select id from ${branches} as keys)`
    : sql``;
  const own = columns.filter((name) => name !== c.year.name && name !== c.status.name);
  return sql`select ${r.branchId} as parent, ${tableColumns(r, own)}, ${c.year} as year, ${c.status} as status
    from ${r} join ${c} on ${c.id} = ${r.cycleId}${ofBranches}
    where ${r.branchId} in (select id from ${branches} as keys)${sql.join(conditions.map((condition) => sql` and ${condition}`))}`;
}

/** The order of a branch's ratings over a row of ratingRowsOfBranches (`row`): newest year first, then id. */
export const ratingListOrder = (row: SQL): SQL => sql`${row}.year desc, ${row}.id`;

/**
 * The read audit entry of a one-statement read of ratings (see ratingRowsOfBranches): recorded by the same statement,
 * as a data-modifying CTE, `{ branches, rows }` as the loader records it, only when some branch was read. The rows
 * are counted by the same joins and conditions, without reading the ratings themselves. Its values are
 * dataAccessValues(viewer, resource). Asynchronous commit only when the statement is its own transaction.
 */
export function ratingsReadAuditSql(branches: SQL, visible: RatingVisibility | null, firmIds: SQL, asyncCommit: boolean): SQL {
  const r = branchRatingsTable;
  const c = ratingCyclesTable;
  const conditions = visible ? visibilityConditions(visible, { firmIds }) : [sql`false`];
  const ofCycles = visible?.publishedOnly ? sql` join ${c} on ${c.id} = ${r.cycleId}` : sql``;
  const ofBranches = visible?.ofFirms ? sql` join ${branchesTable} on ${branchesTable.id} = ${r.branchId}` : sql``;
  // `= any(array(…))`: the keys are a few hundred at most, each an index lookup; as `in (select …)` the planner hashed
  // them against every rating.
  const rows = sql`(select count(*)::integer from ${r}${ofCycles}${ofBranches}
    where ${r.branchId} = any(array(select id from ${branches} as keys))${sql.join(conditions.map((condition) => sql` and ${condition}`))})`;
  const details = sql`jsonb_build_object('branches', (select count(*)::integer from ${branches} as keys), 'rows', ${rows})`;
  return sql`${dataAccessInsert(details, asyncCommit)} where exists (select 1 from ${branches} as keys)`;
}

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

// ---------------------------------------------------------------- reports and the export

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
 * The distribution's GROUP BY, prepared per grouping and visibility. The branches join is
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
      where ${ratingCyclesTable.year} = ${sql.placeholder('year')}::integer${preparedVisibility({ ofFirms, publishedOnly })}
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

/**
 * The primary contact unit (主要联系单位) of the firm of each given branch: the branch its head office designated to
 * coordinate its Shenzhen branches. Branches are directory data; so is the designation. One statement.
 */
export async function loadPrimaryContactUnitsOfBranches(db: DbOrTx, branchIds: readonly number[]): Promise<{ branchId: number; unitId: number }[]> {
  const b = branchesTable;
  const p = primaryContactUnitsTable;
  return db
    .select({ branchId: b.id, unitId: p.branchId })
    .from(b)
    .innerJoin(p, eq(p.firmId, b.firmId))
    .where(inArray(b.id, [...branchIds]));
}
