// GraphQL shape of branch ratings: BranchRating with its scores, overrides and follow-ups, Branch.ratings, and the
// root lists (branchRatings, supervisionList). Every path is filtered by the viewer's visibility (reads.ts).
import { sql } from 'drizzle-orm';
import { isRecordedReader } from '../auth/policy.js';
import { dataAccessValues } from '../data-access/data-access.service.js';
import { arrayLiteral } from '../db/sql/index.js';
import { isTransaction } from '../db/transaction.js';
import { builder } from '../graphql/builder.js';
import { jsonColumn, registerJsonObject, registerJsonRelation } from '../graphql/json-answer.js';
import type { Context } from '../graphql/context.js';
import { encodeGlobalId, globalIdSql } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { columnsFor, notedFields, noteRequestedFields, rowColumnsOf } from '../graphql/selection.js';
import { ViewerRoleEnum } from '../graphql/viewer-role.js';
import { BranchRef, DistrictEnum } from '../members/members.schema.js';
import { todayInShanghai } from '../time.js';
import { effectiveOverrides, indicatorBreakdown, SUPERVISED_GRADES, type Grade } from './ratings.grading.js';
import {
  countBranchRatings,
  isUnderDailySupervision,
  listBranchRatings,
  listSupervision,
  loadBranchRatingsByIds,
  loadBranchRatingsOfBranches,
  loadFollowUpsByRatingIds,
  loadOverrideDecisionsByRatingIds,
  loadPrimaryContactUnitsOfBranches,
  loadScoreLinesByRatingIds,
  ratingListOrder,
  ratingRowsOfBranches,
  ratingsReadAuditSql,
  ratingViewColumns,
  visibleRatings,
  recordRatingsRead,
  type BranchRatingView,
} from './ratings.reads.js';
import {
  BranchGradeEnum,
  FollowUpOwnerEnum,
  FollowUpStatusEnum,
  FollowUpTypeEnum,
  indicatorsOfGuideline,
  RatingCycleRef,
  RatingIndicatorRef,
  RatingOverrideRuleRef,
  RatingStageEnum,
  rulesOfGuideline,
} from './ratings.schema.js';
import type { RatingIndicatorRow, RatingOverrideRuleRow, RatingScoreLineRow, SupervisoryFollowUpRow } from './ratings.table.js';

/** At most this many ids of a loaded batch go into its read-audit entry. */
const MAX_RECORDED_IDS = 100;

// ---------------------------------------------------------------- per-request loaders

// Keyed by rating id: reached only from a rating the viewer may see.
const linesOfRating = groupedLoader(
  (ctx, ids: readonly number[]) => loadScoreLinesByRatingIds(ctx.db, ids),
  (l) => l.ratingId,
);
const decisionsOfRating = groupedLoader(
  (ctx, ids: readonly number[]) => loadOverrideDecisionsByRatingIds(ctx.db, ids),
  (d) => d.ratingId,
);
const followUpsOfRating = groupedLoader(
  (ctx, ids: readonly number[]) => loadFollowUpsByRatingIds(ctx.db, ids),
  (f) => f.ratingId,
);

// ---------------------------------------------------------------- ratings

type ScoreLineView = RatingScoreLineRow & { indicator: RatingIndicatorRow };

export const RatingScoreLineRef = builder.objectRef<ScoreLineView>('RatingScoreLine').implement({
  description: '某一阶段对一项指标的评分 / One stage\'s score for one indicator',
  fields: (t) => ({
    indicator: t.field({ type: RatingIndicatorRef, description: '指标 / Indicator', resolve: (l) => l.indicator }),
    stage: t.expose('stage', { type: RatingStageEnum, description: '阶段 / Stage' }),
    value: t.exposeFloat('value', { description: '基础项为得分，扣分、加分项为次数 / BASE: points earned; DEDUCTION / BONUS: occurrences' }),
    comment: t.exposeString('comment', { nullable: true, description: '说明或调整理由 / Comment, or the reason for an adjustment' }),
    enteredByRole: t.field({ type: ViewerRoleEnum, description: '录入方角色 / Role of who entered it', resolve: (l) => l.enteredByRole as never }),
    enteredAt: t.expose('enteredAt', { type: 'DateTime', description: '录入时间 / Entered at' }),
  }),
});

