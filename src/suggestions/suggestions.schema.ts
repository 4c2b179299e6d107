// GraphQL shape of the dual-zone suggestions: campaigns, suggestions and their history, the submit /
// review / forward / response mutations, Organization.suggestions and reports.suggestionSummary.
import { AssociationCodeEnum } from '../associations/association-code.schema.js';
import { maySeeForwardingNote, maySeeSuggestion } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { OrganizationKindEnum, OrganizationRef } from '../members/members.schema.js';
import { todayInShanghai } from '../time.js';
import * as suggestions from './suggestions.service.js';
import type { SuggestionCampaignRow, SuggestionEventRow, SuggestionForwardBatchRow, SuggestionRow } from './suggestions.table.js';

export const SuggestionTopicEnum = builder.enumType('SuggestionTopic', {
  description: '“双区”建议议题 / Topic of a dual-zone suggestion',
  values: {
    GBA_CROSS_BORDER: { description: '大湾区跨境金融 / GBA cross-border finance' },
    PILOT_ZONE_REFORM: { description: '先行示范区综合改革 / Pilot demonstration zone comprehensive reform' },
    QIANHAI: { description: '前海合作区 / Qianhai cooperation zone' },
    HETAO: { description: '河套深港科技创新合作区 / Hetao Shenzhen–Hong Kong science and technology zone' },
    CAPITAL_MARKET_REFORM: { description: '资本市场改革、注册制 / Capital-market reform, registration system' },
    FINTECH: { description: '金融科技 / Fintech' },
    TALENT: { description: '金融人才 / Financial talent' },
    TAX_POLICY: { description: '财税政策 / Fiscal and tax policy' },
    REGULATORY_POLICY: { description: '监管政策 / Regulatory policy' },
    OTHER: { description: '其他 / Other' },
  } as const,
});

export const SuggestionStatusEnum = builder.enumType('SuggestionStatus', {
  description:
    '建议状态：SUBMITTED → UNDER_REVIEW → ACCEPTED | REJECTED，ACCEPTED → FORWARDED → RESPONDED，SUBMITTED → WITHDRAWN / Suggestion status and its allowed moves',
  values: {
    SUBMITTED: { description: '已提交 / Submitted' },
    UNDER_REVIEW: { description: '协会审核中 / Under review by the association' },
    ACCEPTED: { description: '审核通过，待报送 / Accepted, to be forwarded' },
    REJECTED: { description: '未采纳（含重复建议） / Rejected (including duplicates)' },
    FORWARDED: { description: '已报送政府部门 / Forwarded to a government body' },
    RESPONDED: { description: '已收到反馈 / The government body has responded' },
    WITHDRAWN: { description: '提交单位已撤回 / Withdrawn by the submitter' },
  } as const,
});

export const GovernmentRecipientEnum = builder.enumType('GovernmentRecipient', {
  description: '建议报送对象 / Government body a batch of suggestions is forwarded to',
  values: {
    CSRC_SZ_BUREAU: { description: '中国证监会深圳监管局 / CSRC Shenzhen Bureau' },
    SAC: { description: '中国证券业协会 / Securities Association of China' },
    SZ_FINANCIAL_REGULATOR: { description: '深圳市地方金融管理局 / Shenzhen Local Financial Regulatory Bureau' },
    SZSE: { description: '深圳证券交易所 / Shenzhen Stock Exchange' },
    OTHER: { description: '其他部门 / Another body' },
  } as const,
});

export const ResponseOutcomeEnum = builder.enumType('ResponseOutcome', {
  description: '政府部门反馈结果 / Outcome of the government body\'s response',
  values: {
    ADOPTED: { description: '采纳 / Adopted' },
    PARTIALLY_ADOPTED: { description: '部分采纳 / Partially adopted' },
    NOT_ADOPTED: { description: '未采纳 / Not adopted' },
    NO_FEEDBACK: { description: '无具体反馈 / No substantive feedback' },
  } as const,
});

const ReviewDecisionEnum = builder.enumType('ReviewDecision', {
  description: '审核决定 / Review decision',
  values: {
    ACCEPT: { description: '通过，待报送 / Accept, to be forwarded' },
    REJECT: { description: '不予采纳 / Reject' },
  } as const,
});

