// Industry statistics: the calendar and number formatting (pure), saving with validation and warnings, maker–checker
// submission, review and versions, visibility on every path, and suppressed aggregates (issue 18).
import { and, count, eq } from 'drizzle-orm';
import { auditLogTable } from '../src/audit/audit.table.js';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import type { Viewer } from '../src/auth/viewer.js';
import type { DbOrTx } from '../src/db/client.js';
import { countStatements } from '../src/db/instrumentation.js';
import { encodeGlobalId } from '../src/global-id.js';
import { outboxEventsTable } from '../src/outbox/outbox.table.js';
import { industryStatistics, suppressCells } from '../src/statistics/statistics.aggregate.js';
import { formatGrowth, formatInUnit, formatMetric, formatYuan } from '../src/statistics/statistics.format.js';
import { escapeHtml } from '../src/statistics/statistics.html.js';
import { annualDueOn, monthlyDueOn, monthLabels, nthWorkingDay, periodDates } from '../src/statistics/statistics.periods.js';
import {
  reviewStatisticsReturn,
  saveStatisticsReturn,
  submitStatisticsReturn,
  type MetricValueInput,
} from '../src/statistics/statistics.service.js';
import { statisticsReturnsTable, statisticsValuesTable } from '../src/statistics/statistics.table.js';
import { anonymousViewer, associationViewer, execute, firmViewer, makeContext, regulatorViewer, serviceAccountViewer, userErrorsOf } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import { insertOrganization, insertStatisticsPeriod, insertStatisticsReturn } from './support/factories.js';

const association = associationViewer();
const szlcaStaff: Viewer = { ...associationViewer(), subject: 'test:association:SZLCA', associationId: ASSOCIATION_IDS.SZLCA };
const regulator = regulatorViewer();

/** A full set of plausible values of a securities firm for a month (base units). */
const FULL: Record<string, number> = {
  OPERATING_REVENUE: 4.2e8,
  NET_PROFIT: 1.3e8,
  CLIENT_FUNDS: 3.1e10,
  EQUITY_FUND_TURNOVER: 1.1e12,
  MARGIN_BALANCE: 4.1e10,
  BRANCHES: 88,
  STAFF: 4100,
  CLIENTS: 3_050_000,
  ASSETS_UNDER_CUSTODY: 1.02e12,
};
const all = (values: Record<string, number> = FULL): MetricValueInput[] => Object.entries(values).map(([metric, value]) => ({ metric, value }));

/** A new SZSA securities firm and two of its people. */
async function firmWithTwoPeople(db: DbOrTx, overrides: Parameters<typeof insertOrganization>[1] = {}) {
  const org = await insertOrganization(db, overrides);
  const base = firmViewer(org);
  return { org, maker: { ...base, subject: 'zhang.san' } as Viewer, checker: { ...base, subject: 'li.si' } as Viewer };
}

async function written(db: DbOrTx, organizationId: number) {
  const [returns] = await db.select({ n: count() }).from(statisticsReturnsTable).where(eq(statisticsReturnsTable.organizationId, organizationId));
  const [values] = await db
    .select({ n: count() })
    .from(statisticsValuesTable)
    .innerJoin(statisticsReturnsTable, eq(statisticsReturnsTable.id, statisticsValuesTable.returnId))
    .where(eq(statisticsReturnsTable.organizationId, organizationId));
  const [audit] = await db.select({ n: count() }).from(auditLogTable);
  const [outbox] = await db.select({ n: count() }).from(outboxEventsTable);
  return { returns: returns!.n, values: values!.n, audit: audit!.n, outbox: outbox!.n };
}

describe('the calendar (demo convention: 10th working day Monday–Friday; annual 30 April)', () => {
  test('monthly returns are due on the 10th working day of the next month', () => {
    // December 2026 starts on a Tuesday: 1–4, 7–11, 14.
    expect(monthlyDueOn(2026, 11)).toBe('2026-12-14');
    // January 2026 starts on a Thursday: 1, 2, 5–9, 12, 13, 14 (no holiday table: New Year's Day counts).
    expect(monthlyDueOn(2025, 12)).toBe('2026-01-14');
    expect(nthWorkingDay(2026, 2, 1)).toBe('2026-02-02');
    expect(annualDueOn(2025)).toBe('2026-04-30');
    expect(periodDates('2026-02')).toEqual({ label: '2026-02', kind: 'MONTHLY', startsOn: '2026-02-01', endsOn: '2026-02-28', dueOn: '2026-03-13' });
    expect(periodDates('2025')).toMatchObject({ kind: 'ANNUAL', startsOn: '2025-01-01', endsOn: '2025-12-31', dueOn: '2026-04-30' });
    for (const bad of ['2026-13', '2026-1', '26', '2026-00', 'x', '1999']) expect(periodDates(bad)).toBeNull();
    expect(monthLabels('2025-12', '2026-11')).toHaveLength(12);
  });
});

