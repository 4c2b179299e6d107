// The reports: rating distribution by grade, district or firm; the follow-up status of supervised branches with its
// overdue counts and progress; each one grouped SQL statement whatever the data size.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGlobalIdOf } from '../src/global-id.js';
import { todayInShanghai } from '../src/time.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { staffActor, staffToken } from './support/integration.js';
import { cast, scalar, type Cast } from './support/ratings.js';

let t: TestApp;
let c: Cast;
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
});
afterAll(async () => {
  await t?.close();
});

async function rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await t.database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

const DISTRIBUTION = `query($year: Int!, $by: RatingDistributionGrouping) {
  reports { ratingDistribution(year: $year, by: $by) { grade count district firm { id name } } }
}`;
const FOLLOW_UPS = `query($year: Int!) {
  reports { supervisoryFollowUpSummary(year: $year) { type status count overdueCount branchCount } }
}`;
const UPDATE = `mutation($input: UpdateSupervisoryFollowUpInput!) {
  updateSupervisoryFollowUp(input: $input) { followUp { id type status completedOn overdue note } userErrors { field code message } }
}`;

describe('reports.ratingDistribution', () => {
  it('without by keeps the contract: four rows A to D, zeros included, no group', async () => {
    const res = await t.gql(DISTRIBUTION, { year: 2099 }, { token: c.tokens.association });
    expect(res.body.data.reports.ratingDistribution).toEqual(['A', 'B', 'C', 'D'].map((grade) => ({ grade, count: 0, district: null, firm: null })));
    const y2025 = await t.gql(DISTRIBUTION, { year: 2025 }, { token: c.tokens.association });
    const expected = await rows<{ grade: string; n: number }>(sql`select r.grade, count(*)::int as n from branch_ratings r
      join rating_cycles y on y.id = r.cycle_id where y.year = 2025 group by r.grade`);
    for (const g of y2025.body.data.reports.ratingDistribution) {
      expect(g.count).toBe(expected.find((e) => e.grade === g.grade)?.n ?? 0);
    }
  });

  it('by DISTRICT counts each district\'s grades, and the groups add up to the totals per grade', async () => {
    const [plain, byDistrict] = await Promise.all([
      t.gql(DISTRIBUTION, { year: 2025 }, { token: c.tokens.regulator }),
      t.gql(DISTRIBUTION, { year: 2025, by: 'DISTRICT' }, { token: c.tokens.regulator }),
    ]);
    const groups = byDistrict.body.data.reports.ratingDistribution as { grade: string; count: number; district: string | null; firm: null }[];
    expect(new Set(groups.map((g) => g.district)).size).toBeGreaterThan(2);
    expect(groups.every((g) => g.count > 0 && g.firm === null)).toBe(true);
    for (const total of plain.body.data.reports.ratingDistribution) {
      expect(groups.filter((g) => g.grade === total.grade).reduce((n, g) => n + g.count, 0)).toBe(total.count);
    }
    const expected = await rows<{ district: string | null; grade: string; n: number }>(sql`select b.district, r.grade, count(*)::int as n
      from branch_ratings r join rating_cycles y on y.id = r.cycle_id join branches b on b.id = r.branch_id
      where y.year = 2025 group by b.district, r.grade order by b.district nulls last, r.grade`);
    expect(groups.map((g) => [g.district, g.grade, g.count])).toEqual(expected.map((e) => [e.district, e.grade, e.n]));
  });

  it('by FIRM names each firm and counts its branches\' grades', async () => {
    const res = await t.gql(DISTRIBUTION, { year: 2025, by: 'FIRM' }, { token: c.tokens.association });
    const groups = res.body.data.reports.ratingDistribution as { grade: string; count: number; district: null; firm: { id: string; name: string } }[];
    const expected = await rows<{ firm_id: number; name: string; grade: string; n: number }>(sql`select b.firm_id, o.name, r.grade, count(*)::int as n
      from branch_ratings r join rating_cycles y on y.id = r.cycle_id join branches b on b.id = r.branch_id join organizations o on o.id = b.firm_id
      where y.year = 2025 group by b.firm_id, o.name, r.grade order by b.firm_id, r.grade`);
    expect(groups.map((g) => [parseGlobalIdOf(g.firm.id, 'Organization'), g.firm.name, g.grade, g.count, g.district])).toEqual(
      expected.map((e) => [e.firm_id, e.name, e.grade, e.n, null]),
    );
  });

  it('is one grouped statement in every grouping (two with the firms\' names), plus one read record for the regulator', async () => {
    for (const by of [null, 'DISTRICT', 'FIRM']) {
      const res = await t.countedExecute(`query($by: RatingDistributionGrouping) { reports { ratingDistribution(year: 2025, by: $by) { grade count district } } }`, { by }, c.viewers.association);
      expect(res.body.errors).toBeUndefined();
      expect(res.count).toBe(1);
      expect(res.statements[0]).toMatch(/group by/i);
      const asRegulator = await t.countedExecute(`query($by: RatingDistributionGrouping) { reports { ratingDistribution(year: 2025, by: $by) { grade count } } }`, { by }, c.viewers.regulator);
      expect(asRegulator.count).toBe(2);
      expect(asRegulator.statements[1]).toMatch(/insert into "data_access_log"/i);
    }
    const withFirms = await t.countedExecute(`{ reports { ratingDistribution(year: 2025, by: FIRM) { count firm { name creditCode } } } }`, {}, c.viewers.association);
    expect(withFirms.body.data.reports.ratingDistribution.length).toBeGreaterThan(5);
    expect(withFirms.count).toBe(2);
  });
});

