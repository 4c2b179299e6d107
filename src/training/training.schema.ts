// GraphQL shape of training and continuing education (人才培养): surveys, programmes, sessions, practitioners and
// their credits, certificates, reach and obligations, with the association's and firms' mutations.
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { AssociationRef } from '../associations/associations.schema.js';
import { maySeeTrainingResults } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { localizeUserErrors, userErrorsField, type UserErrorOut } from '../graphql/errors.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { DomainError } from '../errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { BranchRef, OrganizationRef } from '../members/members.schema.js';
import { AudienceEnum } from '../policies/policies.schema.js';
import type { CreditSummary } from './training.hours.js';
import * as mutations from './training.mutations.js';
import * as training from './training.service.js';
import type {
  PractitionerRow,
  TrainingCertificateRow,
  TrainingNeedsSurveyRow,
  TrainingProgrammeRow,
  TrainingSessionRow,
} from './training.table.js';

export const TrainingTopicEnum = builder.enumType('TrainingTopic', {
  description: '培训主题 / Training topic',
  values: {
    NEW_RULES: { description: '监管政策和新规解读 / Regulatory policy and new-rule interpretation' },
    BRANCH_MANAGEMENT: { description: '分支机构经营管理 / Branch operation and management' },
    CONDUCT_AND_CASES: { description: '员工展业合规要求和典型案例分析 / Compliance requirements for staff\'s business activity, with typical cases' },
    INVESTOR_SUITABILITY: { description: '投资者适当性 / Investor suitability' },
    CLIENT_TRADING_BEHAVIOUR: { description: '客户交易行为管理 / Client trading-behaviour management' },
    ANTI_MONEY_LAUNDERING: { description: '反洗钱 / Anti-money laundering' },
    WEALTH_MANAGEMENT: { description: '财富管理与经纪业务转型 / Wealth management, brokerage transformation' },
    OTHER: { description: '其他 / Other' },
  } as const,
});

export const TrainingModeEnum = builder.enumType('TrainingMode', {
  description: '培训方式 / How a session is delivered',
  values: {
    ONLINE_LIVE: { description: '线上直播 / Online, live' },
    ONLINE_RECORDED: { description: '线上录播（观看达时长 80% 视为完成） / Online, recorded (watching 80 % of its length completes it)' },
    OFFLINE: { description: '线下 / In person' },
  } as const,
});

export const CreditTypeEnum = builder.enumType('CreditType', {
  description: '学时类型 / Kind of credit hours',
  values: {
    REQUIRED: { description: '必修 / Required' },
    ELECTIVE: { description: '选修 / Elective' },
  } as const,
});

const TrainingObligationSourceEnum = builder.enumType('TrainingObligationSource', {
  description: '培训义务的来源 / Where a training obligation comes from',
  values: {
    RATING: { description: '分支机构分类评价为 C 类或 D 类 / A branch rated C or D in a published rating' },
    DISCIPLINARY_MEASURE: { description: '纪律处分（要求参加强化培训） / A disciplinary measure (MANDATORY_TRAINING)' },
  } as const,
});

// ---------------------------------------------------------------- per-request loaders

/** One value per key from a batch returning a Map (missing keys get `fallback`). */
function keyedLoader<V>(batch: (ctx: Context, keys: readonly number[]) => Promise<Map<number, V>>, fallback: V) {
  return createContextCache(
    (ctx: Context) =>
      new DataLoader<number, V>(
        async (keys) => {
          const found = await batch(ctx, keys);
          return keys.map((k) => (found.has(k) ? found.get(k)! : fallback));
        },
        { maxBatchSize: MAX_BATCH_SIZE },
      ),
  );
}

const sessionReach = keyedLoader((ctx, ids) => training.reachOfSessions(ctx.db, ids), training.NO_REACH);
const programmeReach = keyedLoader((ctx, ids) => training.reachOfProgrammes(ctx.db, ids), training.NO_REACH);
const sessionCompletion = keyedLoader<number | null>((ctx, ids) => training.completionOfSessions(ctx.db, ids), null);
const programmeCompletion = keyedLoader<number | null>((ctx, ids) => training.completionOfProgrammes(ctx.db, ids), null);
const lecturersBySession = groupedLoader((ctx, ids: readonly number[]) => training.loadLecturersBySessionIds(ctx.db, ids), (l) => l.sessionId);
const surveyResults = groupedLoader((ctx, ids: readonly number[]) => training.surveyResults(ctx.db, ids), (r) => r.surveyId);

/** Credits of a year: one loader per year and request, so a page of practitioners costs one statement per year asked. */
const creditsByYear = createContextCache(() => new Map<number, DataLoader<number, CreditSummary>>());
function creditsLoader(ctx: Context, year: number): DataLoader<number, CreditSummary> {
  const loaders = creditsByYear(ctx);
  let loader = loaders.get(year);
  if (!loader) {
    loader = new DataLoader<number, CreditSummary>(
      async (ids) => {
        const found = await training.creditsOf(ctx.db, ids, year);
        return ids.map((id) => found.get(id)!);
      },
      { maxBatchSize: MAX_BATCH_SIZE },
    );
    loaders.set(year, loader);
  }
  return loader;
}

