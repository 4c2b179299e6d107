// GraphQL shape of self-regulation (自律管理): self-regulatory rules with versions and consultation comments, and
// disciplinary cases with their measures and stage events; queries and the association's and members' mutations.
import { AssociationRef } from '../associations/associations.schema.js';
import { maySeeDisciplinaryCaseInFull, maySeeRuleComments } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { parseGlobalIdOf } from '../global-id.js';
import { OrganizationRef } from '../members/members.schema.js';
import * as cases from './self-regulation.cases.js';
import { lineDiff, type LineChange } from './self-regulation.diff.js';
import { isDisciplinarySanction } from './self-regulation.measures.js';
import * as rules from './self-regulation.rules.js';
import type {
  AggravatingFactor,
  DisciplinaryCaseEventRow,
  DisciplinaryCaseRow,
  DisciplinaryMeasureRow,
  DisciplinaryMeasureType,
  DisciplinaryStage,
  RuleCommentRow,
  SelfRegulatoryRuleStatus,
} from './self-regulation.table.js';

// ---------------------------------------------------------------------------------------------------- enums

export const SelfRegulatoryRuleStatusEnum = builder.enumType('SelfRegulatoryRuleStatus', {
  description: '自律规则状态 / Status of a self-regulatory rule',
  values: {
    DRAFT: { description: '起草 / Drafted' },
    CONSULTATION: { description: '征求意见（本协会会员可见并可提出意见） / In consultation: the association\'s members read it and comment' },
    ADOPTED: { description: '理事会审议通过 / Adopted by the council' },
    FILED: { description: '已向证监局备案 / Filed with the bureau' },
    IN_FORCE: { description: '发布施行（有文号和施行日期） / In force, published with a document number and an effective date' },
    REPEALED: { description: '废止（或被新版本取代） / Repealed, or superseded by a new version' },
  } as const,
});

export const DisciplinaryStageEnum = builder.enumType('DisciplinaryStage', {
  description: '纪律案件阶段 / Stage of a disciplinary case',
  values: {
    INVESTIGATION: { description: '立案调查 / Investigation' },
    HEARING: { description: '事先告知与陈述申辩 / Hearing: advance notice and the member\'s statement' },
    DECIDED: { description: '已作出处理决定 / Decided' },
    UNDER_REVIEW: { description: '复核中（会员申请一次） / Under review, at the member\'s one request' },
    FINAL: { description: '终结（纪律处分公开） / Final; a disciplinary sanction is published' },
  } as const,
});

export const DisciplinaryMeasureTypeEnum = builder.enumType('DisciplinaryMeasureType', {
  description: '自律措施类型：自律管理措施（不公开）与纪律处分（终结后公开） / Self-regulatory measure: 自律管理措施 (never published) or 纪律处分 (published when final)',
  values: {
    TALK_REMINDER: { description: '自律管理措施：谈话提醒 / Self-regulatory measure: reminder talk' },
    WRITTEN_UNDERTAKING: { description: '自律管理措施：要求提交书面承诺 / Self-regulatory measure: written undertaking' },
    MANDATORY_TRAINING: { description: '自律管理措施：要求参加强化培训（成为培训义务） / Self-regulatory measure: intensive training (becomes a training obligation)' },
    WARNING: { description: '自律管理措施：警示 / Self-regulatory measure: warning' },
    ORDER_TO_CORRECT: { description: '自律管理措施：责令改正 / Self-regulatory measure: order to correct' },
    ORDER_COMPLIANCE_CHECK: { description: '自律管理措施：责令进行合规检查 / Self-regulatory measure: order a compliance check' },
    SUSPEND_FILING: { description: '自律管理措施：暂不接受备案或注册 / Self-regulatory measure: filings or registrations not accepted for now' },
    INDUSTRY_CRITICISM: { description: '纪律处分：行业内通报批评 / Disciplinary sanction: criticism circulated in the industry' },
    PUBLIC_CENSURE: { description: '纪律处分：公开谴责 / Disciplinary sanction: public censure' },
    SUSPEND_QUALIFICATION: { description: '纪律处分：暂停或者取消协会授予的业务资格 / Disciplinary sanction: suspension or withdrawal of an association-granted qualification' },
    SUSPEND_MEMBERSHIP_RIGHTS: { description: '纪律处分：暂停会员权利（期间会员只能查询，不能变更） / Disciplinary sanction: suspension of membership rights (the member reads but changes nothing)' },
    EXPEL: { description: '纪律处分：取消会员资格（会员资格终止） / Disciplinary sanction: expulsion (the membership is withdrawn)' },
  } as const,
});

