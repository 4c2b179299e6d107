// Several associations, one bureau (issue 16): the associations and memberships are public; an association's staff see
// and change their own association's members' contacts, organizations and committees only, and the rest looks missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { signAccessToken } from '../src/auth/tokens.js';
import type { Viewer } from '../src/auth/viewer.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
const tokens: Record<string, string | undefined> = {};
/** Seeded organizations: a listed securities firm (member of both), a securities firm of SZSA only, a listed company (SZLCA only). */
const orgs: Record<'both' | 'szsaOnly' | 'szlcaOnly', { id: string; creditCode: string }> = {} as never;

const szlcaToken = () =>
  signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub: 'test:association:SZLCA', role: 'association', assoc: 'SZLCA' }, 600);

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.gql(`{ organizations(first: 100) { edges { node { id creditCode kind stockCode memberships { association { code } } } } } }`);
  const nodes = res.body.data.organizations.edges.map((e: any) => e.node);
  const codes = (n: any) => n.memberships.map((m: any) => m.association.code).join(',');
  const pick = (found: any) => ({ id: found.id, creditCode: found.creditCode });
  orgs.both = pick(nodes.find((n: any) => n.kind === 'SECURITIES_FIRM' && codes(n) === 'SZSA,SZLCA'));
  orgs.szsaOnly = pick(nodes.find((n: any) => n.kind === 'SECURITIES_FIRM' && codes(n) === 'SZSA'));
  orgs.szlcaOnly = pick(nodes.find((n: any) => n.kind === 'LISTED_COMPANY' && codes(n) === 'SZLCA'));
  tokens.anonymous = undefined;
  tokens.szsa = await t.token('association');
  tokens.szlca = await szlcaToken();
  tokens.regulator = await t.token('regulator');
  tokens.firm = await t.token('firm', orgs.szsaOnly.creditCode);
  tokens.listed = await t.token('listed_company', orgs.szlcaOnly.creditCode);
});
afterAll(async () => {
  await t?.close();
});

describe('the associations', () => {
  it('are listed for anyone, and are nodes', async () => {
    const res = await t.gql(`{ associations { id code name shortName nameEn } }`);
    expect(res.body.errors).toBeUndefined();
    const list = res.body.data.associations;
    expect(list.map((a: any) => [a.code, a.name])).toEqual([
      ['SZSA', '深圳市证券业协会'],
      ['SZLCA', '深圳上市公司协会'],
    ]);
    const node = await t.gql(`query($id: ID!) { node(id: $id) { __typename ... on Association { code nameEn } } }`, { id: list[1].id });
    expect(node.body.data.node).toEqual({ __typename: 'Association', code: 'SZLCA', nameEn: 'Shenzhen Listed Companies Association' });
  });

  it("an organization's memberships are public: a listed securities firm is a member of both", async () => {
    const Q = `query($c: String!) { organization(creditCode: $c) { membershipCategory memberships { association { code } category status since } } }`;
    for (const token of [tokens.anonymous, tokens.szlca, tokens.firm]) {
      const res = await t.gql(Q, { c: orgs.both.creditCode }, { token });
      expect(res.body.errors).toBeUndefined();
      const { membershipCategory, memberships } = res.body.data.organization;
      expect(memberships.map((m: any) => m.association.code)).toEqual(['SZSA', 'SZLCA']);
      // The organization's own columns repeat its membership of its primary association (SZSA for a securities firm).
      expect(memberships[0].category).toBe(membershipCategory);
      for (const m of memberships) expect(m.status).toBe('ACTIVE');
    }
    const listed = await t.gql(Q, { c: orgs.szlcaOnly.creditCode });
    expect(listed.body.data.organization.memberships.map((m: any) => m.association.code)).toEqual(['SZLCA']);
  });

  it("Viewer.association is the staff member's association, null for everyone else", async () => {
    const expected: Record<string, string | null> = { szsa: 'SZSA', szlca: 'SZLCA', regulator: null, firm: null, listed: null, anonymous: null };
    for (const [who, code] of Object.entries(expected)) {
      const res = await t.gql(`{ viewer { role association { code } } }`, undefined, { token: tokens[who] });
      expect(res.body.errors, who).toBeUndefined();
      expect(res.body.data.viewer.association?.code ?? null, who).toBe(code);
    }
  });

  it("every committee names its association", async () => {
    const res = await t.gql(`{ committees { code association { code } } }`);
    expect(res.body.errors).toBeUndefined();
    const byCode = Object.fromEntries(res.body.data.committees.map((c: any) => [c.code, c.association.code]));
    expect(byCode).toEqual({
      COMPLIANCE: 'SZSA',
      INVESTMENT_BANKING: 'SZSA',
      BROKERAGE_WEALTH: 'SZSA',
      FINTECH: 'SZSA',
      BOARD_SECRETARIES: 'SZLCA',
      INVESTOR_RELATIONS: 'SZLCA',
    });
  });

  it('every suggestion names the association it was submitted to', async () => {
    const res = await t.gql(`{ suggestions(first: 20) { edges { node { association { code } } } } }`, undefined, { token: tokens.regulator });
    expect(res.body.errors).toBeUndefined();
    const codes = res.body.data.suggestions.edges.map((e: any) => e.node.association.code);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(['SZSA', 'SZLCA']).toContain(code);
  });
});

