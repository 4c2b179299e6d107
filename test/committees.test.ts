import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
let association: string;
beforeAll(async () => {
  t = await createTestApp();
  association = await t.token('association');
});
afterAll(async () => {
  await t?.close();
});

const COMMITTEES = `{ committees { id code currentTerm { id number startsOn endsOn seats { id role personName organization { id } } } terms { id number endsOn } } }`;
const OPEN = `mutation($input: OpenCommitteeTermInput!) { openCommitteeTerm(input: $input) { committeeTerm { id number startsOn endsOn seats { id } } userErrors { code field message } } }`;
const APPOINT = `mutation($input: AppointCommitteeSeatInput!) { appointCommitteeSeat(input: $input) { committeeSeat { id role personName endedOn } userErrors { code field message } } }`;
const END = `mutation($input: EndCommitteeSeatInput!) { endCommitteeSeat(input: $input) { committeeSeat { id endedOn } userErrors { code field } } }`;

async function committee(code: string) {
  const res = await t.gql(COMMITTEES);
  return res.body.data.committees.find((c: any) => c.code === code);
}
async function organizationIds(n: number): Promise<string[]> {
  const res = await t.gql(`query($n: Int) { organizations(first: $n) { edges { node { id } } } }`, { n });
  return res.body.data.organizations.edges.map((e: any) => e.node.id);
}
async function count(table: string) {
  const res = (await t.database.db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as { rows: { n: number }[] };
  return res.rows[0]!.n;
}

describe('committee terms and seats', () => {
  it('only the association may change committees; others get FORBIDDEN and nothing is written', async () => {
    const c = await committee('FINTECH');
    const before = [await count('committee_terms'), await count('committee_seats'), await count('audit_log')];
    for (const token of [await t.token('regulator'), undefined]) {
      const res = await t.gql(OPEN, { input: { committeeId: c.id, startsOn: '2026-12-01' } }, { token });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect([await count('committee_terms'), await count('committee_seats'), await count('audit_log')]).toEqual(before);
  });

  it('appoints a member and ends the seat with a reason, with audit entries', async () => {
    const c = await committee('COMPLIANCE');
    const taken = new Set(c.currentTerm.seats.map((s: any) => s.organization.id));
    const orgId = (await organizationIds(100)).find((id) => !taken.has(id))!;
    const audit = await count('audit_log');
    const res = await t.gql(APPOINT, { input: { termId: c.currentTerm.id, organizationId: orgId, personName: ' 测试委员甲 ', role: 'MEMBER', appointedOn: '2026-01-05' } }, { token: association });
    expect(res.body.data.appointCommitteeSeat.userErrors).toEqual([]);
    expect(res.body.data.appointCommitteeSeat.committeeSeat).toMatchObject({ personName: '测试委员甲', role: 'MEMBER', endedOn: null });
    const seatId = res.body.data.appointCommitteeSeat.committeeSeat.id;
    const again = await t.gql(APPOINT, { input: { termId: c.currentTerm.id, organizationId: orgId, personName: '测试委员乙', role: 'MEMBER', appointedOn: '2026-01-05' } }, { token: association });
    expect(again.body.data.appointCommitteeSeat.userErrors).toEqual([expect.objectContaining({ code: 'DUPLICATE', field: ['input', 'organizationId'] })]);
    const early = await t.gql(END, { input: { seatId, endedOn: '2025-01-01', reason: 'RESIGNED' } }, { token: association });
    expect(early.body.data.endCommitteeSeat.userErrors[0].code).toBe('INVALID');
    const end = await t.gql(END, { input: { seatId, endedOn: '2026-03-01', reason: 'RESIGNED' } }, { token: association });
    expect(end.body.data.endCommitteeSeat.committeeSeat.endedOn).toBe('2026-03-01');
    const twice = await t.gql(END, { input: { seatId, endedOn: '2026-03-02', reason: 'RESIGNED' } }, { token: association });
    expect(twice.body.data.endCommitteeSeat.userErrors[0].code).toBe('INVALID_STATE');
    expect(await count('audit_log')).toBe(audit + 2);
    const reason = (await t.database.db.execute(sql`select end_reason from committee_seats where person_name = '测试委员甲'`)) as unknown as { rows: { end_reason: string }[] };
    expect(reason.rows[0]!.end_reason).toBe('RESIGNED');
  });

  it('keeps one chair per term', async () => {
    const c = await committee('INVESTMENT_BANKING');
    const taken = new Set(c.currentTerm.seats.map((s: any) => s.organization.id));
    const orgId = (await organizationIds(100)).find((id) => !taken.has(id))!;
    const res = await t.gql(APPOINT, { input: { termId: c.currentTerm.id, organizationId: orgId, personName: '第二主任', role: 'CHAIR', appointedOn: '2026-02-01' } }, { token: association });
    expect(res.body.data.appointCommitteeSeat).toMatchObject({ committeeSeat: null, userErrors: [{ code: 'LIMIT_EXCEEDED', field: ['input', 'role'] }] });
  });

  it('allows at most seven vice-chairs, even when appointments race', async () => {
    const c = await committee('BROKERAGE_WEALTH');
    const held = c.currentTerm.seats.filter((s: any) => s.role === 'VICE_CHAIR').length;
    const taken = new Set(c.currentTerm.seats.map((s: any) => s.organization.id));
    const free = (await organizationIds(100)).filter((id) => !taken.has(id)).slice(0, 10);
    const results = await Promise.all(
      free.map((organizationId, i) =>
        t.gql(APPOINT, { input: { termId: c.currentTerm.id, organizationId, personName: `副主任候选${i}`, role: 'VICE_CHAIR', appointedOn: '2026-02-01' } }, { token: association }),
      ),
    );
    const ok = results.filter((r) => r.body.data.appointCommitteeSeat.userErrors.length === 0).length;
    expect(ok).toBe(7 - held);
    expect(results.filter((r) => r.body.data.appointCommitteeSeat.userErrors[0]?.code === 'LIMIT_EXCEEDED').length).toBe(free.length - ok);
    const after = await committee('BROKERAGE_WEALTH');
    expect(after.currentTerm.seats.filter((s: any) => s.role === 'VICE_CHAIR')).toHaveLength(7);
  });

  it('a person sits on one committee at a time', async () => {
    const compliance = await committee('COMPLIANCE');
    const fintech = await committee('FINTECH');
    const person = compliance.currentTerm.seats.find((s: any) => s.role === 'MEMBER').personName;
    const taken = new Set(fintech.currentTerm.seats.map((s: any) => s.organization.id));
    const orgId = (await organizationIds(100)).find((id) => !taken.has(id))!;
    const res = await t.gql(APPOINT, { input: { termId: fintech.currentTerm.id, organizationId: orgId, personName: person, role: 'MEMBER', appointedOn: '2026-02-01' } }, { token: association });
    expect(res.body.data.appointCommitteeSeat.userErrors[0]).toMatchObject({ code: 'DUPLICATE', field: ['input', 'personName'] });
  });

  it('refuses bad names, dates and ids without writing', async () => {
    const c = await committee('FINTECH');
    const [orgId] = await organizationIds(1);
    const before = await count('committee_seats');
    const cases: [Record<string, unknown>, string][] = [
      [{ personName: '   ' }, 'REQUIRED'],
      [{ personName: '名\u0007字' }, 'INVALID'],
      [{ personName: '长'.repeat(51) }, 'TOO_LONG'],
      [{ appointedOn: '2020-01-01' }, 'INVALID'],
      [{ termId: 'garbage' }, 'NOT_FOUND'],
      [{ termId: c.id }, 'NOT_FOUND'],
      [{ organizationId: c.id }, 'NOT_FOUND'],
    ];
    for (const [override, code] of cases) {
      const input = { termId: c.currentTerm.id, organizationId: orgId, personName: '合规测试', role: 'MEMBER', appointedOn: '2026-02-01', ...override };
      const res = await t.gql(APPOINT, { input }, { token: association });
      expect(res.body.data.appointCommitteeSeat.userErrors[0]?.code, JSON.stringify(override)).toBe(code);
    }
    expect(await count('committee_seats')).toBe(before);
  });

  it('opens the next term (换届): the previous term and its seats end the day before', async () => {
    const c = await committee('FINTECH');
    const previous = c.currentTerm;
    const bad = await t.gql(OPEN, { input: { committeeId: c.id, startsOn: '2024-01-01' } }, { token: association });
    expect(bad.body.data.openCommitteeTerm.userErrors[0]).toMatchObject({ code: 'INVALID', field: ['input', 'startsOn'] });
    const res = await t.gql(OPEN, { input: { committeeId: c.id, startsOn: '2026-09-01' } }, { token: association });
    expect(res.body.data.openCommitteeTerm.userErrors).toEqual([]);
    expect(res.body.data.openCommitteeTerm.committeeTerm).toMatchObject({ number: previous.number + 1, startsOn: '2026-09-01', endsOn: null, seats: [] });
    const after = await committee('FINTECH');
    expect(after.currentTerm.number).toBe(previous.number + 1);
    expect(after.terms.find((term: any) => term.id === previous.id).endsOn).toBe('2026-08-31');
    const held = (await t.database.db.execute(sql`select count(*)::int as n from committee_seats where ended_on is null and end_reason is null and term_id in (select id from committee_terms where ends_on = '2026-08-31')`)) as unknown as { rows: { n: number }[] };
    expect(held.rows[0]!.n).toBe(0);
  });

  it('two concurrent openings never make two terms with the same number', async () => {
    const c = await committee('COMPLIANCE');
    const results = await Promise.all(['2026-10-01', '2026-10-02'].map((startsOn) => t.gql(OPEN, { input: { committeeId: c.id, startsOn } }, { token: association })));
    const numbers = results.map((r) => r.body.data.openCommitteeTerm.committeeTerm?.number).filter(Boolean);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.length).toBeGreaterThanOrEqual(1);
  });
});
