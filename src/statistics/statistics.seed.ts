// Demo statistics of the securities association (深证协): the nine metric definitions (data), twelve monthly periods
// (2025-12 … 2026-11) and two annual ones (2024, 2025), returns from every firm that owes them — accepted ones with
// plausible values, a few drafts (saved, not submitted), one returned and not yet corrected, one corrected (two
// versions), an overdue firm — and the 2025 report PUBLISHED, the 2026 report EMBARGOED. Deterministic (mulberry32),
// set-based: a handful of statements whatever the number of firms.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { membershipsTable, organizationsTable } from '../members/members.table.js';
import { mulberry32 } from '../seed/prng.js';
import { monthLabels, periodDates } from './statistics.periods.js';
import { buildSnapshot, reportTitle } from './statistics.reports.js';
import {
  developmentReportsTable,
  statisticsMetricsTable,
  statisticsPeriodsTable,
  statisticsReturnsTable,
  type StatisticsMetricRow,
  type StatisticsReturnStatus,
} from './statistics.table.js';

type Kind = StatisticsMetricRow['appliesToKinds'][number];
const FIRMS: Kind[] = ['SECURITIES_FIRM', 'FUTURES_FIRM', 'FUND_MANAGER'];
const BROKERS: Kind[] = ['SECURITIES_FIRM', 'FUTURES_FIRM'];
const BOTH: ('MONTHLY' | 'ANNUAL')[] = ['MONTHLY', 'ANNUAL'];

/** The metric definitions: the rules of each MetricCode, as data. */
export const METRIC_DEFINITIONS: (typeof statisticsMetricsTable.$inferInsert)[] = [
  { code: 'OPERATING_REVENUE', nameZh: '营业收入', nameEn: 'Operating revenue', unit: '元', displayUnit: '万元', kind: 'FLOW', nonNegative: false, integral: false, minValue: 0, maxValue: 5e10, varianceThreshold: 0.5, appliesToKinds: FIRMS, periodKinds: BOTH, sortOrder: 1 },
  { code: 'NET_PROFIT', nameZh: '净利润', nameEn: 'Net profit', unit: '元', displayUnit: '万元', kind: 'FLOW', nonNegative: false, integral: false, minValue: -5e9, maxValue: 2e10, varianceThreshold: 0.8, appliesToKinds: FIRMS, periodKinds: BOTH, sortOrder: 2 },
  { code: 'CLIENT_FUNDS', nameZh: '客户交易结算资金余额', nameEn: 'Client settlement funds', unit: '元', displayUnit: '亿元', kind: 'BALANCE', nonNegative: true, integral: false, minValue: 0, maxValue: 5e11, varianceThreshold: 0.5, appliesToKinds: BROKERS, periodKinds: BOTH, sortOrder: 3 },
  { code: 'EQUITY_FUND_TURNOVER', nameZh: '股基交易额', nameEn: 'Stock and fund turnover', unit: '元', displayUnit: '亿元', kind: 'FLOW', nonNegative: true, integral: false, minValue: 0, maxValue: 1e14, varianceThreshold: 0.6, appliesToKinds: ['SECURITIES_FIRM'], periodKinds: BOTH, sortOrder: 4 },
  { code: 'MARGIN_BALANCE', nameZh: '融资融券余额', nameEn: 'Margin financing and securities lending balance', unit: '元', displayUnit: '亿元', kind: 'BALANCE', nonNegative: true, integral: false, minValue: 0, maxValue: 3e11, varianceThreshold: 0.5, appliesToKinds: ['SECURITIES_FIRM'], periodKinds: BOTH, sortOrder: 5 },
  { code: 'BRANCHES', nameZh: '营业部（分支机构）数量', nameEn: 'Number of branches', unit: '家', displayUnit: '家', kind: 'COUNT', nonNegative: true, integral: true, minValue: 0, maxValue: 1000, varianceThreshold: 0.3, appliesToKinds: BROKERS, periodKinds: BOTH, sortOrder: 6 },
  { code: 'STAFF', nameZh: '从业人员数', nameEn: 'Registered practitioners', unit: '人', displayUnit: '人', kind: 'COUNT', nonNegative: true, integral: true, minValue: 1, maxValue: 50_000, varianceThreshold: 0.3, appliesToKinds: FIRMS, periodKinds: BOTH, sortOrder: 7 },
  { code: 'CLIENTS', nameZh: '客户数', nameEn: 'Client accounts', unit: '户', displayUnit: '户', kind: 'COUNT', nonNegative: true, integral: true, minValue: 0, maxValue: 5e7, varianceThreshold: 0.3, appliesToKinds: BROKERS, periodKinds: BOTH, sortOrder: 8 },
  { code: 'ASSETS_UNDER_CUSTODY', nameZh: '托管资产', nameEn: 'Client assets in custody', unit: '元', displayUnit: '亿元', kind: 'BALANCE', nonNegative: true, integral: false, minValue: 0, maxValue: 1e13, varianceThreshold: 0.5, appliesToKinds: ['SECURITIES_FIRM'], periodKinds: BOTH, sortOrder: 9 },
];

