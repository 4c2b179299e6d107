// The authorization matrix: every role against every path to a rating (list, totalCount, node, nodes, Branch.ratings,
// nested under an organization, supervisionList, reports), for published and unpublished cycles, own and other firms.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/global-id.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { staffToken } from './support/integration.js';
import { cast, ROLES, scalar, type Cast, type Who } from './support/ratings.js';

let t: TestApp;
let c: Cast;

interface Target {
  label: string;
  firm: 'firm' | 'otherFirm';
  year: number;
  published: boolean;
  id: string;
  branchId: string;
  creditCode: string;
}
const targets: Target[] = [];

beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
  for (const [firm, code] of [['firm', c.firmCode], ['otherFirm', c.otherFirmCode]] as const) {
    for (const year of [2025, 2026]) {
      const res = (await t.database.db.execute(sql`
        select r.id, r.branch_id from branch_ratings r
        join rating_cycles y on y.id = r.cycle_id join branches b on b.id = r.branch_id join organizations o on o.id = b.firm_id
        where o.credit_code = ${code} and y.year = ${year} order by r.id limit 1`)) as unknown as { rows: { id: number; branch_id: number }[] };
      const row = res.rows[0]!;
      targets.push({
        label: `${firm === 'firm' ? 'its own' : 'another firm\'s'} ${year} rating (${year === 2025 ? 'published' : 'in bureau review'})`,
        firm,
        year,
        published: year === 2025,
        id: encodeGlobalId('BranchRating', row.id),
        branchId: encodeGlobalId('Branch', row.branch_id),
        creditCode: code,
      });
    }
  }
});
afterAll(async () => {
  await t?.close();
});

/** The one rule under test: staff see everything; a firm sees its own branches' published ratings; nobody else any. */
function maySee(who: Who, target: Pick<Target, 'firm' | 'published'>): boolean {
  if (who === 'association' || who === 'regulator') return true;
  return who === target.firm && target.published;
}

async function expectedTotal(who: Who, year: number): Promise<number> {
  if (who === 'association' || who === 'regulator') {
    return scalar(t, sql`select count(*) from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = ${year}`);
  }
  if ((who === 'firm' || who === 'otherFirm') && year === 2025) {
    const code = who === 'firm' ? c.firmCode : c.otherFirmCode;
    return scalar(t, sql`select count(*) from branch_ratings r join rating_cycles y on y.id = r.cycle_id
      join branches b on b.id = r.branch_id join organizations o on o.id = b.firm_id where y.year = ${year} and o.credit_code = ${code}`);
  }
  return 0;
}

const EVERY_PATH = `query($id: ID!, $branch: ID!, $year: Int!, $code: String!) {
  list: branchRatings(year: $year, first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { id branch { firm { creditCode } } } } }
  node(id: $id) { id __typename ... on BranchRating { grade totalScore } }
  nodes(ids: [$id]) { id }
  branch: node(id: $branch) { ... on Branch { ratings { id year } } }
  org: organization(creditCode: $code) { branches(first: 100) { edges { node { ratings { id } } } } }
}`;