interface IndicatorScoreView {
  indicator: RatingIndicatorRow;
  value: number | null;
  points: number;
  stage: RatingScoreLineRow['stage'] | null;
  comment: string | null;
}

const IndicatorScoreRef = builder.objectRef<IndicatorScoreView>('IndicatorScore').implement({
  description: '一项指标的最终得分：取最后一个评分该指标的阶段 / An indicator\'s final score, from the last stage that scored it',
  fields: (t) => ({
    indicator: t.field({ type: RatingIndicatorRef, description: '指标 / Indicator', resolve: (s) => s.indicator }),
    value: t.exposeFloat('value', { nullable: true, description: '得分或次数；未评分时为 null / Points earned or occurrences; null when no stage scored it' }),
    points: t.exposeFloat('points', { description: '对总分的影响（负为扣分） / Effect on the total score (negative: lost)' }),
    stage: t.expose('stage', { type: RatingStageEnum, nullable: true, description: '取自哪个阶段 / The stage it comes from' }),
    comment: t.exposeString('comment', { nullable: true, description: '该阶段的说明 / That stage\'s comment' }),
  }),
});

interface AppliedOverrideView {
  rule: RatingOverrideRuleRow;
  stage: RatingScoreLineRow['stage'];
  reason: string;
}

const AppliedOverrideRef = builder.objectRef<AppliedOverrideView>('AppliedRatingOverride').implement({
  description: '生效的等级调整规则及理由 / An override rule in force, with its reason',
  fields: (t) => ({
    rule: t.field({ type: RatingOverrideRuleRef, description: '规则 / Rule', resolve: (o) => o.rule }),
    stage: t.expose('stage', { type: RatingStageEnum, description: '作出决定的阶段 / Stage that decided it' }),
    reason: t.exposeString('reason', { description: '理由 / Reason' }),
  }),
});

const GradeAdjustmentRef = builder.objectRef<{ grade: Grade; reason: string }>('GradeAdjustment').implement({
  description: '证监局复核时的等级调整 / The bureau\'s grade adjustment in its review',
  fields: (t) => ({
    grade: t.field({ type: BranchGradeEnum, description: '调整后的等级 / Adjusted grade', resolve: (a) => a.grade }),
    reason: t.exposeString('reason', { description: '理由 / Reason' }),
  }),
});

export const FollowUpRef = builder.objectRef<SupervisoryFollowUpRow>('SupervisoryFollowUp').implement({
  description: 'C、D 类结果发布后的监管措施 / A supervisory follow-up created when a C or D grade is published',
  fields: (t) => ({
    id: t.id({
      description: '全局 ID（用于 updateSupervisoryFollowUp） / Global ID (for updateSupervisoryFollowUp)',
      resolve: (f) => encodeGlobalId('SupervisoryFollowUp', f.id),
    }),
    type: t.expose('type', { type: FollowUpTypeEnum, description: '措施 / Follow-up' }),
    owner: t.expose('owner', { type: FollowUpOwnerEnum, description: '责任方 / Who carries it out' }),
    dueOn: t.expose('dueOn', { type: 'Date', nullable: true, description: '完成期限 / Due date' }),
    status: t.expose('status', { type: FollowUpStatusEnum, description: '进度 / Progress' }),
    completedOn: t.expose('completedOn', { type: 'Date', nullable: true, description: '完成日期 / Completed on' }),
    overdue: t.boolean({
      description: '未完成且已过期限（北京时间） / Not done and past its due date (Asia/Shanghai)',
      resolve: (f) => f.status !== 'DONE' && f.dueOn !== null && f.dueOn < todayInShanghai(),
    }),
    note: t.exposeString('note', { nullable: true, description: '进度说明 / Note on the progress' }),
  }),
});