export const DEMO_MONTHS = monthLabels('2025-12', '2026-11');
export const DEMO_YEARS = ['2024', '2025'];
/** The kinds of organization that owe the securities association's returns. */
export const OWED_BY: Kind[] = FIRMS;

/** Monthly base of each metric for a firm of scale 1, by kind (元 / 人 / 户 / 家). */
const BASE: Record<string, Partial<Record<Kind, number>>> = {
  OPERATING_REVENUE: { SECURITIES_FIRM: 4e8, FUTURES_FIRM: 3e7, FUND_MANAGER: 1.2e8 },
  NET_PROFIT: { SECURITIES_FIRM: 1.3e8, FUTURES_FIRM: 6e6, FUND_MANAGER: 4e7 },
  CLIENT_FUNDS: { SECURITIES_FIRM: 3e10, FUTURES_FIRM: 5e9 },
  EQUITY_FUND_TURNOVER: { SECURITIES_FIRM: 1e12 },
  MARGIN_BALANCE: { SECURITIES_FIRM: 4e10 },
  BRANCHES: { SECURITIES_FIRM: 90, FUTURES_FIRM: 12 },
  STAFF: { SECURITIES_FIRM: 4000, FUTURES_FIRM: 400, FUND_MANAGER: 500 },
  CLIENTS: { SECURITIES_FIRM: 3e6, FUTURES_FIRM: 1e5 },
  ASSETS_UNDER_CUSTODY: { SECURITIES_FIRM: 1e12 },
};

