// Ratings under load: statement counts that do not grow with the page, one grouped report query, and concurrent
// scoring of one branch that never loses an update.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/sql/index.js';
import { encodeGlobalId } from '../src/global-id.js';
import { computeRating } from '../src/ratings/ratings.grading.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { cast, scalar, SCORE, type Cast } from './support/ratings.js';

let t: TestApp;
let c: Cast;
beforeAll(async () => {
  t = await createTestApp({ RATE_LIMIT_POINTS: '0' });
  c = await cast(t);
});
afterAll(async () => {
  await t?.close();
});

const LIST = `query($first: Int!) {
  branchRatings(year: 2025, first: $first) {
    totalCount
    edges { node { id grade totalScore underDailySupervision branch { id name district firm { id name creditCode } } } }
  }
}`;

const DEEP = `query($first: Int!) {
  branchRatings(year: 2025, first: $first) {
    edges { node {
      id cycle { year guideline { version indicators { code } } }
      indicatorScores { indicator { code } points stage }
      overrides { rule { code } reason }
      followUps { type dueOn }
      scoreLines { stage value indicator { code } }
      branch { name firm { name } ratings { year grade } }
    } }
  }
}`;

describe('statement counts', () => {
  it('branchRatings with nested branch { firm } costs the same at 10 and 100 ratings', async () => {
    const small = await t.countedExecute(LIST, { first: 10 }, c.viewers.regulator);
    const large = await t.countedExecute(LIST, { first: 100 }, c.viewers.regulator);
    expect(small.body.errors).toBeUndefined();
    expect(large.body.errors).toBeUndefined();
    expect(small.body.data.branchRatings.edges.length).toBe(10);
    expect(large.body.data.branchRatings.edges.length).toBeGreaterThan(50);
    expect(large.count).toBe(small.count);
    // the page, its count, the branches, their firms, and the regulator's read recorded in the data-access log (+1)
    expect(large.count).toBe(5);
  });

  it('the same holds for a firm, and for ratings nested with their scores, overrides, follow-ups and other years', async () => {
    const firmSmall = await t.countedExecute(LIST, { first: 1 }, c.viewers.firm);
    const firmLarge = await t.countedExecute(LIST, { first: 100 }, c.viewers.firm);
    expect(firmLarge.count).toBe(firmSmall.count);
    const small = await t.countedExecute(DEEP, { first: 10 }, c.viewers.association);
    const large = await t.countedExecute(DEEP, { first: 100 }, c.viewers.association);
    expect(small.body.errors).toBeUndefined();
    expect(large.body.errors).toBeUndefined();
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(12);
  });

  it('Branch.ratings under organizations costs the same at 10 and 100 organizations', async () => {
    // At most 4 branches each, so that 100 organizations stay within one loader batch (MAX_BATCH_SIZE = 500 keys):
    // past it a batch is split into statements of 500 by design, whatever the page size.
    const query = `query($first: Int!) { organizations(first: $first) { edges { node { branches(first: 4) { edges { node { ratings { grade totalScore } } } } } } } }`;
    const small = await t.countedExecute(query, { first: 10 }, c.viewers.regulator);
    const large = await t.countedExecute(query, { first: 100 }, c.viewers.regulator);
    expect(large.count).toBe(small.count);
  });

  it("the regulator's nested read is recorded by the ratings statement itself: three statements, one entry with what was read", async () => {
    const query = `query($first: Int!) { organizations(first: $first) { edges { node { branches(first: 10) { edges { node { ratings { grade } } } } } } } }`;
    const entries = async () =>
      rowsOf<{ details: { branches: number; rows: number } }>(await t.database.db.execute(sql`select details from data_access_log where resource = 'Branch.ratings' order by id`));
    const before = (await entries()).length;
    const res = await t.countedExecute(query, { first: 100 }, c.viewers.regulator);
    expect(res.body.errors).toBeUndefined();
    expect(res.count).toBe(3); // organizations, branches, ratings (with the read record)
    const after = await entries();
    expect(after).toHaveLength(before + 1);
    const shown = res.body.data.organizations.edges.flatMap((o: any) => o.node.branches.edges.flatMap((b: any) => b.node.ratings));
    const branches = res.body.data.organizations.edges.reduce((n: number, o: any) => n + o.node.branches.edges.length, 0);
    expect(after.at(-1)!.details).toEqual({ branches, rows: shown.length });
    // An association member reads the same without a record.
    await t.countedExecute(query, { first: 100 }, c.viewers.association);
    expect(await entries()).toHaveLength(before + 1);
  });

  it('ratingDistribution is one grouped statement', async () => {
    const res = await t.countedExecute(`{ reports { ratingDistribution(year: 2025) { grade count } } }`, {}, c.viewers.association);
    expect(res.body.errors).toBeUndefined();
    expect(res.count).toBe(1);
    expect(res.statements[0]).toMatch(/group by/i);
  });

  it('supervisionList with nested branches is a constant handful of statements', async () => {
    const res = await t.countedExecute(`{ supervisionList(year: 2025) { grade branch { name firm { name } } followUps { type } } }`, {}, c.viewers.regulator);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.supervisionList.length).toBeGreaterThan(5);
    // the list, branches, firms, follow-ups, and the regulator's read recorded in the data-access log (+1)
    expect(res.count).toBe(5);
  });

  it('a viewer who may see no rating costs no rating query at all', async () => {
    const res = await t.countedExecute(`{ branchRatings(year: 2025, first: 100) { totalCount edges { node { id } } } }`, {}, c.viewers.anonymous);
    expect(res.body.data.branchRatings).toEqual({ totalCount: 0, edges: [] });
    expect(res.count).toBe(0);
  });
});

