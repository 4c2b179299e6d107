// The training demo data answers with the figures 深证协 reported (18 firms, 544 branches, 23,357 views for the first
// session of 「行稳致远·专业赋能」), through the GraphQL reach as a new user would query it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTED_BRANCHES, REPORTED_FIRMS, REPORTED_VIEWS } from '../src/training/training.seed.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('training demo data', () => {
  it('the first session of 行稳致远·专业赋能 reached 18 securities firms, 544 branches and 23,357 views, publicly', async () => {
    const res = await t.gql(`{ trainingProgrammes(first: 5, search: "行稳致远") { edges { node { series audience association { code }
      sessions(first: 1) { edges { node { title startsAt mode reach { firms branches participants views } } } } } } } }`);
    expect(res.body.errors).toBeUndefined();
    const [programme] = res.body.data.trainingProgrammes.edges.map((e: any) => e.node);
    expect(programme).toMatchObject({ series: '行稳致远·专业赋能', audience: 'PUBLIC', association: { code: 'SZSA' } });
    const first = programme.sessions.edges[0].node;
    expect(first.startsAt).toMatch(/^2020-04-28/);
    expect(first.reach).toMatchObject({ firms: REPORTED_FIRMS, branches: REPORTED_BRANCHES, views: REPORTED_VIEWS });
    expect([REPORTED_FIRMS, REPORTED_BRANCHES, REPORTED_VIEWS]).toEqual([18, 544, 23_357]);
    // The firms are securities firms.
    const kinds = await t.database.db.execute(
      `select distinct o.kind from training_view_events v join practitioners p on p.id = v.practitioner_id join organizations o on o.id = p.organization_id
       where v.session_id = (select min(id) from training_sessions)` as never,
    );
    expect((kinds as unknown as { rows: { kind: string }[] }).rows.map((r) => r.kind)).toEqual(['SECURITIES_FIRM']);
    const year = await t.gql(`{ reports { trainingReach(year: 2020) { firms branches views } } }`, {}, { token: await t.token('regulator') });
    expect(year.body.data.reports.trainingReach).toEqual({ firms: 18, branches: 544, views: 23_357 });
  });

  it('has practitioners behind on hours in 2026, survey results, and a revoked certificate', async () => {
    const staff = await t.token('association');
    const behind = await t.gql(`{ practitioners(first: 5, filter: { behindOnHoursInYear: 2026 }) { totalCount edges { node { credits(year: 2026) { met totalHours requiredHours } } } } }`, {}, { token: staff });
    expect(behind.body.data.practitioners.totalCount).toBeGreaterThan(50);
    for (const e of behind.body.data.practitioners.edges) expect(e.node.credits.met).toBe(false);
    const all = await t.gql(`{ practitioners(first: 1) { totalCount } }`, {}, { token: staff });
    expect(behind.body.data.practitioners.totalCount).toBeLessThan(all.body.data.practitioners.totalCount / 2);
    const surveys = await t.gql(`{ trainingNeedsSurveys(first: 10) { edges { node { title results { topic respondents } } } } }`, {}, { token: staff });
    const past = surveys.body.data.trainingNeedsSurveys.edges.map((e: any) => e.node).find((s: any) => s.title.startsWith('2020'));
    expect(past.results[0]).toEqual({ topic: 'NEW_RULES', respondents: 14 });
    const certs = await t.database.db.execute(`select code from training_certificates where revoked_at is not null` as never);
    const code = (certs as unknown as { rows: { code: string }[] }).rows[0]!.code;
    const verified = await t.gql(`query($c: String!) { verifyTrainingCertificate(code: $c) { valid revoked sessionTitle } }`, { c: code });
    expect(verified.body.data.verifyTrainingCertificate).toMatchObject({ valid: false, revoked: true, sessionTitle: '2026年证券监管新规解读' });
  });
});
