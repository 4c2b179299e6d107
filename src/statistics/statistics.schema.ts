// GraphQL shape of the industry statistics: periods, versioned returns with their values, suppressed aggregates,
// overdue filers, the development reports, and the save / submit / review / freeze / publish mutations.
import { GraphQLError } from 'graphql';
import { ASSOCIATION_CODES, ASSOCIATION_IDS } from '../associations/associations.table.js';
import { AssociationCodeEnum } from '../associations/association-code.schema.js';
import { AssociationRef } from '../associations/associations.schema.js';
import { maySeeDevelopmentReport, maySeeStatisticsReturn, seesUnsuppressedStatistics } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { parseGlobalIdOf } from '../global-id.js';
import { DistrictEnum, OrganizationKindEnum, OrganizationRef } from '../members/members.schema.js';
import { todayInShanghai } from '../time.js';
import { industryStatistics, type StatisticsCell } from './statistics.aggregate.js';
import { daysBetween, periodDates } from './statistics.periods.js';
import * as reports from './statistics.reports.js';
import * as statistics from './statistics.service.js';
import type { DevelopmentReportRow, StatisticsPeriodRow, StatisticsReturnRow, StatisticsValueRow } from './statistics.table.js';
import { ingestionCounts } from '../ingestion.js';

/** The contract's metric codes; each one's rules (unit, range, threshold, who reports it) are rows of statistics_metrics. */
export const METRIC_CODES = [
  'OPERATING_REVENUE',
  'NET_PROFIT',
  'CLIENT_FUNDS',
  'EQUITY_FUND_TURNOVER',
  'MARGIN_BALANCE',
  'BRANCHES',
  'STAFF',
  'CLIENTS',
  'ASSETS_UNDER_CUSTODY',
] as const;
const metricCodes = new Set<string>(METRIC_CODES);

export const MetricCodeEnum = builder.enumType('MetricCode', {
  description: '统计指标代码；单位、范围、波动阈值和报送范围由指标定义（数据）规定 / Metric code; its unit, range, variance threshold and who reports it are data (statisticsMetrics)',
  values: {
    OPERATING_REVENUE: { description: '营业收入（元，流量） / Operating revenue (yuan, flow)' },
    NET_PROFIT: { description: '净利润（元，可为负） / Net profit (yuan, may be negative)' },
    CLIENT_FUNDS: { description: '客户交易结算资金余额（元，期末余额） / Client settlement funds (yuan, period-end balance)' },
    EQUITY_FUND_TURNOVER: { description: '股基交易额（元，流量） / Stock and fund turnover (yuan, flow)' },
    MARGIN_BALANCE: { description: '融资融券余额（元，期末余额） / Margin financing and securities lending balance (yuan, period end)' },
    BRANCHES: { description: '营业部（分支机构）数量（家，期末数） / Number of branches (period end)' },
    STAFF: { description: '从业人员数（人，期末数） / Registered practitioners (period end)' },
    CLIENTS: { description: '客户数（户，期末数） / Client accounts (period end)' },
    ASSETS_UNDER_CUSTODY: { description: '托管资产（元，期末市值） / Client assets in custody (yuan, period-end market value)' },
  } as const,
});

const StatisticsPeriodKindEnum = builder.enumType('StatisticsPeriodKind', {
  description: '统计期类型 / Kind of statistics period',
  values: {
    MONTHLY: { description: '月报，次月第 10 个工作日前报送 / Monthly, due by the 10th working day of the next month' },
    ANNUAL: { description: '年报，次年 4 月 30 日前报送 / Annual, due by 30 April of the next year' },
  } as const,
});

const StatisticsReturnStatusEnum = builder.enumType('StatisticsReturnStatus', {
  description: '统计报表状态：DRAFT → SUBMITTED → ACCEPTED，或 RETURNED → 修改保存为新版本（DRAFT） → SUBMITTED / Return status and its moves',
  values: {
    DRAFT: { description: '已保存未提交（不算已报送） / Saved, not submitted (not a filing)' },
    SUBMITTED: { description: '已提交，待协会审核（只读） / Submitted, awaiting review (read-only)' },
    RETURNED: { description: '已退回修改；再次保存生成新版本 / Returned for correction; saving again makes a new version' },
    ACCEPTED: { description: '审核通过，计入行业统计（只读） / Accepted, counted in the industry statistics (read-only)' },
  } as const,
});

