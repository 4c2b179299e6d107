// GraphQL shape of the ratings' reference data: the enums, guideline versions with their indicators and override
// rules, the yearly cycles, and their root fields. Branch ratings and the workflow's mutations have files of their own.
import { builder } from '../graphql/builder.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { findCycleByYear, listCycles, loadCyclesByIds } from './ratings.cycles.js';
import { MAX_OCCURRENCES } from './ratings.grading.js';
import { listGuidelines, loadGuidelinesByIds, loadIndicatorsByGuidelineIds, loadOverrideRulesByGuidelineIds } from './ratings.guidelines.js';
import type { RatingCycleRow, RatingGuidelineRow, RatingIndicatorRow, RatingOverrideRuleRow } from './ratings.table.js';

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
    D: {
      description:
        'D 类：列为证监局和协会的重点检查对象；约谈分支机构负责人并提交整改报告；约谈公司分管经纪业务高管和合规总监；可对分支机构负责人任职提出意见 / Grade D: a key inspection target of the bureau and the association; warning talk with the branch head and a rectification report; talk with the firm\'s brokerage executive and chief compliance officer; possibly an objection to the branch head',
    },
  } as const,
});

export const IndicatorCategoryEnum = builder.enumType('RatingIndicatorCategory', {
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

export const IndicatorMethodEnum = builder.enumType('RatingIndicatorMethod', {
  description: '计分方式 / How an indicator scores',
  values: {
    BASE: { description: '基础项：评分为得分（0 至分值），不足部分从基础分中扣除 / Basic item: the score is points earned (0 to points); the shortfall is lost' },
    DEDUCTION: { description: `扣分项：评分为发生次数（0–${MAX_OCCURRENCES}），每次扣分值，合计不超过封顶 / Deduction: the score counts occurrences (0–${MAX_OCCURRENCES}), points each, at most the cap` },
    BONUS: { description: `加分项：评分为次数（0–${MAX_OCCURRENCES}），每次加分值，合计不超过封顶 / Bonus: the score counts occurrences (0–${MAX_OCCURRENCES}), points each, at most the cap` },
  } as const,
});

export const OverrideTypeEnum = builder.enumType('RatingOverrideType', {
  description: '等级调整规则类型 / Kind of grade override rule',
  values: {
    DIRECT_D: { description: '直接评为 D 类 / Rate directly as D' },
    DOWNGRADE_ONE: { description: '下调一级 / Downgrade one grade' },
  } as const,
});

export const RatingStageEnum = builder.enumType('RatingStage', {
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
    OBJECTION_TO_BRANCH_HEAD: {
      description: '视情节对分支机构负责人的任职提出意见（D 类） / Where warranted, an objection to the branch head\'s fitness for the post (grade D)',
    },
  } as const,
});

export const FollowUpOwnerEnum = builder.enumType('SupervisoryFollowUpOwner', {
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

// ---------------------------------------------------------------- per-request loaders

export const indicatorsOfGuideline = groupedLoader(
  (ctx, ids: readonly number[]) => loadIndicatorsByGuidelineIds(ctx.db, ids),
  (i) => i.guidelineId,
);
export const rulesOfGuideline = groupedLoader(
  (ctx, ids: readonly number[]) => loadOverrideRulesByGuidelineIds(ctx.db, ids),
  (r) => r.guidelineId,
);

// ---------------------------------------------------------------- guidelines

export const RatingIndicatorRef = builder.objectRef<RatingIndicatorRow>('RatingIndicator').implement({
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

export const RatingOverrideRuleRef = builder.objectRef<RatingOverrideRuleRow>('RatingOverrideRule').implement({
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
  load: (ids: number[], ctx) => loadGuidelinesByIds(ctx.db, ids),
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
  load: (ids: number[], ctx) => loadCyclesByIds(ctx.db, ids),
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
    noticeOn: t.expose('noticeOn', {
      type: 'Date',
      nullable: true,
      description: '证监局工作通知下发日期（评价年度次年一月底）；未记录时为 null / The day the bureau\'s notice opened the cycle (the end of January after the rated year); null when not recorded',
    }),
    selfAssessmentDueOn: t.expose('selfAssessmentDueOn', { type: 'Date', description: '自评截止日期 / Self-assessment deadline' }),
    associationScoringDueOn: t.expose('associationScoringDueOn', { type: 'Date', description: '协会评分截止日期 / Association scoring deadline' }),
    bureauReviewDueOn: t.expose('bureauReviewDueOn', { type: 'Date', description: '证监局复核截止日期 / Bureau review deadline' }),
    publicationDueOn: t.expose('publicationDueOn', { type: 'Date', description: '结果发布截止日期 / Publication deadline' }),
  }),
});

// ---------------------------------------------------------------- root fields

registerNodeType('RatingGuideline', (ctx, id) => RatingGuidelineRef.getDataloader(ctx).load(id));
registerNodeType('RatingCycle', (ctx, id) => RatingCycleRef.getDataloader(ctx).load(id));

builder.queryFields((t) => ({
  ratingGuidelines: t.field({
    type: [RatingGuidelineRef],
    description: '分类评价指引各版本（最新在前） / Guideline versions, newest first',
    resolve: (_root, _args, ctx) => listGuidelines(ctx.db),
  }),
  ratingCycles: t.field({
    type: [RatingCycleRef],
    description: '评价周期（最新年度在前） / Rating cycles, newest year first',
    resolve: (_root, _args, ctx) => listCycles(ctx.db),
  }),
  ratingCycle: t.field({
    type: RatingCycleRef,
    nullable: true,
    description: '某年度的评价周期 / The rating cycle of a year',
    args: { year: t.arg.int({ required: true, description: '评价年度 / Year' }) },
    resolve: (_root, args, ctx) => findCycleByYear(ctx.db, args.year),
  }),
}));
