import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';

let t: TestApp;
let ownCode: string;
let otherCode: string;
let otherId: string;
let ownId: string;
const tokens: Record<string, string | undefined> = {};

beforeAll(async () => {
  t = await createTestApp();
  ownCode = await creditCodeOf(t, 'SECURITIES_FIRM', 0);
  otherCode = await creditCodeOf(t, 'SECURITIES_FIRM', 1);
  const ids = await t.gql(`query($a: String!, $b: String!) { a: organization(creditCode: $a) { id } b: organization(creditCode: $b) { id } }`, { a: ownCode, b: otherCode });
  ownId = ids.body.data.a.id;
  otherId = ids.body.data.b.id;
  tokens.anonymous = undefined;
  tokens.firm = await t.token('firm', ownCode);
  tokens.listed = await t.token('listed_company', await creditCodeOf(t, 'LISTED_COMPANY'));
  tokens.association = await t.token('association');
  tokens.regulator = await t.token('regulator');
});
afterAll(async () => {
  await t?.close();
});

const CONTACTS = 'contacts { name phone email }';

/** Every path to another organization's contacts, as one viewer. */
async function contactsThroughEveryPath(token: string | undefined, creditCode: string, id: string) {
  const list = await t.gql(`{ organizations(first: 100) { edges { node { creditCode ${CONTACTS} } } } }`, undefined, { token });
  const viaList = list.body.data.organizations.edges.find((e: any) => e.node.creditCode === creditCode).node.contacts;
  const byCode = (await t.gql(`query($c: String!) { organization(creditCode: $c) { ${CONTACTS} } }`, { c: creditCode }, { token })).body.data.organization.contacts;
  const viaNode = (await t.gql(`query($id: ID!) { node(id: $id) { ... on Organization { ${CONTACTS} } } }`, { id }, { token })).body.data.node.contacts;
  const viaNodes = (await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Organization { ${CONTACTS} } } }`, { ids: [id] }, { token })).body.data.nodes[0].contacts;
  const nested = await t.gql(`query($c: String!) { organization(creditCode: $c) { branches(first: 1) { edges { node { firm { ${CONTACTS} } } } } } }`, { c: creditCode }, { token });
  const viaBranch = nested.body.data.organization.branches.edges[0].node.firm.contacts;
  return [viaList, byCode, viaNode, viaNodes, viaBranch];
}

describe('contacts are visible only to the organization itself, the association and the regulator', () => {
  it.each(['anonymous', 'firm', 'listed'])('%s cannot see another organization\'s contacts on any path', async (who) => {
    const results = await contactsThroughEveryPath(tokens[who], otherCode, otherId);
    for (const contacts of results) expect(contacts).toBeNull();
  });

  it.each(['association', 'regulator'])('%s sees every organization\'s contacts on every path', async (who) => {
    const results = await contactsThroughEveryPath(tokens[who], otherCode, otherId);
    for (const contacts of results) {
      expect(contacts.length).toBeGreaterThan(0);
      expect(contacts[0].name).toBeTruthy();
    }
  });

  it('a firm sees its own contacts on every path', async () => {
    const results = await contactsThroughEveryPath(tokens.firm, ownCode, ownId);
    for (const contacts of results) expect(contacts.length).toBeGreaterThan(0);
  });

  it('a firm cannot read or change another organization\'s contact through mutations', async () => {
    const assoc = await t.gql(`query($c: String!) { organization(creditCode: $c) { contacts { id name } } }`, { c: otherCode }, { token: tokens.association });
    const contactId = assoc.body.data.organization.contacts[0].id;
    const update = await t.gql(`mutation($id: ID!) { updateContact(input: { id: $id, name: "篡改" }) { contact { name phone } userErrors { code } } }`, { id: contactId }, { token: tokens.firm });
    expect(update.body.data.updateContact).toEqual({ contact: null, userErrors: [{ code: 'NOT_FOUND' }] });
    const add = await t.gql(`mutation($id: ID!) { addContact(input: { organizationId: $id, name: "冒名" }) { contact { name } userErrors { code } } }`, { id: otherId }, { token: tokens.firm });
    expect(add.body.data.addContact).toEqual({ contact: null, userErrors: [{ code: 'NOT_FOUND' }] });
    const after = await t.gql(`query($c: String!) { organization(creditCode: $c) { contacts { id name } } }`, { c: otherCode }, { token: tokens.association });
    expect(after.body.data.organization.contacts).toEqual(assoc.body.data.organization.contacts);
  });

  it('anonymous viewers cannot call contact mutations at all', async () => {
    const res = await t.gql(`mutation($id: ID!) { addContact(input: { organizationId: $id, name: "x" }) { userErrors { code } } }`, { id: ownId });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('node and nodes', () => {
  it('answer null alike for garbage, unknown types, wrong types and missing rows', async () => {
    const fake = (s: string) => Buffer.from(s).toString('base64url');
    const ids = ['garbage', '', fake('Organization:999999'), fake('Secret:1'), fake('Organization:-1'), fake('Organization:1 or 1=1'), fake('Contact:1'), '%%%'];
    for (const id of ids) {
      const res = await t.gql(`query($id: ID!) { node(id: $id) { id __typename } }`, { id });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data.node).toBeNull();
    }
    const many = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids });
    expect(many.body.data.nodes).toEqual(ids.map(() => null));
  });

  it('resolve organizations, branches and committees by their global ids', async () => {
    const res = await t.gql(`query($id: ID!) { node(id: $id) { __typename ... on Organization { creditCode } } }`, { id: otherId });
    expect(res.body.data.node).toEqual({ __typename: 'Organization', creditCode: otherCode });
    const c = await t.gql(`{ committees { id } organizations(first: 1, filter: { kind: SECURITIES_FIRM }) { edges { node { branches(first: 1) { edges { node { id } } } } } } }`);
    const ids = [c.body.data.committees[0].id, c.body.data.organizations.edges[0].node.branches.edges[0].node.id];
    const nodes = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, { ids });
    expect(nodes.body.data.nodes.map((n: any) => n.__typename)).toEqual(['Committee', 'Branch']);
  });

  it('refuses more than 100 ids', async () => {
    const res = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array.from({ length: 101 }, () => otherId) });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
