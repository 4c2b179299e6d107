// GraphQL shape of policy interpretations (政策解读): reading and searching them, and the staff's drafting workflow.
import { builder } from '../graphql/builder.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { ViewerRoleEnum } from '../graphql/viewer-role.js';
import { buildExcerpt, expansionTerms, excerptHtml, excerptText, plainTextOfMarkdown, type Excerpt, type ExcerptFragment } from './policies.search.js';
import * as policies from './policies.service.js';
import type { PolicyQa, PolicyRevisionRow, PolicySourceSnapshot } from './policies.table.js';

export const AudienceEnum = builder.enumType('Audience', {
  description: '阅读范围 / Who may read an interpretation',
  values: {
    PUBLIC: { description: '公开：所有人可读 / Public: everyone' },
    MEMBERS: { description: '会员：所属协会的有效会员可读（及工作人员） / Members: active members of its association (and staff)' },
  } as const,
});

const PolicyInterpretationStatusEnum = builder.enumType('PolicyInterpretationStatus', {
  description: '政策解读状态 / Status of a policy interpretation',
  values: {
    DRAFT: { description: '草稿（仅所属协会工作人员与证监局可见） / Draft (its association\'s staff and the regulator only)' },
    PUBLISHED: { description: '已发布 / Published' },
    ARCHIVED: { description: '已归档：不再出现在列表中，原链接仍可访问 / Archived: out of every list, its page still works' },
  } as const,
});

const PolicyDocumentTypeEnum = builder.enumType('PolicyDocumentType', {
  description: '文件效力级别 / Effect level of a source document',
  values: {
    LAW: { description: '法律 / Law' },
    ADMIN_REGULATION: { description: '行政法规 / Administrative regulation' },
    DEPARTMENTAL_RULE: { description: '部门规章（如证监会令） / Departmental rule (e.g. a CSRC order)' },
    NORMATIVE_DOCUMENT: { description: '规范性文件（如证监会公告） / Normative document (e.g. a CSRC announcement)' },
    SELF_REGULATORY_RULE: { description: '自律规则 / Self-regulatory rule' },
    INDUSTRY_STANDARD: { description: '行业标准（JR/T） / Industry standard (JR/T)' },
    LOCAL_POLICY: { description: '地方政策 / Local policy' },
    NOTICE: { description: '通知、公告 / Notice or announcement' },
  } as const,
});

const PolicyDocumentValidityEnum = builder.enumType('PolicyDocumentValidity', {
  description: '时效性 / Validity of a source document',
  values: {
    IN_FORCE: { description: '现行有效 / In force' },
    AMENDED: { description: '已被修订 / Amended' },
    REPEALED: { description: '已废止 / Repealed' },
    NOT_YET_EFFECTIVE: { description: '尚未施行 / Not yet in force' },
  } as const,
});

export const PolicySourceRef = builder.objectRef<PolicySourceSnapshot>('PolicySource').implement({
  description: '所解读的文件 / A document an interpretation explains',
  fields: (t) => ({
    title: t.exposeString('title', { description: '文件标题 / Title' }),
    documentNumber: t.exposeString('documentNumber', { nullable: true, description: '发文字号（〔〕） / Document number, e.g. 证监会公告〔2013〕17号' }),
    issuer: t.exposeString('issuer', { nullable: true, description: '发文机关 / Issuing body' }),
    effectiveOn: t.expose('effectiveOn', { type: 'Date', nullable: true, description: '施行日期 / Effective date' }),
    issuedOn: t.expose('issuedOn', { type: 'Date', nullable: true, description: '发文日期 / Issue date' }),
    documentType: t.expose('documentType', { type: PolicyDocumentTypeEnum, nullable: true, description: '效力级别 / Effect level' }),
    validity: t.expose('validity', { type: PolicyDocumentValidityEnum, nullable: true, description: '时效性 / Validity' }),
  }),
});

const PolicyQaRef = builder.objectRef<PolicyQa>('PolicyQa').implement({
  description: '问答 / A question and its answer',
  fields: (t) => ({
    question: t.exposeString('question', { description: '问题 / Question' }),
    answer: t.exposeString('answer', { description: '解答 / Answer' }),
    sourceArticle: t.exposeString('sourceArticle', { nullable: true, description: '依据条款，如“第十二条” / The article relied on, e.g. 第十二条' }),
  }),
});

