// GraphQL shape of the branch classification ratings: guidelines, cycles, ratings (filtered by the viewer on every
// path), the supervision list, Branch.ratings, the distribution report, and the workflow's mutations.
import { branchRatingScope } from '../auth/policy.js';
import { isStaff } from '../auth/viewer.js';
import { recordDataAccess } from '../data-access/data-access.service.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { encodeGlobalId, parseGlobalIdOf } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { columnsFor, notedFields, noteRequestedFields } from '../graphql/selection.js';
import { BranchRef, DistrictEnum, OrganizationRef, ViewerRoleEnum } from '../members/members.schema.js';
import { ReportsRef } from '../reports/reports.schema.js';
import { todayInShanghai } from '../time.js';
import { effectiveOverrides, GRADES, indicatorBreakdown, MAX_OCCURRENCES, type Grade } from './ratings.grading.js';
import * as ratings from './ratings.service.js';
import type {
  RatingCycleRow,
  RatingGuidelineRow,
  RatingIndicatorRow,
  RatingOverrideRuleRow,
  RatingScoreLineRow,
  SupervisoryFollowUpRow,
} from './ratings.table.js';

// ---------------------------------------------------------------- enums

export const RatingCycleStatusEnum = builder.enumType('RatingCycleStatus', {
  description: '评价周期状态 / Status of a rating cycle',
  values: {
    PLANNED: { description: '已计划 / Planned' },
    SELF_ASSESSMENT: { description: '机构自评 / Firms assess their own branches' },
    ASSOCIATION_SCORING: { description: '协会自律评分 / The association scores' },
    BUREAU_REVIEW: { description: '证监局复核调整 / The bureau reviews and adjusts' },
    PUBLISHED: { description: '已发布 / Published' },
  } as const,
});

export const BranchGradeEnum = builder.enumType('BranchGrade', {
  description: '分支机构分类评价等级 / Branch classification grade',
  values: {
    A: { description: 'A 类 / Grade A' },
    B: { description: 'B 类 / Grade B' },
    C: { description: 'C 类：警示谈话并提交整改报告 / Grade C: warning talk and a rectification report' },
    D: { description: 'D 类：重点检查对象 / Grade D: a key inspection target' },
  } as const,
});

const IndicatorCategoryEnum = builder.enumType('RatingIndicatorCategory', {
  description: '评价指标类别 / Category of a rating indicator',
  values: {
    COMPLIANCE_MANAGEMENT: { description: '合规管理 / Compliance management' },
    INTERNAL_CONTROL: { description: '内部控制 / Internal control' },
    RISK_MANAGEMENT: { description: '风险管理 / Risk management' },
    INVESTOR_PROTECTION: { description: '投资者权益保护（含适当性） / Investor protection, including suitability' },
    COMPLAINTS_DISPUTES: { description: '客户投诉与纠纷 / Complaints and disputes' },
    CLIENT_TRADING_BEHAVIOUR: { description: '客户交易行为管理 / Client trading-behaviour management' },
    AML: { description: '反洗钱 / Anti-money laundering' },
    STAFF_CONDUCT: { description: '从业人员管理与廉洁从业 / Staff management and integrity' },
    IT_DATA_SECURITY: { description: '信息技术与数据安全 / IT and data security' },
    REGULATORY_COOPERATION: { description: '配合监管与信息报送 / Cooperation with regulators and reporting' },
    VIOLATION_DEDUCTION: { description: '违规扣分 / Deductions for violations' },
    BONUS: { description: '加分项 / Bonus items' },
  } as const,
});

const IndicatorMethodEnum = builder.enumType('RatingIndicatorMethod', {
  description: '计分方式 / How an indicator scores',
  values: {
    BASE: { description: '基础项：评分为得分（0 至分值），不足部分从基础分中扣除 / Basic item: the score is points earned (0 to points); the shortfall is lost' },
    DEDUCTION: { description: `扣分项：评分为发生次数（0–${MAX_OCCURRENCES}），每次扣分值，合计不超过封顶 / Deduction: the score counts occurrences (0–${MAX_OCCURRENCES}), points each, at most the cap` },
    BONUS: { description: `加分项：评分为次数（0–${MAX_OCCURRENCES}），每次加分值，合计不超过封顶 / Bonus: the score counts occurrences (0–${MAX_OCCURRENCES}), points each, at most the cap` },
  } as const,
});

const OverrideTypeEnum = builder.enumType('RatingOverrideType', {
  description: '等级调整规则类型 / Kind of grade override rule',
  values: {
    DIRECT_D: { description: '直接评为 D 类 / Rate directly as D' },
    DOWNGRADE_ONE: { description: '下调一级 / Downgrade one grade' },
  } as const,
});