const StatisticsGroupingEnum = builder.enumType('StatisticsGrouping', {
  description: '汇总口径 / Grouping of an aggregate',
  values: {
    DISTRICT: { description: '按机构注册所在区 / By the organization\'s district' },
    KIND: { description: '按机构类型 / By kind of organization' },
  } as const,
});

const DevelopmentReportStatusEnum = builder.enumType('DevelopmentReportStatus', {
  description: '发展报告状态：DRAFT → EMBARGOED → PUBLISHED / Development report status',
  values: {
    DRAFT: { description: '草稿，数据已冻结（仅本协会） / Draft with frozen data (its association only)' },
    EMBARGOED: { description: '禁发期，协会与证监局可阅 / Embargoed: its association and the regulator read it' },
    PUBLISHED: { description: '已发布，公开 / Published, public' },
  } as const,
});

const StatisticsReviewDecisionEnum = builder.enumType('StatisticsReviewDecision', {
  description: '统计报表审核决定 / Review decision on a statistics return',
  values: {
    ACCEPT: { description: '审核通过 / Accept' },
    RETURN: { description: '退回修改（须填写意见） / Return for correction (a note is required)' },
  } as const,
});

// ---------------------------------------------------------------- metric definitions

const StatisticsMetricRef = builder.objectRef<Awaited<ReturnType<typeof statistics.loadMetrics>>[number]>('StatisticsMetric').implement({
  description: '统计指标定义（数据） / A metric definition (data)',
  fields: (t) => ({
    code: t.field({ type: MetricCodeEnum, description: '代码 / Code', resolve: (m) => m.code as never }),
    nameZh: t.exposeString('nameZh', { description: '中文名称 / Chinese name' }),
    nameEn: t.exposeString('nameEn', { description: '英文名称 / English name' }),
    unit: t.exposeString('unit', { description: '填报单位（元、人、户、家） / Unit of the values filed' }),
    displayUnit: t.exposeString('displayUnit', { description: '展示单位（万元、亿元等） / Unit shown in reports' }),
    minValue: t.exposeFloat('minValue', { nullable: true, description: '常见范围下限（超出时警示） / Lower bound of the usual range (a warning outside)' }),
    maxValue: t.exposeFloat('maxValue', { nullable: true, description: '常见范围上限（超出时警示） / Upper bound of the usual range (a warning outside)' }),
    varianceThreshold: t.exposeFloat('varianceThreshold', { description: '较上期变动警示阈值（比例，0.5 即 50%） / Share of change against the previous period that warns (0.5 = 50 %)' }),
    nonNegative: t.exposeBoolean('nonNegative', { description: '是否不得为负 / Whether negative values are refused' }),
    appliesToKinds: t.field({ type: [OrganizationKindEnum], description: '报送该指标的机构类型 / Kinds of organization that report it', resolve: (m) => m.appliesToKinds }),
    periodKinds: t.field({ type: [StatisticsPeriodKindEnum], description: '报送的统计期类型 / Period kinds it is collected in', resolve: (m) => m.periodKinds }),
  }),
});

// ---------------------------------------------------------------- periods

const ownReturnByPeriod = groupedLoader(
  (ctx, periodIds: readonly number[]) => statistics.loadOwnReturnsByPeriodIds(ctx.db, ctx.viewer, periodIds),
  (row) => row.periodId,
);