const SearchExcerptFragmentRef = builder.objectRef<ExcerptFragment>('SearchExcerptFragment').implement({
  description: '摘录的一段 / A piece of an excerpt',
  fields: (t) => ({
    text: t.exposeString('text', { description: '文字 / Text' }),
    highlighted: t.exposeBoolean('highlighted', { description: '是否为命中的检索词 / Whether this piece matched the search' }),
  }),
});

const SearchExcerptRef = builder.objectRef<Excerpt>('SearchExcerpt').implement({
  description: '检索命中处的摘录 / Excerpt around the words a search matched',
  fields: (t) => ({
    text: t.string({ description: '纯文本摘录 / The excerpt as plain text', resolve: (e) => excerptText(e) }),
    html: t.string({
      description: 'HTML 摘录：全部转义，命中词以 <mark> 标出 / The excerpt as HTML: everything escaped, matches in <mark>',
      resolve: (e) => excerptHtml(e),
    }),
    fragments: t.field({ type: [SearchExcerptFragmentRef], description: '按顺序的各段 / The pieces, in order', resolve: (e) => e.fragments }),
  }),
});

const PolicyRevisionRef = builder.objectRef<PolicyRevisionRow>('PolicyInterpretationRevision').implement({
  description: '政策解读的一个修订版本 / One revision of a policy interpretation',
  fields: (t) => ({
    revision: t.exposeInt('revision', { description: '版本号（从 1 起） / Revision number, from 1' }),
    title: t.string({ description: '标题 / Title', resolve: (r) => r.content.title }),
    summary: t.string({ description: '摘要 / Summary', resolve: (r) => r.content.summary }),
    body: t.string({ description: '正文（Markdown） / Body (Markdown)', resolve: (r) => r.content.body }),
    audience: t.field({ type: AudienceEnum, description: '阅读范围 / Audience', resolve: (r) => r.content.audience }),
    tags: t.stringList({ description: '标签 / Tags', resolve: (r) => r.content.tags }),
    sources: t.field({ type: [PolicySourceRef], description: '所解读的文件 / Source documents', resolve: (r) => r.content.sources }),
    qa: t.field({ type: [PolicyQaRef], description: '问答 / Q&A', resolve: (r) => r.content.qa }),
    note: t.exposeString('note', { nullable: true, description: '修订说明 / What changed and why' }),
    authorRole: t.field({ type: ViewerRoleEnum, description: '修订者角色 / Role of the author', resolve: (r) => r.actorRole as never }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '修订时间 / When it was saved' }),
  }),
});

const sourcesByInterpretation = groupedLoader(
  (ctx, ids: readonly number[]) => policies.loadSourcesByInterpretationIds(ctx.db, ids),
  (s) => s.interpretationId,
);
const revisionsByInterpretation = groupedLoader(
  (ctx, ids: readonly number[]) => policies.loadRevisionsByInterpretationIds(ctx.db, ctx.viewer, ids),
  (r) => r.interpretationId,
);

/** The excerpt of a search hit: from the body if it holds the words, else the summary, Q&A, title, tags or sources. */
function excerptOf(hit: policies.PolicyInterpretationHit): Excerpt | null {
  if (!hit.search) return null;
  const terms = [...hit.search.query.terms, ...expansionTerms(hit.search.expansions)];
  const candidates = [
    () => plainTextOfMarkdown(hit.body),
    () => hit.summary,
    () => hit.qa.map((q) => `${q.question} ${q.answer}`).join(' '),
    () => hit.title,
    () => hit.tags.join('，'),
  ];
  for (const text of candidates) {
    const excerpt = buildExcerpt(text(), terms);
    if (excerpt) return excerpt;
  }
  return null;
}

