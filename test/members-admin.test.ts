// The association's edits of the directory and firms' edits of their own contacts: members.service.ts, and the
// GraphQL layer's authorization, localized userErrors and global ids.
import { and, asc, count, eq } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { auditLogTable } from '../src/audit/audit.table.js';
import type { DbOrTx } from '../src/db/client.js';
import { encodeGlobalId } from '../src/global-id.js';
import { addContact, createBranch, createOrganization, recordMembershipChange, removeContact, updateContact, updateOrganization } from '../src/members/members.service.js';
import { membershipEventsTable, membershipsTable, organizationsTable } from '../src/members/members.table.js';
import { anonymousViewer, associationViewer, execute, firmViewer, makeContext, regulatorViewer, userErrorsOf } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import { insertContact, insertMembership, insertOrganization } from './support/factories.js';

const association = associationViewer();
/** Staff of the listed companies association (SZLCA). */
const szlcaStaff = { ...associationViewer(), subject: 'test:association:SZLCA', associationId: ASSOCIATION_IDS.SZLCA };

const CREATE = `mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id name creditCode stockCode kind membershipStatus } userErrors { field message code } }
}`;

async function countOf(db: DbOrTx, table: typeof organizationsTable | typeof auditLogTable) {
  const [row] = await db.select({ n: count() }).from(table);
  return row!.n;
}

async function auditActions(db: DbOrTx, entityType: string, entityId: number) {
  const rows = await db
    .select({ action: auditLogTable.action })
    .from(auditLogTable)
    .where(and(eq(auditLogTable.entityType, entityType), eq(auditLogTable.entityId, entityId)))
    .orderBy(asc(auditLogTable.id));
  return rows.map((r) => r.action);
}

