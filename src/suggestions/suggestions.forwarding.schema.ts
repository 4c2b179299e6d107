// GraphQL shape of forwarding to several recipients: the recipients each association keeps (SuggestionRecipient, the
// suggestionRecipients query and the staff's mutations), each suggestion's forwardings with their own responses
// (Suggestion.forwardings, recordForwardingResponse), and the batch's recipient and printable letter.
import { AssociationRef } from '../associations/associations.schema.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import {
  ForwardSuggestionsPayload,
  GovernmentRecipientEnum,
  ResponseOutcomeEnum,
  SuggestionForwardingRef,
  SuggestionRef,
} from './suggestions.schema.js';
import { forwardingLetterPath } from './suggestions.letter.js';
import * as suggestions from './suggestions.service.js';
import type { SuggestionForwardBatchRow, SuggestionForwardingRow, SuggestionRecipientRow } from './suggestions.table.js';


export const SuggestionRecipientRef = builder.loadableNode('SuggestionRecipient', {
  description:
    '建议报送对象：各协会维护的政府部门、监管机构和自律组织（名称随机构更名保持现行） / A body an association forwards suggestions to, kept current by that association',
  id: { resolve: (r: SuggestionRecipientRow) => r.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => suggestions.loadRecipientsByIds(ctx.db, ctx.viewer, ids),
  sort: (r) => r.id,
  fields: (t) => ({
    association: t.field({ type: AssociationRef, description: '维护该对象的协会 / The association that keeps it', resolve: (r) => r.associationId }),
    code: t.expose('code', {
      type: GovernmentRecipientEnum,
      nullable: true,
      description: '对应的 GovernmentRecipient 值（枚举未列出的对象为 null） / The GovernmentRecipient value it stands for (null for bodies the enum does not name)',
    }),
    name: t.exposeString('name', { description: '现行名称 / Current name' }),
    shortName: t.exposeString('shortName', { nullable: true, description: '简称，如 前海管理局 / Short name, e.g. 前海管理局' }),
    retired: t.boolean({ description: '是否已停用（停用后不能再报送，历史记录保留） / Retired: no new forwardings, past ones kept', resolve: (r) => r.retiredAt !== null }),
    retiredAt: t.expose('retiredAt', { type: 'DateTime', nullable: true, description: '停用时间 / When it was retired' }),
  }),
});

registerNodeType('SuggestionRecipient', (ctx, id) => SuggestionRecipientRef.getDataloader(ctx).load(id));

const SuggestionRecipientConnection = defineConnection(SuggestionRecipientRef, 'SuggestionRecipientConnection', '建议报送对象', 'Suggestion recipients');

const SuggestionRecipientFilterInput = builder.inputType('SuggestionRecipientFilter', {
  description: '报送对象筛选 / Recipient filter',
  fields: (t) => ({
    includeRetired: t.boolean({ description: '包含已停用的（默认否） / Include retired ones (default false)' }),
  }),
});

builder.queryFields((t) => ({
  suggestionRecipients: t.field({
    type: SuggestionRecipientConnection,
    description:
      '建议报送对象：协会工作人员看到本协会的，证监局看到全部，会员机构和上市公司看到其所属协会的，匿名用户得到空列表 / Recipients: your association\'s for its staff, all for the regulator, those of the associations they belong to for firms and listed companies; empty for anonymous viewers',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: SuggestionRecipientFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { includeRetired: args.filter?.includeRetired ?? false };
      const rows = await suggestions.listRecipients(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (r) => r.id, () => suggestions.countRecipients(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
}));

// Batches are reached through a visible suggestion (or the forwarding payload); their recipient row likewise.
builder.objectFields(SuggestionForwardingRef, (t) => ({
  recipientBody: t.field({
    type: SuggestionRecipientRef,
    nullable: true,
    description: '报送对象（现行名称；无权查看时为 null） / The recipient, by its current name (null when not visible to you)',
    resolve: (b) => b.recipientId,
  }),
  letterUrl: t.string({
    nullable: true,
    description:
      '汇总报告（报送函）网页：本批建议的议题、标题与提交单位；须携带报送协会或证监局的 Bearer 令牌（其他人为 null） / The consolidated forwarding letter (汇总报告) page: the batch\'s suggestions with topics, titles and submitting members; needs the forwarding association\'s or the regulator\'s bearer token (null for others)',
    resolve: (b, _args, ctx) => (suggestions.mayReadForwardingLetter(ctx.viewer, b.associationId) ? forwardingLetterPath(b.id) : null),
  }),
}));

const batchesById = groupedLoader(
  (ctx, ids: readonly number[]) => suggestions.loadForwardBatchesByIds(ctx.db, ids),
  (b) => b.id,
);

const forwardingsBySuggestion = groupedLoader(
  (ctx, ids: readonly number[]) => suggestions.loadForwardingsBySuggestionIds(ctx.db, ids),
  (f) => f.suggestionId,
);

const ForwardingStatusEnum = builder.enumType('SuggestionForwardingStatus', {
  description: '一次报送的状态 / Status of one forwarding',
  values: {
    FORWARDED: { description: '已报送，待反馈 / Forwarded, awaiting a response' },
    RESPONDED: { description: '该对象已反馈 / The recipient has responded' },
  } as const,
});

export const SuggestionForwardingEntryRef = builder.objectRef<SuggestionForwardingRow>('SuggestionForwardingEntry').implement({
  description: '一条建议报送给一个对象的记录，各有文号、日期与反馈 / One suggestion forwarded to one recipient, with its own reference number, date and response',
  fields: (t) => ({
    id: t.globalID({ description: '全局 ID / Global ID', resolve: (f) => ({ type: 'SuggestionForwardingEntry', id: f.id }) }),
    forwarding: t.field({
      type: SuggestionForwardingRef,
      description: '所在报送批次（文号、报送时间） / The batch (reference number, when forwarded)',
      resolve: async (f, _args, ctx) => (await batchesById(ctx).load(f.batchId))[0]!,
    }),
    recipient: t.field({
      type: SuggestionRecipientRef,
      nullable: true,
      description: '报送对象（无权查看时为 null） / The recipient (null when not visible to you)',
      resolve: (f) => f.recipientId,
    }),
    status: t.field({ type: ForwardingStatusEnum, description: '状态 / Status', resolve: (f) => (f.responseOutcome === null ? 'FORWARDED' : 'RESPONDED') }),
    response: t.exposeString('response', { nullable: true, description: '该对象的反馈内容 / The recipient\'s response' }),
    responseOutcome: t.expose('responseOutcome', { type: ResponseOutcomeEnum, nullable: true, description: '反馈结果 / Outcome' }),
    respondedAt: t.expose('respondedAt', { type: 'DateTime', nullable: true, description: '反馈记录时间 / When the response was recorded' }),
  }),
});

builder.objectField(SuggestionRef, 'forwardings', (t) =>
  t.field({
    type: [SuggestionForwardingEntryRef],
    description:
      `各次报送（最早的为主报送，即 forwarding 与 response 字段所示；每条建议最多报送 ${suggestions.MAX_RECIPIENTS_PER_SUGGESTION} 个对象） / Every forwarding, oldest first; the first is the primary one shown by forwarding and response (at most ${suggestions.MAX_RECIPIENTS_PER_SUGGESTION} recipients per suggestion)`,
    resolve: (s, _args, ctx) => forwardingsBySuggestion(ctx).load(s.id),
  }),
);

builder.objectField(ForwardSuggestionsPayload, 'forwardings', (t) =>
  t.field({
    type: [SuggestionForwardingRef],
    description: '本次报送的各批（每个对象一批，按所列顺序；第一批的文号即 referenceNumber） / The batches made, one per recipient in the order named (the first one\'s number is referenceNumber)',
    resolve: (p: { batches: SuggestionForwardBatchRow[] | null }) => p.batches ?? [],
  }),
);

// ---------------------------------------------------------------- mutations (an association's staff, their own association's)

const CreateSuggestionRecipientInput = builder.inputType('CreateSuggestionRecipientInput', {
  description: '新增报送对象 / Add a recipient',
  fields: (t) => ({
    name: t.string({ required: true, description: `名称（1–${suggestions.MAX_RECIPIENT_NAME_LENGTH} 字，本协会内唯一） / Name (1–${suggestions.MAX_RECIPIENT_NAME_LENGTH} characters, unique in your association)` }),
    shortName: t.string({ description: `简称（最多 ${suggestions.MAX_RECIPIENT_SHORT_NAME_LENGTH} 字） / Short name (at most ${suggestions.MAX_RECIPIENT_SHORT_NAME_LENGTH} characters)` }),
  }),
});

const RenameSuggestionRecipientInput = builder.inputType('RenameSuggestionRecipientInput', {
  description: '报送对象更名（机构更名后保持现行名称） / Rename a recipient (keep its name current after the body is renamed)',
  fields: (t) => ({
    id: t.id({ required: true, description: '报送对象全局 ID / Recipient global ID' }),
    name: t.string({ required: true, description: '新名称 / New name' }),
    shortName: t.string({ description: '新简称（不填则不变） / New short name (unchanged when absent)' }),
  }),
});

const SuggestionRecipientIdInput = builder.inputType('SuggestionRecipientIdInput', {
  description: '报送对象 / A recipient',
  fields: (t) => ({ id: t.id({ required: true, description: '报送对象全局 ID / Recipient global ID' }) }),
});

const RecordForwardingResponseInput = builder.inputType('RecordForwardingResponseInput', {
  description: '记录某一报送对象对一次报送的反馈 / Record one recipient\'s response to one forwarding',
  fields: (t) => ({
    id: t.id({ required: true, description: '报送记录（SuggestionForwardingEntry）全局 ID / Forwarding entry global ID' }),
    response: t.string({ required: true, description: `反馈内容（1–${suggestions.MAX_RESPONSE_LENGTH} 字） / The response (1–${suggestions.MAX_RESPONSE_LENGTH} characters)` }),
    outcome: t.field({ type: ResponseOutcomeEnum, required: true, description: '反馈结果 / Outcome' }),
  }),
});

const SuggestionRecipientPayload = builder
  .objectRef<{ suggestionRecipient: SuggestionRecipientRow | null; userErrors: never[] }>('SuggestionRecipientPayload')
  .implement({
    description: '报送对象变更结果 / Result of a recipient change',
    fields: (t) => ({
      suggestionRecipient: t.field({ type: SuggestionRecipientRef, nullable: true, description: '报送对象 / The recipient', resolve: (p) => p.suggestionRecipient }),
      userErrors: userErrorsField(t),
    }),
  });

const SuggestionForwardingEntryPayload = builder
  .objectRef<{ forwardingEntry: SuggestionForwardingRow | null; userErrors: never[] }>('SuggestionForwardingEntryPayload')
  .implement({
    description: '报送反馈记录结果 / Result of recording a forwarding\'s response',
    fields: (t) => ({
      forwardingEntry: t.field({ type: SuggestionForwardingEntryRef, nullable: true, description: '报送记录 / The forwarding', resolve: (p) => p.forwardingEntry }),
      userErrors: userErrorsField(t),
    }),
  });

const recipientId = (id: string | number) => parseGlobalIdOf(String(id), 'SuggestionRecipient');
const recipientResult = (suggestionRecipient: SuggestionRecipientRow) => ({ suggestionRecipient });

builder.mutationFields((t) => ({
  createSuggestionRecipient: t.field({
    type: SuggestionRecipientPayload,
    authScopes: { association: true },
    description: '新增本协会的报送对象（协会） / Add a recipient of your association (association)',
    args: { input: t.arg({ type: CreateSuggestionRecipientInput, required: true, description: '报送对象 / The recipient' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => suggestions.createRecipient(ctx.db, ctx.viewer, input), recipientResult, { suggestionRecipient: null }) as never,
  }),
  renameSuggestionRecipient: t.field({
    type: SuggestionRecipientPayload,
    authScopes: { association: true },
    description: '本协会报送对象更名（协会）；已报送的批次随之显示现行名称 / Rename a recipient of your association (association); past batches show the current name',
    args: { input: t.arg({ type: RenameSuggestionRecipientInput, required: true, description: '新名称 / The new name' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => suggestions.renameRecipient(ctx.db, ctx.viewer, { id: recipientId(input.id), name: input.name, shortName: input.shortName }),
        recipientResult,
        { suggestionRecipient: null },
      ) as never,
  }),
  retireSuggestionRecipient: t.field({
    type: SuggestionRecipientPayload,
    authScopes: { association: true },
    description: '停用本协会的报送对象（协会）：不能再报送，历史保留 / Retire a recipient of your association (association): no new forwardings, history kept',
    args: { input: t.arg({ type: SuggestionRecipientIdInput, required: true, description: '报送对象 / The recipient' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => suggestions.retireRecipient(ctx.db, ctx.viewer, { id: recipientId(input.id) }), recipientResult, { suggestionRecipient: null }) as never,
  }),
  recordForwardingResponse: t.field({
    type: SuggestionForwardingEntryPayload,
    authScopes: { association: true },
    description:
      '记录某一报送对象的反馈（协会）；主报送的反馈同时是建议的反馈（FORWARDED → RESPONDED） / Record one recipient\'s response (association); the primary forwarding\'s response is also the suggestion\'s (FORWARDED → RESPONDED)',
    args: { input: t.arg({ type: RecordForwardingResponseInput, required: true, description: '反馈 / The response' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          suggestions.recordForwardingResponse(ctx.db, ctx.viewer, {
            id: parseGlobalIdOf(String(input.id), 'SuggestionForwardingEntry'),
            response: input.response,
            outcome: input.outcome,
          }),
        (forwardingEntry) => ({ forwardingEntry }),
        { forwardingEntry: null },
      ) as never,
  }),
}));