describe('reports.supervisoryFollowUpSummary', () => {
  it('counts the follow-ups of a year\'s supervised branches by type and status, with the overdue ones, as the rows say', async () => {
    const res = await t.gql(FOLLOW_UPS, { year: 2025 }, { token: c.tokens.regulator });
    const got = res.body.data.reports.supervisoryFollowUpSummary as { type: string; status: string; count: number; overdueCount: number; branchCount: number }[];
    const today = todayInShanghai();
    const expected = await rows<{ type: string; status: string; n: number; overdue: number; branches: number }>(sql`select f.type, f.status, count(*)::int as n,
        (count(*) filter (where f.status <> 'DONE' and f.due_on < ${today}::date))::int as overdue, count(distinct r.branch_id)::int as branches
      from supervisory_follow_ups f join branch_ratings r on r.id = f.rating_id join rating_cycles y on y.id = r.cycle_id
      where y.year = 2025 group by f.type, f.status order by f.type, f.status`);
    expect(got.map((g) => [g.type, g.status, g.count, g.overdueCount, g.branchCount])).toEqual(expected.map((e) => [e.type, e.status, e.n, e.overdue, e.branches]));
    // The demo data has progress of every kind, and overdue reports.
    expect(new Set(got.map((g) => g.status))).toEqual(new Set(['OPEN', 'IN_PROGRESS', 'DONE']));
    expect(got.some((g) => g.overdueCount > 0)).toBe(true);
    expect(got.filter((g) => g.status === 'DONE').every((g) => g.overdueCount === 0)).toBe(true);
    // Only supervised (C and D) branches have follow-ups.
    const supervised = await t.gql(`{ supervisionList(year: 2025) { branch { id } } }`, {}, { token: c.tokens.regulator });
    const branchesWithFollowUps = await scalar(t, sql`select count(distinct r.branch_id) from supervisory_follow_ups f join branch_ratings r on r.id = f.rating_id
      join rating_cycles y on y.id = r.cycle_id where y.year = 2025`);
    expect(branchesWithFollowUps).toBe(supervised.body.data.supervisionList.length);
  });

  it('is one grouped statement (plus the regulator\'s read record), and empty for a year without follow-ups', async () => {
    const res = await t.countedExecute(FOLLOW_UPS, { year: 2025 }, c.viewers.association);
    expect(res.count).toBe(1);
    expect(res.statements[0]).toMatch(/group by/i);
    expect((await t.countedExecute(FOLLOW_UPS, { year: 2025 }, c.viewers.regulator)).count).toBe(2);
    const none = await t.gql(FOLLOW_UPS, { year: 2026 }, { token: c.tokens.association });
    expect(none.body.data.reports.supervisoryFollowUpSummary).toEqual([]);
  });

  it('is forbidden to firms and listed companies like the rest of reports', async () => {
    for (const token of [c.tokens.firm, c.tokens.listed, undefined]) {
      const res = await t.gql(FOLLOW_UPS, { year: 2025 }, { token });
      expect(res.body.data.reports).toBeNull();
      expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
  });
});

describe('updateSupervisoryFollowUp', () => {
  async function openOverdueFollowUp() {
    const res = await t.gql(`{ supervisionList(year: 2025) { followUps { id type status dueOn overdue } } }`, {}, { token: c.tokens.association });
    const all = res.body.data.supervisionList.flatMap((r: any) => r.followUps);
    return all.find((f: any) => f.status === 'OPEN' && f.overdue) as { id: string; type: string; status: string };
  }

  it('moves a follow-up forward, dates its completion, audits it, and the report follows', async () => {
    const f = await openOverdueFollowUp();
    expect(f).toBeDefined();
    const summary = async () =>
      (await t.gql(FOLLOW_UPS, { year: 2025 }, { token: c.tokens.association })).body.data.reports.supervisoryFollowUpSummary as any[];
    const before = await summary();
    const audits = await scalar(t, sql`select count(*) from audit_log where action = 'supervisory_follow_up.update'`);

    const started = await t.gql(UPDATE, { input: { id: f.id, status: 'IN_PROGRESS', note: '已约谈，\n整改中' } }, { token: c.tokens.association });
    expect(started.body.data.updateSupervisoryFollowUp).toEqual({
      followUp: { id: f.id, type: f.type, status: 'IN_PROGRESS', completedOn: null, overdue: true, note: '已约谈，\n整改中' },
      userErrors: [],
    });
    const done = await t.gql(UPDATE, { input: { id: f.id, status: 'DONE' } }, { token: c.tokens.regulator });
    expect(done.body.data.updateSupervisoryFollowUp.followUp).toMatchObject({ status: 'DONE', completedOn: todayInShanghai(), overdue: false, note: '已约谈，\n整改中' });
    expect(await scalar(t, sql`select count(*) from audit_log where action = 'supervisory_follow_up.update'`)).toBe(audits + 2);

    const after = await summary();
    const key = (status: string) => (rows: any[]) => rows.find((r) => r.type === f.type && r.status === status) ?? { count: 0, overdueCount: 0 };
    expect(key('OPEN')(after).count).toBe(key('OPEN')(before).count - 1);
    expect(key('OPEN')(after).overdueCount).toBe(key('OPEN')(before).overdueCount - 1);
    expect(key('DONE')(after).count).toBe(key('DONE')(before).count + 1);
  });

  it('refuses moves backwards or in place with INVALID_STATE, unknown ids with NOT_FOUND, and other roles with FORBIDDEN, writing nothing', async () => {
    const f = await openOverdueFollowUp();
    await t.gql(UPDATE, { input: { id: f.id, status: 'DONE' } }, { token: c.tokens.association });
    const audits = await scalar(t, sql`select count(*) from audit_log`);
    for (const status of ['DONE', 'IN_PROGRESS', 'OPEN']) {
      const res = await t.gql(UPDATE, { input: { id: f.id, status } }, { token: c.tokens.association });
      expect(res.body.data.updateSupervisoryFollowUp.userErrors.map((e: any) => [e.field, e.code])).toEqual([[['input', 'status'], 'INVALID_STATE']]);
    }
    for (const id of ['garbage', 'U3VwZXJ2aXNvcnlGb2xsb3dVcDo5OTk5OTk', c.firmBranchIds[0]!]) {
      const res = await t.gql(UPDATE, { input: { id, status: 'DONE' } }, { token: c.tokens.association });
      expect(res.body.data.updateSupervisoryFollowUp.userErrors[0].code).toBe('NOT_FOUND');
    }
    const tooLong = await t.gql(UPDATE, { input: { id: f.id, status: 'DONE', note: '长'.repeat(501) } }, { token: c.tokens.association });
    expect(tooLong.body.data.updateSupervisoryFollowUp.userErrors[0].code).toBe('TOO_LONG');
    for (const token of [c.tokens.firm, c.tokens.listed, undefined]) {
      const res = await t.gql(UPDATE, { input: { id: f.id, status: 'DONE' } }, { token });
      expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
    expect(await scalar(t, sql`select count(*) from audit_log`)).toBe(audits);
  });
});

describe('reports.membershipSummary', () => {
  const SUMMARY = `{ reports { membershipSummary { associationCode kind district status count } } }`;
  type Row = { associationCode: string; kind: string; district: string | null; status: string; count: number };
  /** The memberships per association, kind, district and status, counted here in SQL. */
  async function expected(associationId: number | null) {
    const found = await rows<Row>(sql`select a.code as "associationCode", o.kind, o.district, m.status, count(*)::int as count
      from memberships m join organizations o on o.id = m.organization_id join associations a on a.id = m.association_id
      where ${associationId === null ? sql`true` : sql`m.association_id = ${associationId}`}
      group by a.id, a.code, o.kind, o.district, m.status`);
    const key = (r: Row) => `${r.associationCode}|${r.kind}|${r.district}|${r.status}`;
    return found.map((r) => [key(r), r.count]).sort();
  }
  const keyed = (list: Row[]) => list.map((r) => [`${r.associationCode}|${r.kind}|${r.district}|${r.status}`, r.count]).sort();

  it('is one grouped statement', async () => {
    const res = await t.countedExecute(SUMMARY, {}, c.viewers.regulator);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.reports.membershipSummary.length).toBeGreaterThan(3);
    expect(res.count).toBe(1);
  });

  it('the regulator counts every association\'s memberships, grouped by association; each association\'s staff their own', async () => {
    const regulator = (await t.gql(SUMMARY, {}, { token: c.tokens.regulator })).body.data.reports.membershipSummary as Row[];
    expect(new Set(regulator.map((r) => r.associationCode))).toEqual(new Set(['SZSA', 'SZLCA']));
    expect(keyed(regulator)).toEqual(await expected(null));
    const szsa = (await t.gql(SUMMARY, {}, { token: c.tokens.association })).body.data.reports.membershipSummary as Row[];
    expect(szsa.every((r) => r.associationCode === 'SZSA')).toBe(true);
    expect(keyed(szsa)).toEqual(await expected(1));
    const szlca = (await t.gql(SUMMARY, {}, { token: await staffToken(t, 'SZLCA') })).body.data.reports.membershipSummary as Row[];
    expect(szlca.length).toBeGreaterThan(0);
    expect(szlca.every((r) => r.associationCode === 'SZLCA')).toBe(true);
    expect(keyed(szlca)).toEqual(await expected(2));
    expect(await t.countedExecute(SUMMARY, {}, staffActor('SZLCA')).then((r) => r.count)).toBe(1);
  });
});

describe('reports for another association\'s staff', () => {
  it('count no rating: the distribution is four zeros (or no group), follow-ups none, and nothing is recorded', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    const audits = await scalar(t, sql`select count(*) from data_access_log`);
    const plain = await t.gql(DISTRIBUTION, { year: 2025 }, { token: szlca });
    expect(plain.body.data.reports.ratingDistribution).toEqual(['A', 'B', 'C', 'D'].map((grade) => ({ grade, count: 0, district: null, firm: null })));
    for (const by of ['DISTRICT', 'FIRM']) expect((await t.gql(DISTRIBUTION, { year: 2025, by }, { token: szlca })).body.data.reports.ratingDistribution).toEqual([]);
    expect((await t.gql(FOLLOW_UPS, { year: 2025 }, { token: szlca })).body.data.reports.supervisoryFollowUpSummary).toEqual([]);
    // The securities association's staff do see them.
    const szsa = await t.gql(DISTRIBUTION, { year: 2025 }, { token: c.tokens.association });
    expect(szsa.body.data.reports.ratingDistribution.reduce((n: number, g: any) => n + g.count, 0)).toBeGreaterThan(0);
    expect(await scalar(t, sql`select count(*) from data_access_log`)).toBe(audits);
  });
});