describe('association staff manage organizations', () => {
  test('creates an organization from a valid credit code and stock code, with its JOIN event and an audit entry', async ({ tx }) => {
    const org = await createOrganization(tx, association, {
      kind: 'LISTED_COMPANY',
      name: '深圳市测试新材料股份有限公司',
      creditCode: '91440300MA5WC9CB19',
      stockCode: '301999.SZ',
      district: 'NANSHAN',
      memberSince: '2025-01-02',
    });
    expect(org).toMatchObject({ creditCode: '91440300MA5WC9CB19', stockCode: '301999', stockExchange: 'SZ', membershipStatus: 'ACTIVE' });
    const events = await tx.select({ kind: membershipEventsTable.kind, effectiveOn: membershipEventsTable.effectiveOn }).from(membershipEventsTable).where(eq(membershipEventsTable.organizationId, org.id));
    expect(events).toEqual([{ kind: 'JOIN', effectiveOn: '2025-01-02' }]);
    expect(await auditActions(tx, 'Organization', org.id)).toEqual(['organization.create']);
  });

  test('reports every bad field at once over GraphQL, in Chinese by default and in English for an English request, and writes nothing', async ({ tx }) => {
    const before = [await countOf(tx, organizationsTable), await countOf(tx, auditLogTable)];
    const input = { kind: 'LISTED_COMPANY', name: '  ', creditCode: '91440300MA5WC9CB1A', stockCode: '600036.SZ' };
    const zh = await execute(makeContext(tx, association), CREATE, { input });
    const errors = zh.data?.createOrganization.userErrors;
    expect(errors.map((e: any) => [e.field.join('.'), e.code])).toEqual([
      ['input.name', 'REQUIRED'],
      ['input.creditCode', 'INVALID'],
      ['input.stockCode', 'INVALID'],
    ]);
    expect(errors[1].message).toMatch(/统一社会信用代码/);
    const en = await execute(makeContext(tx, association, { locale: 'en' }), CREATE, { input });
    expect(en.data?.createOrganization.userErrors[1].message).toMatch(/credit code/i);
    expect([await countOf(tx, organizationsTable), await countOf(tx, auditLogTable)]).toEqual(before);
  });

  test('refuses a credit code or a stock code another organization has, with DUPLICATE on that field', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    expect(await userErrorsOf(createOrganization(tx, association, { kind: 'OTHER', name: '深圳市重复测试有限公司', creditCode: firm.creditCode }))).toEqual([
      { code: 'DUPLICATE', field: ['input', 'creditCode'] },
    ]);
    const stockCode = `${listed.stockCode}.${listed.stockExchange}`;
    expect(await userErrorsOf(createOrganization(tx, association, { kind: 'LISTED_COMPANY', name: '深圳市重复代码有限公司', creditCode: '91440300MA5G3DKJ5W', stockCode }))).toEqual([
      { code: 'DUPLICATE', field: ['input', 'stockCode'] },
    ]);
  });

  test('creating an organization is forbidden to firms, the regulator and anonymous viewers, and writes nothing', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const before = await countOf(tx, organizationsTable);
    const input = { kind: 'OTHER', name: '越权机构', creditCode: '91440300MA5PGY6J2B' };
    for (const viewer of [firmViewer(firm), regulatorViewer(), anonymousViewer]) {
      const res = await execute(makeContext(tx, viewer), CREATE, { input });
      expect(res.errors?.[0]?.extensions?.code, viewer.role).toBe('FORBIDDEN');
    }
    expect(await countOf(tx, organizationsTable)).toBe(before);
    // The same input from the association is accepted: the refusals above are about the viewer.
    expect((await execute(makeContext(tx, association), CREATE, { input })).data?.createOrganization.userErrors).toEqual([]);
  });

  test('records membership changes along the allowed moves only, in date order, each as an event', async ({ tx }) => {
    const org = await insertOrganization(tx, { kind: 'FUND_MANAGER', memberSince: '2020-01-01' });
    const change = (change: 'JOIN' | 'SUSPEND' | 'REINSTATE' | 'WITHDRAW', effectiveOn: string) => recordMembershipChange(tx, association, { organizationId: org.id, change, effectiveOn });
    expect(await userErrorsOf(change('REINSTATE', '2024-01-01'))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'change'] }]);
    expect((await change('SUSPEND', '2024-01-01')).membershipStatus).toBe('SUSPENDED');
    expect(await userErrorsOf(change('REINSTATE', '2023-01-01'))).toEqual([{ code: 'INVALID', field: ['input', 'effectiveOn'] }]);
    expect((await change('WITHDRAW', '2024-06-01')).membershipStatus).toBe('WITHDRAWN');
    expect(await change('JOIN', '2025-03-01')).toMatchObject({ membershipStatus: 'ACTIVE', memberSince: '2025-03-01' });
    const events = await tx.select({ kind: membershipEventsTable.kind, effectiveOn: membershipEventsTable.effectiveOn }).from(membershipEventsTable).where(eq(membershipEventsTable.organizationId, org.id)).orderBy(asc(membershipEventsTable.id));
    expect(events).toEqual([
      { kind: 'SUSPEND', effectiveOn: '2024-01-01' },
      { kind: 'WITHDRAW', effectiveOn: '2024-06-01' },
      { kind: 'JOIN', effectiveOn: '2025-03-01' },
    ]);
    expect(await auditActions(tx, 'Organization', org.id)).toEqual(['membership.suspend', 'membership.withdraw', 'membership.join']);
  });
});