// ---------------------------------------------------------------- types

export const TrainingReachRef = builder.objectRef<training.TrainingReach>('TrainingReach').implement({
  description: '培训覆盖面 / Reach of training',
  fields: (t) => ({
    firms: t.exposeInt('firms', { description: '参训机构数（本机构或其分支机构有人参训即计） / Organizations reached (one of its people or branches took part)' }),
    branches: t.exposeInt('branches', { description: '参训分支机构数（其从业人员有人参训即计） / Branches reached (one of their practitioners took part)' }),
    participants: t.exposeInt('participants', { description: '参训人数（有出勤或观看记录的不同从业人员） / Distinct practitioners with any attendance or view record' }),
    views: t.exposeInt('views', { description: '累计观看人次（不同观看事件数） / Cumulative views: distinct view events (人次)' }),
  }),
});

const TrainingTopicDemandRef = builder.objectRef<training.TopicDemand>('TrainingTopicDemand').implement({
  description: '某主题的需求（协会工作人员与证监局可见） / Demand for one topic (association staff and the regulator)',
  fields: (t) => ({
    topic: t.field({ type: TrainingTopicEnum, description: '主题 / Topic', resolve: (d) => d.topic }),
    respondents: t.exposeInt('respondents', { description: '选择该主题的机构数 / Organizations that chose it' }),
  }),
});