export const StatisticsPeriodRef = builder.loadableNode('StatisticsPeriod', {
  description: '统计期（公开的报送日历） / A statistics period (the public filing calendar)',
  id: { resolve: (row: StatisticsPeriodRow) => row.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => statistics.loadPeriodsByIds(ctx.db, ids),
  sort: (row) => row.id,
  fields: (t) => ({
    label: t.exposeString('label', { description: '期别，如 "2026-11"（月）或 "2025"（年） / Label: "2026-11" (month) or "2025" (year)' }),
    kind: t.expose('kind', { type: StatisticsPeriodKindEnum, description: '类型 / Kind' }),
    startsOn: t.expose('startsOn', { type: 'Date', description: '起始日 / First day' }),
    endsOn: t.expose('endsOn', { type: 'Date', description: '截止日 / Last day' }),
    dueOn: t.expose('dueOn', { type: 'Date', description: '报送截止日（含当日，北京时间） / Due date (inclusive, Asia/Shanghai)' }),
    association: t.field({ type: AssociationRef, description: '收集该期报表的协会 / The association collecting it', resolve: (row) => row.associationId }),
    overdue: t.boolean({ description: '是否已过报送截止日 / Whether the due date has passed', resolve: (row) => row.dueOn < todayInShanghai() }),
  }),
});

// ---------------------------------------------------------------- returns

interface MetricValueOut {
  metric: string;
  value: number | null;
}

const MetricValueRef = builder.objectRef<MetricValueOut>('MetricValue').implement({
  description: '一项指标的填报值（基本单位：元、人、户、家） / One metric\'s value (base units: yuan, people, accounts, branches)',
  fields: (t) => ({
    metric: t.field({ type: MetricCodeEnum, description: '指标 / Metric', resolve: (x) => x.metric as never }),
    value: t.exposeFloat('value', { nullable: true, description: '数值 / Value' }),
  }),
});

const valuesByReturn = groupedLoader(
  (ctx, ids: readonly number[]) => statistics.loadValuesByReturnIds(ctx.db, ids),
  (row: StatisticsValueRow) => row.returnId,
);

const versionsByReturn = groupedLoader(
  (ctx, ids: readonly number[]) => statistics.loadVersionsOf(ctx.db, ids),
  (row) => row.forId,
);

export const StatisticsReturnRef = builder.loadableNode('StatisticsReturn', {
  description:
    '统计报表（某机构某期的一个版本）：仅该机构、受理协会工作人员和证监局可见 / A firm\'s statistics return for a period (one version): seen by the firm itself, the staff of its association and the regulator only',
  id: { resolve: (row: StatisticsReturnRow) => row.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => statistics.loadReturnsByIds(ctx.db, ctx.viewer, ids),
  sort: (row) => row.id,
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, description: '报送机构 / The reporting organization', resolve: (row) => row.organizationId }),
    period: t.field({ type: StatisticsPeriodRef, description: '统计期 / Period', resolve: (row) => row.periodId }),
    association: t.field({ type: AssociationRef, description: '受理协会 / The association it is filed with', resolve: (row) => row.associationId }),
    status: t.expose('status', { type: StatisticsReturnStatusEnum, description: '状态 / Status' }),
    version: t.exposeInt('version', { description: '版本号（退回后再次保存递增） / Version (grows when a returned return is saved again)' }),
    isLatest: t.exposeBoolean('isLatest', { description: '是否为现行版本 / Whether this is the version in force' }),
    values: t.field({
      type: [MetricValueRef],
      description: '各指标填报值（按指标顺序） / Values, in metric order',
      resolve: async (row, _args, ctx) =>
        (await valuesByReturn(ctx).load(row.id)).filter((x) => metricCodes.has(x.metricCode)).map((x) => ({ metric: x.metricCode, value: x.value })),
    }),
    warnings: t.stringList({
      description: '保存时的提示（超出常见范围、较上期大幅变动），按请求语言 / Warnings of the last save (outside the usual range, a large move against the previous period), in the request\'s language',
      resolve: (row, _args, ctx) => row.warnings.map((w) => (ctx.locale === 'zh' ? w.zh : w.en)),
    }),
    savedBy: t.exposeString('savedBy', { description: '最后保存人（令牌主体） / Who last saved it (token subject)' }),
    savedAt: t.expose('savedAt', { type: 'DateTime', description: '最后保存时间 / When it was last saved' }),
    submittedBy: t.exposeString('submittedBy', { nullable: true, description: '提交人（令牌主体，须不同于最后保存人） / Who submitted it (token subject; not the last saver)' }),
    submittedAt: t.expose('submittedAt', { type: 'DateTime', nullable: true, description: '提交时间 / When it was submitted' }),
    reviewedAt: t.expose('reviewedAt', { type: 'DateTime', nullable: true, description: '审核时间 / When it was reviewed' }),
    reviewNote: t.exposeString('reviewNote', { nullable: true, description: '审核意见（退回原因） / Review note (why it was returned)' }),
  }),
});