export const DisciplinaryAggravatingFactorEnum = builder.enumType('DisciplinaryAggravatingFactor', {
  description: '从重情节 / Aggravating factor',
  values: {
    NON_COOPERATION: { description: '不配合调查，或伪造、隐匿、毁损证据 / Not cooperating with the investigation, or forging, hiding or destroying evidence' },
    RETALIATION: { description: '打击报复投诉人、举报人 / Retaliating against complainants or whistle-blowers' },
    REFUSED_RECTIFICATION: { description: '拒不整改或整改敷衍、虚假 / Refusing rectification, or rectifying perfunctorily or falsely' },
    REPEATED_WITHIN_12_MONTHS: { description: '12 个月内再次违规（自动标记） / Another violation within 12 months (flagged automatically)' },
    OTHER: { description: '其他从重情节 / Other aggravating circumstances' },
  } as const,
});

const RuleLineChangeKindEnum = builder.enumType('RuleLineChangeKind', {
  description: '条文对照中一行的变化 / How a line changed between versions',
  values: {
    UNCHANGED: { description: '未变 / Unchanged' },
    ADDED: { description: '新增 / Added' },
    REMOVED: { description: '删除 / Removed' },
  } as const,
});

// ---------------------------------------------------------------------------------------------------- rules

const RuleCommentRef = builder.objectRef<RuleCommentRow>('RuleComment').implement({
  description: '会员在征求意见期间提出的意见 / A member\'s comment during consultation',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, description: '提出意见的会员 / The commenting member', resolve: (c) => c.organizationId }),
    body: t.exposeString('body', { description: '意见内容 / The comment' }),
    at: t.expose('createdAt', { type: 'DateTime', description: '提出时间 / When it was made' }),
  }),
});

const RuleLineChangeRef = builder.objectRef<LineChange>('RuleLineChange').implement({
  description: '条文对照的一行 / One line of the comparison with the previous version',
  fields: (t) => ({
    kind: t.expose('kind', { type: RuleLineChangeKindEnum, description: '变化 / Change' }),
    text: t.exposeString('text', { description: '该行文字 / The line' }),
    oldLine: t.exposeInt('oldLine', { nullable: true, description: '在上一版本中的行号 / Line number in the previous version' }),
    newLine: t.exposeInt('newLine', { nullable: true, description: '在本版本中的行号 / Line number in this version' }),
  }),
});

const commentsByRule = groupedLoader((ctx, ids: readonly number[]) => rules.loadCommentsByRuleIds(ctx.db, ids), (c) => c.ruleId);
const versionsByLineage = groupedLoader(
  (ctx, ids: readonly number[]) => rules.loadRuleVersionsByLineageIds(ctx.db, ctx.viewer, ids),
  (r) => r.lineageId!,
);