const CONTACTS = 'contacts { name }';

/** An organization's contacts through every path: the list, by credit code, node, nodes, a branch's firm, a seat's organization. */
async function contactsThroughEveryPath(token: string | undefined, org: { id: string; creditCode: string }) {
  const list = await t.gql(`{ organizations(first: 100) { edges { node { id ${CONTACTS} } } } }`, undefined, { token });
  const viaList = list.body.data.organizations.edges.find((e: any) => e.node.id === org.id).node.contacts;
  const byCode = (await t.gql(`query($c: String!) { organization(creditCode: $c) { ${CONTACTS} } }`, { c: org.creditCode }, { token })).body.data.organization.contacts;
  const viaNode = (await t.gql(`query($id: ID!) { node(id: $id) { ... on Organization { ${CONTACTS} } } }`, { id: org.id }, { token })).body.data.node.contacts;
  const viaNodes = (await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Organization { ${CONTACTS} } } }`, { ids: [org.id] }, { token })).body.data.nodes[0].contacts;
  const seats = await t.gql(`{ committees { currentTerm { seats { organization { id ${CONTACTS} } } } } }`, undefined, { token });
  const viaSeat = seats.body.data.committees
    .flatMap((c: any) => c.currentTerm?.seats ?? [])
    .find((s: any) => s.organization.id === org.id)?.organization.contacts;
  return { viaList, byCode, viaNode, viaNodes, viaSeat };
}

describe("contacts: each association's staff see their own association's members' only", () => {
  const cases: [string, keyof typeof orgs, boolean][] = [
    ['szsa', 'szsaOnly', true],
    ['szsa', 'both', true],
    ['szsa', 'szlcaOnly', false],
    ['szlca', 'szlcaOnly', true],
    ['szlca', 'both', true],
    ['szlca', 'szsaOnly', false],
    ['regulator', 'szsaOnly', true],
    ['regulator', 'szlcaOnly', true],
  ];
  it.each(cases)('%s staff, %s member: visible %s, alike on every path', async (who, org, visible) => {
    const paths = await contactsThroughEveryPath(tokens[who], orgs[org]);
    for (const [path, contacts] of Object.entries(paths)) {
      if (path === 'viaSeat' && contacts === undefined) continue; // the organization holds no current seat
      if (visible) expect(contacts?.length, `${path}`).toBeGreaterThan(0);
      else expect(contacts, `${path}`).toBeNull();
    }
  });

  it("a branch's firm shows its contacts to its association's staff only", async () => {
    const Q = `query($c: String!) { organization(creditCode: $c) { branches(first: 1) { edges { node { firm { ${CONTACTS} } } } } } }`;
    const firmOf = async (token: string | undefined) => (await t.gql(Q, { c: orgs.szsaOnly.creditCode }, { token })).body.data.organization.branches.edges[0].node.firm.contacts;
    expect((await firmOf(tokens.szsa)).length).toBeGreaterThan(0);
    expect(await firmOf(tokens.szlca)).toBeNull();
  });
});

describe("another association's members, contacts and committees look missing to staff who would change them", () => {
  const NOT_FOUND = [{ code: 'NOT_FOUND' }];

  async function contactIdOf(org: { creditCode: string }) {
    const res = await t.gql(`query($c: String!) { organization(creditCode: $c) { contacts { id name } } }`, { c: org.creditCode }, { token: tokens.regulator });
    return res.body.data.organization.contacts[0];
  }

  it.each([
    ['szlca', 'szsaOnly'],
    ['szsa', 'szlcaOnly'],
  ] as const)('%s staff cannot add, edit or remove contacts of %s, nor edit the organization or its membership', async (who, org) => {
    const token = tokens[who];
    const contact = await contactIdOf(orgs[org]);
    const update = await t.gql(`mutation($id: ID!) { updateContact(input: { id: $id, name: "篡改" }) { contact { name } userErrors { code } } }`, { id: contact.id }, { token });
    expect(update.body.data.updateContact).toEqual({ contact: null, userErrors: NOT_FOUND });
    const remove = await t.gql(`mutation($id: ID!) { removeContact(input: { id: $id }) { contact { name } userErrors { code } } }`, { id: contact.id }, { token });
    expect(remove.body.data.removeContact).toEqual({ contact: null, userErrors: NOT_FOUND });
    const add = await t.gql(`mutation($id: ID!) { addContact(input: { organizationId: $id, name: "冒名" }) { contact { name } userErrors { code } } }`, { id: orgs[org].id }, { token });
    expect(add.body.data.addContact).toEqual({ contact: null, userErrors: NOT_FOUND });
    const edit = await t.gql(`mutation($id: ID!) { updateOrganization(input: { id: $id, shortName: "改名" }) { organization { shortName } userErrors { code } } }`, { id: orgs[org].id }, { token });
    expect(edit.body.data.updateOrganization).toEqual({ organization: null, userErrors: NOT_FOUND });
    const suspend = await t.gql(
      `mutation($id: ID!) { recordMembershipChange(input: { organizationId: $id, change: SUSPEND, effectiveOn: "2026-01-05" }) { organization { id } userErrors { code } } }`,
      { id: orgs[org].id },
      { token },
    );
    expect(suspend.body.data.recordMembershipChange).toEqual({ organization: null, userErrors: NOT_FOUND });
    // Nothing changed.
    expect(await contactIdOf(orgs[org])).toEqual(contact);
  });

  it.each([
    ['szlca', 'COMPLIANCE'],
    ['szsa', 'BOARD_SECRETARIES'],
  ] as const)("%s staff cannot open a term of %s, appoint to it or end its seats", async (who, code) => {
    const token = tokens[who];
    const before = await t.gql(`{ committees { id code currentTerm { id number seats { id personName } } } }`);
    const committee = before.body.data.committees.find((c: any) => c.code === code);
    const open = await t.gql(`mutation($id: ID!) { openCommitteeTerm(input: { committeeId: $id, startsOn: "2026-06-01" }) { committeeTerm { id } userErrors { code } } }`, { id: committee.id }, { token });
    expect(open.body.data.openCommitteeTerm).toEqual({ committeeTerm: null, userErrors: NOT_FOUND });
    const appoint = await t.gql(
      `mutation($term: ID!, $org: ID!) { appointCommitteeSeat(input: { termId: $term, organizationId: $org, personName: "新委员", role: MEMBER, appointedOn: "2026-01-05" }) { committeeSeat { id } userErrors { code field } } }`,
      { term: committee.currentTerm.id, org: orgs.both.id },
      { token },
    );
    expect(appoint.body.data.appointCommitteeSeat).toEqual({ committeeSeat: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'termId'] }] });
    const end = await t.gql(
      `mutation($id: ID!) { endCommitteeSeat(input: { seatId: $id, endedOn: "2026-01-05", reason: RESIGNED }) { committeeSeat { id } userErrors { code } } }`,
      { id: committee.currentTerm.seats[0].id },
      { token },
    );
    expect(end.body.data.endCommitteeSeat).toEqual({ committeeSeat: null, userErrors: NOT_FOUND });
    const after = await t.gql(`{ committees { id code currentTerm { id number seats { id personName } } } }`);
    expect(after.body.data.committees).toEqual(before.body.data.committees);
  });

  it("SZLCA staff edit their own members' contacts and their own committees", async () => {
    const token = tokens.szlca;
    const add = await t.gql(
      `mutation($id: ID!) { addContact(input: { organizationId: $id, name: "上协联络人" }) { contact { name } userErrors { code } } }`,
      { id: orgs.both.id },
      { token },
    );
    expect(add.body.data.addContact).toEqual({ contact: { name: '上协联络人' }, userErrors: [] });
    const committees = await t.gql(`{ committees { code currentTerm { seats { id } } } }`);
    const seat = committees.body.data.committees.find((c: any) => c.code === 'INVESTOR_RELATIONS').currentTerm.seats.at(-1);
    const end = await t.gql(
      `mutation($id: ID!) { endCommitteeSeat(input: { seatId: $id, endedOn: "2026-01-05", reason: JOB_CHANGE }) { committeeSeat { endedOn } userErrors { code } } }`,
      { id: seat.id },
      { token },
    );
    expect(end.body.data.endCommitteeSeat).toEqual({ committeeSeat: { endedOn: '2026-01-05' }, userErrors: [] });
  });
});

describe('statements', () => {
  const regulator: Viewer = { role: 'REGULATOR', subject: 'test', organizationId: null };
  const szlca: Viewer = { role: 'ASSOCIATION', subject: 'test', organizationId: null, associationId: ASSOCIATION_IDS.SZLCA };
  const NESTED = `query($first: Int!) {
    organizations(first: $first) { edges { node { id contacts { name } memberships { category association { code name } } branches(first: 3) { edges { node { firm { memberships { status } } } } } } } }
  }`;
  it.each([
    ['the regulator', regulator],
    ['SZLCA staff', szlca],
  ])('memberships and contacts cost one statement per level, at 5 and at 40 organizations (%s)', async (_who, viewer) => {
    const small = await t.countedExecute(NESTED, { first: 5 }, viewer);
    const large = await t.countedExecute(NESTED, { first: 40 }, viewer);
    expect(small.body.errors).toBeUndefined();
    expect(large.body.errors).toBeUndefined();
    expect(large.count).toBe(small.count);
    // organizations, contacts, memberships (with their associations), branches, their firms, the firms' memberships.
    expect(large.count).toBeLessThanOrEqual(6);
  });
});
