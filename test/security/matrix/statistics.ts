// The statistics part of the authorization matrix (issue 18): firm A's returns (submitted, and a draft for the payload
// path) with their values, the unsuppressed aggregates, the overdue filers, development reports in every state and their
// HTML page, the statistics CSV export and the STATISTICS_RETURN_SUBMITTED webhook.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { ASSOCIATION_IDS } from '../../../src/associations/associations.table.js';
import { signAccessToken } from '../../../src/auth/tokens.js';
import { createLogger } from '../../../src/logger.js';
import { periodDates } from '../../../src/statistics/statistics.periods.js';
import { startWebhookWorker } from '../../../src/webhooks/webhooks.worker.js';
import { startReceiver } from '../../support/integration.js';
import { waitFor } from '../../support/wait.js';
import {
  ALL,

  asStaff,
  principals,
  rows,
  STAFF_AND_SCOPED,
  viaCsv,
  viaList,
  viaNode,
  viaNodes,
  viaQuery,
  viaTotalCount,
  withCount,
  noCount,
  type Principal,
  type Probe,
  type World,
} from '../authorization-matrix.table.js';
import { expectNoLeak } from '../support.js';
import { definePart } from './part.js';

interface StatisticsFixture {
  submitted: string;
  draft: string;
  reports: Record<'draft' | 'embargoed' | 'published', { id: string; year: number; htmlUrl: string }>;
  received: Record<Principal, string[]>;
}

// Periods of their own, so the seeded returns of firm A do not get in the way.
const SUBMITTED_PERIOD = '2018';
const DRAFT_PERIOD = '2017';
const VALUES = [
  { metric: 'OPERATING_REVENUE', value: 4.2e9 },
  { metric: 'NET_PROFIT', value: 1.3e9 },
  { metric: 'CLIENT_FUNDS', value: 3.1e11 },
  { metric: 'EQUITY_FUND_TURNOVER', value: 1.2e13 },
  { metric: 'MARGIN_BALANCE', value: 4e11 },
  { metric: 'BRANCHES', value: 88 },
  { metric: 'STAFF', value: 4100 },
  { metric: 'CLIENTS', value: 3_050_000 },
  { metric: 'ASSETS_UNDER_CUSTODY', value: 1.02e13 },
];
const SAVE = `mutation($i: SaveStatisticsReturnInput!) { saveStatisticsReturn(input: $i) { statisticsReturn { id } userErrors { code field } } }`;