export const SelfRegulatoryRuleRef = builder.loadableNode('SelfRegulatoryRule', {
  description:
    '自律规则（一个版本）：现行有效和已废止的对所有人公开；征求意见稿对本协会在册会员公开；其他阶段仅本协会工作人员和证监局可见 / A self-regulatory rule (one version): public in force or repealed; in consultation also to the association\'s active members; otherwise its association\'s staff and the regulator only',
  id: { resolve: (r: rules.SelfRegulatoryRule) => r.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => rules.loadRulesByIds(ctx.db, ctx.viewer, ids),
  sort: (r) => r.id,
  fields: (t) => ({
    title: t.exposeString('title', { description: '标题 / Title' }),
    documentNumber: t.exposeString('documentNumber', { nullable: true, description: '文号，例如 深证协会字〔2026〕12号 / Document number' }),
    status: t.expose('status', { type: SelfRegulatoryRuleStatusEnum, description: '状态 / Status' }),
    body: t.exposeString('body', { description: '正文 / Text' }),
    effectiveOn: t.expose('effectiveOn', { type: 'Date', nullable: true, description: '施行日期 / Effective date' }),
    association: t.field({ type: AssociationRef, description: '制定规则的协会 / The association whose rule it is', resolve: (r) => r.associationId }),
    version: t.exposeInt('version', { description: '版本号（修订时加一） / Version number (an amendment adds one)' }),
    comments: t.field({
      type: [RuleCommentRef],
      nullable: true,
      description: '征求意见期间会员提出的意见；仅本协会工作人员和证监局可见，其他人为 null / Members\' consultation comments: the association\'s staff and the regulator only, null for others',
      resolve: (r, _args, ctx) => (maySeeRuleComments(ctx.viewer, r) ? commentsByRule(ctx).load(r.id) : null),
    }),
  }),
});

builder.objectFields(SelfRegulatoryRuleRef, (t) => ({
  supersedes: t.field({
    type: SelfRegulatoryRuleRef,
    nullable: true,
    description: '本版本所修订的上一版本（无权查看时为 null） / The version this one amends (null when not visible to you)',
    resolve: (r) => r.supersedesId,
  }),
  versions: t.field({
    type: [SelfRegulatoryRuleRef],
    description: '该规则你可见的全部版本（旧的在前） / Every version of this rule visible to you, oldest first',
    resolve: (r, _args, ctx) => versionsByLineage(ctx).load(r.lineageId ?? r.id),
  }),
  changes: t.field({
    type: [RuleLineChangeRef],
    nullable: true,
    description: '与上一版本的逐行对照（条文对照表）；无上一版本或其不可见时为 null / Line-by-line comparison with the previous version; null without one visible to you',
    resolve: async (r, _args, ctx) => {
      if (r.supersedesId === null) return null;
      const previous = await SelfRegulatoryRuleRef.getDataloader(ctx).load(r.supersedesId).catch(() => null);
      return previous ? lineDiff(previous.body, r.body) : null;
    },
  }),
}));

registerNodeType('SelfRegulatoryRule', (ctx, id) => SelfRegulatoryRuleRef.getDataloader(ctx).load(id).catch(() => null));

const SelfRegulatoryRuleConnection = defineConnection(SelfRegulatoryRuleRef, 'SelfRegulatoryRuleConnection', '自律规则', 'Self-regulatory rules');

// ---------------------------------------------------------------------------------------------------- cases

const DisciplinaryMeasureRef = builder.objectRef<DisciplinaryMeasureRow>('DisciplinaryMeasure').implement({
  description: '处理决定中的一项措施 / One measure of a decision',
  fields: (t) => ({
    type: t.expose('type', { type: DisciplinaryMeasureTypeEnum, description: '措施类型 / Type' }),
    note: t.exposeString('note', { nullable: true, description: '说明（范围、期限等） / Note (scope, period, …)' }),
    endsOn: t.expose('endsOn', { type: 'Date', nullable: true, description: '措施有效的最后一天（含） / Last day the measure is in force (inclusive)' }),
    isSanction: t.boolean({ description: '是否为纪律处分（否则为自律管理措施） / Whether it is a 纪律处分 (otherwise a 自律管理措施)', resolve: (m) => isDisciplinarySanction(m.type) }),
  }),
});

const DisciplinaryCaseEventRef = builder.objectRef<DisciplinaryCaseEventRow>('DisciplinaryCaseEvent').implement({
  description: '案件阶段变化 / A stage move of a case',
  fields: (t) => ({
    fromStage: t.expose('fromStage', { type: DisciplinaryStageEnum, nullable: true, description: '原阶段（立案时为 null） / Previous stage (null when opened)' }),
    toStage: t.expose('toStage', { type: DisciplinaryStageEnum, description: '新阶段 / New stage' }),
    actorRole: t.exposeString('actorRole', { description: '操作方角色 / Role of who moved it' }),
    at: t.expose('at', { type: 'DateTime', description: '时间 / When' }),
  }),
});

const measuresByCase = groupedLoader((ctx, ids: readonly number[]) => cases.loadMeasuresByCaseIds(ctx.db, ids), (m) => m.caseId);
const eventsByCase = groupedLoader((ctx, ids: readonly number[]) => cases.loadEventsByCaseIds(ctx.db, ids), (e) => e.caseId);

const inFull = (ctx: Context, c: DisciplinaryCaseRow) => maySeeDisciplinaryCaseInFull(ctx.viewer, c);

export const DisciplinaryCaseRef = builder.loadableNode('DisciplinaryCase', {
  description:
    '纪律案件：终结前仅该会员、本协会工作人员和证监局可见；终结且含纪律处分的对所有人公开（机构、纪律处分、决定书文号和日期；陈述申辩始终不公开；仅有自律管理措施的案件不公开） / A disciplinary case: before FINAL, the member, its association\'s staff and the regulator only; a FINAL case with a 纪律处分 is public (organization, sanctions, decision number and date; never the statement; cases with only 自律管理措施 are never public)',
  id: { resolve: (c: DisciplinaryCaseRow) => c.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => cases.loadCasesByIds(ctx.db, ctx.viewer, ids),
  sort: (c) => c.id,
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, description: '被处理的会员 / The member concerned', resolve: (c) => c.organizationId }),
    association: t.field({ type: AssociationRef, description: '办案协会 / The association handling the case', resolve: (c) => c.associationId }),
    stage: t.expose('stage', { type: DisciplinaryStageEnum, description: '阶段 / Stage' }),
    summary: t.exposeString('summary', { description: '案情摘要（公开的纪律处分随决定公开） / Summary of the case (published with a published sanction)' }),
    measures: t.field({
      type: [DisciplinaryMeasureRef],
      description: '处理决定的措施；公开查看时只含纪律处分 / The decision\'s measures; only the 纪律处分 when read as published',
      resolve: async (c, _args, ctx) => cases.measuresFor(inFull(ctx, c), await measuresByCase(ctx).load(c.id)),
    }),
    decisionNumber: t.exposeString('decisionNumber', { nullable: true, description: '处理决定书文号 / Decision number' }),
    decidedOn: t.expose('decidedOn', { type: 'Date', nullable: true, description: '决定日期 / Decided on' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true, description: '公开时间（含纪律处分的案件终结时） / When it was published (at FINAL, with a 纪律处分)' }),
    statement: t.string({
      nullable: true,
      description: '会员的陈述申辩；仅该会员、本协会工作人员和证监局可见，从不公开 / The member\'s statement (申辩): the member, its association\'s staff and the regulator only; never public',
      resolve: (c, _args, ctx) => (inFull(ctx, c) ? c.statement : null),
    }),
    aggravatingFactors: t.field({
      type: [DisciplinaryAggravatingFactorEnum],
      nullable: true,
      description: '从重情节；公开查看时为 null / Aggravating factors; null when read as published',
      resolve: (c, _args, ctx) => (inFull(ctx, c) ? (c.aggravatingFactors as AggravatingFactor[]) : null),
    }),
    events: t.field({
      type: [DisciplinaryCaseEventRef],
      nullable: true,
      description: '阶段变化记录（旧的在前）；公开查看时为 null / Stage history, oldest first; null when read as published',
      resolve: async (c, _args, ctx) => (inFull(ctx, c) ? eventsByCase(ctx).load(c.id) : null),
    }),
  }),
});

