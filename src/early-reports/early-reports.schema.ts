// GraphQL shape of early reports (抓早抓小) and the best-practice library: the types, the triage queue and library
// lists, the member and staff mutations, and Reports.earlyReportCounts.
import { AssociationCodeEnum } from '../associations/association-code.schema.js';
import { AssociationRef } from '../associations/associations.schema.js';
import { maySeeBestPracticeOrganization, maySeeEarlyReport } from '../auth/policy.js';
import { isMember } from '../auth/viewer.js';
import { builder } from '../graphql/builder.js';
import { TrainingProgrammeRef } from '../training/training.schema.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { parseGlobalIdOf } from '../global-id.js';
import { BranchRef, OrganizationRef } from '../members/members.schema.js';
import { AudienceEnum, PolicyInterpretationRef } from '../policies/policies.schema.js';
import * as practices from './best-practices.service.js';
import * as reports from './early-reports.service.js';
import type { EarlyReportEventRow, EarlyReportRow } from './early-reports.table.js';

export const EarlyReportCategoryEnum = builder.enumType('EarlyReportCategory', {
  description: '早报告类别 / Category of an early report',
  values: {
    LITIGATION_OR_FREEZE: { description: '诉讼、查封或冻结 / Litigation, court seizure or asset freeze' },
    SYSTEM_OUTAGE: { description: '停电、通讯中断、系统故障致交易中断 / Power, network or system failure interrupting trading' },
    STAFF_MISCONDUCT: { description: '员工涉嫌违法违规 / Staff suspected of breaking laws or rules' },
    CUSTOMER_DISTURBANCE: { description: '客户闹事、纠纷或上访 / Customers making trouble, disputes or petitions' },
    REGULATORY_ACTION: { description: '监管函、行政通报或处罚 / Supervisory letters, circulars or penalties' },
    REPUTATION_EVENT: { description: '声誉事件、负面舆情 / Reputation event, negative media or online opinion' },
    MARKET_FEEDBACK: { description: '会员需求、变化与市场感觉 / Members\' needs, changes and market feel' },
    OTHER: { description: '其他（员工意外、重大业务差错、政府要求报告的事项等） / Other (staff accidents, major business errors, matters the authorities ask to be reported)' },
  } as const,
});

export const EarlyReportSeverityEnum = builder.enumType('EarlyReportSeverity', {
  description: '严重程度及报告时限 / Severity and its reporting deadline',
  values: {
    MINOR: { description: '轻度：局部、可控，无媒体关注；5 个工作日内报告 / Minor: local and contained; report within 5 working days' },
    MODERATE: { description: '中度：涉及多名客户或有一定媒体关注；3 日内报告 / Moderate: several customers or some media attention; within 3 days' },
    SEVERE: { description: '严重：广泛关注、群体投诉或损失；24 小时内报告，提交即上报证监局 / Severe: wide attention, group complaints or losses; within 24 hours, escalated to the regulator on submission' },
    CRITICAL: { description: '特别严重：重大声誉事件进行中；2 小时内报告，提交即上报证监局 / Critical: a major reputation event under way; within 2 hours, escalated on submission' },
  } as const,
});

export const EarlyReportStatusEnum = builder.enumType('EarlyReportStatus', {
  description:
    '早报告状态：SUBMITTED → ACKNOWLEDGED → ESCALATED → CLOSED；SUBMITTED → ESCALATED；SUBMITTED、ACKNOWLEDGED、ESCALATED → CLOSED / Status of an early report and its allowed moves',
  values: {
    SUBMITTED: { description: '已提交 / Submitted' },
    ACKNOWLEDGED: { description: '协会已接收 / Acknowledged by the association' },
    ESCALATED: { description: '已上报证监局 / Escalated to the regulator' },
    CLOSED: { description: '已办结（结报） / Closed, with the closing report' },
  } as const,
});

export const BestPracticeStatusEnum = builder.enumType('BestPracticeStatus', {
  description: '工作经验状态：SUBMITTED → UNDER_REVIEW → PUBLISHED | REJECTED / Status of a best practice and its moves',
  values: {
    SUBMITTED: { description: '已提交 / Submitted' },
    UNDER_REVIEW: { description: '协会审核中 / Under review by the association' },
    PUBLISHED: { description: '已发布 / Published' },
    REJECTED: { description: '未采用 / Rejected' },
  } as const,
});