export const PolicyInterpretationRef = builder.loadableNode('PolicyInterpretation', {
  description: '政策解读 / A policy interpretation',
  id: { resolve: (p: policies.PolicyInterpretationHit) => p.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => policies.loadPolicyInterpretationsByIds(ctx.db, ctx.viewer, ids),
  sort: (p) => p.id,
  fields: (t) => ({
    title: t.exposeString('title', { description: '标题 / Title' }),
    summary: t.exposeString('summary', { description: '摘要 / Summary' }),
    body: t.exposeString('body', { description: '正文（Markdown） / Body (Markdown)' }),
    audience: t.expose('audience', { type: AudienceEnum, description: '阅读范围 / Audience' }),
    tags: t.exposeStringList('tags', { description: '标签 / Tags' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true, description: '发布时间；草稿为 null / When it was published; null for drafts' }),
    status: t.expose('status', { type: PolicyInterpretationStatusEnum, description: '状态 / Status' }),
    revision: t.exposeInt('revision', { description: '当前版本号 / Current revision number' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '创建时间 / Created at' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: '最后修改时间 / Last changed at' }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true, description: '归档时间 / When it was archived' }),
    qa: t.field({ type: [PolicyQaRef], description: '问答 / Q&A', resolve: (p) => p.qa }),
    sources: t.field({
      type: [PolicySourceRef],
      description: '所解读的文件（按给定顺序） / Source documents, in the order given',
      resolve: (p, _args, ctx) => sourcesByInterpretation(ctx).load(p.id),
    }),
    source: t.field({
      type: PolicySourceRef,
      nullable: true,
      description: '主要依据文件（sources 的第一个） / The main source document (the first of sources)',
      resolve: async (p, _args, ctx) => (await sourcesByInterpretation(ctx).load(p.id))[0] ?? null,
    }),
    revisions: t.field({
      type: [PolicyRevisionRef],
      nullable: true,
      description: `修订历史（最新在前，最多 ${policies.MAX_REVISIONS_LISTED} 个），仅所属协会工作人员与证监局可见，其他为 null / Revision history, newest first (at most ${policies.MAX_REVISIONS_LISTED}); its association's staff and the regulator only, null for others`,
      resolve: (p, _args, ctx) => (policies.canReadRevisions(ctx.viewer, p) ? revisionsByInterpretation(ctx).load(p.id) : null),
    }),
    highlight: t.field({
      type: SearchExcerptRef,
      nullable: true,
      description: '检索命中处的摘录；不是通过检索得到时为 null / Excerpt with the matched words highlighted; null when not reached through a search',
      resolve: (p) => excerptOf(p),
    }),
    relevance: t.float({
      nullable: true,
      description: '检索相关度（越大越相关）；不是通过检索得到时为 null / Search relevance (higher is better); null outside a search',
      resolve: (p) => p.search?.rank ?? null,
    }),
  }),
});

registerNodeType('PolicyInterpretation', (ctx, id) => PolicyInterpretationRef.getDataloader(ctx).load(id));

const PolicyInterpretationConnection = defineConnection(PolicyInterpretationRef, 'PolicyInterpretationConnection', '政策解读', 'Policy interpretations');