export const TrainingNeedsSurveyRef = builder.loadableNode('TrainingNeedsSurvey', {
  description: '培训需求调查 / Training needs survey',
  id: { resolve: (s: TrainingNeedsSurveyRow) => s.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => training.loadSurveysByIds(ctx.db, ctx.viewer, ids),
  sort: (s) => s.id,
  fields: (t) => ({
    title: t.exposeString('title', { description: '标题 / Title' }),
    closesOn: t.expose('closesOn', { type: 'Date', description: '截止日期（含当日，北京时间） / Last day for answers (inclusive, Asia/Shanghai)' }),
    topics: t.field({ type: [TrainingTopicEnum], description: '可选主题 / Topics offered', resolve: (s) => s.topics }),
    association: t.field({ type: AssociationRef, description: '发起协会 / The association running it', resolve: (s) => s.associationId }),
    results: t.field({
      type: [TrainingTopicDemandRef],
      nullable: true,
      description: '各主题需求（按需求由多到少）；仅本协会工作人员与证监局可见，其他人为 null / Demand per topic, most wanted first; the association\'s staff and the regulator only, null for others',
      resolve: (s, _args, ctx) => (maySeeTrainingResults(ctx.viewer, s.associationId) ? surveyResults(ctx).load(s.id) : null),
    }),
  }),
});

export const TrainingProgrammeRef = builder.loadableNode('TrainingProgramme', {
  description: '培训项目（系列） / Training programme (a series)',
  id: { resolve: (p: TrainingProgrammeRow) => p.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => training.loadProgrammesByIds(ctx.db, ctx.viewer, ids),
  sort: (p) => p.id,
  fields: (t) => ({
    title: t.exposeString('title', { description: '标题 / Title' }),
    series: t.exposeString('series', { nullable: true, description: '系列名称，如 行稳致远·专业赋能 / Series, e.g. 行稳致远·专业赋能' }),
    audience: t.field({ type: AudienceEnum, description: '面向对象：PUBLIC 公开，MEMBERS 仅会员 / Audience: PUBLIC to anyone, MEMBERS to members', resolve: (p) => p.audience }),
    association: t.field({ type: AssociationRef, description: '主办协会 / The association running it', resolve: (p) => p.associationId }),
    reach: t.field({ type: TrainingReachRef, description: '覆盖面（全部场次） / Reach over all its sessions', resolve: (p, _args, ctx) => programmeReach(ctx).load(p.id) }),
    completionRate: t.float({
      nullable: true,
      description: '完成率（完成的参训人次 / 参训人次）；仅本协会工作人员与证监局可见 / Share of participations completed; the association\'s staff and the regulator only',
      resolve: (p, _args, ctx) => (maySeeTrainingResults(ctx.viewer, p.associationId) ? programmeCompletion(ctx).load(p.id) : null),
    }),
  }),
});

export const TrainingSessionRef = builder.loadableNode('TrainingSession', {
  description: '培训场次 / Training session',
  id: { resolve: (s: TrainingSessionRow) => s.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => training.loadSessionsByIds(ctx.db, ctx.viewer, ids),
  sort: (s) => s.id,
  fields: (t) => ({
    programme: t.field({ type: TrainingProgrammeRef, description: '所属项目 / The programme', resolve: (s) => s.programmeId }),
    title: t.exposeString('title', { description: '标题 / Title' }),
    mode: t.field({ type: TrainingModeEnum, description: '方式 / Mode', resolve: (s) => s.mode }),
    startsAt: t.expose('startsAt', { type: 'DateTime', description: '开始时间（学时计入开始时间所在年度，北京时间） / Start (its hours count in the year of its start, Asia/Shanghai)' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', description: '结束时间 / End' }),
    creditHours: t.float({ description: '学时（0–24，一位小数） / Credit hours (0–24, one decimal)', resolve: (s) => Number(s.creditHours) }),
    creditType: t.field({ type: CreditTypeEnum, description: '必修或选修 / Required or elective', resolve: (s) => s.creditType }),
    lecturers: t.stringList({
      description: '讲师 / Lecturers',
      resolve: async (s, _args, ctx) => (await lecturersBySession(ctx).load(s.id)).map((l) => l.name),
    }),
    reach: t.field({ type: TrainingReachRef, description: '覆盖面 / Reach', resolve: (s, _args, ctx) => sessionReach(ctx).load(s.id) }),
    completionRate: t.float({
      nullable: true,
      description: '完成率（完成人数 / 参训人数）；仅本协会工作人员与证监局可见 / Share of participants who completed; the association\'s staff and the regulator only',
      resolve: (s, _args, ctx) => (maySeeTrainingResults(ctx.viewer, s.associationId) ? sessionCompletion(ctx).load(s.id) : null),
    }),
  }),
});

const CreditSummaryRef = builder.objectRef<CreditSummary>('CreditSummary').implement({
  description: '年度继续教育学时（每年至少 15 学时，其中必修至少 10） / A year\'s continuing-education hours (at least 15, of which at least 10 required)',
  fields: (t) => ({
    year: t.exposeInt('year', { description: '年度 / Year' }),
    requiredHours: t.exposeFloat('requiredHours', { description: '必修学时 / Required hours' }),
    electiveHours: t.exposeFloat('electiveHours', { description: '选修学时 / Elective hours' }),
    totalHours: t.exposeFloat('totalHours', { description: '合计学时 / Total hours' }),
    met: t.exposeBoolean('met', { description: '是否达标（合计 ≥ 15 且必修 ≥ 10） / Whether the minimum is met (total ≥ 15 and required ≥ 10)' }),
  }),
});

export const PractitionerRef = builder.loadableNode('Practitioner', {
  description: '登记的从业人员（不存储身份证号）；本机构、本协会工作人员与证监局可见 / A registered practitioner (no national ID number is stored); their firm, the association\'s staff and the regulator',
  id: { resolve: (p: PractitionerRow) => p.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => training.loadPractitionersByIds(ctx.db, ctx.viewer, ids),
  sort: (p) => p.id,
  fields: (t) => ({
    name: t.exposeString('name', { description: '姓名 / Name' }),
    organization: t.field({ type: OrganizationRef, description: '所在机构 / Their firm', resolve: (p) => p.organizationId }),
    branch: t.field({ type: BranchRef, nullable: true, description: '所在分支机构 / Their branch', resolve: (p) => p.branchId }),
    registrationNumber: t.exposeString('registrationNumber', { nullable: true, description: '执业登记编号（S + 13 位数字） / SAC registration number (S + 13 digits)' }),
    credits: t.field({
      type: CreditSummaryRef,
      description: '某年度的学时 / Hours of a year',
      args: { year: t.arg.int({ required: true, description: '年度 / Year' }) },
      resolve: (p, args, ctx) => {
        if (args.year < 1990 || args.year > 2100) throw badInput('year must be between 1990 and 2100');
        return creditsLoader(ctx, args.year).load(p.id);
      },
    }),
  }),
});

/** A bad argument outside a mutation: BAD_USER_INPUT. */
function badInput(message: string) {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export const TrainingCertificateRef = builder.loadableNode('TrainingCertificate', {
  description: '培训证书（公开编号可供任何人核验） / A training certificate (anyone may verify its public code)',
  id: { resolve: (c: TrainingCertificateRow) => c.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => training.loadCertificatesByIds(ctx.db, ctx.viewer, ids),
  sort: (c) => c.id,
  fields: (t) => ({
    code: t.exposeString('code', { description: '公开编号 / Public code' }),
    practitioner: t.field({ type: PractitionerRef, description: '持证人 / The practitioner', resolve: (c) => c.practitionerId }),
    session: t.field({ type: TrainingSessionRef, description: '培训场次 / The session', resolve: (c) => c.sessionId }),
    issuedOn: t.expose('issuedOn', { type: 'Date', description: '颁发日期 / Issued on' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: '撤销时间；有效时为 null / When it was revoked; null while valid' }),
    revokeReason: t.exposeString('revokeReason', { nullable: true, description: '撤销原因 / Why it was revoked' }),
  }),
});

const TrainingCertificateVerificationRef = builder
  .objectRef<NonNullable<Awaited<ReturnType<typeof training.verifyCertificate>>>>('TrainingCertificateVerification')
  .implement({
    description: '证书核验结果（仅含以下字段） / Verification of a certificate (these fields only)',
    fields: (t) => ({
      valid: t.exposeBoolean('valid', { description: '是否有效 / Whether it is valid' }),
      revoked: t.exposeBoolean('revoked', { description: '是否已撤销 / Whether it was revoked' }),
      practitionerName: t.exposeString('practitionerName', { description: '持证人姓名 / The practitioner\'s name' }),
      sessionTitle: t.exposeString('sessionTitle', { description: '培训场次 / The session' }),
      creditHours: t.exposeFloat('creditHours', { description: '学时 / Credit hours' }),
      issuedOn: t.expose('issuedOn', { type: 'Date', description: '颁发日期 / Issued on' }),
    }),
  });

const TrainingObligationRef = builder.objectRef<training.TrainingObligationView>('TrainingObligation').implement({
  description: '会员的培训义务（C/D 类评价或纪律处分）；本机构、所属协会工作人员与证监局可见 / A member\'s training obligation (a C/D rating or a disciplinary measure); the member, the association\'s staff and the regulator',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, description: '负有义务的会员 / The member', resolve: (o) => o.organizationId }),
    association: t.field({ type: AssociationRef, description: '义务所对的协会 / The association it is owed to', resolve: (o) => o.associationId }),
    source: t.field({ type: TrainingObligationSourceEnum, description: '来源 / Source', resolve: (o) => o.source }),
    reason: t.exposeString('reason', { description: '原因 / Reason' }),
    dueOn: t.expose('dueOn', { type: 'Date', nullable: true, description: '完成期限 / Due on' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '产生时间 / When it arose' }),
  }),
});

registerNodeType('TrainingNeedsSurvey', (ctx, id) => TrainingNeedsSurveyRef.getDataloader(ctx).load(id));
registerNodeType('TrainingProgramme', (ctx, id) => TrainingProgrammeRef.getDataloader(ctx).load(id));
registerNodeType('TrainingSession', (ctx, id) => TrainingSessionRef.getDataloader(ctx).load(id));
registerNodeType('Practitioner', (ctx, id) => PractitionerRef.getDataloader(ctx).load(id));
registerNodeType('TrainingCertificate', (ctx, id) => TrainingCertificateRef.getDataloader(ctx).load(id));

const TrainingNeedsSurveyConnection = defineConnection(TrainingNeedsSurveyRef, 'TrainingNeedsSurveyConnection', '培训需求调查', 'Training needs surveys');
const TrainingProgrammeConnection = defineConnection(TrainingProgrammeRef, 'TrainingProgrammeConnection', '培训项目', 'Training programmes');
const TrainingSessionConnection = defineConnection(TrainingSessionRef, 'TrainingSessionConnection', '培训场次', 'Training sessions');
const PractitionerConnection = defineConnection(PractitionerRef, 'PractitionerConnection', '从业人员', 'Practitioners');
const TrainingCertificateConnection = defineConnection(TrainingCertificateRef, 'TrainingCertificateConnection', '培训证书', 'Training certificates');
const TrainingObligationConnection = defineConnection(TrainingObligationRef, 'TrainingObligationConnection', '培训义务', 'Training obligations');

builder.objectField(TrainingProgrammeRef, 'sessions', (t) =>
  t.loadable({
    type: TrainingSessionConnection,
    description: '场次（按 ID 排序） / Sessions, in id order',
    args: connectionArgs(t.arg),
    byPath: true,
    loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
    load: async (programmeIds: number[], ctx, args) => {
      const page = pageRequest(args);
      const rows = await training.listSessionsOfProgrammes(ctx.db, programmeIds, page);
      let counts: Promise<Map<number, number>> | undefined;
      return programmeIds.map((id) =>
        toConnection(
          rows.filter((r) => r.programmeId === id),
          page,
          (r) => r.id,
          async () => {
            counts ??= training.countSessionsOfProgrammes(ctx.db, programmeIds);
            return (await counts).get(id) ?? 0;
          },
        ),
      ) as never;
    },
    resolve: (p) => p.id,
  }),
);

builder.objectField(OrganizationRef, 'trainingObligations', (t) =>
  t.loadable({
    type: TrainingObligationConnection,
    description: '培训义务：本机构、所属协会工作人员与证监局可见，其他人得到空列表 / Training obligations: the organization itself, the association\'s staff and the regulator; empty for others',
    args: connectionArgs(t.arg),
    byPath: true,
    loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
    load: async (orgIds: number[], ctx, args) => {
      const page = pageRequest(args);
      const rows = await training.obligationsOfOrganizations(ctx.db, ctx.viewer, orgIds, page);
      let counts: Promise<Map<number, number>> | undefined;
      return orgIds.map((id) =>
        toConnection(
          rows.filter((r) => r.organizationId === id),
          page,
          (r) => r.key,
          async () => {
            counts ??= training.countObligationsOfOrganizations(ctx.db, ctx.viewer, orgIds);
            return (await counts).get(id) ?? 0;
          },
        ),
      ) as never;
    },
    resolve: (o) => o.id,
  }),
);

const PractitionerFilterInput = builder.inputType('PractitionerFilter', {
  description: '从业人员筛选条件 / Filter for practitioners',
  fields: (t) => ({
    organizationId: t.id({ description: '所在机构全局 ID / Global ID of their firm' }),
    search: t.string({ description: '姓名（包含）或登记编号（完全一致） / Name (contains) or registration number (exact)' }),
    behindOnHoursInYear: t.int({ description: '只列出该年度学时未达标的 / Only those whose hours in this year are not met' }),
  }),
});

const TrainingCertificateFilterInput = builder.inputType('TrainingCertificateFilter', {
  description: '培训证书筛选条件 / Filter for certificates',
  fields: (t) => ({
    practitionerId: t.id({ description: '从业人员全局 ID / Practitioner global ID' }),
    sessionId: t.id({ description: '培训场次全局 ID / Session global ID' }),
  }),
});

const optionalId = (value: string | number | null | undefined, typename: string) => (value == null ? undefined : parseGlobalIdOf(String(value), typename));

builder.queryFields((t) => ({
  trainingNeedsSurveys: t.field({
    type: TrainingNeedsSurveyConnection,
    description: '培训需求调查：协会工作人员看本协会的，证监局看全部，会员看所在协会的；匿名访客看不到 / Needs surveys: their association\'s for staff, all for the regulator, those of their associations for members; none for anonymous viewers',
    args: connectionArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const rows = await training.listSurveys(ctx.db, ctx.viewer, page);
      return toConnection(rows, page, (s) => s.id, () => training.countSurveys(ctx.db, ctx.viewer)) as never;
    },
  }),
  trainingProgrammes: t.field({
    type: TrainingProgrammeConnection,
    description: '培训项目（按 ID 排序）：PUBLIC 的任何人可见；MEMBERS 的本协会会员、工作人员与证监局可见。search 按中文检索项目及其场次 / Programmes in id order: PUBLIC ones to anyone, MEMBERS ones to the association\'s members and staff and the regulator. search matches Chinese text of the programme and its sessions',
    args: { ...connectionArgs(t.arg), search: t.arg.string({ description: '检索词（标题、系列、场次标题、讲师） / Search text (title, series, session titles, lecturers)' }) },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const rows = await training.listProgrammes(ctx.db, ctx.viewer, args.search, page);
      return toConnection(rows, page, (p) => p.id, () => training.countProgrammes(ctx.db, ctx.viewer, args.search)) as never;
    },
  }),
  trainingSessions: t.field({
    type: TrainingSessionConnection,
    description: '培训场次（按 ID 排序），可见范围同其项目；search 按中文检索标题与讲师 / Sessions in id order, visible as their programme; search matches Chinese text of titles and lecturers',
    args: {
      ...connectionArgs(t.arg),
      search: t.arg.string({ description: '检索词 / Search text' }),
      programmeId: t.arg.id({ description: '只看该项目的 / Only this programme\'s' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { search: args.search, programmeId: optionalId(args.programmeId, 'TrainingProgramme') };
      const rows = await training.listSessions(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (s) => s.id, () => training.countSessions(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  practitioners: t.field({
    type: PractitionerConnection,
    description: '从业人员（按 ID 排序）：证券公司看本机构的，协会工作人员看本协会的参训人员，证监局看全部，其他人看不到 / Practitioners in id order: your own firm\'s, your association\'s trainees for staff, all for the regulator, none for others',
    args: { ...connectionArgs(t.arg), filter: t.arg({ type: PractitionerFilterInput, description: '筛选条件 / Filter' }) },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const year = args.filter?.behindOnHoursInYear;
      if (year != null && (year < 1990 || year > 2100)) throw badInput('behindOnHoursInYear must be between 1990 and 2100');
      const filter = { organizationId: optionalId(args.filter?.organizationId, 'Organization'), search: args.filter?.search, behindOnHoursInYear: year };
      const rows = await training.listPractitioners(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (p) => p.id, () => training.countPractitioners(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  trainingCertificates: t.field({
    type: TrainingCertificateConnection,
    description: '培训证书（按 ID 排序），可见范围同其持证人 / Certificates in id order, visible as their practitioner',
    args: { ...connectionArgs(t.arg), filter: t.arg({ type: TrainingCertificateFilterInput, description: '筛选条件 / Filter' }) },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { practitionerId: optionalId(args.filter?.practitionerId, 'Practitioner'), sessionId: optionalId(args.filter?.sessionId, 'TrainingSession') };
      const rows = await training.listCertificates(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (c) => c.id, () => training.countCertificates(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  trainingObligations: t.field({
    type: TrainingObligationConnection,
    description: '培训义务：会员看本机构的，协会工作人员看本协会的，证监局看全部 / Training obligations: your own for members, your association\'s for staff, all for the regulator',
    args: connectionArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const rows = await training.listObligations(ctx.db, ctx.viewer, page);
      return toConnection(rows, page, (o) => o.key, () => training.countObligations(ctx.db, ctx.viewer)) as never;
    },
  }),
  verifyTrainingCertificate: t.field({
    type: TrainingCertificateVerificationRef,
    nullable: true,
    description: '按公开编号核验证书（任何人）；编号不存在时为 null / Verify a certificate by its public code (anyone); null when unknown',
    args: { code: t.arg.string({ required: true, description: '证书公开编号 / The certificate\'s public code' }) },
    resolve: (_root, args, ctx) => training.verifyCertificate(ctx.db, args.code),
  }),
}));

// ---------------------------------------------------------------- mutations

const CreateTrainingNeedsSurveyInput = builder.inputType('CreateTrainingNeedsSurveyInput', {
  description: '发起培训需求调查（协会） / Start a training needs survey (association)',
  fields: (t) => ({
    title: t.string({ required: true, description: `标题（1–${mutations.MAX_TITLE_LENGTH} 字） / Title (1–${mutations.MAX_TITLE_LENGTH} characters)` }),
    closesOn: t.field({ type: 'Date', required: true, description: '截止日期（不早于今天） / Last day for answers (not in the past)' }),
    topics: t.field({ type: [TrainingTopicEnum], required: true, description: '可选主题（不重复） / Topics offered (no repeats)' }),
  }),
});

const AnswerTrainingNeedsSurveyInput = builder.inputType('AnswerTrainingNeedsSurveyInput', {
  description: '回答培训需求调查（会员；再次回答替换原答案） / Answer a needs survey (members; answering again replaces the answer)',
  fields: (t) => ({
    surveyId: t.id({ required: true, description: '调查全局 ID / Survey global ID' }),
    topics: t.field({ type: [TrainingTopicEnum], required: true, description: '需要的主题（须为调查所列） / Topics wanted (among those offered)' }),
  }),
});

const CreateTrainingProgrammeInput = builder.inputType('CreateTrainingProgrammeInput', {
  description: '设立培训项目（协会） / Create a training programme (association)',
  fields: (t) => ({
    title: t.string({ required: true, description: `标题（1–${mutations.MAX_TITLE_LENGTH} 字） / Title` }),
    series: t.string({ description: `系列（最多 ${mutations.MAX_SERIES_LENGTH} 字） / Series` }),
    audience: t.field({ type: AudienceEnum, required: true, description: '面向对象 / Audience' }),
  }),
});

const ScheduleTrainingSessionInput = builder.inputType('ScheduleTrainingSessionInput', {
  description: '安排培训场次（本协会的项目） / Schedule a session of one of your association\'s programmes',
  fields: (t) => ({
    programmeId: t.id({ required: true, description: '项目全局 ID / Programme global ID' }),
    title: t.string({ required: true, description: '标题 / Title' }),
    mode: t.field({ type: TrainingModeEnum, required: true, description: '方式 / Mode' }),
    startsAt: t.field({ type: 'DateTime', required: true, description: '开始时间 / Start' }),
    endsAt: t.field({ type: 'DateTime', required: true, description: '结束时间（晚于开始，最长 7 天） / End (after the start, at most 7 days)' }),
    creditHours: t.float({ required: true, description: '学时（大于 0，不超过 24，一位小数） / Credit hours (more than 0, at most 24, one decimal)' }),
    creditType: t.field({ type: CreditTypeEnum, required: true, description: '必修或选修 / Required or elective' }),
    lecturers: t.stringList({ description: `讲师（最多 ${mutations.MAX_LECTURERS} 位） / Lecturers (at most ${mutations.MAX_LECTURERS})` }),
  }),
});

const PractitionerInput = builder.inputType('PractitionerInput', {
  description: '一名从业人员（不含身份证号） / One practitioner (no national ID number)',
  fields: (t) => ({
    name: t.string({ required: true, description: `姓名（1–${mutations.MAX_NAME_LENGTH} 字） / Name` }),
    registrationNumber: t.string({ description: '执业登记编号：S + 13 位数字 / SAC registration number: S + 13 digits' }),
    branchId: t.id({ description: '所在分支机构（须为本机构的） / Their branch (one of your firm\'s own)' }),
  }),
});

const RegisterPractitionersInput = builder.inputType('RegisterPractitionersInput', {
  description: `登记本机构从业人员（证券公司；一次最多 ${mutations.MAX_REGISTER_BATCH} 人） / Register your firm's practitioners (securities firms; at most ${mutations.MAX_REGISTER_BATCH})`,
  fields: (t) => ({ practitioners: t.field({ type: [PractitionerInput], required: true, description: '从业人员 / Practitioners' }) }),
});

const EnrolPractitionersInput = builder.inputType('EnrolPractitionersInput', {
  description: '集体报名本机构从业人员 / Enrol your firm\'s practitioners collectively',
  fields: (t) => ({
    sessionId: t.id({ required: true, description: '场次全局 ID / Session global ID' }),
    practitionerIds: t.idList({ required: true, description: `本机构从业人员全局 ID（最多 ${mutations.MAX_ENROL_BATCH}） / Your practitioners' global IDs (at most ${mutations.MAX_ENROL_BATCH})` }),
  }),
});

const AttendanceInput = builder.inputType('AttendanceInput', {
  description: '一条出勤记录 / One attendance record',
  fields: (t) => ({
    practitionerId: t.id({ required: true, description: '从业人员全局 ID / Practitioner global ID' }),
    attendedMinutes: t.int({ required: true, description: '参训分钟数（0–1440） / Minutes attended (0–1440)' }),
    completed: t.boolean({ required: true, description: '是否完成 / Whether they completed it' }),
  }),
});

const RecordTrainingAttendanceInput = builder.inputType('RecordTrainingAttendanceInput', {
  description: `记录出勤（本协会的场次；一次最多 ${mutations.MAX_ATTENDANCE_BATCH} 条） / Record attendance (your association's session; at most ${mutations.MAX_ATTENDANCE_BATCH} records)`,
  fields: (t) => ({
    sessionId: t.id({ required: true, description: '场次全局 ID / Session global ID' }),
    records: t.field({ type: [AttendanceInput], required: true, description: '出勤记录 / Records' }),
  }),
});

const TrainingSessionIdInput = builder.inputType('TrainingSessionIdInput', {
  description: '指定一个场次 / One session',
  fields: (t) => ({ id: t.id({ required: true, description: '场次全局 ID / Session global ID' }) }),
});

const RevokeTrainingCertificateInput = builder.inputType('RevokeTrainingCertificateInput', {
  description: '撤销证书（其学时随之撤销） / Revoke a certificate (its credit goes with it)',
  fields: (t) => ({
    code: t.string({ required: true, description: '证书公开编号 / Public code' }),
    reason: t.string({ required: true, description: `撤销原因（1–${mutations.MAX_REASON_LENGTH} 字），如 代学 / Reason (1–${mutations.MAX_REASON_LENGTH} characters), e.g. someone else watched` }),
  }),
});

function payloadType<K extends string, T>(name: string, key: K, ref: any, zh: string, en: string, list = false) {
  return builder.objectRef<Record<K, T> & { userErrors: UserErrorOut[] }>(name).implement({
    description: `${zh} / ${en}`,
    fields: (t) => ({
      [key]: t.field({
        type: list ? [ref] : ref,
        nullable: !list,
        description: list ? '结果（有错误时为空列表） / The result (empty when there are userErrors)' : '结果（有错误时为 null） / The result (null when there are userErrors)',
        resolve: (p: any) => p[key],
      }),
      userErrors: userErrorsField(t),
    }) as any,
  });
}

const TrainingNeedsSurveyPayload = payloadType('TrainingNeedsSurveyPayload', 'trainingNeedsSurvey', TrainingNeedsSurveyRef, '培训需求调查变更结果', 'Result of a needs-survey change');
const TrainingProgrammePayload = payloadType('TrainingProgrammePayload', 'trainingProgramme', TrainingProgrammeRef, '培训项目变更结果', 'Result of a programme change');
const TrainingSessionPayload = payloadType('TrainingSessionPayload', 'trainingSession', TrainingSessionRef, '培训场次变更结果', 'Result of a session change');
const TrainingCertificatePayload = payloadType('TrainingCertificatePayload', 'trainingCertificate', TrainingCertificateRef, '培训证书变更结果', 'Result of a certificate change');
const RegisterPractitionersPayload = payloadType('RegisterPractitionersPayload', 'practitioners', PractitionerRef, '登记从业人员结果', 'Result of registering practitioners', true);
const IssueTrainingCertificatesPayload = payloadType('IssueTrainingCertificatesPayload', 'certificates', TrainingCertificateRef, '颁发证书结果（该场次全部证书）', 'Result of issuing certificates (every certificate of the session)', true);

const EnrolPractitionersPayload = builder.objectRef<{ enrolled: number; userErrors: UserErrorOut[] }>('EnrolPractitionersPayload').implement({
  description: '报名结果 / Result of an enrolment',
  fields: (t) => ({
    enrolled: t.exposeInt('enrolled', { description: '新报名人数（已报名的不重复计） / Newly enrolled (those already enrolled are not counted again)' }),
    userErrors: userErrorsField(t),
  }),
});

const RecordTrainingAttendancePayload = builder.objectRef<{ recorded: number; userErrors: UserErrorOut[] }>('RecordTrainingAttendancePayload').implement({
  description: '出勤记录结果 / Result of recording attendance',
  fields: (t) => ({
    recorded: t.exposeInt('recorded', { description: '记录条数 / Records written' }),
    userErrors: userErrorsField(t),
  }),
});

/** Runs a service call; a DomainError becomes userErrors with `empty` in place of the result. */
async function payload<R, P extends object>(ctx: Context, run: () => Promise<R>, shape: (r: R) => P, empty: { [K in keyof P]: P[K] | null }): Promise<unknown> {
  try {
    return { ...shape(await run()), userErrors: [] };
  } catch (error) {
    if (error instanceof DomainError) return { ...empty, userErrors: localizeUserErrors(error.errors, ctx) };
    throw error;
  }
}

const id = (value: string | number, typename: string) => parseGlobalIdOf(String(value), typename);

builder.mutationFields((t) => ({
  createTrainingNeedsSurvey: t.field({
    type: TrainingNeedsSurveyPayload,
    authScopes: { association: true },
    description: '发起培训需求调查（协会） / Start a needs survey (association)',
    args: { input: t.arg({ type: CreateTrainingNeedsSurveyInput, required: true, description: '调查内容 / The survey' }) },
    resolve: (_root, { input }, ctx) =>
      payload(ctx, () => mutations.createTrainingNeedsSurvey(ctx.db, ctx.viewer, input), (trainingNeedsSurvey) => ({ trainingNeedsSurvey }), { trainingNeedsSurvey: null }) as never,
  }),
  answerTrainingNeedsSurvey: t.field({
    type: TrainingNeedsSurveyPayload,
    authScopes: { member: true },
    description: '回答培训需求调查（所在协会的会员） / Answer a needs survey (members of its association)',
    args: { input: t.arg({ type: AnswerTrainingNeedsSurveyInput, required: true, description: '答案 / The answer' }) },
    resolve: (_root, { input }, ctx) =>
      payload(
        ctx,
        () => mutations.answerTrainingNeedsSurvey(ctx.db, ctx.viewer, { surveyId: id(input.surveyId, 'TrainingNeedsSurvey'), topics: input.topics }),
        (trainingNeedsSurvey) => ({ trainingNeedsSurvey }),
        { trainingNeedsSurvey: null },
      ) as never,
  }),
  createTrainingProgramme: t.field({
    type: TrainingProgrammePayload,
    authScopes: { association: true },
    description: '设立培训项目（协会） / Create a programme (association)',
    args: { input: t.arg({ type: CreateTrainingProgrammeInput, required: true, description: '项目内容 / The programme' }) },
    resolve: (_root, { input }, ctx) =>
      payload(ctx, () => mutations.createTrainingProgramme(ctx.db, ctx.viewer, input), (trainingProgramme) => ({ trainingProgramme }), { trainingProgramme: null }) as never,
  }),
  scheduleTrainingSession: t.field({
    type: TrainingSessionPayload,
    authScopes: { association: true },
    description: '安排培训场次并发出 TRAINING_SESSION_SCHEDULED（协会） / Schedule a session; TRAINING_SESSION_SCHEDULED goes out (association)',
    args: { input: t.arg({ type: ScheduleTrainingSessionInput, required: true, description: '场次内容 / The session' }) },
    resolve: (_root, { input }, ctx) =>
      payload(
        ctx,
        () => mutations.scheduleTrainingSession(ctx.db, ctx.viewer, { ...input, programmeId: id(input.programmeId, 'TrainingProgramme') }),
        (trainingSession) => ({ trainingSession }),
        { trainingSession: null },
      ) as never,
  }),
  registerPractitioners: t.field({
    type: RegisterPractitionersPayload,
    authScopes: { member: true },
    description: '登记本机构从业人员（证券公司） / Register your firm\'s practitioners (securities firms)',
    args: { input: t.arg({ type: RegisterPractitionersInput, required: true, description: '从业人员 / The practitioners' }) },
    resolve: (_root, { input }, ctx) =>
      payload(
        ctx,
        () =>
          mutations.registerPractitioners(
            ctx.db,
            ctx.viewer,
            input.practitioners.map((p) => ({
              name: p.name,
              registrationNumber: p.registrationNumber,
              branchId: p.branchId == null ? null : id(p.branchId, 'Branch'),
              branchIdGiven: p.branchId != null,
            })),
          ),
        (practitioners) => ({ practitioners }),
        { practitioners: [] },
      ) as never,
  }),
  enrolPractitioners: t.field({
    type: EnrolPractitionersPayload,
    authScopes: { member: true },
    description: '集体报名本机构从业人员（证券公司） / Enrol your firm\'s practitioners collectively (securities firms)',
    args: { input: t.arg({ type: EnrolPractitionersInput, required: true, description: '报名内容 / The enrolment' }) },
    resolve: (_root, { input }, ctx) =>
      payload(
        ctx,
        () =>
          mutations.enrolPractitioners(ctx.db, ctx.viewer, {
            sessionId: id(input.sessionId, 'TrainingSession'),
            practitionerIds: input.practitionerIds.map((p) => id(p, 'Practitioner')),
          }),
        (enrolled) => ({ enrolled }),
        { enrolled: 0 },
      ) as never,
  }),
  recordTrainingAttendance: t.field({
    type: RecordTrainingAttendancePayload,
    authScopes: { association: true },
    description: '记录出勤（本协会的场次） / Record attendance (your association\'s session)',
    args: { input: t.arg({ type: RecordTrainingAttendanceInput, required: true, description: '出勤记录 / The records' }) },
    resolve: (_root, { input }, ctx) =>
      payload(
        ctx,
        () =>
          mutations.recordTrainingAttendance(ctx.db, ctx.viewer, {
            sessionId: id(input.sessionId, 'TrainingSession'),
            records: input.records.map((r) => ({ ...r, practitionerId: id(r.practitionerId, 'Practitioner') })),
          }),
        (recorded) => ({ recorded }),
        { recorded: 0 },
      ) as never,
  }),
  issueTrainingCertificates: t.field({
    type: IssueTrainingCertificatesPayload,
    authScopes: { association: true },
    description: '为完成的参训人员颁发证书（幂等：已颁发的不重复） / Issue certificates to those who completed (idempotent)',
    args: { input: t.arg({ type: TrainingSessionIdInput, required: true, description: '场次 / The session' }) },
    resolve: (_root, { input }, ctx) =>
      payload(ctx, () => mutations.issueTrainingCertificates(ctx.db, ctx.viewer, { id: id(input.id, 'TrainingSession') }), (certificates) => ({ certificates }), { certificates: [] }) as never,
  }),
  revokeTrainingCertificate: t.field({
    type: TrainingCertificatePayload,
    authScopes: { association: true },
    description: '撤销证书（须说明原因，学时随之撤销） / Revoke a certificate with a reason; its credit goes with it',
    args: { input: t.arg({ type: RevokeTrainingCertificateInput, required: true, description: '撤销内容 / The revocation' }) },
    resolve: (_root, { input }, ctx) =>
      payload(ctx, () => mutations.revokeTrainingCertificate(ctx.db, ctx.viewer, input), (trainingCertificate) => ({ trainingCertificate }), { trainingCertificate: null }) as never,
  }),
}));