const RatingStageEnum = builder.enumType('RatingStage', {
  description: '评分阶段 / Scoring stage',
  values: {
    SELF: { description: '机构自评 / The firm\'s self-assessment' },
    ASSOCIATION: { description: '协会评分 / The association\'s scoring' },
    BUREAU: { description: '证监局复核 / The bureau\'s review' },
  } as const,
});

export const FollowUpTypeEnum = builder.enumType('SupervisoryFollowUpType', {
  description: '评价结果的后续监管措施 / Supervisory follow-up of a published grade',
  values: {
    WARNING_TALK_BRANCH_HEAD: { description: '约谈分支机构负责人进行警示性谈话 / Warning talk with the branch head' },
    RECTIFICATION_REPORT: { description: '提交整改报告 / Rectification report' },
    KEY_INSPECTION_TARGET: { description: '列为重点检查对象 / Key inspection target' },
    TALK_HQ_BROKERAGE_EXEC_AND_CCO: { description: '约谈公司分管经纪业务高管和合规总监 / Talk with the firm\'s brokerage executive and chief compliance officer' },
  } as const,
});

const FollowUpOwnerEnum = builder.enumType('SupervisoryFollowUpOwner', {
  description: '后续措施的责任方 / Who carries out a follow-up',
  values: {
    BUREAU: { description: '证监局 / The bureau' },
    ASSOCIATION: { description: '协会 / The association' },
    FIRM_HQ: { description: '公司总部 / The firm\'s headquarters' },
    BRANCH: { description: '分支机构 / The branch' },
  } as const,
});

export const FollowUpStatusEnum = builder.enumType('SupervisoryFollowUpStatus', {
  description: '监管措施进度：OPEN → IN_PROGRESS → DONE，只能向前 / Progress of a follow-up: OPEN → IN_PROGRESS → DONE, forward only',
  values: {
    OPEN: { description: '未开始 / Not started' },
    IN_PROGRESS: { description: '进行中 / Under way' },
    DONE: { description: '已完成 / Done' },
  } as const,
});

// ---------------------------------------------------------------- the read audit

/**
 * Records one read of ratings (who, what, when) for the regulator and service accounts: once per root field or loader
 * batch, never per row. Nothing is recorded (and no statement runs) for a viewer who may see no rating at all.
 */
async function recordRatingsRead(ctx: Context, resource: string, details: Record<string, unknown>): Promise<void> {
  if (branchRatingScope(ctx.viewer).firms.kind === 'none') return;
  await recordDataAccess(ctx.db, ctx.viewer, { resource, details });
}

const MAX_RECORDED_IDS = 100;

// ---------------------------------------------------------------- per-request loaders

const indicatorsOfGuideline = groupedLoader(
  (ctx, ids: readonly number[]) => ratings.loadIndicatorsByGuidelineIds(ctx.db, ids),
  (i) => i.guidelineId,
);
const rulesOfGuideline = groupedLoader(
  (ctx, ids: readonly number[]) => ratings.loadOverrideRulesByGuidelineIds(ctx.db, ids),
  (r) => r.guidelineId,
);
// Keyed by rating id: reached only from a rating the viewer may see.
const linesOfRating = groupedLoader(
  (ctx, ids: readonly number[]) => ratings.loadScoreLinesByRatingIds(ctx.db, ids),
  (l) => l.ratingId,
);
const decisionsOfRating = groupedLoader(
  (ctx, ids: readonly number[]) => ratings.loadOverrideDecisionsByRatingIds(ctx.db, ids),
  (d) => d.ratingId,
);
const followUpsOfRating = groupedLoader(
  (ctx, ids: readonly number[]) => ratings.loadFollowUpsByRatingIds(ctx.db, ids),
  (f) => f.ratingId,
);

// ---------------------------------------------------------------- guidelines

const RatingIndicatorRef = builder.objectRef<RatingIndicatorRow>('RatingIndicator').implement({
  description: '评价指标 / A rating indicator',
  fields: (t) => ({
    code: t.exposeString('code', { description: '指标代码（在一个指引版本内唯一） / Code, unique within a guideline version' }),
    category: t.expose('category', { type: IndicatorCategoryEnum, description: '类别 / Category' }),
    nameZh: t.exposeString('nameZh', { description: '中文名称 / Chinese name' }),
    nameEn: t.exposeString('nameEn', { description: '英文名称 / English name' }),
    method: t.expose('method', { type: IndicatorMethodEnum, description: '计分方式 / Scoring method' }),
    points: t.exposeFloat('points', { description: '基础项为满分；扣分、加分项为每次分值 / BASE: points the item is worth; DEDUCTION / BONUS: points per occurrence' }),
    cap: t.exposeFloat('cap', { nullable: true, description: '扣分、加分合计上限 / Most points all occurrences together take or give' }),
  }),
});

