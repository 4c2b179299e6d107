// At the benchmark's size (BENCH_SCALE_FACTOR × the demo: about 10,000 branches), the list and report queries the
// benchmark runs are planned on indexes: every read statement they issue, with the parameters it ran with, is
// EXPLAINed and no plan may scan organizations, branches or branch_ratings sequentially. The statements are taken
// from the running queries, so the test follows their SQL as it changes.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../src/auth/viewer.js';
import { isValidCreditCode } from '../src/members/identifiers.js';
import { BENCH_SCALE_FACTOR, scaleDemoData } from '../src/seed/scale.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { cast, scalar, type Cast } from './support/ratings.js';

/** Large tables: a sequential scan of one of these grows with the directory. Small lookup tables may be scanned. */
const LARGE_TABLES = new Set(['organizations', 'branches', 'branch_ratings']);

const YEAR = 2025;

let t: TestApp;
let c: Cast;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_POINTS: '0' });
  c = await cast(t);
  await scaleDemoData(t.database.db, BENCH_SCALE_FACTOR);
});
afterAll(async () => {
  await t?.close();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows'?: number;
  Plans?: PlanNode[];
}

/** The driver underneath drizzle (PGlite or the node-postgres pool): both run a statement with its parameters. */
function rawClient(): { query(text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }> } {
  return (t.database.db as unknown as { $client: ReturnType<typeof rawClient> }).$client;
}

/** Selects, and WITH queries that modify nothing; writes (the regulator's data-access log) are not the point here. */
function isRead(statement: string): boolean {
  return /^\s*(select|with)\b/i.test(statement) && !/\b(insert\s+into|delete\s+from|update\s+"?\w+"?\s+(\w+\s+)?set)\b/i.test(statement);
}

function* planNodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* planNodes(child);
}

async function planOf(statement: string, params: unknown[]): Promise<PlanNode> {
  const { rows } = await rawClient().query(`explain (format json) ${statement}`, params);
  const cell = Object.values(rows[0]!)[0];
  const plan = (typeof cell === 'string' ? JSON.parse(cell) : cell) as { Plan: PlanNode }[];
  return plan[0]!.Plan;
}