describe('every path to a rating answers the same visibility rule', () => {
  for (const who of ROLES) {
    it(`${who}: lists, totalCount, node, nodes, Branch.ratings and nested branches agree with the rule`, async () => {
      for (const target of targets) {
        const res = await t.gql(EVERY_PATH, { id: target.id, branch: target.branchId, year: target.year, code: target.creditCode }, { token: c.tokens[who] });
        expect(res.body.errors, `${who} / ${target.label}`).toBeUndefined();
        const d = res.body.data;
        const visible = maySee(who, target);
        // The demo rates about 550 branches a year: the rest of the list, page by page.
        const edges = [...d.list.edges];
        for (let page = d.list.pageInfo; page.hasNextPage; ) {
          const more = await t.gql(
            `query($year: Int!, $after: String) { branchRatings(year: $year, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id branch { firm { creditCode } } } } } }`,
            { year: target.year, after: page.endCursor },
            { token: c.tokens[who] },
          );
          edges.push(...more.body.data.branchRatings.edges);
          page = more.body.data.branchRatings.pageInfo;
        }
        const listIds = edges.map((e: any) => e.node.id);
        expect(listIds.includes(target.id), `list: ${who} / ${target.label}`).toBe(visible);
        expect(d.list.totalCount, `totalCount: ${who} / ${target.label}`).toBe(await expectedTotal(who, target.year));
        expect(d.list.totalCount).toBe(listIds.length);
        if (who === 'firm' || who === 'otherFirm') {
          const own = who === 'firm' ? c.firmCode : c.otherFirmCode;
          for (const e of edges) expect(e.node.branch.firm.creditCode).toBe(own);
        }
        expect(d.node?.id ?? null, `node: ${who} / ${target.label}`).toBe(visible ? target.id : null);
        expect(d.nodes, `nodes: ${who} / ${target.label}`).toEqual([visible ? { id: target.id } : null]);
        const viaBranch = d.branch.ratings.map((r: any) => r.id);
        expect(viaBranch.includes(target.id), `Branch.ratings: ${who} / ${target.label}`).toBe(visible);
        const viaOrg = d.org.branches.edges.flatMap((e: any) => e.node.ratings.map((r: any) => r.id));
        expect(viaOrg.includes(target.id), `organization.branches.ratings: ${who} / ${target.label}`).toBe(visible);
        // Nothing else slips through the nested paths either.
        for (const r of d.branch.ratings) expect(maySee(who, { firm: target.firm, published: r.year === 2025 })).toBe(true);
      }
    });
  }

  it('a hidden rating looks exactly like one that does not exist', async () => {
    const missing = encodeGlobalId('BranchRating', 999999);
    const hidden = targets.find((x) => x.firm === 'otherFirm' && x.published)!.id;
    const a = await t.gql(`query($id: ID!) { node(id: $id) { id __typename } }`, { id: missing }, { token: c.tokens.firm });
    const b = await t.gql(`query($id: ID!) { node(id: $id) { id __typename } }`, { id: hidden }, { token: c.tokens.firm });
    expect(a.body.data).toEqual({ node: null });
    expect(a.body.errors).toBeUndefined();
    expect(b.body.data).toEqual(a.body.data);
    expect(b.body.errors).toBeUndefined();
  });

  it('a firm sees its own published rating with the indicator scores that explain it, but not the stage lines', async () => {
    const own = targets.find((x) => x.firm === 'firm' && x.published)!;
    const res = await t.gql(
      `query($id: ID!) { node(id: $id) { ... on BranchRating { grade totalScore indicatorScores { indicator { code nameZh method } value points stage } overrides { reason } followUps { type } } } }`,
      { id: own.id },
      { token: c.tokens.firm },
    );
    expect(res.body.errors).toBeUndefined();
    const rating = res.body.data.node;
    expect(rating.indicatorScores.length).toBe(14);
    const sum = rating.indicatorScores.reduce((s: number, i: any) => s + i.points, 100);
    expect(Math.max(0, Math.round(sum * 100) / 100)).toBe(rating.totalScore);
    const lines = await t.gql(`query($id: ID!) { node(id: $id) { ... on BranchRating { grade scoreLines { value } } } }`, { id: own.id }, { token: c.tokens.firm });
    expect(lines.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(lines.body.data.node).toEqual({ grade: rating.grade, scoreLines: null });
    const staff = await t.gql(`query($id: ID!) { node(id: $id) { ... on BranchRating { scoreLines { stage value } } } }`, { id: own.id }, { token: c.tokens.regulator });
    expect(staff.body.data.node.scoreLines.length).toBeGreaterThan(14);
  });
});

describe('supervisionList and reports are for the association and the regulator', () => {
  it.each(['anonymous', 'firm', 'listed'] as Who[])('%s gets null and FORBIDDEN, and no other data is lost', async (who) => {
    const res = await t.gql(`{ supervisionList(year: 2025) { id } ratingCycles { year } reports { ratingDistribution(year: 2025) { grade count } } }`, undefined, { token: c.tokens[who] });
    expect(res.body.data.supervisionList).toBeNull();
    expect(res.body.data.reports).toBeNull();
    expect(res.body.data.ratingCycles.map((x: any) => x.year)).toEqual([2026, 2025]);
    expect(res.body.errors!.map((e: any) => e.extensions!.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });

  it.each(['association', 'regulator'] as Who[])('%s sees exactly the published C and D branches, each under daily supervision', async (who) => {
    const res = await t.gql(`{ s25: supervisionList(year: 2025) { id grade underDailySupervision followUps { type } } s26: supervisionList(year: 2026) { id } }`, undefined, { token: c.tokens[who] });
    expect(res.body.errors).toBeUndefined();
    const expected = await scalar(t, sql`select count(*) from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2025 and r.grade in ('C', 'D')`);
    expect(expected).toBeGreaterThan(0);
    expect(res.body.data.s25.length).toBe(expected);
    for (const r of res.body.data.s25) {
      expect(['C', 'D']).toContain(r.grade);
      expect(r.underDailySupervision).toBe(true);
      expect(r.followUps.length).toBeGreaterThanOrEqual(2);
    }
    // 2026 is not published yet: nobody is under daily supervision from it.
    expect(res.body.data.s26).toEqual([]);
  });

  it('ratingDistribution counts every grade of the year, zeros included', async () => {
    const res = await t.gql(`{ reports { d25: ratingDistribution(year: 2025) { grade count } d99: ratingDistribution(year: 2099) { grade count } } }`, undefined, { token: c.tokens.association });
    const total = await scalar(t, sql`select count(*) from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2025`);
    const d25 = res.body.data.reports.d25;
    expect(d25.map((g: any) => g.grade)).toEqual(['A', 'B', 'C', 'D']);
    expect(d25.reduce((s: number, g: any) => s + g.count, 0)).toBe(total);
    for (const g of d25) expect(g.count).toBeGreaterThan(0);
    expect(res.body.data.reports.d99).toEqual([{ grade: 'A', count: 0 }, { grade: 'B', count: 0 }, { grade: 'C', count: 0 }, { grade: 'D', count: 0 }]);
  });
});

describe('branchRatings lists', () => {
  it('page through a year without repeating or skipping, at several page sizes', async () => {
    const all = async (first: number) => {
      const ids: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 100; i++) {
        const res: any = await t.gql(`query($first: Int, $after: String) { branchRatings(year: 2025, first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { first, after }, { token: c.tokens.regulator });
        const conn = res.body.data.branchRatings;
        ids.push(...conn.edges.map((e: any) => e.node.id));
        if (!conn.pageInfo.hasNextPage) break;
        after = conn.pageInfo.endCursor;
      }
      return ids;
    };
    const big = await all(100);
    expect(new Set(big).size).toBe(big.length);
    expect(await all(7)).toEqual(big);
  });

  it('filter by grade and district, with totalCount matching the filter', async () => {
    const res = await t.gql(
      `{ d: branchRatings(year: 2025, first: 100, filter: { grade: D }) { totalCount edges { node { grade } } }
         f: branchRatings(year: 2025, first: 100, filter: { district: FUTIAN, grade: A }) { totalCount edges { node { grade branch { district } } } } }`,
      undefined,
      { token: c.tokens.association },
    );
    const { d, f } = res.body.data;
    expect(d.totalCount).toBe(d.edges.length);
    expect(d.totalCount).toBe(await scalar(t, sql`select count(*) from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2025 and r.grade = 'D'`));
    for (const e of d.edges) expect(e.node.grade).toBe('D');
    expect(f.totalCount).toBe(f.edges.length);
    expect(f.totalCount).toBeGreaterThan(0);
    for (const e of f.edges) expect(e.node).toMatchObject({ grade: 'A', branch: { district: 'FUTIAN' } });
  });

  it('a firm filtering by grade still sees only its own branches', async () => {
    const res = await t.gql(`{ branchRatings(year: 2025, first: 100, filter: { grade: A }) { totalCount edges { node { branch { firm { creditCode } } } } } }`, undefined, { token: c.tokens.firm });
    for (const e of res.body.data.branchRatings.edges) expect(e.node.branch.firm.creditCode).toBe(c.firmCode);
  });

  it('refuse page sizes outside 1..100 and forged cursors', async () => {
    for (const args of ['first: 0', 'first: 101', 'after: "Zm9v"']) {
      const res = await t.gql(`{ branchRatings(year: 2025, ${args}) { totalCount } }`, undefined, { token: c.tokens.association });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('ratings belong to the securities association: another association\'s staff', () => {
  it('see no rating on any path (lists, totalCount, node, nodes, nested, supervisionList), like a missing one', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    for (const target of targets) {
      const res = await t.gql(EVERY_PATH, { id: target.id, branch: target.branchId, year: target.year, code: target.creditCode }, { token: szlca });
      expect(res.body.errors, target.label).toBeUndefined();
      const d = res.body.data;
      expect(d.list).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
      expect(d.node).toBeNull();
      expect(d.nodes).toEqual([null]);
      expect(d.branch.ratings).toEqual([]);
      expect(d.org.branches.edges.flatMap((e: any) => e.node.ratings)).toEqual([]);
    }
    const supervision = await t.gql(`{ supervisionList(year: 2025) { id } }`, undefined, { token: szlca });
    expect(supervision.body.data.supervisionList).toEqual([]);
  });

  it('may not run the rating workflow: guidelines, cycles, imports and scoring are FORBIDDEN, nothing is written', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    const audits = await scalar(t, sql`select count(*) from audit_log`);
    for (const query of [
      `mutation { createRatingCycle(input: { year: 2031, guidelineVersion: 1, selfAssessmentDueOn: "2031-03-01", associationScoringDueOn: "2031-04-01", bureauReviewDueOn: "2031-05-01", publicationDueOn: "2031-06-01" }) { userErrors { code } } }`,
      `mutation { advanceRatingCycle(input: { year: 2026, to: PUBLISHED }) { userErrors { code } } }`,
      `mutation { scoreBranchRating(input: { year: 2026, branchId: "${targets[0]!.branchId}", scores: [{ indicator: "CM_SYSTEM", value: 1 }] }) { userErrors { code } } }`,
    ]) {
      const res = await t.gql(query, undefined, { token: szlca });
      expect(res.body.errors?.[0]?.extensions?.code, `${query}: ${JSON.stringify(res.body)}`).toBe('FORBIDDEN');
    }
    expect(await scalar(t, sql`select count(*) from audit_log`)).toBe(audits);
  });
});