builder.objectFields(StatisticsReturnRef, (t) => ({
    versions: t.field({
      type: [StatisticsReturnRef],
      description: '同一机构同一期的全部版本（旧版在前），可逐项比较 / Every version for the same organization and period, oldest first, to compare',
      resolve: (row, _args, ctx) => versionsByReturn(ctx).load(row.id),
    }),
    previousVersion: t.field({
      type: StatisticsReturnRef,
      nullable: true,
      description: '上一版本（第 1 版为 null） / The previous version (null for version 1)',
      resolve: async (row, _args, ctx) => (await versionsByReturn(ctx).load(row.id)).find((x) => x.version === row.version - 1) ?? null,
    }),
}));

builder.objectFields(StatisticsPeriodRef, (t) => ({
    myReturn: t.field({
      type: StatisticsReturnRef,
      nullable: true,
      description: '本机构该期报表的最新版本（仅会员机构；其他人为 null） / Your own organization\'s latest version for the period (firms only; null otherwise)',
      resolve: async (row, _args, ctx) => (await ownReturnByPeriod(ctx).load(row.id))[0] ?? null,
    }),
}));

registerNodeType('StatisticsReturn', (ctx, id) => StatisticsReturnRef.getDataloader(ctx).load(id));
registerNodeType('StatisticsPeriod', (ctx, id) => StatisticsPeriodRef.getDataloader(ctx).load(id));

const StatisticsPeriodConnection = defineConnection(StatisticsPeriodRef, 'StatisticsPeriodConnection', '统计期', 'Statistics periods');
const StatisticsReturnConnection = defineConnection(StatisticsReturnRef, 'StatisticsReturnConnection', '统计报表', 'Statistics returns');

const StatisticsReturnFilterInput = builder.inputType('StatisticsReturnFilter', {
  description: '统计报表筛选条件（只列现行版本） / Filter for statistics returns (versions in force only)',
  fields: (t) => ({
    period: t.string({ description: '期别，如 "2026-11" / Period label' }),
    status: t.field({ type: StatisticsReturnStatusEnum, description: '状态 / Status' }),
    organizationId: t.id({ description: '机构全局 ID / Organization global ID' }),
  }),
});

// ---------------------------------------------------------------- aggregates

const StatisticsCellRef = builder.objectRef<StatisticsCell>('StatisticsCell').implement({
  description:
    '行业汇总单元格（仅已审核通过的报表）；对协会工作人员和证监局以外的访问者，少于 3 家机构的单元格及可据以推算的单元格不予公开 / An aggregate of accepted returns; for anyone but the association\'s staff and the regulator, cells of fewer than 3 firms (and cells that would let one recover them) are suppressed',
  fields: (t) => ({
    metric: t.field({ type: MetricCodeEnum, description: '指标 / Metric', resolve: (c) => c.metric as never }),
    district: t.field({ type: DistrictEnum, nullable: true, description: '区（按区汇总时） / District (grouping DISTRICT)', resolve: (c) => c.district as never }),
    kind: t.field({ type: OrganizationKindEnum, nullable: true, description: '机构类型（按类型汇总时） / Kind (grouping KIND)', resolve: (c) => c.kind as never }),
    value: t.exposeFloat('value', { nullable: true, description: '合计（基本单位）；不予公开时为 null / Sum in base units; null when suppressed' }),
    firms: t.exposeInt('firms', { description: '构成该单元格的机构数 / Number of firms in the cell' }),
    suppressed: t.exposeBoolean('suppressed', { description: '是否因保密不予公开 / Whether the value is withheld' }),
  }),
});

// ---------------------------------------------------------------- overdue filers

interface OverdueFilerOut extends statistics.OutstandingFiler {
  today: string;
}