const at = (day: string, hour: number) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00+08:00`);
const minusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

export async function seedStatistics(db: DbOrTx): Promise<{ statisticsReturns: number; statisticsValues: number; developmentReports: number }> {
  const associationId = ASSOCIATION_IDS.SZSA;
  await db.insert(statisticsMetricsTable).values(METRIC_DEFINITIONS).onConflictDoNothing();
  const labels = [...DEMO_YEARS, ...DEMO_MONTHS];
  const periods = await db
    .insert(statisticsPeriodsTable)
    .values(labels.map((label) => ({ ...periodDates(label)!, associationId, owedByKinds: OWED_BY })))
    .returning();

  const firms = await db
    .select({ id: organizationsTable.id, kind: organizationsTable.kind })
    .from(organizationsTable)
    .innerJoin(membershipsTable, and(eq(membershipsTable.organizationId, organizationsTable.id), eq(membershipsTable.associationId, associationId)))
    .where(and(eq(membershipsTable.status, 'ACTIVE'), inArray(organizationsTable.kind, OWED_BY)))
    .orderBy(asc(organizationsTable.id));
  const rng = mulberry32(18_2026);
  const scale = new Map(firms.map((f, i) => [f.id, (i < 3 ? 2.2 : 0.35) + rng() * 1.4]));
  const securities = firms.filter((f) => f.kind === 'SECURITIES_FIRM');
  const futures = firms.filter((f) => f.kind === 'FUTURES_FIRM');
  // The exceptions of the last two months (everything else is ACCEPTED, version 1).
  const overdue = securities.at(-1)?.id; // 2026-10: nothing filed
  const draftOverdue = securities.at(-2)?.id; // 2026-10: saved, not submitted
  const returned = futures[0]?.id; // 2026-10: returned, not yet corrected
  const corrected = securities.at(-3)?.id; // 2026-10: returned, corrected as version 2, accepted

  type Row = typeof statisticsReturnsTable.$inferInsert & { values: Record<string, number> };
  const rows: Row[] = [];
  const valuesOf = (firm: { id: number; kind: Kind }, label: string): Record<string, number> => {
    const s = scale.get(firm.id)!;
    const annual = label.length === 4;
    const monthIndex = annual ? 0 : DEMO_MONTHS.indexOf(label);
    const trend = annual ? (label === '2024' ? 0.9 : 1) : 1 + 0.012 * monthIndex;
    const out: Record<string, number> = {};
    for (const def of METRIC_DEFINITIONS) {
      const base = BASE[def.code]![firm.kind as Kind];
      if (base === undefined || !def.appliesToKinds.includes(firm.kind as Kind)) continue;
      const noise = 0.92 + rng() * 0.16;
      let value = base * s * trend * noise * (annual && def.kind === 'FLOW' ? 12 : 1);
      if (def.code === 'NET_PROFIT' && rng() < 0.04) value = -value * 0.3;
      out[def.code] = def.integral ? Math.max(1, Math.round(value)) : Math.round(value * 100) / 100;
    }
    return out;
  };
  const push = (firm: { id: number; kind: Kind }, period: (typeof periods)[number], status: StatisticsReturnStatus, extra: Partial<Row> = {}) => {
    const savedAt = at(minusDays(period.dueOn, 6), 10);
    const filed = status !== 'DRAFT';
    const reviewed = status === 'ACCEPTED' || status === 'RETURNED';
    rows.push({
      organizationId: firm.id,
      periodId: period.id,
      associationId,
      version: 1,
      isLatest: true,
      status,
      savedBy: 'zhang.san',
      savedAt,
      submittedBy: filed ? 'li.si' : null,
      submittedAt: filed ? at(minusDays(period.dueOn, 5), 15) : null,
      reviewedBy: reviewed ? 'staff.wang' : null,
      reviewedAt: reviewed ? at(minusDays(period.dueOn, 2), 11) : null,
      reviewNote: status === 'RETURNED' ? '客户数与上月差异较大，请核实后重新报送。' : null,
      createdAt: savedAt,
      values: valuesOf(firm, period.label),
      ...extra,
    });
  };
  for (const period of periods) {
    for (const [i, firm] of firms.entries()) {
      const f = { id: firm.id, kind: firm.kind as Kind };
      if (period.label === '2026-11') {
        // Not yet due: some accepted early, some submitted, some saved only, some not started.
        const status = (['ACCEPTED', 'SUBMITTED', 'DRAFT', null] as const)[i % 4];
        if (status) push(f, period, status);
        continue;
      }
      if (period.label === '2026-10') {
        if (firm.id === overdue) continue;
        if (firm.id === draftOverdue) {
          push(f, period, 'DRAFT');
          continue;
        }
        if (firm.id === returned) {
          push(f, period, 'RETURNED');
          continue;
        }
        if (firm.id === corrected) {
          push(f, period, 'RETURNED', { isLatest: false, reviewNote: '净利润与营业收入勾稽不符，请更正。' });
          push(f, period, 'ACCEPTED', { version: 2, savedBy: 'zhang.san', submittedBy: 'li.si', reviewedAt: at(minusDays(period.dueOn, 1), 16) });
          continue;
        }
      }
      push(f, period, 'ACCEPTED');
    }
  }

  const inserted = await db
    .insert(statisticsReturnsTable)
    .values(rows.map(({ values: _values, ...row }) => row))
    .returning({ id: statisticsReturnsTable.id });
  const returnIds: number[] = [];
  const codes: string[] = [];
  const amounts: number[] = [];
  inserted.forEach(({ id }, i) => {
    for (const [code, value] of Object.entries(rows[i]!.values)) {
      returnIds.push(id);
      codes.push(code);
      amounts.push(value);
    }
  });
  await db.execute(sql`insert into statistics_values (return_id, metric_code, value)
    select * from unnest(${sql.param(returnIds)}::integer[], ${sql.param(codes)}::text[], ${sql.param(amounts)}::float8[])`);

  // The reports: 2025 frozen after the annual returns' due date and published; 2026 frozen on 1 December, embargoed.
  const reports = [
    { year: 2025, cutOff: new Date('2026-05-15T18:00:00+08:00'), status: 'PUBLISHED' as const, embargoedAt: new Date('2026-06-01T09:00:00+08:00'), publishedAt: new Date('2026-06-18T10:00:00+08:00') },
    { year: 2026, cutOff: new Date('2026-12-01T18:00:00+08:00'), status: 'EMBARGOED' as const, embargoedAt: new Date('2026-12-03T09:00:00+08:00'), publishedAt: null },
  ];
  for (const report of reports) {
    const snapshot = await buildSnapshot(db, associationId, report.year, report.cutOff);
    await db.insert(developmentReportsTable).values({
      associationId,
      year: report.year,
      title: reportTitle(report.year, '深圳市证券业协会'),
      status: report.status,
      dataCutOff: report.cutOff,
      snapshot,
      frozenBy: 'staff.wang',
      embargoedAt: report.embargoedAt,
      publishedAt: report.publishedAt,
      createdAt: report.cutOff,
    });
  }
  return { statisticsReturns: inserted.length, statisticsValues: returnIds.length, developmentReports: reports.length };
}