const RatingOverrideRuleRef = builder.objectRef<RatingOverrideRuleRow>('RatingOverrideRule').implement({
  description: '等级调整规则（直接评为 D 或下调一级） / Grade override rule (rate directly D, or downgrade one grade)',
  fields: (t) => ({
    code: t.exposeString('code', { description: '规则代码 / Code' }),
    type: t.expose('type', { type: OverrideTypeEnum, description: '类型 / Kind' }),
    nameZh: t.exposeString('nameZh', { description: '中文名称 / Chinese name' }),
    nameEn: t.exposeString('nameEn', { description: '英文名称 / English name' }),
  }),
});

const GradeThresholdsRef = builder.objectRef<RatingGuidelineRow>('GradeThresholds').implement({
  description: '等级分数线：A ≥ a，B ≥ b，C ≥ c，其余为 D / Grade thresholds: A ≥ a, B ≥ b, C ≥ c, D below',
  fields: (t) => ({
    a: t.exposeFloat('thresholdA', { description: 'A 类最低分 / Lowest score of grade A' }),
    b: t.exposeFloat('thresholdB', { description: 'B 类最低分 / Lowest score of grade B' }),
    c: t.exposeFloat('thresholdC', { description: 'C 类最低分 / Lowest score of grade C' }),
  }),
});