const BestPracticeDecisionEnum = builder.enumType('BestPracticeDecision', {
  description: '工作经验审核决定 / Review decision on a best practice',
  values: {
    PUBLISH: { description: '发布（须选择阅读范围） / Publish (with an audience)' },
    REJECT: { description: '不予采用（须填写意见） / Reject (with a note)' },
  } as const,
});

const EarlyReportEventRef = builder.objectRef<EarlyReportEventRow>('EarlyReportEvent').implement({
  description: '早报告的一次状态变化及协会说明 / One status move of an early report, with the association\'s note',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: '时间 / When' }),
    fromStatus: t.expose('fromStatus', { type: EarlyReportStatusEnum, nullable: true, description: '原状态（提交时为 null） / Status before (null on submission)' }),
    toStatus: t.expose('toStatus', { type: EarlyReportStatusEnum, description: '新状态 / Status after' }),
    note: t.exposeString('note', { nullable: true, description: '说明（上报、办结说明） / Note (escalation or closing note)' }),
  }),
});

const eventsByReport = groupedLoader(
  (ctx, ids: readonly number[]) => reports.loadEventsByReportIds(ctx.db, ids),
  (e) => e.reportId,
);

export const EarlyReportRef = builder.loadableNode('EarlyReport', {
  description:
    '早报告（抓早抓小）：会员向所属协会报告的事项；本机构、受理协会的工作人员可见，证监局只见已上报的 / An early report from a member to its association: seen by the organization and that association\'s staff; the regulator sees escalated ones only',
  id: { resolve: (r: EarlyReportRow) => r.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => reports.loadEarlyReportsByIds(ctx.db, ctx.viewer, ids),
  sort: (r) => r.id,
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, description: '报告单位 / The reporting organization', resolve: (r) => r.organizationId }),
    association: t.field({ type: AssociationRef, description: '受理协会 / The association it was filed with', resolve: (r) => r.associationId }),
    branch: t.field({ type: BranchRef, nullable: true, description: '涉及的分支机构 / The branch concerned, if any', resolve: (r) => r.branchId }),
    category: t.expose('category', { type: EarlyReportCategoryEnum, description: '类别 / Category' }),
    severity: t.expose('severity', { type: EarlyReportSeverityEnum, description: '严重程度 / Severity' }),
    title: t.exposeString('title', { description: '标题 / Title' }),
    body: t.exposeString('body', { description: '事项经过（客户姓名须脱敏，如 张**） / What happened (customers as masked names, e.g. 张**)' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: '发生时间 / When it happened' }),
    reportedAt: t.expose('reportedAt', { type: 'DateTime', description: '报告时间 / When it was reported' }),
    dueAt: t.expose('dueAt', {
      type: 'DateTime',
      description: '报告时限（特别严重 2 小时、严重 24 小时、中度 3 日、轻度 5 个工作日） / Reporting deadline (CRITICAL 2 h, SEVERE 24 h, MODERATE 3 days, MINOR 5 working days)',
    }),
    late: t.exposeBoolean('late', { description: '是否逾期报告（报告时间晚于时限） / Whether it was reported after its deadline' }),
    status: t.expose('status', { type: EarlyReportStatusEnum, description: '状态 / Status' }),
    escalatedAt: t.expose('escalatedAt', { type: 'DateTime', nullable: true, description: '上报证监局时间 / When it reached the regulator' }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true, description: '办结时间 / When it was closed' }),
    events: t.field({
      type: [EarlyReportEventRef],
      description: '状态变化及协会说明（按时间先后；与报告同样可见） / Status history with the association\'s notes, oldest first (visible with the report)',
      resolve: (r, _args, ctx) => eventsByReport(ctx).load(r.id),
    }),
  }),
});

registerNodeType('EarlyReport', (ctx, id) => EarlyReportRef.getDataloader(ctx).load(id));

const EarlyReportConnection = defineConnection(EarlyReportRef, 'EarlyReportConnection', '早报告', 'Early reports');

const EarlyReportFilterInput = builder.inputType('EarlyReportFilter', {
  description: '早报告筛选条件 / Filter for early reports',
  fields: (t) => ({
    status: t.field({ type: EarlyReportStatusEnum, description: '状态 / Status' }),
    severity: t.field({ type: EarlyReportSeverityEnum, description: '严重程度 / Severity' }),
    category: t.field({ type: EarlyReportCategoryEnum, description: '类别 / Category' }),
  }),
});

// ---------------------------------------------------------------- best practices