const SuggestionEventRef = builder.objectRef<SuggestionEventRow>('SuggestionEvent').implement({
  description: '建议的一次状态变化 / One status move of a suggestion',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: '时间 / When' }),
    fromStatus: t.expose('fromStatus', { type: SuggestionStatusEnum, nullable: true, description: '原状态（提交时为 null） / Status before (null on submission)' }),
    toStatus: t.expose('toStatus', { type: SuggestionStatusEnum, description: '新状态 / Status after' }),
    note: t.exposeString('note', { nullable: true, description: '说明 / Note' }),
  }),
});

export const SuggestionForwardingRef = builder.objectRef<SuggestionForwardBatchRow>('SuggestionForwarding').implement({
  description: '报送批次：一次报送给一个对象的一批建议，有自己的文号 / A batch: suggestions forwarded to one recipient under one reference number',
  fields: (t) => ({
    id: t.globalID({ description: '全局 ID / Global ID', resolve: (b) => ({ type: 'SuggestionForwarding', id: b.id }) }),
    referenceNumber: t.exposeString('referenceNumber', { description: '报送文号，如 深证协〔2026〕12号、深上协〔2026〕3号 / Reference number, e.g. 深证协〔2026〕12号, 深上协〔2026〕3号' }),
    recipient: t.expose('recipient', { type: GovernmentRecipientEnum, description: '报送对象 / Recipient' }),
    forwardedAt: t.expose('forwardedAt', { type: 'DateTime', description: '报送时间 / When it was forwarded' }),
    note: t.string({
      nullable: true,
      description: '报送说明（仅协会与证监局可见） / Forwarding note (association and regulator only)',
      resolve: (b, _args, ctx) => (maySeeForwardingNote(ctx.viewer) ? b.note : null),
    }),
  }),
});

