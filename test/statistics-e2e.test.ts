// End to end over HTTP, as a new user would try it: two people of one firm file a return, the association accepts it,
// the aggregate moves, the report page shows it; the report page and the CSV export answer only whom they should.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { signAccessToken } from '../src/auth/tokens.js';
import { formatInUnit } from '../src/statistics/statistics.format.js';
import { creditCodeFor } from './support/factories.js';
import { createTestApp, type TestApp } from './support/harness.js';

const FULL = {
  OPERATING_REVENUE: 5.5e9,
  NET_PROFIT: 1.7e9,
  CLIENT_FUNDS: 3.3e11,
  EQUITY_FUND_TURNOVER: 1.3e13,
  MARGIN_BALANCE: 4.4e11,
  BRANCHES: 95,
  STAFF: 4400,
  CLIENTS: 3_400_000,
  ASSETS_UNDER_CUSTODY: 1.1e13,
};
const values = Object.entries(FULL).map(([metric, value]) => ({ metric, value }));

const SAVE = `mutation($input: SaveStatisticsReturnInput!) { saveStatisticsReturn(input: $input) { statisticsReturn { id status version savedBy warnings } userErrors { code field message } } }`;
const SUBMIT = `mutation($id: ID!) { submitStatisticsReturn(input: { id: $id }) { statisticsReturn { id status submittedBy submittedAt } userErrors { code field } } }`;
const REVIEW = `mutation($id: ID!, $d: StatisticsReviewDecision!, $note: String) { reviewStatisticsReturn(input: { id: $id, decision: $d, note: $note }) { statisticsReturn { id status } userErrors { code field } } }`;
const PUBLISH = `mutation($year: Int!) { publishDevelopmentReport(input: { year: $year }) { developmentReport { id year status htmlUrl publishedAt } userErrors { code field } } }`;
const TOTAL = `query($p: String!) { industryStatistics(period: $p) { metric value firms suppressed } }`;