const relatedByPractice = groupedLoader(
  (ctx, ids: readonly number[]) => practices.loadRelatedInterpretations(ctx.db, ctx.viewer, ids),
  (l) => l.bestPracticeId,
);
const programmesByPractice = groupedLoader(
  (ctx, ids: readonly number[]) => practices.loadRelatedProgrammes(ctx.db, ctx.viewer, ids),
  (l) => l.bestPracticeId,
);

export const BestPracticeRef = builder.loadableNode('BestPractice', {
  description:
    '优秀工作经验：会员提交、协会审核后发布给会员或公众；匿名提交的只有受理协会工作人员和证监局看到提交单位 / A best practice: submitted by a member, reviewed and published by its association to members or the public; for an anonymous one only that association\'s staff and the regulator see the organization',
  id: { resolve: (p: practices.BestPractice) => p.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => practices.loadBestPracticesByIds(ctx.db, ctx.viewer, ids),
  sort: (p) => p.id,
  fields: (t) => ({
    title: t.exposeString('title', { description: '标题 / Title' }),
    summary: t.exposeString('summary', { description: '摘要 / Summary' }),
    body: t.exposeString('body', { description: '正文 / Body' }),
    status: t.expose('status', { type: BestPracticeStatusEnum, description: '状态 / Status' }),
    audience: t.expose('audience', { type: AudienceEnum, description: '阅读范围（发布前为拟定值 MEMBERS） / Audience (MEMBERS until published)' }),
    anonymous: t.exposeBoolean('anonymous', { description: '是否匿名提交 / Whether it was submitted anonymously' }),
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: '提交单位；匿名的只对受理协会工作人员和证监局显示，其他人（含提交单位）得到 null / The submitting organization; for an anonymous practice shown only to its association\'s staff and the regulator, null to everyone else (the submitter included)',
      resolve: (p, _args, ctx) => (maySeeBestPracticeOrganization(ctx.viewer, p) ? p.organizationId : null),
    }),
    submittedByYou: t.boolean({
      description: '是否为本机构提交（匿名的也能认出自己的） / Whether your organization submitted it (so you recognize your own anonymous ones)',
      resolve: (p, _args, ctx) => isMember(ctx.viewer) && ctx.viewer.organizationId === p.organizationId,
    }),
    association: t.field({ type: AssociationRef, description: '受理协会 / The association it was filed with', resolve: (p) => p.associationId }),
    reviewNote: t.exposeString('reviewNote', { nullable: true, description: '审核意见 / Review note' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true, description: '发布时间 / When it was published' }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime', description: '提交时间 / When it was submitted' }),
    relatedPolicyInterpretations: t.field({
      type: [PolicyInterpretationRef],
      description: `相关政策解读（最多 ${practices.MAX_RELATED_INTERPRETATIONS} 篇，只列有权阅读的） / Related policy interpretations (at most ${practices.MAX_RELATED_INTERPRETATIONS}; only those you may read)`,
      resolve: async (p, _args, ctx) => (await relatedByPractice(ctx).load(p.id)).map((l) => l.interpretation) as never,
    }),
    relatedTrainingProgrammes: t.field({
      type: [TrainingProgrammeRef],
      description: `相关培训项目（最多 ${practices.MAX_RELATED_PROGRAMMES} 个，只列有权查看的） / Related training programmes (at most ${practices.MAX_RELATED_PROGRAMMES}; only those you may see)`,
      resolve: async (p, _args, ctx) => (await programmesByPractice(ctx).load(p.id)).map((l) => l.programme) as never,
    }),
  }),
});

registerNodeType('BestPractice', (ctx, id) => BestPracticeRef.getDataloader(ctx).load(id));

const BestPracticeConnection = defineConnection(BestPracticeRef, 'BestPracticeConnection', '优秀工作经验', 'Best practices');

// ---------------------------------------------------------------- queries