export const BranchRatingRef = builder.loadableNode('BranchRating', {
  description: '分支机构某年度的分类评价结果（仅对有权查看者可见） / A branch\'s rating for a year (visible only to those allowed)',
  id: { resolve: (r: BranchRatingView) => r.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: async (ids: number[], ctx: Context) => {
    const rows = await loadBranchRatingsByIds(ctx.db, ctx.viewer, ids);
    await recordRatingsRead(ctx.db, ctx.viewer, 'BranchRating', {
      ids: rows.slice(0, MAX_RECORDED_IDS).map((r) => encodeGlobalId('BranchRating', r.id)),
      rows: rows.length,
    });
    return rows;
  },
  sort: (r) => r.id,
  fields: (t) => ({
    branch: t.field({ type: BranchRef, description: '分支机构 / Branch', resolve: (r) => r.branchId }),
    cycle: t.field({ type: RatingCycleRef, description: '评价周期 / Cycle', resolve: (r) => r.cycleId }),
    year: t.exposeInt('year', { description: '评价年度 / Year' }),
    totalScore: t.exposeFloat('totalScore', { description: '总分（由最后阶段计算） / Total score, computed from the last stage' }),
    grade: t.field({ type: BranchGradeEnum, description: '等级 / Grade', resolve: (r) => r.grade }),
    computedGrade: t.field({
      type: BranchGradeEnum,
      description: '仅按分数线得出的等级（调整规则与复核调整之前） / Grade from the thresholds alone, before overrides and the bureau\'s adjustment',
      resolve: (r) => r.computedGrade,
    }),
    underDailySupervision: t.boolean({
      description: '已发布且为 C 或 D 类：纳入日常监管 / Published as C or D: under daily supervision',
      resolve: (r) => isUnderDailySupervision(r),
    }),
    selfScore: t.exposeFloat('selfScore', { nullable: true, description: '自评后的总分 / Total after the self-assessment' }),
    associationScore: t.exposeFloat('associationScore', { nullable: true, description: '协会评分后的总分 / Total after the association\'s scoring' }),
    bureauScore: t.exposeFloat('bureauScore', { nullable: true, description: '证监局复核后的总分 / Total after the bureau\'s review' }),
    gradeAdjustment: t.field({
      type: GradeAdjustmentRef,
      nullable: true,
      description: '证监局的等级调整 / The bureau\'s grade adjustment',
      resolve: (r) => (r.adjustedGrade && r.adjustmentReason ? { grade: r.adjustedGrade, reason: r.adjustmentReason } : null),
    }),
    indicatorScores: t.field({
      type: [IndicatorScoreRef],
      description: '各指标最终得分（说明等级的由来） / Each indicator\'s final score: why the grade is what it is',
      resolve: async (r, _args, ctx) => {
        const [indicators, lines] = await Promise.all([indicatorsOfGuideline(ctx).load(r.guidelineId), linesOfRating(ctx).load(r.id)]);
        const byId = new Map(indicators.map((i) => [i.id, i]));
        return indicatorBreakdown(indicators, lines).map((s) => ({
          ...s,
          indicator: byId.get(s.indicatorId)!,
          comment: lines.find((l) => l.indicatorId === s.indicatorId && l.stage === s.stage)?.comment ?? null,
        }));
      },
    }),
    overrides: t.field({
      type: [AppliedOverrideRef],
      description: '生效的等级调整规则 / Override rules in force',
      resolve: async (r, _args, ctx) => {
        const [rules, decisions] = await Promise.all([rulesOfGuideline(ctx).load(r.guidelineId), decisionsOfRating(ctx).load(r.id)]);
        const byId = new Map(rules.map((rule) => [rule.id, rule]));
        return effectiveOverrides(decisions).map((d) => ({ rule: byId.get(d.ruleId)!, stage: d.stage, reason: d.reason }));
      },
    }),
    followUps: t.field({
      type: [FollowUpRef],
      description: '发布后的监管措施 / Follow-ups created on publication',
      resolve: (r, _args, ctx) => followUpsOfRating(ctx).load(r.id),
    }),
    scoreLines: t.field({
      type: [RatingScoreLineRef],
      nullable: true,
      authScopes: { staff: true },
      description: '各阶段全部评分记录（协会与证监局） / Every stage\'s lines (association and regulator only)',
      resolve: async (r, _args, ctx) => {
        const [indicators, lines] = await Promise.all([indicatorsOfGuideline(ctx).load(r.guidelineId), linesOfRating(ctx).load(r.id)]);
        const byId = new Map(indicators.map((i) => [i.id, i]));
        return lines.map((l) => ({ ...l, indicator: byId.get(l.indicatorId)! }));
      },
    }),
    version: t.exposeInt('version', { description: '版本号，每次变更加一 / Version, bumped on every change' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: '最后更新时间 / Last updated at' }),
  }),
});

type RatingColumn = keyof typeof ratingViewColumns;
/** The columns each BranchRating field reads, for lists that fetch only those. */
const RATING_COLUMNS: Record<string, RatingColumn[]> = {
  id: ['id'],
  branch: ['branchId'],
  cycle: ['cycleId'],
  year: ['year'],
  totalScore: ['totalScore'],
  grade: ['grade'],
  computedGrade: ['computedGrade'],
  underDailySupervision: ['cycleStatus', 'grade'],
  selfScore: ['selfScore'],
  associationScore: ['associationScore'],
  bureauScore: ['bureauScore'],
  gradeAdjustment: ['adjustedGrade', 'adjustmentReason'],
  indicatorScores: ['guidelineId'],
  overrides: ['guidelineId'],
  followUps: [],
  scoreLines: ['guidelineId'],
  version: ['version'],
  updatedAt: ['updatedAt'],
};
/** Keys, grouping and what visibility rules look at: always read. */
const RATING_ALWAYS: RatingColumn[] = ['id', 'branchId', 'cycleId', 'year', 'cycleStatus', 'firmId'];

const BranchRatingConnection = defineConnection(BranchRatingRef, 'BranchRatingConnection', '分支机构评价结果', 'Branch ratings');

registerNodeType('BranchRating', (ctx, id) => BranchRatingRef.getDataloader(ctx).load(id));

builder.objectField(BranchRef, 'ratings', (t) =>
  t.loadableList({
    type: BranchRatingRef,
    description: '该分支机构的评价结果（仅含有权查看的，最新年度在前） / The branch\'s ratings the viewer may see, newest year first',
    // No cache across batches: a later path may ask for more fields than the rows an earlier batch fetched.
    loaderOptions: { maxBatchSize: MAX_BATCH_SIZE, cache: false },
    load: async (branchIds: number[], ctx: Context) => {
      const columns = columnsFor(ratingViewColumns, RATING_COLUMNS, RATING_ALWAYS, notedFields(ctx, 'Branch.ratings'));
      // The read is recorded (for the regulator and service accounts) by the same statement.
      const rows = await loadBranchRatingsOfBranches(ctx.db, ctx.viewer, branchIds, columns, { recordAs: 'Branch.ratings' });
      return branchIds.map((id) => rows.filter((r) => r.branchId === id));
    },
    resolve: (b, _args, ctx, info) => {
      noteRequestedFields(ctx, 'Branch.ratings', info);
      return b.id;
    },
  }),
);

// One-statement answers (src/graphql/json-answer.ts): the rating's plain fields and Branch.ratings, with the same
// visibility (visibleRatings) and the read recorded by the same statement, as the loader above does.
registerJsonObject('BranchRating', {
  columns: rowColumnsOf(ratingViewColumns, RATING_COLUMNS),
  leaves: {
    id: (row) => globalIdSql('BranchRating', sql`${row}.id`),
    year: jsonColumn('year'),
    totalScore: jsonColumn('total_score', 'float8'),
    selfScore: jsonColumn('self_score', 'float8'),
    associationScore: jsonColumn('association_score', 'float8'),
    bureauScore: jsonColumn('bureau_score', 'float8'),
    grade: jsonColumn('grade'),
    computedGrade: jsonColumn('computed_grade'),
    // `status` is the cycle's (the view's cycleStatus): a rating row has none of its own.
    underDailySupervision: (row) =>
      sql`(${row}.status = 'PUBLISHED' and ${row}.grade in (${sql.join(SUPERVISED_GRADES.map((g) => sql.raw(`'${g}'`)), sql`, `)}))`,
    version: jsonColumn('version'),
  },
});
registerJsonRelation('Branch.ratings', {
  kind: 'list',
  type: 'BranchRating',
  args: [],
  level: ({ viewer, db }) => {
    const visible = visibleRatings(viewer);
    const recorded = visible !== null && isRecordedReader(viewer);
    const asyncCommit = recorded && !isTransaction(db);
    return {
      rows: (branches, p, columns) => ratingRowsOfBranches(branches, visible, p('firmIds'), columns),
      order: ratingListOrder,
      values: { firmIds: arrayLiteral(visible?.firmIds ?? []) },
      shape: visible === null ? 'none' : `${visible.ofFirms ? 'firms' : 'all'}-${visible.publishedOnly ? 'published' : 'every'}${asyncCommit ? '-async' : ''}`,
      alongside: recorded
        ? { sql: (branches, p) => ratingsReadAuditSql(branches, visible, p('firmIds'), asyncCommit), values: { ...dataAccessValues(viewer, 'Branch.ratings') } }
        : undefined,
    };
  },
});

const primaryContactUnitOf = groupedLoader(
  (ctx, branchIds: readonly number[]) => loadPrimaryContactUnitsOfBranches(ctx.db, branchIds),
  (r) => r.branchId,
);

builder.objectField(BranchRef, 'primaryContactUnit', (t) =>
  t.field({
    type: BranchRef,
    nullable: true,
    description:
      '所属证券公司在深圳指定的主要联系单位（负责统筹协调其在深分支机构的分公司或营业部，可能是本机构自身）；未指定时为 null / The primary contact unit (主要联系单位) the branch\'s firm designated among its Shenzhen branches to coordinate them (possibly this branch itself); null when none is designated',
    resolve: async (b, _args, ctx) => (await primaryContactUnitOf(ctx).load(b.id))[0]?.unitId ?? null,
  }),
);

const BranchRatingFilterInput = builder.inputType('BranchRatingFilter', {
  description: '评价结果筛选条件 / Filter for branch ratings',
  fields: (t) => ({
    grade: t.field({ type: BranchGradeEnum, description: '等级 / Grade' }),
    district: t.field({ type: DistrictEnum, description: '分支机构所在区 / The branch\'s district' }),
  }),
});
builder.queryFields((t) => ({
  branchRatings: t.field({
    type: BranchRatingConnection,
    description: '某年度的评价结果，仅含有权查看的（按 ID 稳定排序） / A year\'s ratings the viewer may see, in a stable order',
    args: {
      year: t.arg.int({ required: true, description: '评价年度 / Year' }),
      ...connectionArgs(t.arg),
      filter: t.arg({ type: BranchRatingFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = args.filter ?? {};
      const rows = await listBranchRatings(ctx.db, ctx.viewer, args.year, filter, page);
      await recordRatingsRead(ctx.db, ctx.viewer, 'branchRatings', {
        year: args.year,
        filter: { grade: filter.grade ?? null, district: filter.district ?? null },
        ...(page.backward ? { last: page.limit } : { first: page.limit }),
        after: args.after ?? null,
        ...(args.before != null ? { before: args.before } : {}),
        rows: Math.min(rows.length, page.limit),
      });
      return toConnection(rows, page, (r) => r.id, () => countBranchRatings(ctx.db, ctx.viewer, args.year, filter)) as never;
    },
  }),
  supervisionList: t.field({
    type: [BranchRatingRef],
    nullable: true,
    authScopes: { staff: true },
    description: '纳入日常监管的分支机构（已发布周期中的 C、D 类）；其他角色得到 null 与 FORBIDDEN / Branches under daily supervision (C and D of a published cycle); other roles get null and FORBIDDEN',
    args: { year: t.arg.int({ required: true, description: '评价年度 / Year' }) },
    resolve: async (_root, args, ctx) => {
      const rows = await listSupervision(ctx.db, ctx.viewer, args.year);
      await recordRatingsRead(ctx.db, ctx.viewer, 'supervisionList', { year: args.year, rows: rows.length });
      return rows;
    },
  }),
}));
