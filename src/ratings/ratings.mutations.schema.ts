// GraphQL mutations of the rating workflow: guideline versions and cycles (association), publication (regulator),
// scoring and the bulk import, and follow-up progress. Each resolver calls one service function.
import { mayRunRatings, mayScoreBranchRatings } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { advanceCycle, createCycle, publishCycle } from './ratings.cycles.js';
import { MAX_FOLLOW_UP_NOTE_LENGTH, updateFollowUpStatus } from './ratings.follow-ups.js';
import { createGuidelineVersion, DEFAULT_BASE_SCORE, loadIndicatorsByIds, MAX_INDICATORS, MAX_OVERRIDE_RULES } from './ratings.guidelines.js';
import { loadBranchRatingsByIds } from './ratings.reads.js';
import { importAssociationScores, MAX_IMPORT_ROWS, MAX_SCORES_PER_CALL, scoreBranchRating } from './ratings.scoring.js';
import { BranchRatingRef, FollowUpRef, RatingScoreLineRef } from './ratings.branch-ratings.schema.js';
import {
  BranchGradeEnum,
  FollowUpStatusEnum,
  IndicatorCategoryEnum,
  IndicatorMethodEnum,
  OverrideTypeEnum,
  RatingCycleRef,
  RatingCycleStatusEnum,
  RatingGuidelineRef,
} from './ratings.schema.js';
import type { RatingCycleRow, RatingGuidelineRow, RatingScoreLineRow, SupervisoryFollowUpRow } from './ratings.table.js';

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
    baseScore: t.float({ description: `基础分，默认 ${DEFAULT_BASE_SCORE} / Base score, default ${DEFAULT_BASE_SCORE}` }),
    thresholds: t.field({ type: GradeThresholdsInput, description: '分数线，默认 A 90、B 80、C 70 / Thresholds, default A 90, B 80, C 70' }),
    indicators: t.field({ type: [RatingIndicatorInput], required: true, description: `评价指标（1–${MAX_INDICATORS} 个） / Indicators (1–${MAX_INDICATORS})` }),
    overrideRules: t.field({ type: [RatingOverrideRuleInput], description: `等级调整规则（最多 ${MAX_OVERRIDE_RULES} 条） / Override rules (at most ${MAX_OVERRIDE_RULES})` }),
  }),
});

const CreateRatingCycleInput = builder.inputType('CreateRatingCycleInput', {
  description: '新的年度评价周期 / A new yearly cycle',
  fields: (t) => ({
    year: t.int({ required: true, description: '评价年度（2019–2100） / Year (2019–2100)' }),
    guidelineVersion: t.int({ required: true, description: '适用的指引版本号 / Guideline version to score under' }),
    noticeOn: t.field({
      type: 'Date',
      description: '证监局工作通知下发日期（通常为评价年度次年一月底），不晚于自评截止日期 / The day the bureau\'s notice opened the cycle (usually the end of January after the rated year), not after the self-assessment deadline',
    }),
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
    scores: t.field({ type: [IndicatorScoreInput], description: `指标评分（最多 ${MAX_SCORES_PER_CALL} 项） / Indicator scores (at most ${MAX_SCORES_PER_CALL})` }),
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
  description: `协会评分批量导入（全部成功或全部不写入，最多 ${MAX_IMPORT_ROWS} 行） / The association's bulk import (all or nothing, at most ${MAX_IMPORT_ROWS} rows)`,
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
        const indicators = await loadIndicatorsByIds(ctx.db, [...new Set(p.lines.map((l) => l.indicatorId))]);
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
      resolve: (p, _args, ctx) => (p.ratingIds ? loadBranchRatingsByIds(ctx.db, ctx.viewer, p.ratingIds) : []),
    }),
    userErrors: userErrorsField(t),
  }),
});

const branchId = (id: string | number) => parseGlobalIdOf(String(id), 'Branch');

builder.mutationFields((t) => ({
  createRatingGuideline: t.field({
    type: RatingGuidelinePayload,
    authScopes: (_root, _args, ctx) => mayRunRatings(ctx.viewer),
    description: '发布新的指引版本（深证协） / Add a guideline version (the securities association, SZSA)',
    args: { input: t.arg({ type: CreateRatingGuidelineInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => createGuidelineVersion(ctx.db, ctx.viewer, input as never), (ratingGuideline) => ({ ratingGuideline }), { ratingGuideline: null }) as never,
  }),
  createRatingCycle: t.field({
    type: RatingCyclePayload,
    authScopes: (_root, _args, ctx) => mayRunRatings(ctx.viewer),
    description: '创建年度评价周期（深证协） / Create a yearly cycle (the securities association, SZSA)',
    args: { input: t.arg({ type: CreateRatingCycleInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => createCycle(ctx.db, ctx.viewer, input), (ratingCycle) => ({ ratingCycle }), { ratingCycle: null }) as never,
  }),
  advanceRatingCycle: t.field({
    type: RatingCyclePayload,
    authScopes: (_root, _args, ctx) => mayRunRatings(ctx.viewer),
    description: '推进评价周期到下一阶段（深证协；发布由证监局） / Move a cycle to its next stage (the securities association, SZSA; the regulator publishes)',
    args: { input: t.arg({ type: AdvanceRatingCycleInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => advanceCycle(ctx.db, ctx.viewer, input), (ratingCycle) => ({ ratingCycle }), { ratingCycle: null }) as never,
  }),
  publishRatingCycle: t.field({
    type: RatingCyclePayload,
    authScopes: { regulator: true },
    description: '发布评价结果（证监局） / Publish a cycle\'s results (regulator)',
    args: { input: t.arg({ type: RatingCycleYearInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => publishCycle(ctx.db, ctx.viewer, input.year), (ratingCycle) => ({ ratingCycle }), { ratingCycle: null }) as never,
  }),
  scoreBranchRating: t.field({
    type: BranchRatingPayload,
    // Firms (their own branches, in self-assessment), the association and the regulator; never listed companies.
    authScopes: (_root, _args, ctx) => mayScoreBranchRatings(ctx.viewer),
    description: '为分支机构评分（机构自评、协会评分、证监局复核） / Score a branch (self-assessment, association scoring, bureau review)',
    args: { input: t.arg({ type: ScoreBranchRatingInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => scoreBranchRating(ctx.db, ctx.viewer, { ...input, branchId: branchId(input.branchId) } as never),
        (r) => ({ ratingId: r.ratingId, lines: r.lines }),
        { ratingId: null, lines: null },
      ) as never,
  }),
  importBranchScores: t.field({
    type: ImportBranchScoresPayload,
    authScopes: (_root, _args, ctx) => mayRunRatings(ctx.viewer),
    description: '批量导入深证协评分（全部成功或全部不写入） / Bulk import of the securities association\'s (SZSA) scores (all or nothing)',
    args: { input: t.arg({ type: ImportBranchScoresInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          importAssociationScores(ctx.db, ctx.viewer, {
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
    note: t.string({ description: `进度说明（最多 ${MAX_FOLLOW_UP_NOTE_LENGTH} 字） / Note (at most ${MAX_FOLLOW_UP_NOTE_LENGTH} characters)` }),
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
        () => updateFollowUpStatus(ctx.db, ctx.viewer, { id: parseGlobalIdOf(String(input.id), 'SupervisoryFollowUp'), status: input.status, note: input.note }),
        (followUp) => ({ followUp }),
        { followUp: null },
      ) as never,
  }),
);