export const SuggestionCampaignRef = builder.loadableNode('SuggestionCampaign', {
  description: '建议征集通知（某一协会发布，面向其指定类型的会员） / A call for suggestions issued by one association to given kinds of its members',
  id: { resolve: (c: SuggestionCampaignRow) => c.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => suggestions.loadCampaignsByIds(ctx.db, ctx.viewer, ids),
  sort: (c) => c.id,
  fields: (t) => ({
    title: t.exposeString('title', { description: '标题 / Title' }),
    description: t.exposeString('description', { nullable: true, description: '说明 / Description' }),
    documentNumber: t.exposeString('documentNumber', { description: '通知文号 / Document number of the notice' }),
    topics: t.field({ type: [SuggestionTopicEnum], description: '征集议题 / Topics collected', resolve: (c) => c.topics }),
    invitedKinds: t.field({ type: [OrganizationKindEnum], description: '征集对象的机构类型 / Kinds of organization invited', resolve: (c) => c.invitedKinds }),
    issuedOn: t.expose('issuedOn', { type: 'Date', description: '发布日期 / Issued on' }),
    deadline: t.expose('deadline', { type: 'Date', description: '截止日期（含当日，北京时间） / Last day for submissions (inclusive, Asia/Shanghai)' }),
    isOpen: t.boolean({ description: '今天是否接受提交 / Whether it accepts submissions today', resolve: (c) => suggestions.isCampaignOpen(c) }),
  }),
});

const eventsBySuggestion = groupedLoader(
  (ctx, ids: readonly number[]) => suggestions.loadEventsBySuggestionIds(ctx.db, ids),
  (e) => e.suggestionId,
);

export const SuggestionRef = builder.loadableNode('Suggestion', {
  description: '“双区”建议：会员机构或上市公司向其所属协会提交，该协会审核并报送政府部门 / A dual-zone suggestion, submitted by a firm or listed company to an association it is a member of, which reviews and forwards it',
  id: { resolve: (s: SuggestionRow) => s.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => suggestions.loadSuggestionsByIds(ctx.db, ctx.viewer, ids),
  sort: (s) => s.id,
  fields: (t) => ({
    topic: t.expose('topic', { type: SuggestionTopicEnum, description: '议题 / Topic' }),
    title: t.exposeString('title', { description: '标题 / Title' }),
    body: t.exposeString('body', { description: '正文 / Body' }),
    status: t.expose('status', { type: SuggestionStatusEnum, description: '状态 / Status' }),
    organization: t.field({ type: OrganizationRef, description: '提交单位 / The submitting organization', resolve: (s) => s.organizationId }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime', nullable: true, description: '提交时间 / When it was submitted' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: '最后变化时间 / When it last changed' }),
    events: t.field({
      type: [SuggestionEventRef],
      description: '状态变化记录（按时间先后） / Status history, oldest first',
      resolve: (s, _args, ctx) => eventsBySuggestion(ctx).load(s.id),
    }),
    campaign: t.field({
      type: SuggestionCampaignRef,
      nullable: true,
      description: '所响应的征集通知 / The campaign it answers, if any',
      resolve: (s) => s.campaignId,
    }),
    reviewNote: t.exposeString('reviewNote', { nullable: true, description: '审核意见 / Review note' }),
    forwarding: t.field({
      type: SuggestionForwardingRef,
      nullable: true,
      description: '报送批次（报送后） / The forwarding batch, once forwarded',
      resolve: async (s, _args, ctx) => (s.forwardBatchId === null ? null : ((await forwardBatches(ctx).load(s.forwardBatchId))[0] ?? null)),
    }),
    response: t.exposeString('response', { nullable: true, description: '政府部门反馈内容 / The government body\'s response' }),
    responseOutcome: t.expose('responseOutcome', { type: ResponseOutcomeEnum, nullable: true, description: '反馈结果 / Outcome of the response' }),
    respondedAt: t.expose('respondedAt', { type: 'DateTime', nullable: true, description: '反馈记录时间 / When the response was recorded' }),
  }),
});

// One row per batch id (groupedLoader yields a list of one); batches are only reached through a visible suggestion.
const forwardBatches = groupedLoader(
  (ctx, ids: readonly number[]) => suggestions.loadForwardBatchesByIds(ctx.db, ids),
  (b) => b.id,
);

builder.objectField(SuggestionRef, 'duplicateOf', (t) =>
  t.field({
    type: SuggestionRef,
    nullable: true,
    description: '所重复的更早建议（无权查看时为 null） / The earlier suggestion it duplicates (null when not visible to you)',
    resolve: (s) => s.duplicateOfId,
  }),
);

registerNodeType('Suggestion', (ctx, id) => SuggestionRef.getDataloader(ctx).load(id));
registerNodeType('SuggestionCampaign', (ctx, id) => SuggestionCampaignRef.getDataloader(ctx).load(id));

const SuggestionConnection = defineConnection(SuggestionRef, 'SuggestionConnection', '建议', 'Suggestions');
const SuggestionCampaignConnection = defineConnection(SuggestionCampaignRef, 'SuggestionCampaignConnection', '建议征集通知', 'Suggestion campaigns');

const SuggestionFilterInput = builder.inputType('SuggestionFilter', {
  description: '建议筛选条件 / Filter for suggestions',
  fields: (t) => ({
    status: t.field({ type: SuggestionStatusEnum, description: '状态 / Status' }),
    topic: t.field({ type: SuggestionTopicEnum, description: '议题 / Topic' }),
    campaignId: t.id({ description: '征集通知全局 ID / Campaign global ID' }),
  }),
});

const SuggestionCampaignFilterInput = builder.inputType('SuggestionCampaignFilter', {
  description: '征集通知筛选条件 / Filter for campaigns',
  fields: (t) => ({
    openOnly: t.boolean({ description: '只看今天接受提交的 / Only campaigns accepting submissions today' }),
  }),
});

function serviceFilter(filter: { status?: string | null; topic?: string | null; campaignId?: string | number | null } | null | undefined): suggestions.SuggestionFilter {
  return {
    status: (filter?.status ?? null) as suggestions.SuggestionFilter['status'],
    topic: (filter?.topic ?? null) as suggestions.SuggestionFilter['topic'],
    campaignId: filter?.campaignId == null ? undefined : parseGlobalIdOf(String(filter.campaignId), 'SuggestionCampaign'),
  };
}

builder.queryFields((t) => ({
  suggestions: t.field({
    type: SuggestionConnection,
    description:
      '建议（按 ID 稳定排序）：会员机构和上市公司只看到本机构的，协会工作人员看到提交给本协会的，证监局看到全部，匿名访客看不到 / Suggestions in a stable order: your own organization\'s for firms and listed companies, those submitted to their association for an association\'s staff, all for the regulator, none for anonymous viewers',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: SuggestionFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = serviceFilter(args.filter);
      const rows = await suggestions.listSuggestions(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (s) => s.id, () => suggestions.countSuggestions(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  suggestionCampaigns: t.field({
    type: SuggestionCampaignConnection,
    description:
      '建议征集通知：会员机构和上市公司看到本机构在册会员的协会已发布且面向本机构类型的，协会工作人员看到本协会的，证监局看到全部 / Campaigns: for firms and listed companies the issued ones addressed to their kind by associations they are active members of, their association\'s for an association\'s staff, all for the regulator',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: SuggestionCampaignFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { openOnly: args.filter?.openOnly ?? false };
      const today = todayInShanghai();
      const rows = await suggestions.listCampaigns(ctx.db, ctx.viewer, filter, page, today);
      return toConnection(rows, page, (c) => c.id, () => suggestions.countCampaigns(ctx.db, ctx.viewer, filter, today)) as never;
    },
  }),
}));

builder.objectField(OrganizationRef, 'suggestions', (t) =>
  t.loadable({
    type: SuggestionConnection,
    description: '该机构提交的建议（本机构看到全部，协会工作人员看到提交给本协会的，证监局看到全部，其他人得到空列表） / Suggestions this organization submitted (all for the organization itself and the regulator, those submitted to their association for an association\'s staff; empty for others)',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: SuggestionFilterInput, description: '筛选条件 / Filter' }),
    },
    byPath: true,
    loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
    load: async (orgIds: number[], ctx, args) => {
      const page = pageRequest(args);
      const filter = serviceFilter(args.filter);
      const rows = await suggestions.listSuggestionsOfOrganizations(ctx.db, ctx.viewer, orgIds, filter, page);
      let counts: Promise<Map<number, number>> | undefined;
      const countFor = (orgId: number) => async () => {
        counts ??= suggestions.countSuggestionsOfOrganizations(ctx.db, ctx.viewer, orgIds, filter);
        return (await counts).get(orgId) ?? 0;
      };
      return orgIds.map((orgId) =>
        toConnection(
          rows.filter((r) => r.organizationId === orgId),
          page,
          (r) => r.id,
          countFor(orgId),
        ),
      ) as never;
    },
    resolve: (o) => o.id,
  }),
);

// ---------------------------------------------------------------- mutations

const SubmitSuggestionInput = builder.inputType('SubmitSuggestionInput', {
  description: '提交建议；建议属于当前访问者所在机构 / A suggestion to submit; it belongs to the viewer\'s own organization',
  fields: (t) => ({
    topic: t.field({ type: SuggestionTopicEnum, required: true, description: '议题 / Topic' }),
    title: t.string({ required: true, description: `标题（去除首尾空白后 1–${suggestions.MAX_TITLE_LENGTH} 字） / Title (1–${suggestions.MAX_TITLE_LENGTH} characters after trimming)` }),
    body: t.string({ required: true, description: `正文（去除首尾空白后 1–${suggestions.MAX_BODY_LENGTH} 字） / Body (1–${suggestions.MAX_BODY_LENGTH} characters after trimming)` }),
    idempotencyKey: t.string({
      description: `幂等键（本机构范围内，至少保留 24 小时；1–${suggestions.MAX_IDEMPOTENCY_KEY_LENGTH} 个可打印 ASCII 字符）：相同键和相同内容返回首次提交的建议 / Idempotency key, scoped to your organization and kept at least 24 hours: the same key with the same input returns the first suggestion`,
    }),
    campaignId: t.id({ description: '响应的征集通知全局 ID（须在截止日期前） / Global ID of the campaign answered (before its deadline)' }),
    association: t.field({
      type: AssociationCodeEnum,
      description:
        '提交给哪个协会（须为本机构在册会员的协会，否则 NOT_A_MEMBER；响应征集通知时须为发布该通知的协会）。不填：响应征集通知时为发布协会，否则为本机构的首个协会（证券期货基金机构为深证协，上市公司为深上协） / The association it is submitted to: one your organization is an active member of (else NOT_A_MEMBER); when answering a campaign, the campaign\'s. Absent: the campaign\'s association when answering one, otherwise your organization\'s first association (SZSA for securities, futures and fund firms, SZLCA for listed companies)',
    }),
  }),
});

const SuggestionIdInput = builder.inputType('SuggestionIdInput', {
  description: '指定一条建议 / One suggestion',
  fields: (t) => ({ id: t.id({ required: true, description: '建议全局 ID / Suggestion global ID' }) }),
});

const StartSuggestionReviewInput = builder.inputType('StartSuggestionReviewInput', {
  description: '开始审核一条已提交的建议 / Take a submitted suggestion into review',
  fields: (t) => ({
    id: t.id({ required: true, description: '建议全局 ID / Suggestion global ID' }),
    note: t.string({ description: '说明 / Note' }),
  }),
});

const ReviewSuggestionInput = builder.inputType('ReviewSuggestionInput', {
  description: '审核决定（已提交或审核中的建议） / Decide on a submitted or under-review suggestion',
  fields: (t) => ({
    id: t.id({ required: true, description: '建议全局 ID / Suggestion global ID' }),
    decision: t.field({ type: ReviewDecisionEnum, required: true, description: '决定 / Decision' }),
    note: t.string({ description: `审核意见（最多 ${suggestions.MAX_NOTE_LENGTH} 字） / Review note (at most ${suggestions.MAX_NOTE_LENGTH} characters)` }),
  }),
});

const MarkSuggestionDuplicateInput = builder.inputType('MarkSuggestionDuplicateInput', {
  description: '标记为更早建议的重复（该建议随之不予采纳） / Mark a suggestion as a duplicate of an earlier one (it is then rejected)',
  fields: (t) => ({
    id: t.id({ required: true, description: '重复建议的全局 ID / Global ID of the duplicate' }),
    duplicateOfId: t.id({ required: true, description: '更早的原建议的全局 ID / Global ID of the earlier original' }),
    note: t.string({ description: '说明 / Note' }),
  }),
});

const ForwardSuggestionsInput = builder.inputType('ForwardSuggestionsInput', {
  description: `将已采纳的建议成批报送政府部门（每批最多 ${suggestions.MAX_FORWARD_BATCH} 条） / Forward accepted suggestions to a government body as one batch (at most ${suggestions.MAX_FORWARD_BATCH})`,
  fields: (t) => ({
    ids: t.idList({ required: true, description: '建议全局 ID 列表 / Suggestion global IDs' }),
    recipient: t.field({
      type: GovernmentRecipientEnum,
      description: '报送对象（合同中的枚举值，对应本协会该值的报送对象）；与 recipientIds 二选一 / Recipient (the contract\'s value, mapped to your association\'s recipient for it); give this or recipientIds',
    }),
    recipientIds: t.idList({
      description: `报送对象全局 ID 列表（本协会在用的，最多 ${suggestions.MAX_RECIPIENTS_PER_FORWARD} 个），每个对象各成一批、各有文号；与 recipient 二选一 / Recipient global IDs (your association's, in use; at most ${suggestions.MAX_RECIPIENTS_PER_FORWARD}), one batch with its own reference number each; give this or recipient`,
    }),
    note: t.string({ description: '报送说明 / Note' }),
  }),
});

const RecordSuggestionResponseInput = builder.inputType('RecordSuggestionResponseInput', {
  description: '记录政府部门对已报送建议的反馈 / Record the government body\'s answer to a forwarded suggestion',
  fields: (t) => ({
    id: t.id({ required: true, description: '建议全局 ID / Suggestion global ID' }),
    response: t.string({ required: true, description: `反馈内容（1–${suggestions.MAX_RESPONSE_LENGTH} 字） / The response (1–${suggestions.MAX_RESPONSE_LENGTH} characters)` }),
    outcome: t.field({ type: ResponseOutcomeEnum, required: true, description: '反馈结果 / Outcome' }),
  }),
});

const CreateSuggestionCampaignInput = builder.inputType('CreateSuggestionCampaignInput', {
  description: '发布建议征集通知 / Issue a call for suggestions',
  fields: (t) => ({
    title: t.string({ required: true, description: '标题 / Title' }),
    description: t.string({ description: '说明 / Description' }),
    documentNumber: t.string({ required: true, description: '通知文号，如 深证协函〔2026〕8号 / Document number, e.g. 深证协函〔2026〕8号' }),
    topics: t.field({ type: [SuggestionTopicEnum], required: true, description: '征集议题 / Topics collected' }),
    invitedKinds: t.field({ type: [OrganizationKindEnum], required: true, description: '征集对象的机构类型 / Kinds of organization invited' }),
    issuedOn: t.field({ type: 'Date', description: '发布日期，默认今天 / Issued on, today by default' }),
    deadline: t.field({ type: 'Date', required: true, description: '截止日期（含当日） / Last day for submissions (inclusive)' }),
  }),
});

type SuggestionPayloadShape = { suggestion: SuggestionRow | null; userErrors: never[] };

/** A payload never shows a suggestion the viewer may not see: the same policy function as every read path. */
const visibleToViewer = (ctx: Context, row: SuggestionRow | null) => (row && maySeeSuggestion(ctx.viewer, row) ? row : null);

const SuggestionPayload = builder.objectRef<SuggestionPayloadShape>('SuggestionPayload').implement({
  description: '建议变更结果 / Result of a suggestion change',
  fields: (t) => ({
    suggestion: t.field({
      type: SuggestionRef,
      nullable: true,
      description: '变更后的建议 / The suggestion',
      resolve: (p, _args, ctx) => visibleToViewer(ctx, p.suggestion),
    }),
    userErrors: userErrorsField(t),
  }),
});

export type ForwardSuggestionsPayloadShape = {
  suggestions: SuggestionRow[] | null;
  referenceNumber: string | null;
  batches: SuggestionForwardBatchRow[] | null;
  userErrors: never[];
};

export const ForwardSuggestionsPayload = builder
  .objectRef<ForwardSuggestionsPayloadShape>('ForwardSuggestionsPayload')
  .implement({
    description: '报送结果 / Result of forwarding a batch',
    fields: (t) => ({
      suggestions: t.field({
        type: [SuggestionRef],
        description: '本批报送的建议 / The suggestions forwarded',
        resolve: (p, _args, ctx) => (p.suggestions ?? []).filter((s) => visibleToViewer(ctx, s)),
      }),
      referenceNumber: t.exposeString('referenceNumber', { nullable: true, description: '报送文号，如 深证协〔2026〕12号、深上协〔2026〕3号 / Reference number, e.g. 深证协〔2026〕12号, 深上协〔2026〕3号' }),
      userErrors: userErrorsField(t),
    }),
  });

const SuggestionCampaignPayload = builder
  .objectRef<{ suggestionCampaign: SuggestionCampaignRow | null; userErrors: never[] }>('SuggestionCampaignPayload')
  .implement({
    description: '征集通知变更结果 / Result of a campaign change',
    fields: (t) => ({
      suggestionCampaign: t.field({
        type: SuggestionCampaignRef,
        nullable: true,
        description: '征集通知 / The campaign',
        resolve: (p) => p.suggestionCampaign,
      }),
      userErrors: userErrorsField(t),
    }),
  });

const suggestionId = (id: string | number) => parseGlobalIdOf(String(id), 'Suggestion');
const suggestionResult = (suggestion: SuggestionRow) => ({ suggestion });
const noSuggestion = { suggestion: null };

builder.mutationFields((t) => ({
  submitSuggestion: t.field({
    type: SuggestionPayload,
    authScopes: { member: true },
    description: '提交建议（会员机构、上市公司；幂等） / Submit a suggestion (firms and listed companies; idempotent)',
    args: { input: t.arg({ type: SubmitSuggestionInput, required: true, description: '建议内容 / The suggestion' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        async () =>
          (
            await suggestions.submitSuggestion(ctx.db, ctx.viewer, {
              topic: input.topic,
              title: input.title,
              body: input.body,
              idempotencyKey: input.idempotencyKey,
              campaignId: input.campaignId == null ? undefined : parseGlobalIdOf(String(input.campaignId), 'SuggestionCampaign'),
              association: input.association ?? null,
            })
          ).suggestion,
        suggestionResult,
        noSuggestion,
      ) as never,
  }),
  withdrawSuggestion: t.field({
    type: SuggestionPayload,
    authScopes: { member: true },
    description: '撤回本机构仍为“已提交”的建议 / Withdraw your own organization\'s suggestion while it is SUBMITTED',
    args: { input: t.arg({ type: SuggestionIdInput, required: true, description: '建议 / The suggestion' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => suggestions.withdrawSuggestion(ctx.db, ctx.viewer, suggestionId(input.id)), suggestionResult, noSuggestion) as never,
  }),
  startSuggestionReview: t.field({
    type: SuggestionPayload,
    authScopes: { association: true },
    description: '开始审核（协会）：SUBMITTED → UNDER_REVIEW / Take a suggestion into review (association)',
    args: { input: t.arg({ type: StartSuggestionReviewInput, required: true, description: '建议 / The suggestion' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => suggestions.startSuggestionReview(ctx.db, ctx.viewer, { id: suggestionId(input.id), note: input.note }),
        suggestionResult,
        noSuggestion,
      ) as never,
  }),
  reviewSuggestion: t.field({
    type: SuggestionPayload,
    authScopes: { association: true },
    description: '审核决定（协会）；对“已提交”的建议先进入审核再作决定，记录两次变化 / Decide on a suggestion (association); on a SUBMITTED one the review starts and ends at once, with two events',
    args: { input: t.arg({ type: ReviewSuggestionInput, required: true, description: '审核决定 / The decision' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => suggestions.reviewSuggestion(ctx.db, ctx.viewer, { id: suggestionId(input.id), decision: input.decision, note: input.note }),
        suggestionResult,
        noSuggestion,
      ) as never,
  }),
  markSuggestionDuplicate: t.field({
    type: SuggestionPayload,
    authScopes: { association: true },
    description: '标记为更早建议的重复并不予采纳（协会） / Mark a suggestion as a duplicate of an earlier one and reject it (association)',
    args: { input: t.arg({ type: MarkSuggestionDuplicateInput, required: true, description: '重复关系 / The duplicate and its original' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          suggestions.markSuggestionDuplicate(ctx.db, ctx.viewer, {
            id: suggestionId(input.id),
            duplicateOfId: suggestionId(input.duplicateOfId),
            note: input.note,
          }),
        suggestionResult,
        noSuggestion,
      ) as never,
  }),
  forwardSuggestions: t.field({
    type: ForwardSuggestionsPayload,
    authScopes: { association: true },
    description: '将本协会已采纳的建议成批报送政府部门，按协会按年连续编号（协会） / Forward your association\'s accepted suggestions as one batch with your association\'s next reference number of the year (association)',
    args: { input: t.arg({ type: ForwardSuggestionsInput, required: true, description: '报送批次 / The batch' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          suggestions.forwardSuggestions(ctx.db, ctx.viewer, {
            ids: input.ids.map(suggestionId),
            recipient: input.recipient ?? null,
            recipientIds: input.recipientIds == null ? null : input.recipientIds.map((id) => parseGlobalIdOf(String(id), 'SuggestionRecipient')),
            note: input.note,
          }),
        (result) => ({ suggestions: result.suggestions, referenceNumber: result.batch.referenceNumber, batches: result.batches }),
        { suggestions: null, referenceNumber: null, batches: null },
      ) as never,
  }),
  recordSuggestionResponse: t.field({
    type: SuggestionPayload,
    authScopes: { association: true },
    description: '记录政府部门的反馈（协会）：FORWARDED → RESPONDED / Record the government body\'s response (association)',
    args: { input: t.arg({ type: RecordSuggestionResponseInput, required: true, description: '反馈 / The response' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => suggestions.recordSuggestionResponse(ctx.db, ctx.viewer, { id: suggestionId(input.id), response: input.response, outcome: input.outcome }),
        suggestionResult,
        noSuggestion,
      ) as never,
  }),
  createSuggestionCampaign: t.field({
    type: SuggestionCampaignPayload,
    authScopes: { association: true },
    description: '发布本协会的建议征集通知（协会） / Issue a call for suggestions of your association (association)',
    args: { input: t.arg({ type: CreateSuggestionCampaignInput, required: true, description: '征集通知 / The campaign' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => suggestions.createCampaign(ctx.db, ctx.viewer, input as never),
        (suggestionCampaign) => ({ suggestionCampaign }),
        { suggestionCampaign: null },
      ) as never,
  }),
}));