export const RatingGuidelineRef = builder.loadableNode('RatingGuideline', {
  description: '分类评价指引的一个版本（修订即新版本，已有周期不受影响） / A version of the rating guideline (a revision is a new version; earlier cycles keep theirs)',
  id: { resolve: (g: RatingGuidelineRow) => g.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => ratings.loadGuidelinesByIds(ctx.db, ids),
  sort: (g) => g.id,
  fields: (t) => ({
    version: t.exposeInt('version', { description: '版本号 / Version number' }),
    title: t.exposeString('title', { description: '标题 / Title' }),
    note: t.exposeString('note', { nullable: true, description: '修订说明 / Note on this revision' }),
    baseScore: t.exposeFloat('baseScore', { description: '基础分 / Base score' }),
    thresholds: t.field({ type: GradeThresholdsRef, description: '等级分数线 / Grade thresholds', resolve: (g) => g }),
    indicators: t.field({
      type: [RatingIndicatorRef],
      description: '评价指标（按顺序） / Indicators, in order',
      resolve: (g, _args, ctx) => indicatorsOfGuideline(ctx).load(g.id),
    }),
    overrideRules: t.field({
      type: [RatingOverrideRuleRef],
      description: '等级调整规则 / Override rules',
      resolve: (g, _args, ctx) => rulesOfGuideline(ctx).load(g.id),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '创建时间 / Created at' }),
  }),
});

// ---------------------------------------------------------------- cycles

export const RatingCycleRef = builder.loadableNode('RatingCycle', {
  description: '年度分类评价周期 / A yearly rating cycle',
  id: { resolve: (c: RatingCycleRow) => c.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => ratings.loadCyclesByIds(ctx.db, ids),
  sort: (c) => c.id,
  fields: (t) => ({
    year: t.exposeInt('year', { description: '评价年度 / Year' }),
    status: t.expose('status', { type: RatingCycleStatusEnum, description: '状态 / Status' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true, description: '发布时间 / Published at' }),
    guideline: t.field({
      type: RatingGuidelineRef,
      description: '本周期适用的指引版本 / The guideline version this cycle is scored under',
      resolve: (c) => c.guidelineId,
    }),
    selfAssessmentDueOn: t.expose('selfAssessmentDueOn', { type: 'Date', description: '自评截止日期 / Self-assessment deadline' }),
    associationScoringDueOn: t.expose('associationScoringDueOn', { type: 'Date', description: '协会评分截止日期 / Association scoring deadline' }),
    bureauReviewDueOn: t.expose('bureauReviewDueOn', { type: 'Date', description: '证监局复核截止日期 / Bureau review deadline' }),
    publicationDueOn: t.expose('publicationDueOn', { type: 'Date', description: '结果发布截止日期 / Publication deadline' }),
  }),
});

// ---------------------------------------------------------------- ratings

type ScoreLineView = RatingScoreLineRow & { indicator: RatingIndicatorRow };

const RatingScoreLineRef = builder.objectRef<ScoreLineView>('RatingScoreLine').implement({
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

const FollowUpRef = builder.objectRef<SupervisoryFollowUpRow>('SupervisoryFollowUp').implement({
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
  id: { resolve: (r: ratings.BranchRatingView) => r.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: async (ids: number[], ctx: Context) => {
    const rows = await ratings.loadBranchRatingsByIds(ctx.db, ctx.viewer, ids);
    await recordRatingsRead(ctx, 'BranchRating', {
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
      resolve: (r) => ratings.isUnderDailySupervision(r),
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

type RatingColumn = keyof typeof ratings.ratingViewColumns;
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

registerNodeType('RatingGuideline', (ctx, id) => RatingGuidelineRef.getDataloader(ctx).load(id));
registerNodeType('RatingCycle', (ctx, id) => RatingCycleRef.getDataloader(ctx).load(id));
registerNodeType('BranchRating', (ctx, id) => BranchRatingRef.getDataloader(ctx).load(id));

builder.objectField(BranchRef, 'ratings', (t) =>
  t.loadableList({
    type: BranchRatingRef,
    description: '该分支机构的评价结果（仅含有权查看的，最新年度在前） / The branch\'s ratings the viewer may see, newest year first',
    // No cache across batches: a later path may ask for more fields than the rows an earlier batch fetched.
    loaderOptions: { maxBatchSize: MAX_BATCH_SIZE, cache: false },
    load: async (branchIds: number[], ctx: Context) => {
      const columns = columnsFor(ratings.ratingViewColumns, RATING_COLUMNS, RATING_ALWAYS, notedFields(ctx, 'Branch.ratings'));
      // The read is recorded (for the regulator and service accounts) by the same statement.
      const rows = await ratings.loadBranchRatingsOfBranches(ctx.db, ctx.viewer, branchIds, columns, { recordAs: 'Branch.ratings' });
      return branchIds.map((id) => rows.filter((r) => r.branchId === id));
    },
    resolve: (b, _args, ctx, info) => {
      noteRequestedFields(ctx, 'Branch.ratings', info);
      return b.id;
    },
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
  ratingGuidelines: t.field({
    type: [RatingGuidelineRef],
    description: '分类评价指引各版本（最新在前） / Guideline versions, newest first',
    resolve: (_root, _args, ctx) => ratings.listGuidelines(ctx.db),
  }),
  ratingCycles: t.field({
    type: [RatingCycleRef],
    description: '评价周期（最新年度在前） / Rating cycles, newest year first',
    resolve: (_root, _args, ctx) => ratings.listCycles(ctx.db),
  }),
  ratingCycle: t.field({
    type: RatingCycleRef,
    nullable: true,
    description: '某年度的评价周期 / The rating cycle of a year',
    args: { year: t.arg.int({ required: true, description: '评价年度 / Year' }) },
    resolve: (_root, args, ctx) => ratings.findCycleByYear(ctx.db, args.year),
  }),
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
      const rows = await ratings.listBranchRatings(ctx.db, ctx.viewer, args.year, filter, page);
      await recordRatingsRead(ctx, 'branchRatings', {
        year: args.year,
        filter: { grade: filter.grade ?? null, district: filter.district ?? null },
        first: page.limit,
        after: args.after ?? null,
        rows: Math.min(rows.length, page.limit),
      });
      return toConnection(rows, page, (r) => r.id, () => ratings.countBranchRatings(ctx.db, ctx.viewer, args.year, filter)) as never;
    },
  }),
  supervisionList: t.field({
    type: [BranchRatingRef],
    nullable: true,
    authScopes: { staff: true },
    description: '纳入日常监管的分支机构（已发布周期中的 C、D 类）；其他角色得到 null 与 FORBIDDEN / Branches under daily supervision (C and D of a published cycle); other roles get null and FORBIDDEN',
    args: { year: t.arg.int({ required: true, description: '评价年度 / Year' }) },
    resolve: async (_root, args, ctx) => {
      const rows = await ratings.listSupervision(ctx.db, ctx.viewer, args.year);
      await recordRatingsRead(ctx, 'supervisionList', { year: args.year, rows: rows.length });
      return rows;
    },
  }),
}));

const GradeCountRef = builder.objectRef<ratings.RatingDistributionRow>('GradeCount').implement({
  description: '某等级的分支机构数（按区或机构分组时为该组的） / Number of branches with a grade (of one group, when grouped by district or firm)',
  fields: (t) => ({
    grade: t.field({ type: BranchGradeEnum, description: '等级 / Grade', resolve: (g) => g.grade }),
    count: t.exposeInt('count', { description: '分支机构数 / Number of branches' }),
    district: t.field({
      type: DistrictEnum,
      nullable: true,
      description: '按区分组时为分支机构所在区（深圳以外为 null）；未按区分组时为 null / With by: DISTRICT, the branches\' district (null outside Shenzhen); otherwise null',
      resolve: (g) => g.district,
    }),
    firm: t.field({
      type: OrganizationRef,
      nullable: true,
      description: '按机构分组时为所属证券公司；否则为 null / With by: FIRM, the branches\' firm; otherwise null',
      resolve: (g) => g.firmId,
    }),
  }),
});

const RatingDistributionGroupingEnum = builder.enumType('RatingDistributionGrouping', {
  description: '评价分布的分组方式 / How a rating distribution is grouped besides the grade',
  values: {
    DISTRICT: { description: '按分支机构所在区 / By the branch\'s district' },
    FIRM: { description: '按所属证券公司 / By the branch\'s firm' },
  } as const,
});

builder.objectField(ReportsRef, 'ratingDistribution', (t) =>
  t.field({
    type: [GradeCountRef],
    description:
      '某年度各等级分支机构数：不分组时为 A 至 D 四行（含 0）；按区或机构分组时为各组非零的等级（按组、等级排序）。只计有权查看的评价（服务账号需 ratings:read） / Branches per grade in a year: without by, four rows A to D (zeros included); grouped by district or firm, the non-zero grades of each group, ordered by group and grade. Counts only ratings the viewer may read (a service account needs ratings:read)',
    args: {
      year: t.arg.int({ required: true, description: '评价年度 / Year' }),
      by: t.arg({ type: RatingDistributionGroupingEnum, description: '另按区或机构分组（默认只按等级） / Also group by district or firm (default: by grade only)' }),
    },
    resolve: async (_root, args, ctx) => {
      const by = args.by ?? null;
      const rows = await ratings.ratingDistributionReport(ctx.db, ctx.viewer, args.year, by);
      await recordRatingsRead(ctx, 'reports.ratingDistribution', { year: args.year, by });
      if (by !== null) return rows;
      const counts = new Map(rows.map((r) => [r.grade, r.count]));
      return GRADES.map((grade) => ({ grade, count: counts.get(grade) ?? 0, district: null, firmId: null }));
    },
  }),
);

const FollowUpStatusCountRef = builder.objectRef<ratings.FollowUpStatusRow>('SupervisoryFollowUpCount').implement({
  description: '按措施类型和进度的监管措施数 / Supervisory follow-ups counted by type and progress',
  fields: (t) => ({
    type: t.expose('type', { type: FollowUpTypeEnum, description: '措施 / Follow-up' }),
    status: t.expose('status', { type: FollowUpStatusEnum, description: '进度 / Progress' }),
    count: t.exposeInt('count', { description: '措施数 / Number of follow-ups' }),
    overdueCount: t.exposeInt('overdue', { description: '其中未完成且已过期限的（北京时间今天） / Of which not done and past their due date (today in Asia/Shanghai)' }),
    branchCount: t.exposeInt('branches', { description: '涉及的分支机构数 / Branches concerned' }),
  }),
});

builder.objectField(ReportsRef, 'supervisoryFollowUpSummary', (t) =>
  t.field({
    type: [FollowUpStatusCountRef],
    description:
      '某年度受监管分支机构（C、D 类）的后续监管措施：按类型和进度计数，含逾期数（只计有权查看的评价） / Follow-ups of a year\'s supervised (C and D) branches by type and progress, with overdue counts (ratings the viewer may read only)',
    args: { year: t.arg.int({ required: true, description: '评价年度 / Year' }) },
    resolve: async (_root, args, ctx) => {
      const rows = await ratings.followUpStatusReport(ctx.db, ctx.viewer, args.year, todayInShanghai());
      await recordRatingsRead(ctx, 'reports.supervisoryFollowUpSummary', { year: args.year });
      return rows;
    },
  }),
);

// ---------------------------------------------------------------- mutations

const GradeThresholdsInput = builder.inputType('GradeThresholdsInput', {
  description: '等级分数线，须 a > b > c / Grade thresholds, a > b > c',
  fields: (t) => ({
    a: t.float({ required: true, description: 'A 类最低分 / Lowest score of grade A' }),
    b: t.float({ required: true, description: 'B 类最低分 / Lowest score of grade B' }),
    c: t.float({ required: true, description: 'C 类最低分 / Lowest score of grade C' }),
  }),
});

const RatingIndicatorInput = builder.inputType('RatingIndicatorInput', {
  description: '评价指标 / An indicator',
  fields: (t) => ({
    code: t.string({ required: true, description: '代码，如 CM_SYSTEM / Code, e.g. CM_SYSTEM' }),
    category: t.field({ type: IndicatorCategoryEnum, required: true, description: '类别 / Category' }),
    nameZh: t.string({ required: true, description: '中文名称 / Chinese name' }),
    nameEn: t.string({ required: true, description: '英文名称 / English name' }),
    method: t.field({ type: IndicatorMethodEnum, required: true, description: '计分方式 / Scoring method' }),
    points: t.float({ required: true, description: '分值（0–100） / Points (0–100)' }),
    cap: t.float({ description: '扣分、加分项的合计上限 / Cap of a DEDUCTION or BONUS indicator' }),
  }),
});

const RatingOverrideRuleInput = builder.inputType('RatingOverrideRuleInput', {
  description: '等级调整规则 / An override rule',
  fields: (t) => ({
    code: t.string({ required: true, description: '代码 / Code' }),
    type: t.field({ type: OverrideTypeEnum, required: true, description: '类型 / Kind' }),
    nameZh: t.string({ required: true, description: '中文名称 / Chinese name' }),
    nameEn: t.string({ required: true, description: '英文名称 / English name' }),
  }),
});

const CreateRatingGuidelineInput = builder.inputType('CreateRatingGuidelineInput', {
  description: '新的指引版本（完整内容；修订即提交新版本） / A new guideline version, complete (a revision is a new version)',
  fields: (t) => ({
    title: t.string({ required: true, description: '标题 / Title' }),
    note: t.string({ description: '修订说明 / Note on the revision' }),
    baseScore: t.float({ description: `基础分，默认 ${ratings.DEFAULT_BASE_SCORE} / Base score, default ${ratings.DEFAULT_BASE_SCORE}` }),
    thresholds: t.field({ type: GradeThresholdsInput, description: '分数线，默认 A 90、B 80、C 70 / Thresholds, default A 90, B 80, C 70' }),
    indicators: t.field({ type: [RatingIndicatorInput], required: true, description: `评价指标（1–${ratings.MAX_INDICATORS} 个） / Indicators (1–${ratings.MAX_INDICATORS})` }),
    overrideRules: t.field({ type: [RatingOverrideRuleInput], description: `等级调整规则（最多 ${ratings.MAX_OVERRIDE_RULES} 条） / Override rules (at most ${ratings.MAX_OVERRIDE_RULES})` }),
  }),
});

const CreateRatingCycleInput = builder.inputType('CreateRatingCycleInput', {
  description: '新的年度评价周期 / A new yearly cycle',
  fields: (t) => ({
    year: t.int({ required: true, description: '评价年度（2019–2100） / Year (2019–2100)' }),
    guidelineVersion: t.int({ required: true, description: '适用的指引版本号 / Guideline version to score under' }),
    selfAssessmentDueOn: t.field({ type: 'Date', required: true, description: '自评截止日期 / Self-assessment deadline' }),
    associationScoringDueOn: t.field({ type: 'Date', required: true, description: '协会评分截止日期 / Association scoring deadline' }),
    bureauReviewDueOn: t.field({ type: 'Date', required: true, description: '证监局复核截止日期 / Bureau review deadline' }),
    publicationDueOn: t.field({ type: 'Date', required: true, description: '结果发布截止日期 / Publication deadline' }),
  }),
});

const AdvanceRatingCycleInput = builder.inputType('AdvanceRatingCycleInput', {
  description: '推进到下一阶段 / Move a cycle to its next stage',
  fields: (t) => ({
    year: t.int({ required: true, description: '评价年度 / Year' }),
    to: t.field({ type: RatingCycleStatusEnum, required: true, description: '下一阶段（必须紧接当前阶段） / The next stage (must directly follow the current one)' }),
  }),
});

const RatingCycleYearInput = builder.inputType('RatingCycleYearInput', {
  description: '评价周期 / A rating cycle',
  fields: (t) => ({ year: t.int({ required: true, description: '评价年度 / Year' }) }),
});

const IndicatorScoreInput = builder.inputType('IndicatorScoreInput', {
  description: '一项指标的评分 / A score for one indicator',
  fields: (t) => ({
    indicator: t.string({ required: true, description: '指标代码 / Indicator code' }),
    value: t.float({ required: true, description: '基础项为得分（0 至分值），扣分、加分项为次数（0–99 整数） / BASE: points earned (0 to points); DEDUCTION / BONUS: occurrences (whole number 0–99)' }),
    comment: t.string({ description: '说明；证监局复核时为必填的调整理由 / Comment; in the bureau\'s review, the required reason' }),
  }),
});

const OverrideDecisionInput = builder.inputType('OverrideDecisionInput', {
  description: '适用或撤销一条等级调整规则 / Apply or withdraw an override rule',
  fields: (t) => ({
    rule: t.string({ required: true, description: '规则代码 / Rule code' }),
    applied: t.boolean({ required: true, description: '是否适用 / Whether the rule applies' }),
    reason: t.string({ required: true, description: '理由 / Reason' }),
  }),
});

const GradeAdjustmentInput = builder.inputType('GradeAdjustmentInput', {
  description: '证监局的等级调整；grade 为空则撤销 / The bureau\'s grade adjustment; a null grade removes it',
  fields: (t) => ({
    grade: t.field({ type: BranchGradeEnum, description: '调整后的等级 / Adjusted grade' }),
    reason: t.string({ description: '理由（调整时必填） / Reason (required when adjusting)' }),
  }),
});

const ScoreBranchRatingInput = builder.inputType('ScoreBranchRatingInput', {
  description: '为一个分支机构评分：机构自评、协会评分或证监局复核，按角色与周期阶段而定 / Score one branch: self-assessment, association scoring or bureau review, by role and cycle stage',
  fields: (t) => ({
    year: t.int({ required: true, description: '评价年度 / Year' }),
    branchId: t.id({ required: true, description: '分支机构全局 ID / Branch global ID' }),
    scores: t.field({ type: [IndicatorScoreInput], description: `指标评分（最多 ${ratings.MAX_SCORES_PER_CALL} 项） / Indicator scores (at most ${ratings.MAX_SCORES_PER_CALL})` }),
    overrides: t.field({ type: [OverrideDecisionInput], description: '等级调整规则决定（协会、证监局） / Override rule decisions (association, bureau)' }),
    gradeAdjustment: t.field({ type: GradeAdjustmentInput, description: '等级调整（证监局） / Grade adjustment (bureau)' }),
  }),
});

const BranchScoreRowInput = builder.inputType('BranchScoreRowInput', {
  description: '批量导入的一行 / One row of a bulk import',
  fields: (t) => ({
    branchId: t.id({ required: true, description: '分支机构全局 ID / Branch global ID' }),
    indicator: t.string({ required: true, description: '指标代码 / Indicator code' }),
    value: t.float({ required: true, description: '得分或次数 / Points earned or occurrences' }),
    comment: t.string({ description: '说明 / Comment' }),
  }),
});

const ImportBranchScoresInput = builder.inputType('ImportBranchScoresInput', {
  description: `协会评分批量导入（全部成功或全部不写入，最多 ${ratings.MAX_IMPORT_ROWS} 行） / The association's bulk import (all or nothing, at most ${ratings.MAX_IMPORT_ROWS} rows)`,
  fields: (t) => ({
    year: t.int({ required: true, description: '评价年度 / Year' }),
    rows: t.field({ type: [BranchScoreRowInput], required: true, description: '导入行 / Rows' }),
  }),
});

const RatingGuidelinePayload = builder.objectRef<{ ratingGuideline: RatingGuidelineRow | null; userErrors: never[] }>('RatingGuidelinePayload').implement({
  description: '指引版本变更结果 / Result of a guideline change',
  fields: (t) => ({
    ratingGuideline: t.field({ type: RatingGuidelineRef, nullable: true, description: '新版本 / The new version', resolve: (p) => p.ratingGuideline }),
    userErrors: userErrorsField(t),
  }),
});

const RatingCyclePayload = builder.objectRef<{ ratingCycle: RatingCycleRow | null; userErrors: never[] }>('RatingCyclePayload').implement({
  description: '评价周期变更结果 / Result of a cycle change',
  fields: (t) => ({
    ratingCycle: t.field({ type: RatingCycleRef, nullable: true, description: '评价周期 / The cycle', resolve: (p) => p.ratingCycle }),
    userErrors: userErrorsField(t),
  }),
});

const BranchRatingPayload = builder.objectRef<{ ratingId: number | null; lines: RatingScoreLineRow[] | null; userErrors: never[] }>('BranchRatingPayload').implement({
  description: '评分结果 / Result of scoring',
  fields: (t) => ({
    branchRating: t.field({
      type: BranchRatingRef,
      nullable: true,
      description: '评价结果；无权查看（如机构自评期间）时为 null / The rating; null when the viewer may not see it (as for a firm during self-assessment)',
      resolve: (p) => p.ratingId,
    }),
    scoreLines: t.field({
      type: [RatingScoreLineRef],
      description: '本次写入的评分 / The lines this call wrote',
      resolve: async (p, _args, ctx) => {
        if (!p.lines || p.lines.length === 0) return [];
        const indicators = await ratings.loadIndicatorsByIds(ctx.db, [...new Set(p.lines.map((l) => l.indicatorId))]);
        const byId = new Map(indicators.map((i) => [i.id, i]));
        return p.lines.map((l) => ({ ...l, indicator: byId.get(l.indicatorId)! }));
      },
    }),
    userErrors: userErrorsField(t),
  }),
});

const ImportBranchScoresPayload = builder.objectRef<{ ratingIds: number[] | null; rows: number | null; userErrors: never[] }>('ImportBranchScoresPayload').implement({
  description: '批量导入结果 / Result of a bulk import',
  fields: (t) => ({
    importedRows: t.int({ nullable: true, description: '写入的行数；有错误时为 null / Rows written; null when refused', resolve: (p) => p.rows }),
    branchRatings: t.field({
      type: [BranchRatingRef],
      description: '受影响的评价结果 / The ratings affected',
      resolve: (p, _args, ctx) => (p.ratingIds ? ratings.loadBranchRatingsByIds(ctx.db, ctx.viewer, p.ratingIds) : []),
    }),
    userErrors: userErrorsField(t),
  }),
});

const branchId = (id: string | number) => parseGlobalIdOf(String(id), 'Branch');

builder.mutationFields((t) => ({
  createRatingGuideline: t.field({
    type: RatingGuidelinePayload,
    authScopes: { association: true },
    description: '发布新的指引版本（协会） / Add a guideline version (association)',
    args: { input: t.arg({ type: CreateRatingGuidelineInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => ratings.createGuidelineVersion(ctx.db, ctx.viewer, input as never), (ratingGuideline) => ({ ratingGuideline }), { ratingGuideline: null }) as never,
  }),
  createRatingCycle: t.field({
    type: RatingCyclePayload,
    authScopes: { association: true },
    description: '创建年度评价周期（协会） / Create a yearly cycle (association)',
    args: { input: t.arg({ type: CreateRatingCycleInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => ratings.createCycle(ctx.db, ctx.viewer, input), (ratingCycle) => ({ ratingCycle }), { ratingCycle: null }) as never,
  }),
  advanceRatingCycle: t.field({
    type: RatingCyclePayload,
    authScopes: { association: true },
    description: '推进评价周期到下一阶段（协会；发布由证监局） / Move a cycle to its next stage (association; the regulator publishes)',
    args: { input: t.arg({ type: AdvanceRatingCycleInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => ratings.advanceCycle(ctx.db, ctx.viewer, input), (ratingCycle) => ({ ratingCycle }), { ratingCycle: null }) as never,
  }),
  publishRatingCycle: t.field({
    type: RatingCyclePayload,
    authScopes: { regulator: true },
    description: '发布评价结果（证监局） / Publish a cycle\'s results (regulator)',
    args: { input: t.arg({ type: RatingCycleYearInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => ratings.publishCycle(ctx.db, ctx.viewer, input.year), (ratingCycle) => ({ ratingCycle }), { ratingCycle: null }) as never,
  }),
  scoreBranchRating: t.field({
    type: BranchRatingPayload,
    // Firms (their own branches, in self-assessment), the association and the regulator; never listed companies.
    authScopes: (_root, _args, ctx) => ctx.viewer.role === 'FIRM' || isStaff(ctx.viewer),
    description: '为分支机构评分（机构自评、协会评分、证监局复核） / Score a branch (self-assessment, association scoring, bureau review)',
    args: { input: t.arg({ type: ScoreBranchRatingInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => ratings.scoreBranchRating(ctx.db, ctx.viewer, { ...input, branchId: branchId(input.branchId) } as never),
        (r) => ({ ratingId: r.ratingId, lines: r.lines }),
        { ratingId: null, lines: null },
      ) as never,
  }),
  importBranchScores: t.field({
    type: ImportBranchScoresPayload,
    authScopes: { association: true },
    description: '批量导入协会评分（全部成功或全部不写入） / Bulk import of the association\'s scores (all or nothing)',
    args: { input: t.arg({ type: ImportBranchScoresInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          ratings.importAssociationScores(ctx.db, ctx.viewer, {
            year: input.year,
            rows: input.rows.map((r) => ({ ...r, branchId: branchId(r.branchId) })),
          }),
        (r) => ({ ratingIds: r.ratingIds, rows: r.rows }),
        { ratingIds: null, rows: null },
      ) as never,
  }),
}));

// ---------------------------------------------------------------- follow-up progress

const UpdateSupervisoryFollowUpInput = builder.inputType('UpdateSupervisoryFollowUpInput', {
  description: '记录监管措施进度（协会、证监局） / Record the progress of a follow-up (association, regulator)',
  fields: (t) => ({
    id: t.id({ required: true, description: '监管措施全局 ID / Follow-up global ID' }),
    status: t.field({ type: FollowUpStatusEnum, required: true, description: '新进度（只能向前） / New progress (forward only)' }),
    note: t.string({ description: `进度说明（最多 ${ratings.MAX_FOLLOW_UP_NOTE_LENGTH} 字） / Note (at most ${ratings.MAX_FOLLOW_UP_NOTE_LENGTH} characters)` }),
  }),
});

const SupervisoryFollowUpPayload = builder
  .objectRef<{ followUp: SupervisoryFollowUpRow | null; userErrors: never[] }>('SupervisoryFollowUpPayload')
  .implement({
    description: '监管措施进度变更结果 / Result of a follow-up progress change',
    fields: (t) => ({
      followUp: t.field({ type: FollowUpRef, nullable: true, description: '变更后的监管措施 / The follow-up', resolve: (p) => p.followUp }),
      userErrors: userErrorsField(t),
    }),
  });

builder.mutationField('updateSupervisoryFollowUp', (t) =>
  t.field({
    type: SupervisoryFollowUpPayload,
    authScopes: { staff: true },
    description: '记录监管措施进度：OPEN → IN_PROGRESS → DONE（协会、证监局） / Record a follow-up\'s progress: OPEN → IN_PROGRESS → DONE (association, regulator)',
    args: { input: t.arg({ type: UpdateSupervisoryFollowUpInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => ratings.updateFollowUpStatus(ctx.db, ctx.viewer, { id: parseGlobalIdOf(String(input.id), 'SupervisoryFollowUp'), status: input.status, note: input.note }),
        (followUp) => ({ followUp }),
        { followUp: null },
      ) as never,
  }),
);