builder.queryFields((t) => ({
  policyInterpretations: t.field({
    type: PolicyInterpretationConnection,
    description:
      '政策解读列表：无检索词时最新在前，有检索词时按相关度排序；只含可读且未归档的 / Policy interpretations the viewer may read, archived ones excluded: newest first, or by relevance when searching',
    args: {
      ...connectionArgs(t.arg),
      search: t.arg.string({
        description:
          '检索词：中文、英文或混合，如“适当性”“反洗钱 AML”；空格分隔的词命中任一即可，命中词多者在前；标点不影响短语（新证券法 可找到 新《证券法》）；同义词与常见错别字自动扩展（AML → 反洗钱，证卷 → 证券） / Search words in Chinese, English or both, e.g. 适当性 or 反洗钱 AML. Space-separated words match any, documents matching more of them first; punctuation does not break a phrase (新证券法 finds 新《证券法》); synonyms and common slips are expanded (AML → 反洗钱, 证卷 → 证券)',
      }),
      tag: t.arg.string({ description: '只列出带此标签的 / Only those with this tag' }),
      status: t.arg({
        type: PolicyInterpretationStatusEnum,
        description: '按状态筛选（协会工作人员可列出本协会的草稿或已归档的，证监局可列出全部） / Filter by status (an association\'s staff may list their association\'s drafts or archived ones, the regulator every one)',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { search: args.search, tag: args.tag, status: args.status };
      const rows = await policies.listPolicyInterpretations(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (p) => p.id, () => policies.countPolicyInterpretations(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  policyInterpretation: t.field({
    type: PolicyInterpretationRef,
    nullable: true,
    description: '按全局 ID 获取政策解读（已归档的仍可获取）；不存在或无权查看时为 null / One interpretation by global ID (archived ones too); null when missing or hidden',
    args: { id: t.arg.id({ required: true, description: '政策解读全局 ID / Global ID' }) },
    resolve: (_root, args, ctx) => {
      const id = parseGlobalIdOf(String(args.id), 'PolicyInterpretation');
      return id === null ? null : PolicyInterpretationRef.getDataloader(ctx).load(id);
    },
  }),
}));

// ---------------------------------------------------------------- mutations (association and regulator)

const PolicySourceInput = builder.inputType('PolicySourceInput', {
  description: '所解读的文件 / A source document',
  fields: (t) => ({
    title: t.string({ required: true, description: `文件标题（最多 ${policies.LIMITS.sourceTitle} 字） / Title` }),
    documentNumber: t.string({
      description: '发文字号；[] 与 【】 会规范为 〔〕，如 证监会公告〔2013〕17号、证监会令第130号、JR/T 0158—2018 / Document number; [] and 【】 become 〔〕',
    }),
    issuer: t.string({ description: '发文机关 / Issuing body' }),
    effectiveOn: t.field({ type: 'Date', description: '施行日期，不早于发文日期 / Effective date, not before the issue date' }),
    issuedOn: t.field({ type: 'Date', description: '发文日期 / Issue date' }),
    documentType: t.field({ type: PolicyDocumentTypeEnum, description: '效力级别 / Effect level' }),
    validity: t.field({ type: PolicyDocumentValidityEnum, description: '时效性 / Validity' }),
  }),
});

const PolicyQaInput = builder.inputType('PolicyQaInput', {
  description: '问答 / A question and its answer',
  fields: (t) => ({
    question: t.string({ required: true, description: `问题（最多 ${policies.LIMITS.question} 字） / Question` }),
    answer: t.string({ required: true, description: `解答（最多 ${policies.LIMITS.answer} 字） / Answer` }),
    sourceArticle: t.string({ description: '依据条款 / The article relied on' }),
  }),
});

const contentFields = (t: PothosSchemaTypes.InputFieldBuilder<any, 'InputObject'>, creating: boolean) => ({
  title: t.string({ required: creating, description: `标题（最多 ${policies.LIMITS.title} 字） / Title (at most ${policies.LIMITS.title} characters)` }),
  summary: t.string({ required: creating, description: `摘要（最多 ${policies.LIMITS.summary} 字） / Summary (at most ${policies.LIMITS.summary} characters)` }),
  body: t.string({ required: creating, description: `正文，Markdown（最多 ${policies.LIMITS.body} 字） / Body in Markdown (at most ${policies.LIMITS.body} characters)` }),
  audience: t.field({ type: AudienceEnum, required: creating, description: '阅读范围 / Audience' }),
  tags: t.stringList({ description: `标签（最多 ${policies.LIMITS.tags} 个，每个最多 ${policies.LIMITS.tag} 字） / Tags` }),
  source: t.field({ type: PolicySourceInput, description: '所解读的文件（单个） / The source document' }),
  sources: t.field({ type: [PolicySourceInput], description: `所解读的文件（多个，最多 ${policies.LIMITS.sources} 个；与 source 二选一） / Several source documents (instead of source)` }),
  qa: t.field({ type: [PolicyQaInput], description: `问答（最多 ${policies.LIMITS.qa} 条） / Q&A items` }),
});

const CreatePolicyInterpretationInput = builder.inputType('CreatePolicyInterpretationInput', {
  description: '起草政策解读（保存为草稿，第 1 版） / Draft a policy interpretation (saved as a draft, revision 1)',
  fields: (t) => contentFields(t, true),
});

const UpdatePolicyInterpretationInput = builder.inputType('UpdatePolicyInterpretationInput', {
  description: '修改政策解读：保存为新版本，旧版本保留；未给出的字段不变 / Edit an interpretation: saved as a new revision, earlier ones kept; omitted fields stay',
  fields: (t) => ({
    id: t.id({ required: true, description: '政策解读全局 ID / Global ID' }),
    expectedRevision: t.int({ description: '期望的当前版本号；不一致时不保存 / The revision you edited; nothing is saved if it is no longer current' }),
    note: t.string({ description: `修订说明（最多 ${policies.LIMITS.note} 字） / What changed and why` }),
    ...contentFields(t, false),
  }),
});

const PolicyInterpretationIdInput = builder.inputType('PolicyInterpretationIdInput', {
  description: '一篇政策解读 / A policy interpretation',
  fields: (t) => ({ id: t.id({ required: true, description: '政策解读全局 ID / Global ID' }) }),
});

const PolicyInterpretationPayload = builder
  .objectRef<{ policyInterpretation: policies.PolicyInterpretation | null; userErrors: never[] }>('PolicyInterpretationPayload')
  .implement({
    description: '政策解读变更结果 / Result of a policy interpretation change',
    fields: (t) => ({
      policyInterpretation: t.field({
        type: PolicyInterpretationRef,
        nullable: true,
        description: '变更后的政策解读 / The interpretation',
        resolve: (p, _args, ctx) =>
          p.policyInterpretation && policies.canReadPolicyInterpretation(ctx.viewer, p.policyInterpretation) ? p.policyInterpretation : null,
      }),
      userErrors: userErrorsField(t),
    }),
  });

const interpretationId = (id: string | number) => parseGlobalIdOf(String(id), 'PolicyInterpretation');
const shape = (policyInterpretation: policies.PolicyInterpretation) => ({ policyInterpretation });
const empty = { policyInterpretation: null };

builder.mutationFields((t) => ({
  createPolicyInterpretation: t.field({
    type: PolicyInterpretationPayload,
    authScopes: { staff: true },
    description: '起草政策解读（协会工作人员起草的属于本协会；证监局起草的属于深证协） / Draft a policy interpretation (an association\'s staff draft for their association; the regulator\'s drafts belong to SZSA)',
    args: { input: t.arg({ type: CreatePolicyInterpretationInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => policies.createPolicyInterpretation(ctx.db, ctx.viewer, input as never), shape, empty) as never,
  }),
  updatePolicyInterpretation: t.field({
    type: PolicyInterpretationPayload,
    authScopes: { staff: true },
    description: '修改政策解读，保存为新版本（本协会的政策解读，或证监局） / Edit an interpretation as a new revision (its association\'s staff, or the regulator)',
    args: { input: t.arg({ type: UpdatePolicyInterpretationInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input: { id, ...fields } }, ctx) =>
      mutationPayload(ctx, () => policies.updatePolicyInterpretation(ctx.db, ctx.viewer, interpretationId(id), fields as never), shape, empty) as never,
  }),
  publishPolicyInterpretation: t.field({
    type: PolicyInterpretationPayload,
    authScopes: { staff: true },
    description: '发布草稿（本协会的政策解读，或证监局） / Publish a draft (its association\'s staff, or the regulator)',
    args: { input: t.arg({ type: PolicyInterpretationIdInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => policies.publishPolicyInterpretation(ctx.db, ctx.viewer, interpretationId(input.id)), shape, empty) as never,
  }),
  archivePolicyInterpretation: t.field({
    type: PolicyInterpretationPayload,
    authScopes: { staff: true },
    description: '归档：从列表中移除，原链接仍可访问（本协会的政策解读，或证监局） / Archive: out of every list, its page still works (its association\'s staff, or the regulator)',
    args: { input: t.arg({ type: PolicyInterpretationIdInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => policies.archivePolicyInterpretation(ctx.db, ctx.viewer, interpretationId(input.id)), shape, empty) as never,
  }),
}));
