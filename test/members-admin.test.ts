import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';

let t: TestApp;
let association: string;
let firm: string;
let firmCode: string;
beforeAll(async () => {
  t = await createTestApp();
  association = await t.token('association');
  firmCode = await creditCodeOf(t, 'SECURITIES_FIRM');
  firm = await t.token('firm', firmCode);
});
afterAll(async () => {
  await t?.close();
});

const CREATE = `mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id name creditCode stockCode kind membershipStatus } userErrors { field message code } }
}`;

async function auditCount() {
  const res = (await t.database.db.execute(sql`select count(*)::int as n from audit_log`)) as unknown as { rows: { n: number }[] };
  return res.rows[0]!.n;
}
async function orgCount() {
  const res = (await t.database.db.execute(sql`select count(*)::int as n from organizations`)) as unknown as { rows: { n: number }[] };
  return res.rows[0]!.n;
}

describe('association staff manage organizations', () => {
  it('creates an organization with a valid credit code and stock code, with an audit entry', async () => {
    const before = await auditCount();
    const res = await t.gql(CREATE, { input: { kind: 'LISTED_COMPANY', name: '深圳市测试新材料股份有限公司', creditCode: '91440300MA5WC9CB19', stockCode: '301999.SZ', district: 'NANSHAN', memberSince: '2025-01-02' } }, { token: association });
    expect(res.body.data.createOrganization.userErrors).toEqual([]);
    expect(res.body.data.createOrganization.organization).toMatchObject({ creditCode: '91440300MA5WC9CB19', stockCode: '301999.SZ', membershipStatus: 'ACTIVE' });
    expect(await auditCount()).toBe(before + 1);
  });

  it('reports every bad field at once, in Chinese by default and English on request, and writes nothing', async () => {
    const before = [await orgCount(), await auditCount()];
    const input = { kind: 'LISTED_COMPANY', name: '  ', creditCode: '91440300MA5WC9CB1A', stockCode: '600036.SZ' };
    const zh = await t.gql(CREATE, { input }, { token: association });
    const errors = zh.body.data.createOrganization.userErrors;
    expect(errors.map((e: any) => [e.field.join('.'), e.code])).toEqual([
      ['input.name', 'REQUIRED'],
      ['input.creditCode', 'INVALID'],
      ['input.stockCode', 'INVALID'],
    ]);
    expect(errors[1].message).toMatch(/统一社会信用代码/);
    const en = await t.gql(CREATE, { input }, { token: association, headers: { 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' } });
    expect(en.body.data.createOrganization.userErrors[1].message).toMatch(/credit code/i);
    expect([await orgCount(), await auditCount()]).toEqual(before);
  });

  it('refuses a duplicate credit code or stock code with DUPLICATE', async () => {
    const dupCode = await t.gql(CREATE, { input: { kind: 'OTHER', name: '深圳市重复测试有限公司', creditCode: firmCode } }, { token: association });
    expect(dupCode.body.data.createOrganization.userErrors).toEqual([expect.objectContaining({ code: 'DUPLICATE', field: ['input', 'creditCode'] })]);
    const listed = await t.gql(`{ organizations(first: 1, filter: { kind: LISTED_COMPANY }) { edges { node { stockCode } } } }`);
    const stockCode = listed.body.data.organizations.edges[0].node.stockCode;
    const dupStock = await t.gql(CREATE, { input: { kind: 'LISTED_COMPANY', name: '深圳市重复代码有限公司', creditCode: '91440300MA5G3DKJ5W', stockCode } }, { token: association });
    expect(dupStock.body.data.createOrganization.userErrors).toEqual([expect.objectContaining({ code: 'DUPLICATE', field: ['input', 'stockCode'] })]);
  });

  it('is forbidden to firms, the regulator and anonymous viewers, and writes nothing', async () => {
    const before = await orgCount();
    for (const token of [firm, await t.token('regulator'), undefined]) {
      const res = await t.gql(CREATE, { input: { kind: 'OTHER', name: '越权机构', creditCode: '91440300MA5PGY6J2B' } }, { token });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await orgCount()).toBe(before);
  });

  it('records membership changes along the allowed moves only', async () => {
    const created = await t.gql(CREATE, { input: { kind: 'FUND_MANAGER', name: '深圳测试基金管理有限公司', creditCode: '91440300MA5RAH7F9C', memberSince: '2020-01-01' } }, { token: association });
    const id = created.body.data.createOrganization.organization.id;
    const change = (change: string, effectiveOn: string) =>
      t.gql(`mutation($input: RecordMembershipChangeInput!) { recordMembershipChange(input: $input) { organization { membershipStatus memberSince } userErrors { code field } } }`, { input: { organizationId: id, change, effectiveOn } }, { token: association });
    expect((await change('REINSTATE', '2024-01-01')).body.data.recordMembershipChange.userErrors[0].code).toBe('INVALID_STATE');
    expect((await change('SUSPEND', '2024-01-01')).body.data.recordMembershipChange.organization.membershipStatus).toBe('SUSPENDED');
    expect((await change('REINSTATE', '2023-01-01')).body.data.recordMembershipChange.userErrors[0].code).toBe('INVALID');
    expect((await change('WITHDRAW', '2024-06-01')).body.data.recordMembershipChange.organization.membershipStatus).toBe('WITHDRAWN');
    const rejoin = (await change('JOIN', '2025-03-01')).body.data.recordMembershipChange.organization;
    expect(rejoin).toEqual({ membershipStatus: 'ACTIVE', memberSince: '2025-03-01' });
  });
});

describe('association staff manage branches', () => {
  it('creates a branch whose name starts with the firm\'s name, and refuses one that does not', async () => {
    const org = await t.gql(`query($c: String!) { organization(creditCode: $c) { id name } }`, { c: firmCode });
    const { id, name } = org.body.data.organization;
    const mutation = `mutation($input: CreateBranchInput!) { createBranch(input: $input) { branch { name district firm { id } } userErrors { code field } } }`;
    const ok = await t.gql(mutation, { input: { firmId: id, kind: 'SALES_DEPARTMENT', name: `${name}深圳测试路证券营业部`, district: 'FUTIAN', openedOn: '2025-05-01' } }, { token: association });
    expect(ok.body.data.createBranch).toEqual({ branch: { name: `${name}深圳测试路证券营业部`, district: 'FUTIAN', firm: { id } }, userErrors: [] });
    const bad = await t.gql(mutation, { input: { firmId: id, kind: 'SALES_DEPARTMENT', name: '别家证券深圳营业部' } }, { token: association });
    expect(bad.body.data.createBranch.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'name'] }]);
    const dates = await t.gql(mutation, { input: { firmId: id, kind: 'SALES_DEPARTMENT', name: `${name}深圳日期证券营业部`, openedOn: '2025-05-01', closedOn: '2024-01-01' } }, { token: association });
    expect(dates.body.data.createBranch.userErrors).toEqual([{ code: 'INVALID', field: ['input', 'closedOn'] }]);
    const listed = await creditCodeOf(t, 'LISTED_COMPANY');
    const listedOrg = await t.gql(`query($c: String!) { organization(creditCode: $c) { id name } }`, { c: listed });
    const notFirm = await t.gql(mutation, { input: { firmId: listedOrg.body.data.organization.id, kind: 'SALES_DEPARTMENT', name: `${listedOrg.body.data.organization.name}营业部` } }, { token: association });
    expect(notFirm.body.data.createBranch.userErrors[0].code).toBe('INVALID');
    const garbage = await t.gql(mutation, { input: { firmId: 'garbage', kind: 'SALES_DEPARTMENT', name: 'x' } }, { token: association });
    expect(garbage.body.data.createBranch.userErrors[0].code).toBe('NOT_FOUND');
  });
});

