// Issue 18's benchmark entries: industryStatistics(period, by: DISTRICT) over 2 years × 12 monthly periods × 600 firms ×
// 9 metrics — one statement, within 1.3× a hand-written floor, p99 under 50 ms on PostgreSQL — and saving a return of
// every metric: one transaction with as many statements as saving one metric.
//
// The data is prepared here, set-based (generate_series), in periods of their own (2041-01 … 2042-12) of the securities
// association, from 600 bench firms of their own (credit codes 91440300BX…), so the demo data stays as it was.
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { creditCodeCheckCharacter } from '../../src/members/identifiers.js';
import { industryStatisticsSql } from '../../src/statistics/statistics.aggregate.js';
import type { DomainBench, DomainBenchContext, DomainBenchResult } from './domains.js';
import { startFloorServer } from './floor.js';

const FIRMS = 600;
const MONTHS = 24;
const FIRST_YEAR = 2041;
const PERIOD = `${FIRST_YEAR + 1}-06`;
const CODE_PREFIX = '91440300BX';
/** The n-th bench firm's credit code: a valid check character (the token resolver checks it). */
const codeOf = (n: number) => {
  const first17 = `${CODE_PREFIX}${String(n).padStart(7, '0')}`;
  return first17 + creditCodeCheckCharacter(first17);
};
const SAVE_PERIOD = '2014-01';

const QUERY = `query($p: String!) { industryStatistics(period: $p, by: DISTRICT) { metric district value firms suppressed } }`;
const SAVE = `mutation($input: SaveStatisticsReturnInput!) { saveStatisticsReturn(input: $input) { statisticsReturn { id version } userErrors { code } } }`;