describe('concurrent scoring of one branch', () => {
  async function ratingState(branchDbId: number) {
    const rating = (await t.database.db.execute(sql`select r.id, r.version, r.total_score, r.grade, y.guideline_id from branch_ratings r
      join rating_cycles y on y.id = r.cycle_id where y.year = 2026 and r.branch_id = ${branchDbId}`)) as unknown as { rows: any[] };
    const r = rating.rows[0];
    const lines = (await t.database.db.execute(sql`select indicator_id, stage, value from rating_score_lines where rating_id = ${r.id}`)) as unknown as { rows: any[] };
    const decisions = (await t.database.db.execute(sql`select d.rule_id, d.stage, d.applied, o.type from rating_override_decisions d
      join rating_override_rules o on o.id = d.rule_id where d.rating_id = ${r.id}`)) as unknown as { rows: any[] };
    const indicators = (await t.database.db.execute(sql`select id, method, points, cap from rating_indicators where guideline_id = ${r.guideline_id}`)) as unknown as { rows: any[] };
    const expected = computeRating(
      {
        baseScore: 100,
        thresholds: { a: 90, b: 80, c: 70 },
        indicators: indicators.rows.map((i) => ({ id: i.id, method: i.method, points: Number(i.points), cap: i.cap === null ? null : Number(i.cap) })),
      },
      {
        lines: lines.rows.map((l) => ({ indicatorId: l.indicator_id, stage: l.stage, value: Number(l.value) })),
        overrides: decisions.rows.map((d) => ({ ruleId: d.rule_id, stage: d.stage, applied: d.applied, type: d.type })),
      },
    );
    return { version: Number(r.version), totalScore: Number(r.total_score), grade: r.grade, expected, lines: lines.rows };
  }

  it('twelve regulators adjusting different indicators at once: every line kept, the total reflects all of them', async () => {
    const branchDbId = await scalar(t, sql`select r.branch_id from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2026
      and not exists (select 1 from rating_override_decisions d where d.rating_id = r.id)
      and not exists (select 1 from rating_score_lines l where l.rating_id = r.id and l.stage = 'BUREAU') order by r.id limit 1`);
    const before = await ratingState(branchDbId);
    const auditsBefore = await scalar(t, sql`select count(*) from audit_log`);
    const codes = ['CM_SYSTEM', 'IC_PREMISES', 'RM_MONITORING', 'IP_SUITABILITY', 'CD_COMPLAINTS', 'CT_ABNORMAL_TRADING', 'AML_KYC', 'SC_INTEGRITY', 'IT_DATA_SECURITY', 'RC_REPORTING', 'VD_WARNING_LETTER', 'BONUS_INVESTOR_EDUCATION'];
    const results = await Promise.all(
      codes.map((indicator, n) =>
        t.gql(SCORE, { input: { year: 2026, branchId: encodeGlobalId('Branch', branchDbId), scores: [{ indicator, value: n % 2 === 0 ? 1 : 2, comment: `并发复核 ${n}` }] } }, { token: c.tokens.regulator }),
      ),
    );
    for (const res of results) expect(res.body.data.scoreBranchRating.userErrors).toEqual([]);
    const after = await ratingState(branchDbId);
    expect(after.version).toBe(before.version + codes.length);
    expect(after.lines.filter((l) => l.stage === 'BUREAU').length).toBe(codes.length);
    expect(after.totalScore).toBe(after.expected.totalScore);
    expect(after.grade).toBe(after.expected.grade);
    expect(await scalar(t, sql`select count(*) from audit_log`)).toBe(auditsBefore + codes.length);
  });

  it('concurrent changes of the same indicator end in one of the values, with the total matching it', async () => {
    const branchDbId = await scalar(t, sql`select r.branch_id from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = 2026
      and not exists (select 1 from rating_override_decisions d where d.rating_id = r.id)
      and not exists (select 1 from rating_score_lines l where l.rating_id = r.id and l.stage = 'BUREAU') order by r.id desc limit 1`);
    const before = await ratingState(branchDbId);
    const values = [1, 2, 3, 4, 5, 6];
    const results = await Promise.all(
      values.map((value) =>
        t.gql(SCORE, { input: { year: 2026, branchId: encodeGlobalId('Branch', branchDbId), scores: [{ indicator: 'CM_SYSTEM', value, comment: `复核 ${value}` }] } }, { token: c.tokens.regulator }),
      ),
    );
    for (const res of results) expect(res.body.data.scoreBranchRating.userErrors).toEqual([]);
    const after = await ratingState(branchDbId);
    expect(after.version).toBe(before.version + values.length);
    const bureau = after.lines.filter((l) => l.stage === 'BUREAU');
    expect(bureau.length).toBe(1);
    expect(values).toContain(Number(bureau[0].value));
    expect(after.totalScore).toBe(after.expected.totalScore);
  });
});