describe("each association's staff manage their own association's memberships", () => {
  async function membershipsOf(db: DbOrTx, organizationId: number) {
    return db
      .select({ associationId: membershipsTable.associationId, status: membershipsTable.status, category: membershipsTable.category, since: membershipsTable.since })
      .from(membershipsTable)
      .where(eq(membershipsTable.organizationId, organizationId))
      .orderBy(asc(membershipsTable.associationId));
  }
  const SZSA = ASSOCIATION_IDS.SZSA;
  const SZLCA = ASSOCIATION_IDS.SZLCA;

  test("a listed securities firm's SZLCA membership changes with SZLCA staff, its own columns (its SZSA membership) do not", async ({ tx }) => {
    const firm = await insertOrganization(tx, { stockCode: '601990', stockExchange: 'SH', membershipCategory: 'COUNCIL_UNIT' });
    await insertMembership(tx, { organizationId: firm.id, associationId: SZLCA, since: '2021-01-01' });
    const after = await recordMembershipChange(tx, szlcaStaff, { organizationId: firm.id, change: 'SUSPEND', effectiveOn: '2025-01-01' });
    expect(after).toMatchObject({ membershipStatus: 'ACTIVE', membershipCategory: 'COUNCIL_UNIT' });
    const updated = await updateOrganization(tx, szlcaStaff, firm.id, { membershipCategory: 'VICE_PRESIDENT_UNIT' });
    expect(updated.membershipCategory).toBe('COUNCIL_UNIT');
    expect(await membershipsOf(tx, firm.id)).toEqual([
      { associationId: SZSA, status: 'ACTIVE', category: 'COUNCIL_UNIT', since: '2020-01-01' },
      { associationId: SZLCA, status: 'SUSPENDED', category: 'VICE_PRESIDENT_UNIT', since: '2021-01-01' },
    ]);
    const events = await tx.select({ associationId: membershipEventsTable.associationId, kind: membershipEventsTable.kind }).from(membershipEventsTable).where(eq(membershipEventsTable.organizationId, firm.id));
    expect(events).toEqual([{ associationId: SZLCA, kind: 'SUSPEND' }]);
    // The securities association's staff change the SZSA membership, and with it the organization's own columns.
    expect(await recordMembershipChange(tx, association, { organizationId: firm.id, change: 'WITHDRAW', effectiveOn: '2025-02-01' })).toMatchObject({ membershipStatus: 'WITHDRAWN' });
    expect((await membershipsOf(tx, firm.id)).map((m) => m.status)).toEqual(['WITHDRAWN', 'SUSPENDED']);
  });

  test('an organization joins a second association by a JOIN of that association\'s staff; other changes need a membership there', async ({ tx }) => {
    const firm = await insertOrganization(tx, { stockCode: '601991', stockExchange: 'SH' });
    expect(await userErrorsOf(recordMembershipChange(tx, szlcaStaff, { organizationId: firm.id, change: 'SUSPEND', effectiveOn: '2025-01-01' }))).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'organizationId'] },
    ]);
    expect(await userErrorsOf(updateOrganization(tx, szlcaStaff, firm.id, { shortName: '改名' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
    await recordMembershipChange(tx, szlcaStaff, { organizationId: firm.id, change: 'JOIN', effectiveOn: '2025-01-01', note: '上市后入会' });
    expect(await membershipsOf(tx, firm.id)).toEqual([
      { associationId: SZSA, status: 'ACTIVE', category: 'ORDINARY', since: '2020-01-01' },
      { associationId: SZLCA, status: 'ACTIVE', category: 'ORDINARY', since: '2025-01-01' },
    ]);
    expect(await updateOrganization(tx, szlcaStaff, firm.id, { shortName: '改名证券' })).toMatchObject({ shortName: '改名证券' });
  });

  test("an organization created by SZLCA staff is SZLCA's member", async ({ tx }) => {
    const org = await createOrganization(tx, szlcaStaff, {
      kind: 'LISTED_COMPANY',
      name: '深圳市测试上协新材料股份有限公司',
      creditCode: '91440300MA5WC9CB19',
      stockCode: '301998.SZ',
      memberSince: '2025-01-02',
      membershipCategory: 'COUNCIL_UNIT',
    });
    expect(org).toMatchObject({ memberSince: '2025-01-02', membershipCategory: 'COUNCIL_UNIT' });
    expect(await membershipsOf(tx, org.id)).toEqual([{ associationId: SZLCA, status: 'ACTIVE', category: 'COUNCIL_UNIT', since: '2025-01-02' }]);
    // To the securities association's staff it looks missing.
    expect(await userErrorsOf(updateOrganization(tx, association, org.id, { shortName: '改名' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
  });

  test("staff add, edit and remove contacts of their association's members only", async ({ tx }) => {
    const szsaFirm = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const szsaContact = await insertContact(tx, { organizationId: szsaFirm.id });
    const listedContact = await insertContact(tx, { organizationId: listed.id });
    for (const [staff, own, ownContact, other, otherContact] of [
      [association, szsaFirm, szsaContact, listed, listedContact],
      [szlcaStaff, listed, listedContact, szsaFirm, szsaContact],
    ] as const) {
      expect(await userErrorsOf(addContact(tx, staff, other.id, { name: '冒名' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'organizationId'] }]);
      expect(await userErrorsOf(updateContact(tx, staff, otherContact.id, { name: '篡改' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
      expect(await userErrorsOf(removeContact(tx, staff, otherContact.id))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
      expect(await addContact(tx, staff, own.id, { name: '协会联络人' })).toMatchObject({ organizationId: own.id });
      expect(await updateContact(tx, staff, ownContact.id, { title: '董事会秘书' })).toMatchObject({ title: '董事会秘书' });
    }
  });
});

describe('association staff manage branches', () => {
  const CREATE_BRANCH = `mutation($input: CreateBranchInput!) { createBranch(input: $input) { branch { name district firm { id } } userErrors { code field } } }`;

  test('creates a branch of a securities firm over GraphQL, named after the firm', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const firmId = encodeGlobalId('Organization', firm.id);
    const res = await execute(makeContext(tx, association), CREATE_BRANCH, {
      input: { firmId, kind: 'SALES_DEPARTMENT', name: `${firm.name}深圳测试路证券营业部`, district: 'FUTIAN', openedOn: '2025-05-01' },
    });
    expect(res.data?.createBranch).toEqual({ branch: { name: `${firm.name}深圳测试路证券营业部`, district: 'FUTIAN', firm: { id: firmId } }, userErrors: [] });
  });

  test('refuses a branch not named after its firm, closed before it opened, of a listed company, or of an unknown firm', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    expect(await userErrorsOf(createBranch(tx, association, { firmId: firm.id, kind: 'SALES_DEPARTMENT', name: '别家证券深圳营业部' }))).toEqual([
      { code: 'INVALID', field: ['input', 'name'] },
    ]);
    expect(
      await userErrorsOf(createBranch(tx, association, { firmId: firm.id, kind: 'SALES_DEPARTMENT', name: `${firm.name}深圳日期证券营业部`, openedOn: '2025-05-01', closedOn: '2024-01-01' })),
    ).toEqual([{ code: 'INVALID', field: ['input', 'closedOn'] }]);
    // A listed company is a member of SZLCA, not SZSA: to the securities association's staff it looks missing, to
    // the listed companies association's it is no securities firm.
    expect(await userErrorsOf(createBranch(tx, szlcaStaff, { firmId: listed.id, kind: 'SALES_DEPARTMENT', name: `${listed.name}营业部` }))).toEqual([
      { code: 'INVALID', field: ['input', 'firmId'] },
    ]);
    expect(await userErrorsOf(createBranch(tx, association, { firmId: listed.id, kind: 'SALES_DEPARTMENT', name: `${listed.name}营业部` }))).toEqual([
      { code: 'NOT_FOUND', field: ['input', 'firmId'] },
    ]);
    // An id that is no global id at all reaches the service as no firm.
    const garbage = await execute(makeContext(tx, association), CREATE_BRANCH, { input: { firmId: 'garbage', kind: 'SALES_DEPARTMENT', name: 'x' } });
    expect(garbage.data?.createBranch).toEqual({ branch: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'firmId'] }] });
  });
});

describe('firms edit their own contacts', () => {
  test('adds, edits and removes a contact of its own organization, with an audit entry for each change', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const viewer = firmViewer(firm);
    const contact = await addContact(tx, viewer, firm.id, { name: ' 王小明 ', title: '合规专员', phone: '0755-83201234', email: 'wxm@example.com.cn' });
    expect(contact).toMatchObject({ name: '王小明', organizationId: firm.id });
    expect((await userErrorsOf(updateContact(tx, viewer, contact.id, { email: 'not-an-email', phone: 'call me' }))).map((e) => e.field?.[1]).sort()).toEqual(['email', 'phone']);
    expect(await updateContact(tx, viewer, contact.id, { title: '合规总监' })).toMatchObject({ title: '合规总监', email: 'wxm@example.com.cn' });
    expect(await removeContact(tx, viewer, contact.id)).toMatchObject({ id: contact.id });
    expect(await auditActions(tx, 'Contact', contact.id)).toEqual(['contact.create', 'contact.update', 'contact.delete']);
  });

  test("a firm cannot add, edit or remove another organization's contacts: they look missing", async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const other = await insertContact(tx);
    const viewer = firmViewer(firm);
    expect(await userErrorsOf(addContact(tx, viewer, other.organizationId, { name: '越权联系人' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'organizationId'] }]);
    expect(await userErrorsOf(updateContact(tx, viewer, other.id, { title: '越权' }))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
    expect(await userErrorsOf(removeContact(tx, viewer, other.id))).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
  });

  test('refuses control characters in contact fields', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    expect(await userErrorsOf(addContact(tx, firmViewer(firm), firm.id, { name: '王\u0000明' }))).toEqual([{ code: 'INVALID', field: ['input', 'name'] }]);
  });
});