describe('numbers for Chinese readers', () => {
  test('万元 and 亿元 with thousands separators and two decimals', () => {
    expect(formatYuan(123_456_789_012)).toBe('1,234.57 亿元');
    expect(formatYuan(1e8)).toBe('1.00 亿元');
    expect(formatYuan(45_678_900)).toBe('4,567.89 万元');
    expect(formatYuan(-32_000_000)).toBe('-3,200.00 万元');
    expect(formatYuan(999)).toBe('999.00 元');
    expect(formatYuan(Number.NaN)).toBe('—');
    expect(formatYuan(null)).toBe('—');
    expect(formatInUnit(3.1e10, '亿元')).toBe('310.00');
    expect(formatInUnit(4.2e8, '万元')).toBe('42,000.00');
    expect(formatMetric(3_050_000, '户')).toBe('3,050,000 户');
    expect(formatGrowth(110, 100)).toBe('+10.0%');
    expect(formatGrowth(90, 100)).toBe('-10.0%');
    expect(formatGrowth(1, 0)).toBe('—');
    expect(escapeHtml(`<script>"&'`)).toBe('&lt;script&gt;&quot;&amp;&#39;');
  });
});

describe('saving, submitting and reviewing a return', () => {
  test('two people of one firm file; staff accept; the event and audit entries are written', async ({ tx }) => {
    const { org, maker, checker } = await firmWithTwoPeople(tx);
    const saved = await saveStatisticsReturn(tx, maker, { period: '2026-09', values: all() });
    expect(saved.statisticsReturn).toMatchObject({ status: 'DRAFT', version: 1, savedBy: 'zhang.san', organizationId: org.id });
    expect(saved.values).toHaveLength(9);

    expect(await userErrorsOf(submitStatisticsReturn(tx, maker, saved.statisticsReturn.id))).toEqual([{ code: 'SAME_PERSON', field: ['input', 'id'] }]);
    const before = await written(tx, org.id);
    const submitted = await submitStatisticsReturn(tx, checker, saved.statisticsReturn.id);
    expect(submitted).toMatchObject({ status: 'SUBMITTED', submittedBy: 'li.si' });
    const after = await written(tx, org.id);
    expect(after.outbox).toBe(before.outbox + 1);
    expect(after.audit).toBe(before.audit + 1);
    const [event] = await tx.select().from(outboxEventsTable).where(and(eq(outboxEventsTable.type, 'statistics_return.submitted'), eq(outboxEventsTable.entityId, submitted.id)));
    expect(event).toMatchObject({ associationId: ASSOCIATION_IDS.SZSA, entityType: 'StatisticsReturn' });
    expect(event!.payload).toMatchObject({ statisticsReturn: encodeGlobalId('StatisticsReturn', submitted.id), organization: encodeGlobalId('Organization', org.id), period: '2026-09' });
    // The payload carries no figure.
    expect(JSON.stringify(event!.payload)).not.toContain('420000000');

    // A second submission, and a save of a submitted return: INVALID_STATE, nothing written.
    const frozen = await written(tx, org.id);
    expect(await userErrorsOf(submitStatisticsReturn(tx, maker, submitted.id))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'id'] }]);
    expect(await userErrorsOf(saveStatisticsReturn(tx, maker, { period: '2026-09', values: [{ metric: 'STAFF', value: 1 }] }))).toEqual([
      { code: 'INVALID_STATE', field: ['input', 'period'] },
    ]);
    expect(await written(tx, org.id)).toEqual(frozen);

    // Another association's staff and the regulator do not review it; its association's staff do.
    expect(await userErrorsOf(reviewStatisticsReturn(tx, szlcaStaff, { id: submitted.id, decision: 'ACCEPT' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
    expect(await userErrorsOf(reviewStatisticsReturn(tx, regulator, { id: submitted.id, decision: 'ACCEPT' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
    const accepted = await reviewStatisticsReturn(tx, association, { id: submitted.id, decision: 'ACCEPT' });
    expect(accepted).toMatchObject({ status: 'ACCEPTED', reviewedBy: association.subject });
    expect(await userErrorsOf(saveStatisticsReturn(tx, checker, { period: '2026-09', values: [{ metric: 'STAFF', value: 1 }] }))).toEqual([
      { code: 'INVALID_STATE', field: ['input', 'period'] },
    ]);
    expect(await userErrorsOf(reviewStatisticsReturn(tx, association, { id: submitted.id, decision: 'RETURN', note: '再看' }))).toEqual([
      { code: 'INVALID_STATE', field: ['input', 'id'] },
    ]);
  });

  test('a returned return saved again is a new version; the earlier stays and is comparable', async ({ tx }) => {
    const { org, maker, checker } = await firmWithTwoPeople(tx);
    const v1 = (await saveStatisticsReturn(tx, maker, { period: '2026-08', values: all() })).statisticsReturn;
    await submitStatisticsReturn(tx, checker, v1.id);
    expect(await userErrorsOf(reviewStatisticsReturn(tx, association, { id: v1.id, decision: 'RETURN', note: '  ' }))).toEqual([{ code: 'REQUIRED', field: ['input', 'note'] }]);
    const returned = await reviewStatisticsReturn(tx, association, { id: v1.id, decision: 'RETURN', note: '客户数有误' });
    expect(returned).toMatchObject({ status: 'RETURNED', reviewNote: '客户数有误' });
    // Submitting a returned return before correcting it is refused.
    expect(await userErrorsOf(submitStatisticsReturn(tx, maker, v1.id))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'id'] }]);

    // li.si corrects one metric: version 2, the other values carried over; zhang.san submits this time.
    const v2 = (await saveStatisticsReturn(tx, checker, { period: '2026-08', values: [{ metric: 'CLIENTS', value: 3_010_000 }] })).statisticsReturn;
    expect(v2).toMatchObject({ version: 2, status: 'DRAFT', isLatest: true, savedBy: 'li.si' });
    expect(await userErrorsOf(submitStatisticsReturn(tx, checker, v2.id))).toEqual([{ code: 'SAME_PERSON', field: ['input', 'id'] }]);
    // The superseded version is read-only.
    expect(await userErrorsOf(submitStatisticsReturn(tx, maker, v1.id))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'id'] }]);
    await submitStatisticsReturn(tx, maker, v2.id);

    const res = await execute(
      makeContext(tx, firmViewer(org)),
      `query($id: ID!) { node(id: $id) { ... on StatisticsReturn { version status values { metric value } previousVersion { version status reviewNote values { metric value } } versions { version isLatest } } } }`,
      { id: encodeGlobalId('StatisticsReturn', v2.id) },
    );
    expect(res.errors).toBeUndefined();
    const node = res.data.node;
    expect(node.version).toBe(2);
    expect(node.versions).toEqual([{ version: 1, isLatest: false }, { version: 2, isLatest: true }]);
    expect(node.previousVersion).toMatchObject({ version: 1, status: 'RETURNED', reviewNote: '客户数有误' });
    const clients = (vs: { metric: string; value: number }[]) => vs.find((x) => x.metric === 'CLIENTS')!.value;
    expect(clients(node.values)).toBe(3_010_000);
    expect(clients(node.previousVersion.values)).toBe(3_050_000);
    expect(node.values).toHaveLength(9);
  });

  test('warnings: outside the range, and a move beyond the threshold against the previous accepted period', async ({ tx }) => {
    const { org, maker } = await firmWithTwoPeople(tx);
    const previous = await insertStatisticsPeriod(tx, { label: '2026-07' });
    await insertStatisticsReturn(tx, { organizationId: org.id, periodId: previous.id, status: 'ACCEPTED', values: FULL });
    const { statisticsReturn } = await saveStatisticsReturn(tx, maker, {
      period: '2026-08',
      values: all({ ...FULL, OPERATING_REVENUE: 9e10, STAFF: 4200, CLIENTS: 1_000_000 }),
    });
    const codes = statisticsReturn.warnings.map((w) => `${w.metric}:${w.code}`).sort();
    expect(codes).toEqual(['CLIENTS:VARIANCE', 'OPERATING_REVENUE:OUT_OF_RANGE', 'OPERATING_REVENUE:VARIANCE']);
    const res = await execute(makeContext(tx, maker, { locale: 'en' }), `query($id: ID!) { node(id: $id) { ... on StatisticsReturn { warnings } } }`, {
      id: encodeGlobalId('StatisticsReturn', statisticsReturn.id),
    });
    expect(res.data.node.warnings).toHaveLength(3);
    expect(res.data.node.warnings.join(' ')).toContain('Client accounts moved 67%');
  });

  test('bad input: each a clear userError with a field path, nothing written', async ({ tx }) => {
    const { org, maker, checker } = await firmWithTwoPeople(tx);
    const cases: [string, Parameters<typeof saveStatisticsReturn>[2], { code: string; field: string[] | null }[]][] = [
      ['unknown metric', { period: '2026-09', values: [{ metric: 'PROFIT_MARGIN', value: 1 }] }, [{ code: 'INVALID', field: ['input', 'values', '0', 'metric'] }]],
      ['NaN', { period: '2026-09', values: [{ metric: 'OPERATING_REVENUE', value: Number.NaN }] }, [{ code: 'INVALID', field: ['input', 'values', '0', 'value'] }]],
      ['Infinity', { period: '2026-09', values: [{ metric: 'CLIENT_FUNDS', value: Number.POSITIVE_INFINITY }] }, [{ code: 'INVALID', field: ['input', 'values', '0', 'value'] }]],
      ['negative count', { period: '2026-09', values: [{ metric: 'STAFF', value: -3 }] }, [{ code: 'OUT_OF_RANGE', field: ['input', 'values', '0', 'value'] }]],
      ['fractional count', { period: '2026-09', values: [{ metric: 'BRANCHES', value: 2.5 }] }, [{ code: 'INVALID', field: ['input', 'values', '0', 'value'] }]],
      ['negative balance', { period: '2026-09', values: [{ metric: 'MARGIN_BALANCE', value: -1 }] }, [{ code: 'OUT_OF_RANGE', field: ['input', 'values', '0', 'value'] }]],
      ['a metric twice', { period: '2026-09', values: [{ metric: 'STAFF', value: 1 }, { metric: 'STAFF', value: 2 }] }, [{ code: 'DUPLICATE', field: ['input', 'values', '1', 'metric'] }]],
      ['unknown period', { period: '2031-01', values: [{ metric: 'STAFF', value: 1 }] }, [{ code: 'NOT_FOUND', field: ['input', 'period'] }]],
      ['malformed period', { period: '2026-13', values: [{ metric: 'STAFF', value: 1 }] }, [{ code: 'NOT_FOUND', field: ['input', 'period'] }]],
      ['no values', { period: '2026-09', values: [] }, [{ code: 'REQUIRED', field: ['input', 'values'] }]],
    ];
    const before = await written(tx, org.id);
    for (const [name, input, expected] of cases) {
      expect(await userErrorsOf(saveStatisticsReturn(tx, maker, input)), name).toEqual(expected);
    }
    // Several problems at once are all reported.
    expect(
      await userErrorsOf(saveStatisticsReturn(tx, maker, { period: '2026-09', values: [{ metric: 'STAFF', value: -1 }, { metric: 'NOPE', value: 1 }, { metric: 'NET_PROFIT', value: -5e7 }] })),
    ).toEqual([
      { code: 'OUT_OF_RANGE', field: ['input', 'values', '0', 'value'] },
      { code: 'INVALID', field: ['input', 'values', '1', 'metric'] },
    ]);
    // A period not owed: not ended yet (the clock's), or not owed by this kind of organization.
    const future = await insertStatisticsPeriod(tx, { label: '2099-01' });
    expect(future.id).toBeGreaterThan(0);
    expect(await userErrorsOf(saveStatisticsReturn(tx, maker, { period: '2099-01', values: [{ metric: 'STAFF', value: 1 }] }))).toEqual([{ code: 'INVALID', field: ['input', 'period'] }]);
    expect(await written(tx, org.id)).toEqual(before);

    const advisory = await insertOrganization(tx, { kind: 'INVESTMENT_ADVISORY' });
    expect(await userErrorsOf(saveStatisticsReturn(tx, firmViewer(advisory), { period: '2026-09', values: [{ metric: 'STAFF', value: 12 }] }))).toEqual([
      { code: 'INVALID', field: ['input', 'period'] },
    ]);
    // A fund manager does not report broker metrics.
    const fund = await insertOrganization(tx, { kind: 'FUND_MANAGER' });
    expect(await userErrorsOf(saveStatisticsReturn(tx, firmViewer(fund), { period: '2026-09', values: [{ metric: 'MARGIN_BALANCE', value: 1 }] }))).toEqual([
      { code: 'INVALID', field: ['input', 'values', '0', 'metric'] },
    ]);
    // Submitting with required metrics missing.
    const partial = await saveStatisticsReturn(tx, maker, { period: '2026-09', values: [{ metric: 'STAFF', value: 4000 }] });
    const mid = await written(tx, org.id);
    expect(await userErrorsOf(submitStatisticsReturn(tx, checker, partial.statisticsReturn.id))).toEqual([{ code: 'REQUIRED', field: ['input', 'id'] }]);
    expect(await written(tx, org.id)).toEqual(mid);
    // Through GraphQL: the payload carries the userErrors and a null statisticsReturn.
    const res = await execute(
      makeContext(tx, maker),
      `mutation { saveStatisticsReturn(input: { period: "2031-01", values: [{ metric: STAFF, value: 3 }] }) { statisticsReturn { id } userErrors { code field message } } }`,
    );
    expect(res.data.saveStatisticsReturn.statisticsReturn).toBeNull();
    expect(res.data.saveStatisticsReturn.userErrors[0]).toMatchObject({ code: 'NOT_FOUND', field: ['input', 'period'] });
    expect(res.data.saveStatisticsReturn.userErrors[0].message).toMatch(/统计期/);
  });

  test('saving is one transaction with a constant number of statements, whatever the number of metrics', async ({ tx }) => {
    const a = await firmWithTwoPeople(tx);
    const b = await firmWithTwoPeople(tx);
    const one = await countStatements(() => saveStatisticsReturn(tx, a.maker, { period: '2026-07', values: [{ metric: 'STAFF', value: 4000 }] }));
    const nine = await countStatements(() => saveStatisticsReturn(tx, b.maker, { period: '2026-07', values: all() }));
    expect(nine.count).toBe(one.count);
    expect(nine.count).toBeLessThanOrEqual(12);
    // A second save of the draft: the same bound.
    const again = await countStatements(() => saveStatisticsReturn(tx, b.checker, { period: '2026-07', values: all({ ...FULL, STAFF: 4001 }) }));
    expect(again.count).toBeLessThanOrEqual(nine.count);
  });
});