async function buildStatistics(w: World): Promise<StatisticsFixture> {
  const { t } = w;
  for (const label of [SUBMITTED_PERIOD, DRAFT_PERIOD]) {
    const d = periodDates(label)!;
    await rows(
      t,
      sql`insert into statistics_periods (association_id, label, kind, starts_on, ends_on, due_on, owed_by_kinds)
          values (${ASSOCIATION_IDS.SZSA}, ${label}, ${d.kind}, ${d.startsOn}, ${d.endsOn}, ${d.dueOn}, '{SECURITIES_FIRM,FUTURES_FIRM,FUND_MANAGER}')
          on conflict do nothing returning id`,
    );
  }
  // A second person of firm A (the checker), who submits what FIRM_OWN's person saved.
  const checker = await signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub: 'matrix.checker', role: 'firm', org: w.orgA.creditCode }, 3600);

  // Webhook subscriptions to the submission event: every principal tries.
  const receivers = new Map<Principal, Awaited<ReturnType<typeof startReceiver>>>();
  for (const p of principals) {
    const receiver = await startReceiver();
    receivers.set(p, receiver);
    await t.gql(
      `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: [STATISTICS_RETURN_SUBMITTED] }) { webhookSubscription { id } userErrors { code } } }`,
      { url: receiver.url },
      { token: w.tokens[p] },
    );
  }

  const saved = await t.gql(SAVE, { i: { period: SUBMITTED_PERIOD, values: VALUES } }, { token: w.tokens.FIRM_OWN });
  expect(saved.body.data?.saveStatisticsReturn.userErrors, saved.text.slice(0, 300)).toEqual([]);
  const submitted = saved.body.data.saveStatisticsReturn.statisticsReturn.id as string;
  const sub = await t.gql(`mutation($id: ID!) { submitStatisticsReturn(input: { id: $id }) { userErrors { code } } }`, { id: submitted }, { token: checker });
  expect(sub.body.data.submitStatisticsReturn.userErrors).toEqual([]);
  // Accepted by SZSA's staff: the period's only accepted return, so its total is a cell of one firm.
  const accepted = await asStaff(t, w.tokens.ASSOCIATION!, `mutation($id: ID!) { reviewStatisticsReturn(input: { id: $id, decision: ACCEPT }) { userErrors { code } } }`, { id: submitted });
  expect(accepted.reviewStatisticsReturn.userErrors).toEqual([]);

  const draftSaved = await t.gql(SAVE, { i: { period: DRAFT_PERIOD, values: VALUES.slice(0, 3) } }, { token: w.tokens.FIRM_OWN });
  expect(draftSaved.body.data.saveStatisticsReturn.userErrors).toEqual([]);
  const draft = draftSaved.body.data.saveStatisticsReturn.statisticsReturn.id as string;

  // Reports: DRAFT (one call), EMBARGOED (two), PUBLISHED (three), through the API as SZSA's staff.
  const staffToken = w.tokens.ASSOCIATION!;
  const publish = async (year: number, steps: number) => {
    let report: { id: string; year: number; htmlUrl: string } | undefined;
    for (let i = 0; i < steps; i++) {
      const res = await asStaff(t, staffToken, `mutation($y: Int!) { publishDevelopmentReport(input: { year: $y }) { developmentReport { id year htmlUrl } userErrors { code } } }`, { y: year });
      expect(res.publishDevelopmentReport.userErrors).toEqual([]);
      report = res.publishDevelopmentReport.developmentReport;
    }
    return report!;
  };
  const reports = { draft: await publish(2013, 1), embargoed: await publish(2014, 2), published: await publish(2015, 3) };

  const worker = startWebhookWorker({ db: t.database.db, logger: createLogger('silent'), pollIntervalMs: 20, maxAttempts: 3, retryBaseSeconds: 0.05, allowedHosts: t.config.WEBHOOK_ALLOWED_HOSTS, timeoutMs: 2000 });
  const mentions = (p: Principal) => (receivers.get(p)?.received ?? []).some((r) => r.body.includes(submitted));
  await waitFor('statistics webhook deliveries', () => mentions('ASSOCIATION') && mentions('SA_SCOPED'), 15_000).catch(() => undefined);
  // The others got theirs (or not) in the same fan-out; a short grace for stragglers.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await worker.stop();
  const received = Object.fromEntries(principals.map((p) => [p, (receivers.get(p)?.received ?? []).map((r) => r.body)])) as Record<Principal, string[]>;
  for (const r of receivers.values()) await r.close();
  return { submitted, draft, reports, received };
}

const returnsList = (count: boolean) => `query($after: String) { statisticsReturns(first: 100, after: $after) { ${count ? withCount('') : noCount()} } }`;
const reportsQuery = `{ developmentReports { id status htmlUrl } }`;