describe('firms edit their own contacts', () => {
  it('adds, edits and removes a contact of its own organization, with audit entries', async () => {
    const org = await t.gql(`query($c: String!) { organization(creditCode: $c) { id } }`, { c: firmCode });
    const before = await auditCount();
    const add = await t.gql(`mutation($id: ID!) { addContact(input: { organizationId: $id, name: " 王小明 ", title: "合规专员", phone: "0755-83201234", email: "wxm@example.com.cn" }) { contact { id name } userErrors { code } } }`, { id: org.body.data.organization.id }, { token: firm });
    expect(add.body.data.addContact.contact.name).toBe('王小明');
    const contactId = add.body.data.addContact.contact.id;
    const bad = await t.gql(`mutation($id: ID!) { updateContact(input: { id: $id, email: "not-an-email", phone: "call me" }) { userErrors { code field } } }`, { id: contactId }, { token: firm });
    expect(bad.body.data.updateContact.userErrors.map((e: any) => e.field[1]).sort()).toEqual(['email', 'phone']);
    const edit = await t.gql(`mutation($id: ID!) { updateContact(input: { id: $id, title: "合规总监" }) { contact { title } userErrors { code } } }`, { id: contactId }, { token: firm });
    expect(edit.body.data.updateContact.contact.title).toBe('合规总监');
    const remove = await t.gql(`mutation($id: ID!) { removeContact(input: { id: $id }) { contact { name } userErrors { code } } }`, { id: contactId }, { token: firm });
    expect(remove.body.data.removeContact.userErrors).toEqual([]);
    expect(await auditCount()).toBe(before + 3);
  });

  it('refuses control characters in contact fields', async () => {
    const org = await t.gql(`query($c: String!) { organization(creditCode: $c) { id } }`, { c: firmCode });
    const res = await t.gql(`mutation($id: ID!, $name: String!) { addContact(input: { organizationId: $id, name: $name }) { contact { id } userErrors { code field } } }`, { id: org.body.data.organization.id, name: '王\u0000明' }, { token: firm });
    expect(res.body.data.addContact).toEqual({ contact: null, userErrors: [{ code: 'INVALID', field: ['input', 'name'] }] });
  });
});