const OverdueStatisticsFilerRef = builder.objectRef<OverdueFilerOut>('OverdueStatisticsFiler').implement({
  description: '应报未报的机构（无报表、已保存未提交或退回未重报） / A firm that owes a period and has not filed it: nothing saved, saved but not submitted, or returned and not resubmitted',
  fields: (t) => ({
    organization: t.field({ type: OrganizationRef, description: '机构 / The organization', resolve: (x) => x.organizationId }),
    period: t.field({ type: StatisticsPeriodRef, description: '统计期 / Period', resolve: (x) => x.periodId }),
    status: t.field({
      type: StatisticsReturnStatusEnum,
      nullable: true,
      description: '现行版本状态：null 未填报，DRAFT 已保存未提交，RETURNED 退回未重报 / Status of the version in force: null nothing saved, DRAFT saved not submitted, RETURNED not corrected',
      resolve: (x) => x.status,
    }),
    statisticsReturn: t.field({ type: StatisticsReturnRef, nullable: true, description: '现行版本 / The version in force, if any', resolve: (x) => x.returnId }),
    dueOn: t.expose('dueOn', { type: 'Date', description: '报送截止日 / Due date' }),
    daysOverdue: t.int({ description: '逾期天数（未到期为 0） / Days past the due date (0 before it)', resolve: (x) => Math.max(0, daysBetween(x.dueOn, x.today)) }),
  }),
});

const OverdueStatisticsFilerConnection = defineConnection(OverdueStatisticsFilerRef, 'OverdueStatisticsFilerConnection', '应报未报机构', 'Firms that have not filed');

// ---------------------------------------------------------------- development reports