describe('who sees firm-level values', () => {
  test('the firm, its association\'s staff and the regulator; nobody else, on node, list, totalCount and payload', async ({ tx }) => {
    const { org, maker } = await firmWithTwoPeople(tx);
    const other = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const saved = (await saveStatisticsReturn(tx, maker, { period: '2026-09', values: all() })).statisticsReturn;
    const id = encodeGlobalId('StatisticsReturn', saved.id);
    const viewers: [string, Viewer, boolean][] = [
      ['the firm', firmViewer(org), true],
      ['SZSA staff', association, true],
      ['the regulator', regulator, true],
      ['a scoped service account', serviceAccountViewer(['statistics:read']), true],
      ['an unscoped service account', serviceAccountViewer(['reports:read', 'webhooks:manage']), false],
      ['another firm', firmViewer(other), false],
      ['a listed company', firmViewer(listed), false],
      ['SZLCA staff', szlcaStaff, false],
      ['anonymous', anonymousViewer, false],
    ];
    for (const [who, viewer, sees] of viewers) {
      const res = await execute(
        makeContext(tx, viewer),
        `query($id: ID!, $org: ID!) {
          node(id: $id) { id ... on StatisticsReturn { values { value } } }
          nodes(ids: [$id]) { id }
          statisticsReturns(first: 100, filter: { organizationId: $org }) { totalCount edges { node { id values { value } } } }
        }`,
        { id, org: encodeGlobalId('Organization', org.id) },
      );
      expect(res.errors, who).toBeUndefined();
      expect(res.data.node?.id ?? null, who).toBe(sees ? id : null);
      expect(res.data.nodes[0]?.id ?? null, who).toBe(sees ? id : null);
      expect(res.data.statisticsReturns.totalCount, who).toBe(sees ? 1 : 0);
      expect(res.data.statisticsReturns.edges.map((e: any) => e.node.id), who).toEqual(sees ? [id] : []);
    }
  });

  test('nested values load with a constant number of statements in page size', async ({ tx }) => {
    const query = `query($n: Int!) { statisticsReturns(first: $n) { edges { node { id values { metric value } versions { id } previousVersion { id } organization { name } period { label } } } } }`;
    const small = await countStatements(() => execute(makeContext(tx, association), query, { n: 2 }));
    const large = await countStatements(() => execute(makeContext(tx, association), query, { n: 100 }));
    expect(large.count).toBe(small.count);
    // A firm's calendar with its own return per period: constant too.
    const firm = firmViewer({ id: 1, creditCode: 'x', kind: 'SECURITIES_FIRM' });
    const periods = `query($n: Int!) { statisticsPeriods(first: $n) { edges { node { label myReturn { id values { value } } association { code } } } } }`;
    const few = await countStatements(() => execute(makeContext(tx, firm), periods, { n: 2 }));
    const many = await countStatements(() => execute(makeContext(tx, firm), periods, { n: 100 }));
    expect(many.count).toBe(few.count);
  });

  test('a firm sees the periods it owes with due dates and its own return; staff list outstanding filers including drafts', async ({ tx }) => {
    const { org, maker } = await firmWithTwoPeople(tx);
    await saveStatisticsReturn(tx, maker, { period: '2026-10', values: all() });
    const res = await execute(makeContext(tx, firmViewer(org)), `{ statisticsPeriods(first: 100) { totalCount edges { node { label kind dueOn overdue myReturn { status } } } } }`);
    const periods = res.data.statisticsPeriods.edges.map((e: any) => e.node);
    expect(res.data.statisticsPeriods.totalCount).toBe(14);
    expect(periods[0]).toMatchObject({ label: '2026-11', kind: 'MONTHLY', dueOn: '2026-12-14', myReturn: null });
    expect(periods.find((p: any) => p.label === '2026-10')).toMatchObject({ dueOn: '2026-11-13', myReturn: { status: 'DRAFT' } });
    expect(periods.find((p: any) => p.label === '2025')).toMatchObject({ kind: 'ANNUAL', dueOn: '2026-04-30' });
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const none = await execute(makeContext(tx, firmViewer(listed)), `{ statisticsPeriods { totalCount } }`);
    expect(none.data.statisticsPeriods.totalCount).toBe(0);

    const overdue = `query($p: String!) { overdueStatisticsFilers(period: $p, first: 100) { totalCount edges { node { organization { id } status daysOverdue statisticsReturn { id } } } } }`;
    const staff = await execute(makeContext(tx, association), overdue, { p: '2026-10' });
    const rows = staff.data.overdueStatisticsFilers.edges.map((e: any) => e.node);
    const mine = rows.find((x: any) => x.organization.id === encodeGlobalId('Organization', org.id));
    expect(mine).toMatchObject({ status: 'DRAFT' });
    expect(mine.daysOverdue).toBeGreaterThan(0);
    // The seed's overdue firm (nothing saved), its saved-not-submitted one and its returned one are there too.
    expect(rows.map((x: any) => x.status).sort()).toEqual(expect.arrayContaining([null, 'DRAFT', 'RETURNED']));
    expect(staff.data.overdueStatisticsFilers.totalCount).toBe(rows.length);
    for (const viewer of [firmViewer(org), szlcaStaff, anonymousViewer, serviceAccountViewer(['reports:read'])]) {
      const hidden = await execute(makeContext(tx, viewer), overdue, { p: '2026-10' });
      expect(hidden.data.overdueStatisticsFilers.totalCount).toBe(0);
    }
    expect((await execute(makeContext(tx, regulator), overdue, { p: '2026-10' })).data.overdueStatisticsFilers.totalCount).toBe(rows.length);
    // Not yet due: empty unless asked.
    expect((await execute(makeContext(tx, association), overdue, { p: '2026-11' })).data.overdueStatisticsFilers.totalCount).toBe(0);
  });
});