/** GET the report's page as the principal: 200 = visible; otherwise 404, exactly like a report that does not exist. */
function viaReportPage(url: (w: World) => string): Probe {
  return {
    path: 'root',
    how: 'GET /reports/development/{year}.html',
    async run(w, p) {
      const token = w.tokens[p];
      const res = await fetch(`${w.t.url}${url(w)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const text = await res.text();
      if (res.status === 200) return { visible: text.includes('<svg') || text.includes('<table'), text };
      expect(res.status).toBe(404);
      expectNoLeak(text);
      return { visible: false, text };
    },
  };
}

export const statisticsPart = definePart('statistics', buildStatistics, (of) => [
  {
    object: 'StatisticsReturn of firm A (submitted, accepted)',
    seenBy: ['FIRM_OWN', ...STAFF_AND_SCOPED],
    probes: [
      viaList('statisticsReturns', returnsList(false), (d) => d.statisticsReturns, (w) => of(w).submitted),
      viaTotalCount('statisticsReturns.totalCount', returnsList(true), (d) => d.statisticsReturns, (w) => of(w).submitted),
      viaNode((w) => of(w).submitted),
      viaNodes((w) => of(w).submitted),
      viaNode((w) => of(w).submitted, '... on StatisticsReturn { values { metric value } }', (n) => n.values?.length === 9),
      viaQuery(
        'nested',
        'node(id) { versions { values } previousVersion }',
        'query($id: ID!) { node(id: $id) { ... on StatisticsReturn { versions { id values { value } } } } }',
        (d, w) => d.node?.versions?.some((v: any) => v.id === of(w).submitted && v.values.length === 9) ?? false,
        (w) => ({ id: of(w).submitted }),
      ),
      viaQuery(
        'nested',
        'overdueStatisticsFilers / statisticsPeriods { myReturn }',
        `{ statisticsPeriods(first: 100) { edges { node { label myReturn { id } } } } }`,
        (d, w) => d.statisticsPeriods.edges.some((e: any) => e.node.myReturn?.id === of(w).submitted),
        () => ({}),
        ['FIRM_OWN'],
      ),
      {
        path: 'webhook',
        how: 'statistics_return.submitted delivered to the principal’s own subscription',
        seenBy: ['ASSOCIATION', 'SA_SCOPED'],
        async run(w, p) {
          const text = of(w).received[p].join('\n');
          return { visible: text.includes(of(w).submitted), text };
        },
      },
      viaCsv(() => `/reports/statistics.csv?period=${SUBMITTED_PERIOD}`, (w) => of(w).submitted, STAFF_AND_SCOPED),
    ],
  },
  {
    object: 'StatisticsReturn of firm A (draft)',
    seenBy: ['FIRM_OWN', ...STAFF_AND_SCOPED],
    probes: [
      viaNode((w) => of(w).draft),
      viaNodes((w) => of(w).draft),
      viaList('statisticsReturns(filter: { status: DRAFT })', `query($after: String) { statisticsReturns(first: 100, after: $after, filter: { status: DRAFT }) { ${noCount()} } }`, (d) => d.statisticsReturns, (w) => of(w).draft),
      viaQuery(
        'payload',
        'saveStatisticsReturn(period) → payload.statisticsReturn',
        SAVE,
        (d, w) => d.saveStatisticsReturn?.statisticsReturn?.id === of(w).draft,
        () => ({ i: { period: DRAFT_PERIOD, values: [{ metric: 'STAFF', value: 4100 }] } }),
        ['FIRM_OWN'],
      ),
      viaQuery(
        'nested',
        'overdueStatisticsFilers(includeNotYetDue) { statisticsReturn }',
        `query($p: String!) { overdueStatisticsFilers(period: $p, includeNotYetDue: true, first: 100) { edges { node { statisticsReturn { id } } } } }`,
        (d, w) => d.overdueStatisticsFilers.edges.some((e: any) => e.node.statisticsReturn?.id === of(w).draft),
        () => ({ p: DRAFT_PERIOD }),
        STAFF_AND_SCOPED,
      ),
    ],
  },
  {
    object: 'industryStatistics cells of fewer than 3 firms, unsuppressed',
    seenBy: STAFF_AND_SCOPED,
    probes: [
      viaQuery(
        'root',
        'industryStatistics(period: "2025", by: DISTRICT) with a value on a cell of < 3 firms',
        `{ industryStatistics(period: "2025", by: DISTRICT) { metric district value firms suppressed } }`,
        (d) => d.industryStatistics.some((c: any) => c.firms < 3 && c.value !== null),
      ),
      viaQuery(
        'root',
        'industryStatistics(period) total of one firm',
        `query($p: String!) { industryStatistics(period: $p) { value firms suppressed } }`,
        (d) => d.industryStatistics.some((c: any) => c.firms < 3 && c.value !== null),
        () => ({ p: SUBMITTED_PERIOD }),
      ),
    ],
  },
  {
    object: 'OverdueStatisticsFiler (saved, not submitted)',
    seenBy: STAFF_AND_SCOPED,
    probes: [
      viaQuery(
        'list',
        'overdueStatisticsFilers(period: "2026-10")',
        `{ overdueStatisticsFilers(period: "2026-10", first: 100) { totalCount edges { node { status organization { id } } } } }`,
        (d) => d.overdueStatisticsFilers.totalCount > 0 && d.overdueStatisticsFilers.edges.some((e: any) => e.node.status === 'DRAFT'),
      ),
    ],
  },
  ...(['draft', 'embargoed', 'published'] as const).map((state) => ({
    object: `DevelopmentReport, ${state}`,
    seenBy: state === 'published' ? ALL : state === 'embargoed' ? STAFF_AND_SCOPED : (['ASSOCIATION'] as Principal[]),
    probes: [
      viaQuery('list', 'developmentReports', reportsQuery, (d, w) => d.developmentReports.some((r: any) => r.id === of(w).reports[state].id)),
      viaNode((w) => of(w).reports[state].id),
      viaNodes((w) => of(w).reports[state].id),
      // The page: a browser link without a token works only once published; the SZSA staff's service account is not
      // among the principals, so the draft page is their people's only.
      viaReportPage((w) => of(w).reports[state].htmlUrl),
    ],
  })),
]);

