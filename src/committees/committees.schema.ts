// GraphQL shape of the professional committees: committees, terms and seats (public directory data), and the association's edits.
import { AssociationRef } from '../associations/associations.schema.js';
import { builder } from '../graphql/builder.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { OrganizationRef } from '../members/members.schema.js';
import { todayInShanghai } from '../time.js';
import * as committees from './committees.service.js';
import type { CommitteePersonRow, CommitteeRow, CommitteeSeatRow, CommitteeTermRow } from './committees.table.js';

export const CommitteeCodeEnum = builder.enumType('CommitteeCode', {
  description: '专业委员会代码 / Committee code',
  values: {
    COMPLIANCE: { description: '合规专业委员会 / Compliance Committee' },
    INVESTMENT_BANKING: { description: '投资银行专业委员会 / Investment Banking Committee' },
    BROKERAGE_WEALTH: { description: '经纪与财富管理专业委员会 / Brokerage & Wealth Management Committee' },
    FINTECH: { description: '金融科技专业委员会 / Fintech Committee' },
    BOARD_SECRETARIES: { description: '董事会秘书专业委员会（上市公司协会） / Board Secretaries Committee (listed companies association)' },
    INVESTOR_RELATIONS: { description: '投资者关系专业委员会（上市公司协会） / Investor Relations Committee (listed companies association)' },
  } as const,
});

export const CommitteeRoleEnum = builder.enumType('CommitteeRole', {
  description: '委员会职务 / Role on a committee',
  values: {
    CHAIR: { description: '主任委员（每届一名） / Chair (one per term)' },
    VICE_CHAIR: { description: '副主任委员（每届最多 7 名） / Vice chair (at most 7 per term)' },
    SECRETARY_GENERAL: { description: '秘书长 / Secretary-general' },
    MEMBER: { description: '委员 / Member' },
    ADVISOR: { description: '顾问 / Adviser' },
  } as const,
});

export const CommitteeSeatEndReasonEnum = builder.enumType('CommitteeSeatEndReason', {
  description: '离任原因 / Why a seat ended',
  values: {
    TERM_EXPIRED: { description: '任期届满 / The term expired' },
    RESIGNED: { description: '主动辞任 / Resigned' },
    JOB_CHANGE: { description: '工作变动 / Changed jobs' },
    LEFT_INDUSTRY: { description: '离开行业 / Left the industry' },
    DISMISSED: { description: '解聘 / Dismissed' },
    OTHER: { description: '其他 / Other' },
  } as const,
});