export const DevelopmentReportRef = builder.loadableNode('DevelopmentReport', {
  description: '年度发展报告：禁发期内仅协会与证监局可见，发布后公开 / The yearly development report: its association and the regulator while embargoed, everyone once published',
  id: { resolve: (row: DevelopmentReportRow) => row.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => reports.loadDevelopmentReportsByIds(ctx.db, ctx.viewer, ids),
  sort: (row) => row.id,
  fields: (t) => ({
    year: t.exposeInt('year', { description: '年度 / Year' }),
    title: t.exposeString('title', { description: '标题，如 深圳证券业发展报告（2025） / Title' }),
    association: t.field({ type: AssociationRef, description: '编制协会 / The association that wrote it', resolve: (row) => row.associationId }),
    status: t.expose('status', { type: DevelopmentReportStatusEnum, description: '状态 / Status' }),
    dataCutOff: t.expose('dataCutOff', { type: 'DateTime', description: '数据截止时间（冻结已审核数据的时点） / Data cut-off: when the accepted data was frozen' }),
    embargoedAt: t.expose('embargoedAt', { type: 'DateTime', nullable: true, description: '进入禁发期时间 / When the embargo began' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime', nullable: true, description: '发布时间 / When it was published' }),
    htmlUrl: t.string({
      nullable: true,
      description:
        '报告网页（API 提供，含表格与图表）：已发布的公开访问；禁发期内须携带协会或证监局的 Bearer 令牌 / The report\'s page served by the API (tables and charts): public once published; while embargoed it needs the association\'s or the regulator\'s bearer token',
      resolve: (row) => reports.developmentReportPath(row, ASSOCIATION_CODES[row.associationId] ?? 'SZSA'),
    }),
  }),
});

registerNodeType('DevelopmentReport', (ctx, id) => DevelopmentReportRef.getDataloader(ctx).load(id));

// ---------------------------------------------------------------- queries

builder.queryFields((t) => ({
  statisticsMetrics: t.field({
    type: [StatisticsMetricRef],
    description: '统计指标定义（公开） / The metric definitions (public)',
    resolve: async (_root, _args, ctx) => (await statistics.loadMetrics(ctx.db)).filter((m) => metricCodes.has(m.code)),
  }),
  statisticsPeriods: t.field({
    type: StatisticsPeriodConnection,
    description:
      '统计期（新在前）：会员机构看到本机构应报的各期及截止日，其他人看到完整报送日历 / Periods, newest first: for a firm the ones it owes with their due dates; for everyone else the whole calendar',
    args: { ...connectionArgs(t.arg) },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const rows = await statistics.listPeriods(ctx.db, ctx.viewer, page);
      return toConnection(rows, page, (row) => row.id, () => statistics.countPeriods(ctx.db, ctx.viewer)) as never;
    },
  }),
  statisticsReturns: t.field({
    type: StatisticsReturnConnection,
    description:
      '统计报表现行版本（按 ID 排序）：会员机构看到本机构的，协会工作人员看到报送本协会的，证监局看到全部；其他人为空 / Returns in force, by id: your own for a firm, those filed with their association for its staff, all for the regulator; empty for others',
    args: { ...connectionArgs(t.arg), filter: t.arg({ type: StatisticsReturnFilterInput, description: '筛选条件 / Filter' }) },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter: statistics.StatisticsReturnFilter = {
        period: args.filter?.period ?? null,
        status: args.filter?.status ?? null,
        organizationId: args.filter?.organizationId == null ? undefined : parseGlobalIdOf(String(args.filter.organizationId), 'Organization'),
      };
      const rows = await statistics.listReturns(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (row) => row.id, () => statistics.countReturns(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
  overdueStatisticsFilers: t.field({
    type: OverdueStatisticsFilerConnection,
    description:
      '应报未报的机构（已保存未提交视为未报送），按机构排序；仅该期所属协会工作人员和证监局可见，其他人为空 / Firms that owe the period and have not filed it (a saved draft is not a filing), by organization; for the period\'s association\'s staff and the regulator, empty for others',
    args: {
      ...connectionArgs(t.arg),
      period: t.arg.string({ required: true, description: '期别，如 "2026-10" / Period label' }),
      association: t.arg({ type: AssociationCodeEnum, description: '协会，默认深证协 / Association, SZSA by default' }),
      includeNotYetDue: t.arg.boolean({ description: '包括尚未到期的（默认只列已逾期的） / Also before the due date (default: overdue only)' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const associationId = ASSOCIATION_IDS[args.association ?? 'SZSA'];
      const empty = toConnection([], page, () => 0, async () => 0);
      if (!seesUnsuppressedStatistics(ctx.viewer, associationId)) return empty as never;
      const period = await statistics.findPeriod(ctx.db, associationId, args.period);
      if (!period) return empty as never;
      const today = todayInShanghai();
      const opts = { includeNotYetDue: args.includeNotYetDue ?? false, today };
      const rows = (await statistics.listOutstandingFilers(ctx.db, period, opts, page)).map((x) => ({ ...x, today }));
      const connection = toConnection(rows, page, (x) => x.organizationId, async () => (await statistics.listOutstandingFilers(ctx.db, period, opts, null)).length);
      return connection as never;
    },
  }),
  industryStatistics: t.field({
    type: [StatisticsCellRef],
    description:
      '行业统计汇总（仅已审核通过的报表，任何人可查）；协会工作人员和证监局以外的访问者，少于 3 家机构的单元格为 value: null, suppressed: true，并作补充隐藏以防相减推算。by 为空时每个指标一个合计 / Aggregates of accepted returns (anyone); for anyone but the association\'s staff and the regulator, cells of fewer than 3 firms are value: null, suppressed: true, with complementary suppression against subtraction. Without `by`, one total per metric',
    args: {
      period: t.arg.string({ required: true, description: '期别，如 "2026-11" 或 "2025" / Period label' }),
      by: t.arg({ type: StatisticsGroupingEnum, description: '汇总口径；为空时为合计 / Grouping; totals when absent' }),
      association: t.arg({ type: AssociationCodeEnum, description: '收集数据的协会，默认深证协 / The association whose returns are counted, SZSA by default' }),
    },
    resolve: async (_root, args, ctx) => {
      const associationId = ASSOCIATION_IDS[args.association ?? 'SZSA'];
      if (!periodDates(args.period)) {
        throw new GraphQLError('period must look like 2026-11 (monthly) or 2025 (annual)', { extensions: { code: 'BAD_USER_INPUT' } });
      }
      const cells = await industryStatistics(ctx.db, {
        associationId,
        label: args.period,
        by: args.by ?? null,
        mask: !seesUnsuppressedStatistics(ctx.viewer, associationId),
      });
      return cells.filter((c) => metricCodes.has(c.metric));
    },
  }),
  developmentReports: t.field({
    type: [DevelopmentReportRef],
    description: '年度发展报告（新在前）：已发布的公开；禁发期的仅协会工作人员与证监局；草稿仅本协会 / Development reports, newest first: published ones for everyone, embargoed ones for staff and the regulator, drafts for their association',
    resolve: (_root, _args, ctx) => reports.listDevelopmentReports(ctx.db, ctx.viewer),
  }),
}));

// ---------------------------------------------------------------- mutations

const MetricValueInput = builder.inputType('MetricValueInput', {
  description: '一项指标的填报值（基本单位：元、人、户、家） / One metric\'s value (base units: yuan, people, accounts, branches)',
  fields: (t) => ({
    metric: t.field({ type: MetricCodeEnum, required: true, description: '指标 / Metric' }),
    value: t.float({ description: '数值；null 表示清除该项 / Value; null removes the metric from the draft' }),
  }),
});

const SaveStatisticsReturnInput = builder.inputType('SaveStatisticsReturnInput', {
  description: '保存本机构某期统计报表草稿（未列出的指标保持原值） / Save your organization\'s draft return for a period (metrics not named keep their value)',
  fields: (t) => ({
    period: t.string({ required: true, description: '期别，如 "2026-11" 或 "2025" / Period label' }),
    values: t.field({ type: [MetricValueInput], required: true, description: `各指标填报值（最多 ${statistics.MAX_VALUES_PER_SAVE} 项） / Values (at most ${statistics.MAX_VALUES_PER_SAVE})` }),
  }),
});

const StatisticsReturnIdInput = builder.inputType('StatisticsReturnIdInput', {
  description: '指定一份统计报表 / One statistics return',
  fields: (t) => ({ id: t.id({ required: true, description: '统计报表全局 ID / Statistics return global ID' }) }),
});

const ReviewStatisticsReturnInput = builder.inputType('ReviewStatisticsReturnInput', {
  description: '审核已提交的统计报表 / Review a submitted return',
  fields: (t) => ({
    id: t.id({ required: true, description: '统计报表全局 ID / Statistics return global ID' }),
    decision: t.field({ type: StatisticsReviewDecisionEnum, required: true, description: '决定 / Decision' }),
    note: t.string({ description: `审核意见，退回时必填（最多 ${statistics.MAX_REVIEW_NOTE_LENGTH} 字） / Note, required when returning (at most ${statistics.MAX_REVIEW_NOTE_LENGTH} characters)` }),
  }),
});

const DevelopmentReportYearInput = builder.inputType('DevelopmentReportYearInput', {
  description: '指定本协会某年度的发展报告 / Your association\'s development report of a year',
  fields: (t) => ({ year: t.int({ required: true, description: '年度 / Year' }) }),
});

const FreezeDevelopmentReportInput = builder.inputType('FreezeDevelopmentReportInput', {
  description: '冻结（或在草稿阶段重新冻结）某年度报告的数据 / Freeze (or, while a draft, re-freeze) the data of a year\'s report',
  fields: (t) => ({
    year: t.int({ required: true, description: '年度 / Year' }),
    dataCutOff: t.field({ type: 'DateTime', description: '数据截止时间，默认现在，不得晚于现在 / Data cut-off, now by default, not in the future' }),
  }),
});

type ReturnPayloadShape = { statisticsReturn: StatisticsReturnRow | null; userErrors: never[] };

const StatisticsReturnPayload = builder.objectRef<ReturnPayloadShape>('StatisticsReturnPayload').implement({
  description: '统计报表变更结果 / Result of a statistics return change',
  fields: (t) => ({
    statisticsReturn: t.field({
      type: StatisticsReturnRef,
      nullable: true,
      description: '变更后的报表 / The return',
      resolve: (payload, _args, ctx) => (payload.statisticsReturn && maySeeStatisticsReturn(ctx.viewer, payload.statisticsReturn) ? payload.statisticsReturn : null),
    }),
    userErrors: userErrorsField(t),
  }),
});

const DevelopmentReportPayload = builder.objectRef<{ developmentReport: DevelopmentReportRow | null; userErrors: never[] }>('DevelopmentReportPayload').implement({
  description: '发展报告变更结果 / Result of a development report change',
  fields: (t) => ({
    developmentReport: t.field({
      type: DevelopmentReportRef,
      nullable: true,
      description: '变更后的报告 / The report',
      resolve: (payload, _args, ctx) => (payload.developmentReport && maySeeDevelopmentReport(ctx.viewer, payload.developmentReport) ? payload.developmentReport : null),
    }),
    userErrors: userErrorsField(t),
  }),
});

const returnId = (id: string | number) => parseGlobalIdOf(String(id), 'StatisticsReturn');
const returnResult = (statisticsReturn: StatisticsReturnRow) => ({ statisticsReturn });
const noReturn = { statisticsReturn: null };

builder.mutationFields((t) => ({
  saveStatisticsReturn: t.field({
    type: StatisticsReturnPayload,
    authScopes: { member: true },
    description:
      '保存本机构统计报表草稿（会员机构，记录保存人）；已提交或已通过的只读，退回的再次保存生成新版本；超出范围或大幅变动返回 warnings / Save your firm\'s draft return (recording who saved it); submitted and accepted returns are read-only, a returned one saved again becomes a new version; out-of-range values and large moves come back as warnings',
    args: { input: t.arg({ type: SaveStatisticsReturnInput, required: true, description: '报表内容 / The return' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        async () => {
          const saved = (await statistics.saveStatisticsReturn(ctx.db, ctx.viewer, { period: input.period, values: input.values.map((x) => ({ metric: x.metric, value: x.value ?? null })) })).statisticsReturn;
          ingestionCounts.statisticsReturns.saved++;
          return saved;
        },
        returnResult,
        noReturn,
      ) as never,
  }),
  submitStatisticsReturn: t.field({
    type: StatisticsReturnPayload,
    authScopes: { member: true },
    description: '提交报表（会员机构）；不得由最后保存人提交（SAME_PERSON），重复提交为 INVALID_STATE / Submit a return (firms); not by the person who last saved it (SAME_PERSON); a second submission is INVALID_STATE',
    args: { input: t.arg({ type: StatisticsReturnIdInput, required: true, description: '报表 / The return' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        async () => {
          const submitted = await statistics.submitStatisticsReturn(ctx.db, ctx.viewer, returnId(input.id));
          ingestionCounts.statisticsReturns.submitted++;
          return submitted;
        },
        returnResult,
        noReturn,
      ) as never,
  }),
  reviewStatisticsReturn: t.field({
    type: StatisticsReturnPayload,
    authScopes: { association: true },
    description: '审核报送本协会的已提交报表：通过或退回修改（协会） / Accept or return a submitted return filed with your association (association)',
    args: { input: t.arg({ type: ReviewStatisticsReturnInput, required: true, description: '审核决定 / The decision' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => statistics.reviewStatisticsReturn(ctx.db, ctx.viewer, { id: returnId(input.id), decision: input.decision, note: input.note }),
        returnResult,
        noReturn,
      ) as never,
  }),
  publishDevelopmentReport: t.field({
    type: DevelopmentReportPayload,
    authScopes: { association: true },
    description:
      '推进本协会某年度发展报告一步（协会）：无 → DRAFT（按当前时点冻结已审核数据）→ EMBARGOED（协会与证监局可阅）→ PUBLISHED（公开）；已发布的再调用为 ALREADY_PUBLISHED / Advance your association\'s report of a year one step: none → DRAFT (freezing the accepted data now) → EMBARGOED → PUBLISHED; once published, ALREADY_PUBLISHED',
    args: { input: t.arg({ type: DevelopmentReportYearInput, required: true, description: '年度 / The year' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => reports.publishDevelopmentReport(ctx.db, ctx.viewer, { year: input.year }), (developmentReport) => ({ developmentReport }), { developmentReport: null }) as never,
  }),
  freezeDevelopmentReport: t.field({
    type: DevelopmentReportPayload,
    authScopes: { association: true },
    description: '按数据截止时间冻结本协会某年度报告的数据（草稿阶段可重新冻结；协会） / Freeze the data of your association\'s report of a year at a cut-off (again while it is a draft; association)',
    args: { input: t.arg({ type: FreezeDevelopmentReportInput, required: true, description: '年度与截止时间 / Year and cut-off' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => reports.freezeDevelopmentReport(ctx.db, ctx.viewer, { year: input.year, dataCutOff: input.dataCutOff ?? null }),
        (developmentReport) => ({ developmentReport }),
        { developmentReport: null },
      ) as never,
  }),
}));