const rowCounts = new Map<string, number>();
async function rowCount(table: string): Promise<number> {
  if (!rowCounts.has(table)) {
    const res = (await t.database.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`)) as unknown as { rows: { n: number }[] };
    rowCounts.set(table, Number(res.rows[0]!.n));
  }
  return rowCounts.get(table)!;
}

/** Runs the operation, EXPLAINs each read statement it issued, and lists every sequential scan of a large table for a small share of it. */
async function seqScansOf(query: string, variables: Record<string, unknown>, viewer: Viewer) {
  const res = await t.countedExecute(query, variables, viewer);
  expect(res.body.errors).toBeUndefined();
  const reads = res.statements.map((statement, i) => ({ statement, params: res.params[i]! })).filter((s) => isRead(s.statement));
  const problems: string[] = [];
  for (const [n, { statement, params }] of reads.entries()) {
    const plan = await planOf(statement, params);
    for (const node of planNodes(plan)) {
      // A scan that keeps a large share of the table (a tenth or more) is the right plan, not a missing index: at this
      // scale the directory holds about 1,050 organizations, and a supervision list may want 170 of them.
      const table = node['Relation Name'] ?? '';
      if (node['Node Type'] === 'Seq Scan' && LARGE_TABLES.has(table) && Number(node['Plan Rows']) * 10 < (await rowCount(table))) {
        problems.push(
          `read statement ${n + 1} of ${reads.length} seq-scans ${node['Relation Name']} (≈${node['Plan Rows']} rows):\n` +
            `  ${statement}\n  params ${JSON.stringify(params)}\n  plan ${JSON.stringify(plan)}`,
        );
      }
    }
  }
  return { data: res.body.data, reads: reads.length, problems };
}

describe(`the benchmark's queries at ${BENCH_SCALE_FACTOR}× the demo data`, () => {
  it('the scaled database has at least 10,000 branches and 100,000 ratings, each branch rated in every cycle of a year it was open', async () => {
    expect(await scalar(t, sql`select count(*) from branches`)).toBeGreaterThanOrEqual(10_000);
    expect(await scalar(t, sql`select count(*) from branch_ratings`)).toBeGreaterThanOrEqual(100_000);
    const unrated = await scalar(t, sql`select count(*) from rating_cycles c
      join branches b on (b.opened_on is null or b.opened_on <= make_date(c.year, 12, 31)) and (b.closed_on is null or b.closed_on >= make_date(c.year, 1, 1))
      where not exists (select 1 from branch_ratings r where r.cycle_id = c.id and r.branch_id = b.id)`);
    expect(unrated).toBe(0);
  });

  it('copies have valid, unique credit codes and distinct names; grades follow the guideline thresholds', async () => {
    const codes = (await t.database.db.execute(sql`select credit_code from organizations union all select credit_code from branches where credit_code is not null`)) as unknown as {
      rows: { credit_code: string }[];
    };
    const invalid = codes.rows.map((r) => r.credit_code).filter((code) => !isValidCreditCode(code));
    expect(invalid).toEqual([]);
    expect(new Set(codes.rows.map((r) => r.credit_code)).size).toBe(codes.rows.length);
    expect(await scalar(t, sql`select count(*) from branches b join organizations f on f.id = b.firm_id where not starts_with(b.name, f.name)`)).toBe(0);
    const misgraded = await scalar(t, sql`select count(*) from branch_ratings r join rating_cycles c on c.id = r.cycle_id join rating_guidelines g on g.id = c.guideline_id
      where r.computed_grade <> (case when r.total_score >= g.threshold_a then 'A' when r.total_score >= g.threshold_b then 'B'
        when r.total_score >= g.threshold_c then 'C' else 'D' end)::branch_grade`);
    expect(misgraded).toBe(0);
  });

  it('a scaled database is not scaled again', async () => {
    await expect(scaleDemoData(t.database.db, 2)).rejects.toThrow(/already scaled/);
  });

  it('organizations(first: 50) with totalCount, anonymous, scans no large table', async () => {
    const { data, reads, problems } = await seqScansOf(
      `{ organizations(first: 50) { totalCount edges { node { id name kind district } } } }`,
      {},
      c.viewers.anonymous,
    );
    expect(data.organizations.edges).toHaveLength(50);
    expect(data.organizations.totalCount).toBeGreaterThan(1_000);
    expect(reads).toBeGreaterThan(0);
    expect(problems, problems.join('\n\n')).toEqual([]);
  });

  it('100 organizations → branches → ratings, as the regulator, scans no large table', async () => {
    const { data, reads, problems } = await seqScansOf(
      `{ organizations(first: 100) { edges { node { id name branches(first: 10) { edges { node { id name ratings { year totalScore grade } } } } } } } }`,
      {},
      c.viewers.regulator,
    );
    const ratings = data.organizations.edges.flatMap((o: any) => o.node.branches.edges.flatMap((b: any) => b.node.ratings));
    expect(ratings.length).toBeGreaterThan(500);
    expect(reads).toBeGreaterThan(0);
    expect(problems, problems.join('\n\n')).toEqual([]);
  });

  it('reports.ratingDistribution of a year, as the association, scans no large table', async () => {
    const { data, reads, problems } = await seqScansOf(
      `query($year: Int!) { reports { ratingDistribution(year: $year) { grade count } } }`,
      { year: YEAR },
      c.viewers.association,
    );
    const total = data.reports.ratingDistribution.reduce((sum: number, d: { count: number }) => sum + d.count, 0);
    expect(total).toBeGreaterThan(9_000);
    expect(reads).toBeGreaterThan(0);
    expect(problems, problems.join('\n\n')).toEqual([]);
  });

  it('a page of branchRatings of a year with branches and firms, as the regulator, scans no large table', async () => {
    const { data, reads, problems } = await seqScansOf(
      `query($year: Int!) { branchRatings(year: $year, first: 50) { totalCount edges { node { id grade totalScore branch { id name firm { id name } } } } } }`,
      { year: YEAR },
      c.viewers.regulator,
    );
    expect(data.branchRatings.edges).toHaveLength(50);
    expect(data.branchRatings.totalCount).toBeGreaterThan(9_000);
    expect(reads).toBeGreaterThan(0);
    expect(problems, problems.join('\n\n')).toEqual([]);
  });

  it('supervisionList of a year with follow-ups, as the regulator, scans no large table', async () => {
    const { data, reads, problems } = await seqScansOf(
      `query($year: Int!) { supervisionList(year: $year) { grade totalScore branch { name district firm { name } } followUps { type status overdue } } }`,
      { year: YEAR },
      c.viewers.regulator,
    );
    expect(data.supervisionList.length).toBeGreaterThan(1_000);
    expect(reads).toBeGreaterThan(0);
    expect(problems, problems.join('\n\n')).toEqual([]);
  });
});