export const CommitteePersonRef = builder.loadableNode('CommitteePerson', {
  description:
    '专业委员会人员：每人一条记录，同名的两人是两条记录，同一人跨届保持同一记录（公开名录） / A person on an association\'s committees: one record per person — namesakes are two records, and one person keeps one record across terms (public directory)',
  id: { resolve: (p: CommitteePersonRow) => p.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => committees.loadPeopleByIds(ctx.db, ids),
  sort: (p) => p.id,
  fields: (t) => ({
    name: t.exposeString('name', { description: '姓名 / Name' }),
    association: t.field({ type: AssociationRef, description: '所属协会 / The association whose committees the person sits on', resolve: (p) => p.associationId }),
  }),
});

registerNodeType('CommitteePerson', (ctx, id) => CommitteePersonRef.getDataloader(ctx).load(id));

export const CommitteeSeatRef = builder.objectRef<CommitteeSeatRow>('CommitteeSeat').implement({
  description: '委员会席位 / A seat on a committee',
  fields: (t) => ({
    id: t.globalID({ description: '全局 ID / Global ID', resolve: (s) => ({ type: 'CommitteeSeat', id: s.id }) }),
    role: t.expose('role', { type: CommitteeRoleEnum, description: '职务 / Role' }),
    personName: t.exposeString('personName', { description: '姓名（任命时记录） / Name of the person, as recorded on appointment' }),
    person: t.field({ type: CommitteePersonRef, description: '在席人员（人员记录） / The person on the seat (a person record)', resolve: (s) => s.personId }),
    endReason: t.expose('endReason', { type: CommitteeSeatEndReasonEnum, nullable: true, description: '离任原因；在任时为 null / Why the seat ended; null while held' }),
    appointedOn: t.expose('appointedOn', { type: 'Date', description: '任职日期 / Appointed on' }),
    endedOn: t.expose('endedOn', { type: 'Date', nullable: true, description: '离任日期；在任时为 null / Ended on; null while the seat is held' }),
    organization: t.field({ type: OrganizationRef, description: '所在会员单位 / The member organization', resolve: (s) => s.organizationId }),
  }),
});

export const CommitteeTermRef = builder.objectRef<CommitteeTermRow>('CommitteeTerm').implement({
  description: '委员会届次 / A committee term (届)',
  fields: (t) => ({
    id: t.globalID({ description: '全局 ID / Global ID', resolve: (term) => ({ type: 'CommitteeTerm', id: term.id }) }),
    number: t.exposeInt('number', { description: '届次（第 N 届） / Term number' }),
    startsOn: t.expose('startsOn', { type: 'Date', description: '开始日期 / Starts on' }),
    endsOn: t.expose('endsOn', { type: 'Date', nullable: true, description: '结束日期 / Ends on' }),
    seats: t.loadableList({
      type: CommitteeSeatRef,
      description:
        '席位（主任委员在前）：已结束的届次为其最终名单（含提前离任者及其离任日期）；本届为在任席位 / Seats, chair first: for a term that has ended, its final roster (people who left early included, with their end dates); for a running term, the seats held',
      loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
      load: async (termIds: number[], ctx) => {
        const rows = await committees.loadSeatsByTermIds(ctx.db, termIds, todayInShanghai());
        return termIds.map((id) => rows.filter((s) => s.termId === id));
      },
      resolve: (term) => term.id,
    }),
    roster: t.loadableList({
      type: CommitteeSeatRef,
      description: '本届全部席位（在任与已离任，主任委员在前） / Every seat the term has had, held or ended, chair first',
      loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
      load: async (termIds: number[], ctx) => {
        const rows = await committees.loadAllSeatsByTermIds(ctx.db, termIds);
        return termIds.map((id) => rows.filter((s) => s.termId === id));
      },
      resolve: (term) => term.id,
    }),
  }),
});

const termsByCommittee = groupedLoader(
  (ctx, committeeIds: readonly number[]) => committees.loadTermsByCommitteeIds(ctx.db, committeeIds),
  (term) => term.committeeId,
);

export const CommitteeRef = builder.loadableNode('Committee', {
  description: '专业委员会 / Professional committee',
  id: { resolve: (c: CommitteeRow) => c.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => committees.loadCommitteesByIds(ctx.db, ids),
  sort: (c) => c.id,
  fields: (t) => ({
    code: t.expose('code', { type: CommitteeCodeEnum, description: '代码 / Code' }),
    association: t.field({ type: AssociationRef, description: '所属协会 / The association whose committee it is', resolve: (c) => c.associationId }),
    name: t.exposeString('name', { description: '名称 / Name' }),
    nameEn: t.exposeString('nameEn', { nullable: true, description: '英文名称 / English name' }),
    terms: t.field({
      type: [CommitteeTermRef],
      description: '各届（最新在前） / Terms, newest first',
      resolve: (c, _args, ctx) => termsByCommittee(ctx).load(c.id),
    }),
    currentTerm: t.field({
      type: CommitteeTermRef,
      nullable: true,
      description: '本届（已开始且未结束的最新一届） / The current term: the newest that has started and not ended',
      resolve: async (c, _args, ctx) => committees.currentTerm(await termsByCommittee(ctx).load(c.id), todayInShanghai()),
    }),
  }),
});

registerNodeType('Committee', (ctx, id) => CommitteeRef.getDataloader(ctx).load(id));

builder.queryFields((t) => ({
  committees: t.field({
    type: [CommitteeRef],
    description: '专业委员会 / The professional committees',
    resolve: (_root, _args, ctx) => committees.listCommittees(ctx.db),
  }),
}));


// ---------------------------------------------------------------- mutations (the committee's association only)

const OpenCommitteeTermInput = builder.inputType('OpenCommitteeTermInput', {
  description: '换届：开启专业委员会的下一届 / Open the next term of a committee (换届)',
  fields: (t) => ({
    committeeId: t.id({ required: true, description: '专业委员会全局 ID / Committee global ID' }),
    startsOn: t.field({
      type: 'Date',
      required: true,
      description: '新一届开始日期，须晚于上一届开始日期；上一届于前一日结束 / Start of the new term, after the previous term\'s start; the previous term ends the day before',
    }),
    endsOn: t.field({ type: 'Date', description: '计划结束日期（可选） / Planned end (optional)' }),
  }),
});

const AppointCommitteeSeatInput = builder.inputType('AppointCommitteeSeatInput', {
  description: '任命委员会席位 / Appoint a person to a committee seat',
  fields: (t) => ({
    termId: t.id({ required: true, description: '委员会届次全局 ID / Committee term global ID' }),
    organizationId: t.id({ required: true, description: '所在会员单位全局 ID / Global ID of the person\'s member organization' }),
    personId: t.id({
      description: '已有人员的全局 ID（连任、再任命时用，保持同一人员记录）；与 personName 二选一 / Global ID of an existing person (re-appointment keeps the same person record); give this or personName',
    }),
    personName: t.string({
      description: `新人员的姓名（1–${committees.MAX_PERSON_NAME_LENGTH} 字），总是新建一条人员记录（同名者是不同的人）；与 personId 二选一 / A new person's name (1–${committees.MAX_PERSON_NAME_LENGTH} characters); always records a new person (namesakes are different people); give this or personId`,
    }),
    role: t.field({ type: CommitteeRoleEnum, required: true, description: '职务 / Role' }),
    appointedOn: t.field({ type: 'Date', required: true, description: '任职日期，不早于本届开始日期 / Appointed on, not before the term starts' }),
  }),
});

const EndCommitteeSeatInput = builder.inputType('EndCommitteeSeatInput', {
  description: '结束委员会席位（离任） / End a committee seat',
  fields: (t) => ({
    seatId: t.id({ required: true, description: '委员会席位全局 ID / Committee seat global ID' }),
    endedOn: t.field({ type: 'Date', required: true, description: '离任日期，不早于任职日期 / Ended on, not before appointedOn' }),
    reason: t.field({ type: CommitteeSeatEndReasonEnum, required: true, description: '离任原因 / Why the seat ended' }),
  }),
});

const CommitteeTermPayload = builder
  .objectRef<{ committeeTerm: CommitteeTermRow | null; userErrors: never[] }>('CommitteeTermPayload')
  .implement({
    description: '委员会届次变更结果 / Result of a committee term change',
    fields: (t) => ({
      committeeTerm: t.field({ type: CommitteeTermRef, nullable: true, description: '新开启的届次 / The term opened', resolve: (p) => p.committeeTerm }),
      userErrors: userErrorsField(t),
    }),
  });

const CommitteeSeatPayload = builder
  .objectRef<{ committeeSeat: CommitteeSeatRow | null; userErrors: never[] }>('CommitteeSeatPayload')
  .implement({
    description: '委员会席位变更结果 / Result of a committee seat change',
    fields: (t) => ({
      committeeSeat: t.field({ type: CommitteeSeatRef, nullable: true, description: '变更后的席位 / The seat', resolve: (p) => p.committeeSeat }),
      userErrors: userErrorsField(t),
    }),
  });

builder.mutationFields((t) => ({
  openCommitteeTerm: t.field({
    type: CommitteeTermPayload,
    authScopes: { association: true },
    description: '换届：开启下一届，上一届及其在任席位随之结束（协会） / Open the next committee term; the previous term and its held seats end (association)',
    args: { input: t.arg({ type: OpenCommitteeTermInput, required: true, description: '换届内容 / The new term' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => committees.openCommitteeTerm(ctx.db, ctx.viewer, { ...input, committeeId: parseGlobalIdOf(String(input.committeeId), 'Committee') }),
        (committeeTerm) => ({ committeeTerm }),
        { committeeTerm: null },
      ) as never,
  }),
  appointCommitteeSeat: t.field({
    type: CommitteeSeatPayload,
    authScopes: { association: true },
    description: '任命委员会席位（协会） / Appoint a person to a committee seat (association)',
    args: { input: t.arg({ type: AppointCommitteeSeatInput, required: true, description: '任命内容 / The appointment' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          committees.appointCommitteeSeat(ctx.db, ctx.viewer, {
            ...input,
            termId: parseGlobalIdOf(String(input.termId), 'CommitteeTerm'),
            organizationId: parseGlobalIdOf(String(input.organizationId), 'Organization'),
            personId: input.personId == null ? undefined : parseGlobalIdOf(String(input.personId), 'CommitteePerson'),
            personName: input.personName ?? null,
          }),
        (committeeSeat) => ({ committeeSeat }),
        { committeeSeat: null },
      ) as never,
  }),
  endCommitteeSeat: t.field({
    type: CommitteeSeatPayload,
    authScopes: { association: true },
    description: '结束委员会席位（离任，协会） / End a committee seat (association)',
    args: { input: t.arg({ type: EndCommitteeSeatInput, required: true, description: '离任内容 / The end of the seat' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => committees.endCommitteeSeat(ctx.db, ctx.viewer, { ...input, seatId: parseGlobalIdOf(String(input.seatId), 'CommitteeSeat') }),
        (committeeSeat) => ({ committeeSeat }),
        { committeeSeat: null },
      ) as never,
  }),
}));