describe('statistics over HTTP', () => {
  let t: TestApp;
  let creditCode: string;
  const tokens: Record<string, string> = {};
  const person = (role: 'firm' | 'association' | 'regulator' | 'listed_company', sub: string, org?: string) =>
    signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub, role, org }, 600);

  beforeAll(async () => {
    t = await createTestApp();
    // A securities firm that joined the association this year and files its 2024 annual return late: the 2024 report
    // has not been compiled yet, so the whole flow (file, accept, aggregate, freeze, embargo, publish) runs through it.
    creditCode = creditCodeFor(918_018);
    const result = (await t.database.db.execute(sql`
      with org as (insert into organizations (kind, name, credit_code, district) values ('SECURITIES_FIRM', '深圳测试新设证券股份有限公司', ${creditCode}, 'NANSHAN') returning id)
      insert into memberships (association_id, organization_id, status) select 1, id, 'ACTIVE' from org returning organization_id`)) as unknown as { rows: { organization_id: number }[] };
    expect(result.rows).toHaveLength(1);
    tokens.zhang = await person('firm', 'zhang.san', creditCode);
    tokens.li = await person('firm', 'li.si', creditCode);
    tokens.staff = await t.token('association');
    tokens.szlca = await t.token('association', undefined, 600, { association: 'SZLCA' });
    tokens.regulator = await t.token('regulator');
    tokens.otherFirm = await t.token('firm', (await t.database.db.execute(sql`select credit_code from organizations where kind = 'SECURITIES_FIRM' order by id limit 1`) as any).rows[0].credit_code);
  }, 60_000);
  afterAll(() => t?.close());

  it('two people of one firm file, staff accept, the aggregate moves, the report page shows it', async () => {
    const before = (await t.gql(TOTAL, { p: '2024' }, { token: tokens.staff })).body.data.industryStatistics;
    const revenueBefore = before.find((c: any) => c.metric === 'OPERATING_REVENUE');

    const saved = await t.gql(SAVE, { input: { period: '2024', values } }, { token: tokens.zhang });
    expect(saved.body.data.saveStatisticsReturn.userErrors).toEqual([]);
    const ret = saved.body.data.saveStatisticsReturn.statisticsReturn;
    expect(ret).toMatchObject({ status: 'DRAFT', version: 1, savedBy: 'zhang.san' });

    const same = await t.gql(SUBMIT, { id: ret.id }, { token: tokens.zhang });
    expect(same.body.data.submitStatisticsReturn).toEqual({ statisticsReturn: null, userErrors: [{ code: 'SAME_PERSON', field: ['input', 'id'] }] });
    const submitted = await t.gql(SUBMIT, { id: ret.id }, { token: tokens.li });
    expect(submitted.body.data.submitStatisticsReturn.statisticsReturn).toMatchObject({ status: 'SUBMITTED', submittedBy: 'li.si' });

    // Another firm and another association's staff do not see it; the regulator does.
    const nodeQ = `query($id: ID!) { node(id: $id) { id } }`;
    expect((await t.gql(nodeQ, { id: ret.id }, { token: tokens.otherFirm })).body.data.node).toBeNull();
    expect((await t.gql(nodeQ, { id: ret.id }, { token: tokens.szlca })).body.data.node).toBeNull();
    expect((await t.gql(nodeQ, { id: ret.id })).body.data.node).toBeNull();
    expect((await t.gql(nodeQ, { id: ret.id }, { token: tokens.regulator })).body.data.node).toEqual({ id: ret.id });

    const accepted = await t.gql(REVIEW, { id: ret.id, d: 'ACCEPT' }, { token: tokens.staff });
    expect(accepted.body.data.reviewStatisticsReturn.statisticsReturn.status).toBe('ACCEPTED');

    const after = (await t.gql(TOTAL, { p: '2024' }, { token: tokens.staff })).body.data.industryStatistics;
    const revenueAfter = after.find((c: any) => c.metric === 'OPERATING_REVENUE');
    expect(revenueAfter.firms).toBe(revenueBefore.firms + 1);
    expect(revenueAfter.value).toBeCloseTo(revenueBefore.value + FULL.OPERATING_REVENUE, 0);

    // Freeze (DRAFT), embargo, publish: one step per call.
    const draft = (await t.gql(PUBLISH, { year: 2024 }, { token: tokens.staff })).body.data.publishDevelopmentReport.developmentReport;
    expect(draft).toMatchObject({ year: 2024, status: 'DRAFT', htmlUrl: '/reports/development/2024.html', publishedAt: null });
    const page = async (token?: string) => fetch(`${t.url}${draft.htmlUrl}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await page()).status).toBe(404);
    expect((await page(tokens.regulator)).status).toBe(404);
    const staffPage = await page(tokens.staff);
    expect(staffPage.status).toBe(200);
    const html = await staffPage.text();
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('深圳证券业发展报告（2024）');
    expect(html).toContain('@media print');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    // The frozen total includes the new firm's revenue, in 万元.
    expect(html).toContain(formatInUnit(revenueAfter.value, '万元'));
    expect(html).toContain(`报送机构 ${revenueAfter.firms} 家`);

    const embargoed = (await t.gql(PUBLISH, { year: 2024 }, { token: tokens.staff })).body.data.publishDevelopmentReport.developmentReport;
    expect(embargoed.status).toBe('EMBARGOED');
    const list = `{ developmentReports { year status htmlUrl } }`;
    expect((await t.gql(list)).body.data.developmentReports.map((r: any) => r.year)).toEqual([2025]);
    expect((await t.gql(list, {}, { token: tokens.regulator })).body.data.developmentReports.map((r: any) => r.year)).toEqual([2026, 2025, 2024]);
    expect((await page()).status).toBe(404);
    expect((await page(tokens.otherFirm)).status).toBe(404);
    expect((await page(tokens.szlca)).status).toBe(404);
    expect((await page(tokens.regulator)).status).toBe(200);
    const bad = await page('not-a-token');
    expect(bad.status).toBe(401);

    const published = (await t.gql(PUBLISH, { year: 2024 }, { token: tokens.staff })).body.data.publishDevelopmentReport.developmentReport;
    expect(published.status).toBe('PUBLISHED');
    expect(published.publishedAt).not.toBeNull();
    const publicPage = await page();
    expect(publicPage.status).toBe(200);
    expect(publicPage.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await publicPage.text()).toContain(formatInUnit(revenueAfter.value, '万元'));
    const again = (await t.gql(PUBLISH, { year: 2024 }, { token: tokens.staff })).body.data.publishDevelopmentReport;
    expect(again.userErrors).toEqual([{ code: 'ALREADY_PUBLISHED', field: ['input', 'year'] }]);
    // Only an association's staff publish.
    expect((await t.gql(PUBLISH, { year: 2030 }, { token: tokens.regulator })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the seeded reports: 2025 published for everyone, 2026 embargoed for staff and the regulator', async () => {
    expect((await fetch(`${t.url}/reports/development/2025.html`)).status).toBe(200);
    expect((await fetch(`${t.url}/reports/development/2026.html`)).status).toBe(404);
    expect((await fetch(`${t.url}/reports/development/2026.html`, { headers: { authorization: `Bearer ${tokens.staff}` } })).status).toBe(200);
    expect((await fetch(`${t.url}/reports/development/2026.html?association=SZLCA`, { headers: { authorization: `Bearer ${tokens.staff}` } })).status).toBe(404);
    expect((await fetch(`${t.url}/reports/development/1999.html`)).status).toBe(404);
    expect((await fetch(`${t.url}/reports/development/x.html`)).status).toBe(404);
    const html = await (await fetch(`${t.url}/reports/development/2026.html`, { headers: { authorization: `Bearer ${tokens.regulator}` } })).text();
    expect(html).toContain('禁发期');
    // Two charts: the bar chart by district and the monthly line.
    expect(html.match(/<svg/g)).toHaveLength(2);
  });

  it('GET /reports/statistics.csv: staff and the regulator; 401 without a token, 403 otherwise', async () => {
    const csv = (token?: string, query = 'period=2026-10') => fetch(`${t.url}/reports/statistics.csv?${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await csv()).status).toBe(401);
    expect((await csv(tokens.zhang)).status).toBe(403);
    expect((await csv(tokens.staff, 'period=nope')).status).toBe(400);
    const staff = await csv(tokens.staff);
    expect(staff.status).toBe(200);
    const text = await staff.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toContain('return_id,period,organization_id');
    expect(lines[0]).toContain('operating_revenue');
    expect(lines.length).toBeGreaterThan(15);
    // SZLCA staff see no SZSA returns: an empty file, never another association's rows.
    const szlca = await csv(tokens.szlca);
    expect(szlca.status).toBe(200);
    expect((await szlca.text()).trim().split('\r\n')).toHaveLength(1);
    expect((await csv(tokens.regulator)).status).toBe(200);
  });
});