builder.queryFields((t) => ({
  earlyReports: t.field({
    type: EarlyReportConnection,
    description:
      '早报告处理队列：按严重程度（特别严重在前）再按报告时间（早的在前）排序。会员机构看到本机构的，协会工作人员看到报给本协会的，证监局只看到已上报的（服务账号需 early-reports:read） / The early-report queue, most severe first, then oldest first: your own organization\'s for members, those filed with their association for staff, escalated ones only for the regulator (a service account needs early-reports:read)',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: EarlyReportFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter: reports.EarlyReportFilter = { status: args.filter?.status ?? null, severity: args.filter?.severity ?? null, category: args.filter?.category ?? null };
      const rows = await reports.listEarlyReports(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (r) => r.id, () => reports.countEarlyReports(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  bestPractices: t.field({
    type: BestPracticeConnection,
    description:
      '优秀工作经验库（中文检索）：公开发布的任何人可见，面向会员的对该协会会员、各协会工作人员和证监局可见，未发布的对提交单位、受理协会和证监局可见；无检索词时新的在前，有检索词时按相关度 / The best-practice library with Chinese search: published PUBLIC ones for anyone, MEMBERS ones for that association\'s members, staff and the regulator, unpublished ones for the submitter, its association and the regulator; newest first, or by relevance when searching',
    args: {
      ...connectionArgs(t.arg),
      search: t.arg.string({ description: '检索词（中文或英文，最多 100 字） / Search text (Chinese or English, up to 100 characters)' }),
      status: t.arg({ type: BestPracticeStatusEnum, description: '状态（如协会查看待审核的） / Status (e.g. staff looking for submissions to review)' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { search: args.search ?? null, status: args.status ?? null };
      const rows = await practices.listBestPractices(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (p) => p.id, () => practices.countBestPractices(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
}));

// ---------------------------------------------------------------- mutations

// SubmitEarlyReportInput { category severity title body occurredAt branchId idempotencyKey association? }
const SubmitEarlyReportInput = builder.inputType('SubmitEarlyReportInput', {
  description: '提交早报告；报告属于当前访问者所在机构 / An early report to submit; it belongs to the viewer\'s own organization',
  fields: (t) => ({
    category: t.field({ type: EarlyReportCategoryEnum, required: true, description: '类别 / Category' }),
    severity: t.field({ type: EarlyReportSeverityEnum, required: true, description: '严重程度（严重、特别严重提交即上报证监局） / Severity (SEVERE and CRITICAL reach the regulator on submission)' }),
    title: t.string({ required: true, description: `标题（1–${reports.EARLY_REPORTS_MAX_TITLE} 字） / Title (1–${reports.EARLY_REPORTS_MAX_TITLE} characters)` }),
    body: t.string({ required: true, description: `事项经过（1–${reports.EARLY_REPORTS_MAX_BODY} 字；客户姓名脱敏，不含证件号、账号） / What happened (1–${reports.EARLY_REPORTS_MAX_BODY} characters; customers masked, no ID or account numbers)` }),
    occurredAt: t.field({ type: 'DateTime', required: true, description: '发生时间（不能晚于现在） / When it happened (not in the future)' }),
    branchId: t.id({ description: '涉及的本机构分支机构全局 ID / Global ID of your own branch concerned' }),
    idempotencyKey: t.string({
      description: `幂等键（本机构范围内；1–${reports.MAX_IDEMPOTENCY_KEY_LENGTH} 个可打印 ASCII 字符）：相同键和相同内容返回首次提交的报告 / Idempotency key, scoped to your organization: the same key with the same input returns the first report`,
    }),
    association: t.field({
      type: AssociationCodeEnum,
      description: '报告给哪个协会（须为在册会员的协会，否则 NOT_A_MEMBER）；不填为本机构的首个协会 / The association it is filed with (one you are an active member of, else NOT_A_MEMBER); absent: your first association',
    }),
  }),
});

// EarlyReportIdInput { id }
const EarlyReportIdInput = builder.inputType('EarlyReportIdInput', {
  description: '指定一份早报告 / One early report',
  fields: (t) => ({ id: t.id({ required: true, description: '早报告全局 ID / Early report global ID' }) }),
});

// EscalateEarlyReportInput { id note }
const EscalateEarlyReportInput = builder.inputType('EscalateEarlyReportInput', {
  description: '将早报告上报证监局 / Escalate an early report to the regulator',
  fields: (t) => ({
    id: t.id({ required: true, description: '早报告全局 ID / Early report global ID' }),
    note: t.string({ description: `上报说明（最多 ${reports.MAX_NOTE_LENGTH} 字，报告单位与证监局可见） / Escalation note (at most ${reports.MAX_NOTE_LENGTH} characters; the member and the regulator see it)` }),
  }),
});

// CloseEarlyReportInput { id note }
const CloseEarlyReportInput = builder.inputType('CloseEarlyReportInput', {
  description: '办结早报告 / Close an early report',
  fields: (t) => ({
    id: t.id({ required: true, description: '早报告全局 ID / Early report global ID' }),
    note: t.string({ description: `办结说明（结报：原因、处置、损失、整改、问责；最多 ${reports.MAX_NOTE_LENGTH} 字） / Closing note (cause, handling, loss, rectification, accountability; at most ${reports.MAX_NOTE_LENGTH} characters)` }),
  }),
});

// SubmitBestPracticeInput { title summary body anonymous }
const SubmitBestPracticeInput = builder.inputType('SubmitBestPracticeInput', {
  description: '提交优秀工作经验 / A best practice to submit',
  fields: (t) => ({
    title: t.string({ required: true, description: '标题 / Title' }),
    summary: t.string({ required: true, description: '摘要（最多 500 字） / Summary (at most 500 characters)' }),
    body: t.string({ required: true, description: '正文 / Body' }),
    anonymous: t.boolean({ description: '匿名发布（仅受理协会与证监局可见提交单位） / Publish anonymously (only the association and the regulator see who submitted it)' }),
    association: t.field({ type: AssociationCodeEnum, description: '提交给哪个协会；不填为本机构的首个协会 / The association it is submitted to; absent: your first association' }),
  }),
});

// ReviewBestPracticeInput { id decision: PUBLISH|REJECT audience note }
const ReviewBestPracticeInput = builder.inputType('ReviewBestPracticeInput', {
  description: '审核工作经验（对“已提交”的先进入审核再作决定） / Decide on a best practice (a SUBMITTED one passes through UNDER_REVIEW)',
  fields: (t) => ({
    id: t.id({ required: true, description: '工作经验全局 ID / Best practice global ID' }),
    decision: t.field({ type: BestPracticeDecisionEnum, required: true, description: '决定 / Decision' }),
    audience: t.field({ type: AudienceEnum, description: '发布范围（发布时必填） / Audience (required to publish)' }),
    note: t.string({ description: '审核意见（不予采用时必填） / Review note (required to reject)' }),
    relatedPolicyInterpretationIds: t.idList({ description: `相关政策解读全局 ID（最多 ${practices.MAX_RELATED_INTERPRETATIONS} 篇；不填则不变） / Related policy interpretations (at most ${practices.MAX_RELATED_INTERPRETATIONS}; absent: unchanged)` }),
    relatedTrainingProgrammeIds: t.idList({ description: `相关培训项目全局 ID（最多 ${practices.MAX_RELATED_PROGRAMMES} 个；不填则不变） / Related training programmes (at most ${practices.MAX_RELATED_PROGRAMMES}; absent: unchanged)` }),
  }),
});

const BestPracticeIdInput = builder.inputType('BestPracticeIdInput', {
  description: '指定一条工作经验 / One best practice',
  fields: (t) => ({ id: t.id({ required: true, description: '工作经验全局 ID / Best practice global ID' }) }),
});

/** A payload never shows a report the viewer may not see: the same policy function as every read path. */
const EarlyReportPayload = builder.objectRef<{ earlyReport: EarlyReportRow | null; userErrors: never[] }>('EarlyReportPayload').implement({
  description: '早报告变更结果 / Result of an early-report change',
  fields: (t) => ({
    earlyReport: t.field({
      type: EarlyReportRef,
      nullable: true,
      description: '早报告 / The early report',
      resolve: (p, _args, ctx) => (p.earlyReport && maySeeEarlyReport(ctx.viewer, p.earlyReport) ? p.earlyReport : null),
    }),
    userErrors: userErrorsField(t),
  }),
});

const BestPracticePayload = builder.objectRef<{ bestPractice: practices.BestPractice | null; userErrors: never[] }>('BestPracticePayload').implement({
  description: '工作经验变更结果 / Result of a best-practice change',
  fields: (t) => ({
    bestPractice: t.field({
      type: BestPracticeRef,
      nullable: true,
      description: '工作经验 / The best practice',
      // The submitter sees its own, the reviewer its association's: the actor of these mutations may always read the row.
      resolve: (p) => p.bestPractice,
    }),
    userErrors: userErrorsField(t),
  }),
});

const reportId = (id: string | number) => parseGlobalIdOf(String(id), 'EarlyReport');
const practiceId = (id: string | number) => parseGlobalIdOf(String(id), 'BestPractice');
const reportResult = (earlyReport: EarlyReportRow) => ({ earlyReport });
const noReport = { earlyReport: null };
const practiceResult = (bestPractice: practices.BestPractice) => ({ bestPractice });
const noPractice = { bestPractice: null };

builder.mutationFields((t) => ({
  submitEarlyReport: t.field({
    type: EarlyReportPayload,
    authScopes: { member: true },
    description: '提交早报告（会员机构、上市公司；幂等）；严重、特别严重的提交即上报证监局 / Submit an early report (firms and listed companies; idempotent); SEVERE and CRITICAL reach the regulator at once',
    args: { input: t.arg({ type: SubmitEarlyReportInput, required: true, description: '早报告 / The report' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        async () =>
          (
            await reports.submitEarlyReport(ctx.db, ctx.viewer, {
              category: input.category,
              severity: input.severity,
              title: input.title,
              body: input.body,
              occurredAt: input.occurredAt as Date,
              branchId: input.branchId == null ? undefined : parseGlobalIdOf(String(input.branchId), 'Branch'),
              idempotencyKey: input.idempotencyKey,
              association: input.association ?? null,
            })
          ).earlyReport,
        reportResult,
        noReport,
      ) as never,
  }),
  acknowledgeEarlyReport: t.field({
    type: EarlyReportPayload,
    authScopes: { association: true },
    description: '接收早报告（协会）：SUBMITTED → ACKNOWLEDGED / Acknowledge an early report (association)',
    args: { input: t.arg({ type: EarlyReportIdInput, required: true, description: '早报告 / The report' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => reports.acknowledgeEarlyReport(ctx.db, ctx.viewer, { id: reportId(input.id) }), reportResult, noReport) as never,
  }),
  escalateEarlyReport: t.field({
    type: EarlyReportPayload,
    authScopes: { association: true },
    description: '上报证监局（协会）：SUBMITTED | ACKNOWLEDGED → ESCALATED，发出 EARLY_REPORT_ESCALATED / Escalate to the regulator (association); sends EARLY_REPORT_ESCALATED',
    args: { input: t.arg({ type: EscalateEarlyReportInput, required: true, description: '上报 / The escalation' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => reports.escalateEarlyReport(ctx.db, ctx.viewer, { id: reportId(input.id), note: input.note }), reportResult, noReport) as never,
  }),
  closeEarlyReport: t.field({
    type: EarlyReportPayload,
    authScopes: { association: true },
    description: '办结（协会）：SUBMITTED | ACKNOWLEDGED | ESCALATED → CLOSED / Close an early report (association)',
    args: { input: t.arg({ type: CloseEarlyReportInput, required: true, description: '办结 / The closing' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => reports.closeEarlyReport(ctx.db, ctx.viewer, { id: reportId(input.id), note: input.note }), reportResult, noReport) as never,
  }),
  submitBestPractice: t.field({
    type: BestPracticePayload,
    authScopes: { member: true },
    description: '提交优秀工作经验（会员机构、上市公司，可匿名） / Submit a best practice (firms and listed companies; optionally anonymous)',
    args: { input: t.arg({ type: SubmitBestPracticeInput, required: true, description: '工作经验 / The practice' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          practices.submitBestPractice(ctx.db, ctx.viewer, {
            title: input.title,
            summary: input.summary,
            body: input.body,
            anonymous: input.anonymous ?? false,
            association: input.association ?? null,
          }),
        practiceResult,
        noPractice,
      ) as never,
  }),
  startBestPracticeReview: t.field({
    type: BestPracticePayload,
    authScopes: { association: true },
    description: '开始审核工作经验（协会）：SUBMITTED → UNDER_REVIEW / Take a best practice into review (association)',
    args: { input: t.arg({ type: BestPracticeIdInput, required: true, description: '工作经验 / The practice' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => practices.reviewBestPractice(ctx.db, ctx.viewer, { id: practiceId(input.id) }), practiceResult, noPractice) as never,
  }),
  reviewBestPractice: t.field({
    type: BestPracticePayload,
    authScopes: { association: true },
    description: '审核工作经验（受理协会）：发布给会员或公众，或不予采用 / Review a best practice (its association): publish to members or the public, or reject',
    args: { input: t.arg({ type: ReviewBestPracticeInput, required: true, description: '审核决定 / The decision' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          practices.reviewBestPractice(ctx.db, ctx.viewer, {
            id: practiceId(input.id),
            decision: input.decision,
            audience: input.audience ?? null,
            note: input.note,
            relatedPolicyInterpretationIds: input.relatedPolicyInterpretationIds?.map((id) => parseGlobalIdOf(String(id), 'PolicyInterpretation')) ?? null,
            relatedTrainingProgrammeIds: input.relatedTrainingProgrammeIds?.map((id) => parseGlobalIdOf(String(id), 'TrainingProgramme')) ?? null,
          }),
        practiceResult,
        noPractice,
      ) as never,
  }),
}));
