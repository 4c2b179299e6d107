// Suspended and withdrawn members (issue 23, finding 5): a member that holds no ACTIVE membership of any association
// reads but changes nothing, decided in the one authorization place (the membership-rights scope every mutation
// requires), the same check as a disciplinary suspension (issue 20). A member withdrawn from one association but
// active in another still acts.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** Firms whose memberships are only of one association, and one of both, from the demo data (none looked up yet). */
async function firms(): Promise<{ single: string[]; dual: string }> {
  const rows = ((await t.database.db.execute(sql`
    select o.credit_code, count(*)::int as n from organizations o join memberships m on m.organization_id = o.id
    where o.kind = 'SECURITIES_FIRM' and m.status = 'ACTIVE' group by o.credit_code order by o.credit_code desc`)) as unknown as { rows: { credit_code: string; n: number }[] }).rows;
  return { single: rows.filter((r) => r.n === 1).map((r) => r.credit_code), dual: rows.find((r) => r.n > 1)!.credit_code };
}

const setStatus = (code: string, status: string, association?: number) =>
  t.database.db.execute(sql`update memberships set status = ${status} where organization_id = (select id from organizations where credit_code = ${code})
    ${association === undefined ? sql`` : sql`and association_id = ${association}`}`);

const SUBMIT = 'mutation { submitSuggestion(input: { topic: OTHER, title: "会员权利测试", body: "正文" }) { suggestion { id } userErrors { code } } }';
const suggestionsOf = async (code: string) =>
  ((await t.database.db.execute(sql`select count(*)::int as n from suggestions where organization_id = (select id from organizations where credit_code = ${code})`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;

describe('member rights follow the memberships', () => {
  it('a withdrawn member\'s token reads its own data but every mutation is FORBIDDEN, and nothing is written', async () => {
    const { single } = await firms();
    const code = single[0]!;
    await setStatus(code, 'WITHDRAWN');
    const token = await t.token('firm', code);
    const before = await suggestionsOf(code);
    const res = await t.gql(SUBMIT, {}, { token });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await suggestionsOf(code)).toBe(before);
    const read = await t.gql('{ viewer { role organization { creditCode } } }', {}, { token });
    expect(read.body.data.viewer.organization.creditCode).toBe(code);
  });

  it('a member suspended in its only association (membership status SUSPENDED) is read-only too', async () => {
    const { single } = await firms();
    const code = single[1]!;
    await setStatus(code, 'SUSPENDED');
    const res = await t.gql(SUBMIT, {}, { token: await t.token('firm', code) });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('a member withdrawn from one association but active in another still acts', async () => {
    const { dual } = await firms();
    await setStatus(dual, 'WITHDRAWN', 2);
    const res = await t.gql(SUBMIT, {}, { token: await t.token('firm', dual) });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.submitSuggestion.userErrors).toEqual([]);
  });
});