registerNodeType('DisciplinaryCase', (ctx, id) => DisciplinaryCaseRef.getDataloader(ctx).load(id).catch(() => null));

const DisciplinaryCaseConnection = defineConnection(DisciplinaryCaseRef, 'DisciplinaryCaseConnection', '纪律案件', 'Disciplinary cases');

const DisciplinaryCaseFilterInput = builder.inputType('DisciplinaryCaseFilter', {
  description: '纪律案件筛选条件 / Filter for disciplinary cases',
  fields: (t) => ({
    organizationId: t.id({ description: '会员机构全局 ID / Global ID of the member' }),
    stage: t.field({ type: DisciplinaryStageEnum, description: '阶段 / Stage' }),
  }),
});

builder.queryFields((t) => ({
  selfRegulatoryRules: t.field({
    type: SelfRegulatoryRuleConnection,
    description:
      '自律规则（新的在前），可中文检索：所有人看到现行有效和已废止的，本协会在册会员还看到征求意见稿，本协会工作人员和证监局看到全部阶段 / Self-regulatory rules, newest first, with Chinese search: in force and repealed for anyone; in consultation also for the association\'s active members; every stage for its staff and the regulator',
    args: {
      ...connectionArgs(t.arg),
      search: t.arg.string({ description: '检索词（标题、文号、正文；中文按字词匹配） / Search words (title, document number, text; Chinese matched by characters and words)' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { search: args.search };
      const rows = await rules.listRules(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (r) => r.id, () => rules.countRules(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  disciplinaryCases: t.field({
    type: DisciplinaryCaseConnection,
    description:
      '纪律案件（新的在前）：该会员、本协会工作人员和证监局看到各阶段的案件；其他人只看到已公开的纪律处分 / Disciplinary cases, newest first: every stage for the member, its association\'s staff and the regulator; published sanctions only for others',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: DisciplinaryCaseFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const organizationId = args.filter?.organizationId == null ? null : parseGlobalIdOf(String(args.filter.organizationId), 'Organization');
      if (args.filter?.organizationId != null && organizationId === null) return toConnection([], page, () => 0, async () => 0) as never;
      const filter = { organizationId, stage: (args.filter?.stage ?? null) as DisciplinaryStage | null };
      const rows = await cases.listCases(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (c) => c.id, () => cases.countCases(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
}));

// ---------------------------------------------------------------------------------------------------- mutations

// DraftSelfRegulatoryRuleInput { title body }
const DraftSelfRegulatoryRuleInput = builder.inputType('DraftSelfRegulatoryRuleInput', {
  description: '起草自律规则（本协会） / Draft a self-regulatory rule of your association',
  fields: (t) => ({
    title: t.string({ required: true, description: `标题（1–${rules.RULE_LIMITS.title} 字） / Title (1–${rules.RULE_LIMITS.title} characters)` }),
    body: t.string({ required: true, description: `正文（1–${rules.RULE_LIMITS.body} 字） / Text (1–${rules.RULE_LIMITS.body} characters)` }),
  }),
});

// AdvanceSelfRegulatoryRuleInput { id to documentNumber effectiveOn }
const AdvanceSelfRegulatoryRuleInput = builder.inputType('AdvanceSelfRegulatoryRuleInput', {
  description:
    '推进自律规则：起草 → 征求意见 → 审议通过 → 备案 → 施行 → 废止，每次一步 / Move a rule one step: DRAFT → CONSULTATION → ADOPTED → FILED → IN_FORCE → REPEALED',
  fields: (t) => ({
    id: t.id({ required: true, description: '自律规则全局 ID / Rule global ID' }),
    to: t.field({ type: SelfRegulatoryRuleStatusEnum, required: true, description: '目标状态（须为下一状态） / Target status (the next one)' }),
    documentNumber: t.string({ description: '文号（施行时必填），例如 深证协会字〔2026〕12号 / Document number (required to go IN_FORCE)' }),
    effectiveOn: t.field({ type: 'Date', description: '施行日期（施行时必填） / Effective date (required to go IN_FORCE)' }),
  }),
});

const AmendSelfRegulatoryRuleInput = builder.inputType('AmendSelfRegulatoryRuleInput', {
  description: '修订现行有效的自律规则：生成新版本草稿，施行时取代旧版本 / Amend a rule in force: a new draft version that supersedes it when it enters into force',
  fields: (t) => ({
    id: t.id({ required: true, description: '现行有效版本的全局 ID / Global ID of the version in force' }),
    title: t.string({ description: '新标题（不填沿用） / New title (kept when absent)' }),
    body: t.string({ required: true, description: '修订后的正文 / The amended text' }),
  }),
});

// CommentOnRuleInput { id body }
const CommentOnRuleInput = builder.inputType('CommentOnRuleInput', {
  description: '对征求意见稿提出意见（本协会在册会员） / Comment on a rule in consultation (active members of its association)',
  fields: (t) => ({
    id: t.id({ required: true, description: '自律规则全局 ID / Rule global ID' }),
    body: t.string({ required: true, description: `意见（1–${rules.RULE_LIMITS.comment} 字） / Comment (1–${rules.RULE_LIMITS.comment} characters)` }),
  }),
});

// OpenDisciplinaryCaseInput { organizationId summary }
const OpenDisciplinaryCaseInput = builder.inputType('OpenDisciplinaryCaseInput', {
  description: '立案（本协会工作人员，针对本协会会员） / Open a case against a member of your association',
  fields: (t) => ({
    organizationId: t.id({ required: true, description: '会员机构全局 ID / Global ID of the member' }),
    summary: t.string({ required: true, description: `案情摘要（1–${cases.CASE_LIMITS.summary} 字） / Summary (1–${cases.CASE_LIMITS.summary} characters)` }),
  }),
});

// DisciplinaryCaseIdInput { id }
const DisciplinaryCaseIdInput = builder.inputType('DisciplinaryCaseIdInput', {
  description: '纪律案件 / A disciplinary case',
  fields: (t) => ({ id: t.id({ required: true, description: '纪律案件全局 ID / Case global ID' }) }),
});

// DisciplinaryStatementInput { id statement }
const DisciplinaryStatementInput = builder.inputType('DisciplinaryStatementInput', {
  description: '会员的陈述申辩（听证阶段） / The member\'s statement, during the hearing',
  fields: (t) => ({
    id: t.id({ required: true, description: '纪律案件全局 ID / Case global ID' }),
    statement: t.string({ required: true, description: `陈述申辩（1–${cases.CASE_LIMITS.statement} 字） / Statement (1–${cases.CASE_LIMITS.statement} characters)` }),
  }),
});

const DisciplinaryMeasureInput = builder.inputType('DisciplinaryMeasureInput', {
  description: '一项措施 / One measure',
  fields: (t) => ({
    type: t.field({ type: DisciplinaryMeasureTypeEnum, required: true, description: '措施类型 / Type' }),
    note: t.string({ description: `说明（至多 ${cases.CASE_LIMITS.note} 字） / Note (at most ${cases.CASE_LIMITS.note} characters)` }),
    endsOn: t.field({ type: 'Date', description: '最后有效日（不早于今天） / Last day in force (not in the past)' }),
  }),
});

// DecideDisciplinaryCaseInput { id measures: [{ type note endsOn }] decisionNumber }
const DecideDisciplinaryCaseInput = builder.inputType('DecideDisciplinaryCaseInput', {
  description: '作出处理决定（立案人以外的本协会工作人员） / Decide a case (a staff member other than the one who opened it)',
  fields: (t) => ({
    id: t.id({ required: true, description: '纪律案件全局 ID / Case global ID' }),
    measures: t.field({
      type: [DisciplinaryMeasureInput],
      required: true,
      description: `措施（1–${cases.CASE_LIMITS.measures} 项，至多一项纪律处分） / Measures (1–${cases.CASE_LIMITS.measures}, at most one 纪律处分)`,
    }),
    decisionNumber: t.string({ description: '决定书文号（不填则按本协会年度顺序编号） / Decision number (the association\'s next of the year when absent)' }),
    aggravatingFactors: t.field({
      type: [DisciplinaryAggravatingFactorEnum],
      description: '从重情节（12 个月内再次违规自动标记） / Aggravating factors (a repeat within 12 months is flagged automatically)',
    }),
  }),
});

const SelfRegulatoryRulePayload = builder
  .objectRef<{ selfRegulatoryRule: rules.SelfRegulatoryRule | null; userErrors: never[] }>('SelfRegulatoryRulePayload')
  .implement({
    description: '自律规则变更结果 / Result of a rule change',
    fields: (t) => ({
      selfRegulatoryRule: t.field({ type: SelfRegulatoryRuleRef, nullable: true, description: '变更后的规则 / The rule', resolve: (p) => p.selfRegulatoryRule }),
      userErrors: userErrorsField(t),
    }),
  });

const DisciplinaryCasePayload = builder
  .objectRef<{ disciplinaryCase: DisciplinaryCaseRow | null; userErrors: never[] }>('DisciplinaryCasePayload')
  .implement({
    description: '纪律案件变更结果 / Result of a case move',
    fields: (t) => ({
      disciplinaryCase: t.field({ type: DisciplinaryCaseRef, nullable: true, description: '变更后的案件 / The case', resolve: (p) => p.disciplinaryCase }),
      userErrors: userErrorsField(t),
    }),
  });

const ruleId = (id: string | number) => parseGlobalIdOf(String(id), 'SelfRegulatoryRule');
const caseId = (id: string | number) => parseGlobalIdOf(String(id), 'DisciplinaryCase');
const rulePayload = (ctx: Context, run: () => Promise<rules.SelfRegulatoryRule>) =>
  mutationPayload(ctx, run, (selfRegulatoryRule) => ({ selfRegulatoryRule }), { selfRegulatoryRule: null }) as never;
const casePayload = (ctx: Context, run: () => Promise<DisciplinaryCaseRow>) =>
  mutationPayload(ctx, run, (disciplinaryCase) => ({ disciplinaryCase }), { disciplinaryCase: null }) as never;

builder.mutationFields((t) => ({
  draftSelfRegulatoryRule: t.field({
    type: SelfRegulatoryRulePayload,
    authScopes: { association: true },
    description: '起草自律规则（协会工作人员） / Draft a self-regulatory rule (association staff)',
    args: { input: t.arg({ type: DraftSelfRegulatoryRuleInput, required: true, description: '规则内容 / The rule' }) },
    resolve: (_root, { input }, ctx) => rulePayload(ctx, () => rules.draftRule(ctx.db, ctx.viewer, input)),
  }),
  advanceSelfRegulatoryRule: t.field({
    type: SelfRegulatoryRulePayload,
    authScopes: { association: true },
    description: '推进自律规则状态（协会工作人员） / Move a rule to its next status (association staff)',
    args: { input: t.arg({ type: AdvanceSelfRegulatoryRuleInput, required: true, description: '目标状态 / The move' }) },
    resolve: (_root, { input }, ctx) =>
      rulePayload(ctx, () =>
        rules.advanceRule(ctx.db, ctx.viewer, {
          id: ruleId(input.id),
          to: input.to as SelfRegulatoryRuleStatus,
          documentNumber: input.documentNumber,
          effectiveOn: input.effectiveOn,
        }),
      ),
  }),
  amendSelfRegulatoryRule: t.field({
    type: SelfRegulatoryRulePayload,
    authScopes: { association: true },
    description: '修订自律规则：新版本草稿（协会工作人员） / Amend a rule in force as a new draft version (association staff)',
    args: { input: t.arg({ type: AmendSelfRegulatoryRuleInput, required: true, description: '修订内容 / The amendment' }) },
    resolve: (_root, { input }, ctx) => rulePayload(ctx, () => rules.amendRule(ctx.db, ctx.viewer, { id: ruleId(input.id), title: input.title, body: input.body })),
  }),
  commentOnSelfRegulatoryRule: t.field({
    type: SelfRegulatoryRulePayload,
    authScopes: { member: true },
    description: '对征求意见稿提出意见（本协会在册会员） / Comment on a rule in consultation (active members of its association)',
    args: { input: t.arg({ type: CommentOnRuleInput, required: true, description: '意见 / The comment' }) },
    resolve: (_root, { input }, ctx) => rulePayload(ctx, () => rules.commentOnRule(ctx.db, ctx.viewer, { id: ruleId(input.id), body: input.body })),
  }),
  openDisciplinaryCase: t.field({
    type: DisciplinaryCasePayload,
    authScopes: { association: true },
    description: '立案（协会工作人员） / Open a disciplinary case (association staff)',
    args: { input: t.arg({ type: OpenDisciplinaryCaseInput, required: true, description: '立案内容 / The case' }) },
    resolve: (_root, { input }, ctx) =>
      casePayload(ctx, () => cases.openCase(ctx.db, ctx.viewer, { organizationId: parseGlobalIdOf(String(input.organizationId), 'Organization'), summary: input.summary })),
  }),
  startDisciplinaryHearing: t.field({
    type: DisciplinaryCasePayload,
    authScopes: { association: true },
    description: '进入听证阶段（事先告知；协会工作人员） / Start the hearing (association staff)',
    args: { input: t.arg({ type: DisciplinaryCaseIdInput, required: true, description: '案件 / The case' }) },
    resolve: (_root, { input }, ctx) => casePayload(ctx, () => cases.startHearing(ctx.db, ctx.viewer, caseId(input.id))),
  }),
  submitDisciplinaryStatement: t.field({
    type: DisciplinaryCasePayload,
    authScopes: { member: true },
    description: '提交陈述申辩（该会员，听证阶段） / Submit the member\'s statement (the member, during the hearing)',
    args: { input: t.arg({ type: DisciplinaryStatementInput, required: true, description: '陈述申辩 / The statement' }) },
    resolve: (_root, { input }, ctx) => casePayload(ctx, () => cases.submitStatement(ctx.db, ctx.viewer, { id: caseId(input.id), statement: input.statement })),
  }),
  decideDisciplinaryCase: t.field({
    type: DisciplinaryCasePayload,
    authScopes: { association: true },
    description: '作出处理决定（立案人以外的协会工作人员） / Decide the case (a staff member other than the opener)',
    args: { input: t.arg({ type: DecideDisciplinaryCaseInput, required: true, description: '处理决定 / The decision' }) },
    resolve: (_root, { input }, ctx) =>
      casePayload(ctx, () =>
        cases.decideCase(ctx.db, ctx.viewer, {
          id: caseId(input.id),
          measures: input.measures.map((m) => ({ type: m.type as DisciplinaryMeasureType, note: m.note, endsOn: m.endsOn })),
          decisionNumber: input.decisionNumber,
          aggravatingFactors: (input.aggravatingFactors ?? null) as AggravatingFactor[] | null,
        }),
      ),
  }),
  requestDisciplinaryReview: t.field({
    type: DisciplinaryCasePayload,
    authScopes: { member: true },
    description: `申请复核（该会员，决定后 ${cases.REVIEW_WINDOW_WORKING_DAYS} 个工作日内，仅一次） / Request a review (the member, once, within ${cases.REVIEW_WINDOW_WORKING_DAYS} working days of the decision)`,
    args: { input: t.arg({ type: DisciplinaryCaseIdInput, required: true, description: '案件 / The case' }) },
    resolve: (_root, { input }, ctx) => casePayload(ctx, () => cases.requestReview(ctx.db, ctx.viewer, caseId(input.id))),
  }),
  finalizeDisciplinaryCase: t.field({
    type: DisciplinaryCasePayload,
    authScopes: { association: true },
    description: '终结案件并公开纪律处分（协会工作人员；复核后须由立案人和决定人以外的人办理） / Finalize the case and publish a 纪律处分 (association staff; after a review, someone other than the opener and the decider)',
    args: { input: t.arg({ type: DisciplinaryCaseIdInput, required: true, description: '案件 / The case' }) },
    resolve: (_root, { input }, ctx) => casePayload(ctx, () => cases.finalizeCase(ctx.db, ctx.viewer, caseId(input.id))),
  }),
}));