export async function prepare(ctx: Pick<DomainBenchContext, "db">): Promise<void> {
  const { db } = ctx;
  const already = ((await db.execute(sql`select count(*)::int as n from organizations where credit_code like ${`${CODE_PREFIX}%`}`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
  if (already >= FIRMS) return;
  await db.transaction(async (tx) => {
    // 600 securities firms across the districts, members of SZSA.
    await tx.execute(sql`
      with orgs as (
        insert into organizations (kind, name, credit_code, district)
        select 'SECURITIES_FIRM', '基准测试证券' || i || '号股份有限公司', code,
               (enum_range(null::district))[1 + (i * 7) % 11]
        from unnest(${sql.param(Array.from({ length: FIRMS }, (_, i) => codeOf(i + 1)))}::text[]) with ordinality as c(code, i)
        returning id)
      insert into memberships (association_id, organization_id, status) select 1, id, 'ACTIVE' from orgs`);
    // MONTHS (24) monthly periods and the period of the save entry.
    await tx.execute(sql`
      insert into statistics_periods (association_id, label, kind, starts_on, ends_on, due_on, owed_by_kinds)
      select 1, to_char(d, 'YYYY-MM'), 'MONTHLY'::statistics_period_kind, d::date, (d + interval '1 month' - interval '1 day')::date, (d + interval '1 month' + interval '13 days')::date,
             '{SECURITIES_FIRM,FUTURES_FIRM,FUND_MANAGER}'::organization_kind[]
      from generate_series(${`${FIRST_YEAR}-01-01`}::timestamp, ${`${FIRST_YEAR}-01-01`}::timestamp + (${MONTHS - 1})::int * interval '1 month', interval '1 month') as d
      union all
      select 1, ${SAVE_PERIOD}::text, 'MONTHLY'::statistics_period_kind, '2014-01-01'::date, '2014-01-31'::date, '2014-02-14'::date, '{SECURITIES_FIRM,FUTURES_FIRM,FUND_MANAGER}'::organization_kind[]
      on conflict do nothing`);
    // One accepted return per firm and period (14,400), then nine values each (129,600).
    await tx.execute(sql`
      insert into statistics_returns (organization_id, period_id, association_id, version, is_latest, status, saved_by, submitted_by, submitted_at, reviewed_by, reviewed_at)
      select o.id, p.id, 1, 1, true, 'ACCEPTED', 'bench.maker', 'bench.checker', p.due_on - 3, 'bench.staff', p.due_on - 1
      from organizations o cross join statistics_periods p
      where o.credit_code like ${`${CODE_PREFIX}%`} and p.association_id = 1 and p.label between ${`${FIRST_YEAR}-01`} and ${`${FIRST_YEAR + 1}-12`}`);
    await tx.execute(sql`
      insert into statistics_values (return_id, metric_code, value)
      select r.id, m.code, round((1000 + ((r.id * 2654435761::bigint + m.sort_order * 40503) % 100000))::numeric * power(10, 2 + m.sort_order % 5))::float8
      from statistics_returns r join organizations o on o.id = r.organization_id cross join statistics_metrics m
      where o.credit_code like ${`${CODE_PREFIX}%`}
      order by r.id, m.sort_order`);
  });
  // A return's values are saved together (one insert), so they sit together on disk: the bench's rows too.
  await db.execute(sql`vacuum analyze statistics_returns`);
  await db.execute(sql`vacuum analyze statistics_values`);
  await db.execute(sql`vacuum analyze statistics_periods`);
}

/**
 * The hand-written floor, as the scenarios' floors: a bare node:http server on the same driver that reads the same
 * request body, runs the same cells-with-suppression statement (label and mask as parameters) and JSON.stringifies
 * the rows. So both sides pay for HTTP and JSON; the ratio is what GraphQL, authentication and the resolvers add.
 */
async function startFloor(ctx: DomainBenchContext) {
  const server = await startFloorServer(
    ctx.db,
    new Map([
      [
        'statistics',
        {
          kind: 'floor' as const,
          sameAnswer: false,
          async answer(db, variables) {
            const result = (await db.execute(industryStatisticsSql({ associationId: 1, label: String(variables.p), by: 'DISTRICT', mask: true }))) as unknown as { rows: unknown[] };
            return { data: { industryStatistics: result.rows } };
          },
        },
      ],
    ]),
    5_000,
  );
  const body = JSON.stringify({ query: QUERY, variables: { p: PERIOD } });
  const call = async () => {
    const res = await fetch(`${server.url}/statistics`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    return res.json();
  };
  return { call, close: server.close };
}

export const bench: DomainBench = {
  domain: 'statistics',
  async run(ctx) {
    const started = performance.now();
    await prepare(ctx);
    const prepareSeconds = (performance.now() - started) / 1000;
    const as = { role: 'firm' as const, org: codeOf(1), sub: 'bench.reader' };

    const first = await ctx.execute(QUERY, { p: PERIOD }, as);
    const cells: { firms: number }[] = first?.data?.industryStatistics ?? [];
    const statements = await ctx.statements(() => ctx.execute(QUERY, { p: PERIOD }, as));
    const api = () => ctx.graphql(QUERY, { p: PERIOD }, as);
    const floor = await startFloor(ctx);
    const compared = await ctx.compare(api, floor.call).finally(() => floor.close());
    const latency = await ctx.latency(api);

    // Saving: one metric, then all nine, by two firms' makers (fresh returns of the same period).
    const values = ['OPERATING_REVENUE', 'NET_PROFIT', 'CLIENT_FUNDS', 'EQUITY_FUND_TURNOVER', 'MARGIN_BALANCE', 'BRANCHES', 'STAFF', 'CLIENTS', 'ASSETS_UNDER_CUSTODY'].map(
      (metric, i) => ({ metric, value: (i + 1) * 1000 }),
    );
    const firmNo = 1 + Math.floor(Math.random() * ((FIRMS - 2) / 2)) * 2;
    const saver = (n: number) => ({ role: 'firm' as const, org: codeOf(n), sub: 'bench.maker' });
    await ctx.db.execute(sql`delete from statistics_values where return_id in (select r.id from statistics_returns r join statistics_periods p on p.id = r.period_id where p.label = ${SAVE_PERIOD})`);
    await ctx.db.execute(sql`delete from statistics_returns where period_id in (select id from statistics_periods where label = ${SAVE_PERIOD})`);
    let saveErrors = 0;
    const saveOne = await ctx.statements(async () => {
      const res = await ctx.execute(SAVE, { input: { period: SAVE_PERIOD, values: values.slice(0, 1) } }, saver(firmNo));
      saveErrors += res?.data?.saveStatisticsReturn?.userErrors?.length ?? 1;
    });
    const saveAll = await ctx.statements(async () => {
      const res = await ctx.execute(SAVE, { input: { period: SAVE_PERIOD, values } }, saver(firmNo + 1));
      saveErrors += res?.data?.saveStatisticsReturn?.userErrors?.length ?? 1;
    });

    const pg = ctx.driver === 'postgres';
    const results: Omit<DomainBenchResult, 'domain' | 'driver' | 'seconds'>[] = [
      {
        name: 'industryStatistics(period, by: DISTRICT), 600 firms × 24 months × 9 metrics',
        figures: {
          prepareSeconds,
          cells: cells.length,
          statements,
          apiMs: compared.apiMs,
          floorMs: compared.floorMs,
          ratio: compared.ratio,
          p50Ms: latency.p50Ms,
          p99Ms: latency.p99Ms,
        },
        gates: [
          { name: 'cells returned', pass: cells.length >= 9 * 11 - 11, detail: `${cells.length} cells (9 metrics × districts)` },
          { name: 'one statement', pass: statements === 1, detail: `${statements} statement(s) per request` },
          { name: 'within 1.3× the floor', pass: compared.ratio <= 1.3, detail: `${compared.apiMs.toFixed(2)} ms vs ${compared.floorMs.toFixed(2)} ms = ${compared.ratio.toFixed(2)}× ≤ 1.3` },
          ...(pg ? [{ name: 'p99 under 50 ms (PostgreSQL)', pass: latency.p99Ms < 50, detail: `p99 ${latency.p99Ms.toFixed(1)} ms < 50` }] : []),
        ],
      },
      {
        name: 'saveStatisticsReturn: one metric vs all nine',
        figures: { statementsOneMetric: saveOne, statementsNineMetrics: saveAll, userErrors: saveErrors },
        gates: [
          { name: 'saved', pass: saveErrors === 0, detail: `${saveErrors} userErrors` },
          { name: 'constant statements', pass: saveOne === saveAll, detail: `${saveOne} statements for 1 metric, ${saveAll} for 9` },
        ],
      },
    ];
    return results;
  },
};