describe('industry aggregates with suppression', () => {
  /** A fresh annual period with accepted OPERATING_REVENUE from firms in the districts given. */
  async function scenario(tx: DbOrTx, districts: string[]) {
    const period = await insertStatisticsPeriod(tx, { label: '2019' });
    const firms = [];
    for (const [i, district] of districts.entries()) {
      const org = await insertOrganization(tx, { district: district as never });
      const value = 1_000_000 * (i + 1) + 12_345 * i;
      await insertStatisticsReturn(tx, { organizationId: org.id, periodId: period.id, status: 'ACCEPTED', values: { OPERATING_REVENUE: value } });
      firms.push({ id: org.id, district, value });
    }
    return firms;
  }

  const cellsFor = (tx: DbOrTx, by: 'DISTRICT' | 'KIND' | null, mask: boolean) => industryStatistics(tx, { associationId: ASSOCIATION_IDS.SZSA, label: '2019', by, mask });

  test('staff and the regulator see every cell; others get cells of fewer than 3 firms suppressed, plus a complement', async ({ tx }) => {
    await scenario(tx, ['FUTIAN', 'FUTIAN', 'FUTIAN', 'FUTIAN', 'NANSHAN', 'NANSHAN', 'NANSHAN', 'LUOHU', 'LUOHU', 'LUOHU', 'LUOHU', 'LUOHU', 'BAOAN']);
    const open = await cellsFor(tx, 'DISTRICT', false);
    expect(open.map((c) => [c.district, c.firms, c.suppressed])).toEqual([
      ['FUTIAN', 4, false],
      ['LUOHU', 5, false],
      ['NANSHAN', 3, false],
      ['BAOAN', 1, false],
    ]);
    const masked = await cellsFor(tx, 'DISTRICT', true);
    // BAOAN (1 firm) is withheld; so is the smallest shown cell, NANSHAN (3 firms), so total − shown spans 4 firms.
    expect(masked.map((c) => [c.district, c.firms, c.suppressed, c.value === null])).toEqual([
      ['FUTIAN', 4, false, false],
      ['LUOHU', 5, false, false],
      ['NANSHAN', 3, true, true],
      ['BAOAN', 1, true, true],
    ]);
    // GraphQL: anonymous viewers get the masked cells, staff the open ones.
    const q = `{ industryStatistics(period: "2019", by: DISTRICT) { metric district value firms suppressed } }`;
    const anon = await execute(makeContext(tx, anonymousViewer), q);
    expect(anon.data.industryStatistics.filter((c: any) => c.suppressed).map((c: any) => c.district)).toEqual(['NANSHAN', 'BAOAN']);
    for (const viewer of [association, regulator, serviceAccountViewer(['statistics:read'])]) {
      const res = await execute(makeContext(tx, viewer), q);
      expect(res.data.industryStatistics.every((c: any) => !c.suppressed && c.value !== null)).toBe(true);
    }
    for (const viewer of [szlcaStaff, serviceAccountViewer(['reports:read'])]) {
      const res = await execute(makeContext(tx, viewer), q);
      expect(res.data.industryStatistics.filter((c: any) => c.suppressed)).toHaveLength(2);
    }
  });

  test('the total is suppressed below 3 firms; one statement per query', async ({ tx }) => {
    await scenario(tx, ['FUTIAN', 'FUTIAN']);
    expect(await cellsFor(tx, null, true)).toEqual([{ metric: 'OPERATING_REVENUE', district: null, kind: null, value: null, firms: 2, suppressed: true }]);
    expect((await cellsFor(tx, null, false))[0]).toMatchObject({ firms: 2, suppressed: false, value: 3_012_345 });
    const counted = await countStatements(() => execute(makeContext(tx, anonymousViewer), `{ industryStatistics(period: "2019", by: KIND) { value } }`));
    expect(counted.count).toBe(1);
  });

  test('ACCEPTED returns only', async ({ tx }) => {
    const period = await insertStatisticsPeriod(tx, { label: '2019' });
    for (const status of ['DRAFT', 'SUBMITTED', 'RETURNED'] as const) {
      await insertStatisticsReturn(tx, { periodId: period.id, status, values: { OPERATING_REVENUE: 5 } });
    }
    expect(await cellsFor(tx, null, false)).toEqual([]);
  });

  /**
   * Whether a firm's figure is a linear combination of what a viewer knows: every shown cell (as the set of firms it
   * sums) and, for a firm, its own figure. Rank test over the rationals (0/1 rows, small), in floating point with a
   * tolerance.
   */
  function recoverable(known: number[][], target: number[]): boolean {
    const rank = (rows: number[][]) => {
      const m = rows.map((r) => [...r]);
      let rk = 0;
      const cols = target.length;
      for (let c = 0; c < cols && rk < m.length; c++) {
        let pivot = -1;
        for (let r = rk; r < m.length; r++) if (Math.abs(m[r]![c]!) > 1e-9) pivot = r;
        if (pivot < 0) continue;
        [m[rk], m[pivot]] = [m[pivot]!, m[rk]!];
        for (let r = 0; r < m.length; r++) {
          if (r === rk) continue;
          const f = m[r]![c]! / m[rk]![c]!;
          if (f !== 0) for (let k = c; k < cols; k++) m[r]![k]! -= f * m[rk]![k]!;
        }
        rk++;
      }
      return rk;
    };
    return rank([...known, target]) === rank(known);
  }

  test('no viewer can recover one firm\'s figure from the published cells (total, by district, by kind), in the demo data', async ({ tx }) => {
    const { statisticsPeriodsTable } = await import('../src/statistics/statistics.table.js');
    const { organizationsTable } = await import('../src/members/members.table.js');
    const periods = await tx.select().from(statisticsPeriodsTable).where(eq(statisticsPeriodsTable.associationId, ASSOCIATION_IDS.SZSA));
    let checked = 0;
    for (const period of periods) {
      // The firms behind each metric's cells: accepted latest versions.
      const rows = await tx
        .select({ org: statisticsReturnsTable.organizationId, district: organizationsTable.district, kind: organizationsTable.kind, metric: statisticsValuesTable.metricCode })
        .from(statisticsValuesTable)
        .innerJoin(statisticsReturnsTable, eq(statisticsReturnsTable.id, statisticsValuesTable.returnId))
        .innerJoin(organizationsTable, eq(organizationsTable.id, statisticsReturnsTable.organizationId))
        .where(and(eq(statisticsReturnsTable.periodId, period.id), eq(statisticsReturnsTable.status, 'ACCEPTED'), eq(statisticsReturnsTable.isLatest, true)));
      const opts = (by: 'DISTRICT' | 'KIND' | null) => industryStatistics(tx, { associationId: ASSOCIATION_IDS.SZSA, label: period.label, by, mask: true });
      const published = [...(await opts(null)), ...(await opts('DISTRICT')), ...(await opts('KIND'))];
      for (const metric of new Set(rows.map((r) => r.metric))) {
        const firms = rows.filter((r) => r.metric === metric);
        const index = new Map(firms.map((f, i) => [f.org, i]));
        const vector = (members: typeof firms) => firms.map((f) => (members.includes(f) ? 1 : 0));
        const shown = published
          .filter((c) => c.metric === metric && !c.suppressed)
          .map((c) => vector(firms.filter((f) => (c.district === null && c.kind === null) || (c.district !== null && f.district === c.district) || (c.kind !== null && f.kind === c.kind))));
        const unit = (i: number) => firms.map((_, j) => (j === i ? 1 : 0));
        for (const insider of [null, ...firms]) {
          const known = insider ? [...shown, unit(index.get(insider.org)!)] : shown;
          for (const firm of firms) {
            if (firm === insider) continue;
            expect(recoverable(known, unit(index.get(firm.org)!)), `${period.label} ${metric}: firm ${firm.org} from ${insider ? `firm ${insider.org}` : 'anyone'}`).toBe(false);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    // The check can fail: without suppression, some firm's figure is recoverable (a one-firm district).
    const label = '2026-10';
    const rows = await tx
      .select({ org: statisticsReturnsTable.organizationId, district: organizationsTable.district })
      .from(statisticsValuesTable)
      .innerJoin(statisticsReturnsTable, eq(statisticsReturnsTable.id, statisticsValuesTable.returnId))
      .innerJoin(organizationsTable, eq(organizationsTable.id, statisticsReturnsTable.organizationId))
      .innerJoin(statisticsPeriodsTable, eq(statisticsPeriodsTable.id, statisticsReturnsTable.periodId))
      .where(and(eq(statisticsPeriodsTable.label, label), eq(statisticsReturnsTable.status, 'ACCEPTED'), eq(statisticsReturnsTable.isLatest, true), eq(statisticsValuesTable.metricCode, 'OPERATING_REVENUE')));
    const open = await industryStatistics(tx, { associationId: ASSOCIATION_IDS.SZSA, label, by: 'DISTRICT', mask: false });
    const shownOpen = open.filter((c) => c.metric === 'OPERATING_REVENUE').map((c) => rows.map((f) => (f.district === c.district ? 1 : 0)));
    expect(rows.some((_, i) => recoverable(shownOpen, rows.map((_, j) => (j === i ? 1 : 0))))).toBe(true);
  });

  test('suppressCells applies the same rule as the SQL', async ({ tx }) => {
    await scenario(tx, ['FUTIAN', 'FUTIAN', 'FUTIAN', 'FUTIAN', 'NANSHAN', 'NANSHAN', 'NANSHAN', 'LUOHU', 'LUOHU', 'LUOHU', 'BAOAN', 'BAOAN', 'LONGGANG']);
    const open = await cellsFor(tx, 'DISTRICT', false);
    const masked = await cellsFor(tx, 'DISTRICT', true);
    const order = ['FUTIAN', 'LUOHU', 'NANSHAN', 'BAOAN', 'LONGGANG'];
    const pure = suppressCells(open.map((c) => ({ metric: c.metric, group: c.district, firms: c.firms })), (g) => order.indexOf(g!));
    expect(pure.map((c) => c.suppressed)).toEqual(masked.map((c) => c.suppressed));
    // BAOAN (2) + LONGGANG (1) = 3 firms withheld together: no complement needed.
    expect(masked.filter((c) => c.suppressed).map((c) => c.district)).toEqual(['BAOAN', 'LONGGANG']);
  });
});

describe('the demo data and the development report', () => {
  test('twelve monthly and two annual periods, accepted returns, drafts, a returned one, an overdue firm, two reports', async ({ tx }) => {
    const { statisticsPeriodsTable, developmentReportsTable } = await import('../src/statistics/statistics.table.js');
    const periods = await tx.select().from(statisticsPeriodsTable).where(eq(statisticsPeriodsTable.associationId, ASSOCIATION_IDS.SZSA));
    expect(periods.filter((p) => p.kind === 'MONTHLY').map((p) => p.label).sort()).toEqual(monthLabels('2025-12', '2026-11'));
    expect(periods.filter((p) => p.kind === 'ANNUAL').map((p) => p.label).sort()).toEqual(['2024', '2025']);
    const statuses = await tx.select({ status: statisticsReturnsTable.status, isLatest: statisticsReturnsTable.isLatest, version: statisticsReturnsTable.version }).from(statisticsReturnsTable);
    expect(statuses.filter((r) => r.status === 'ACCEPTED').length).toBeGreaterThan(250);
    expect(statuses.some((r) => r.status === 'DRAFT' && r.isLatest)).toBe(true);
    expect(statuses.some((r) => r.status === 'RETURNED' && r.isLatest)).toBe(true);
    expect(statuses.some((r) => r.version === 2)).toBe(true);
    const reports = await tx.select().from(developmentReportsTable);
    expect(reports.map((r) => [r.year, r.status]).sort()).toEqual([
      [2025, 'PUBLISHED'],
      [2026, 'EMBARGOED'],
    ]);
    // The frozen data are aggregates with firm counts, never a firm's row.
    const snapshot = reports.find((r) => r.year === 2025)!.snapshot;
    expect(snapshot.period).toBe('2025');
    expect(snapshot.totals.length).toBe(9);
    expect(JSON.stringify(snapshot)).not.toMatch(/organization|creditCode|credit_code/);
    const overdue = await execute(makeContext(tx, association), `{ overdueStatisticsFilers(period: "2026-10") { edges { node { status } } } }`);
    expect(overdue.data.overdueStatisticsFilers.edges.filter((e: any) => e.node.status === null)).toHaveLength(1);
  });

  test('freezing counts the returns accepted by the cut-off; each publish call is one step; staff of the association only', async ({ tx }) => {
    const { freezeDevelopmentReport, publishDevelopmentReport } = await import('../src/statistics/statistics.reports.js');
    const period = await insertStatisticsPeriod(tx, { label: '2019' });
    for (let i = 0; i < 3; i++) await insertStatisticsReturn(tx, { periodId: period.id, status: 'ACCEPTED', values: { OPERATING_REVENUE: 1e8 } });
    // FIXED_INSTANT (their review) is 2026-01-05: a cut-off before it freezes nothing, after it all three.
    const early = await freezeDevelopmentReport(tx, association, { year: 2019, dataCutOff: new Date('2025-12-31T00:00:00Z') });
    expect(early.snapshot.firmsReporting).toBe(0);
    const later = await freezeDevelopmentReport(tx, association, { year: 2019, dataCutOff: new Date('2026-02-01T00:00:00Z') });
    expect(later).toMatchObject({ id: early.id, status: 'DRAFT', year: 2019 });
    expect(later.snapshot.totals).toEqual([{ metric: 'OPERATING_REVENUE', group: null, value: 3e8, firms: 3 }]);
    expect(await userErrorsOf(freezeDevelopmentReport(tx, association, { year: 2019, dataCutOff: new Date(Date.now() + 86_400_000) }))).toEqual([
      { code: 'INVALID', field: ['input', 'dataCutOff'] },
    ]);
    expect((await publishDevelopmentReport(tx, association, { year: 2019 })).status).toBe('EMBARGOED');
    expect(await userErrorsOf(freezeDevelopmentReport(tx, association, { year: 2019 }))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'year'] }]);
    expect(await userErrorsOf(publishDevelopmentReport(tx, szlcaStaff, { year: 2019 }).then(() => publishDevelopmentReport(tx, szlcaStaff, { year: 2019 })).then(() => publishDevelopmentReport(tx, szlcaStaff, { year: 2019 })).then(() => publishDevelopmentReport(tx, szlcaStaff, { year: 2019 })))).toEqual([
      { code: 'ALREADY_PUBLISHED', field: ['input', 'year'] },
    ]);
    expect((await publishDevelopmentReport(tx, association, { year: 2019 })).status).toBe('PUBLISHED');
    expect(await userErrorsOf(publishDevelopmentReport(tx, regulator, { year: 2019 }))).toEqual([{ code: 'NOT_FOUND', field: null }]);
    expect(await userErrorsOf(publishDevelopmentReport(tx, association, { year: 1999 }))).toEqual([{ code: 'INVALID', field: ['input', 'year'] }]);
  });

  test('the page escapes every text and suppresses small cells, whoever reads it', async () => {
    const { renderDevelopmentReportHtml } = await import('../src/statistics/statistics.html.js');
    const html = renderDevelopmentReportHtml({
      id: 1,
      associationId: 1,
      associationName: '<img src=x onerror=alert(1)>协会',
      year: 2030,
      title: '报告<script>alert(1)</script>',
      status: 'PUBLISHED',
      dataCutOff: new Date('2031-05-01T00:00:00Z'),
      frozenBy: 'x',
      embargoedAt: null,
      publishedAt: new Date('2031-06-01T00:00:00Z'),
      createdAt: new Date(),
      snapshot: {
        period: '2030',
        previousPeriod: '2029',
        metrics: [{ code: 'OPERATING_REVENUE', nameZh: '营业收入"<b>', nameEn: 'x', unit: '元', displayUnit: '万元', kind: 'FLOW' }],
        totals: [{ metric: 'OPERATING_REVENUE', group: null, value: 123_456_789, firms: 5 }],
        previousTotals: [],
        byDistrict: [
          { metric: 'OPERATING_REVENUE', group: 'FUTIAN', value: 115_802_468, firms: 4 },
          { metric: 'OPERATING_REVENUE', group: 'DAPENG', value: 7_654_321, firms: 1 },
        ],
        byKind: [],
        monthly: [],
        firmsReporting: 5,
      },
    });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('营业收入"<b>');
    expect(html).toContain('12,345.68');
    // DAPENG (1 firm) and, as its complement, FUTIAN are withheld: neither figure appears.
    expect(html).not.toContain('11,580.25');
    expect(html).not.toContain('765.43');
    expect(html.match(/class="sup"/g)).toHaveLength(2);
  });
});
