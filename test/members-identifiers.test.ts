// Credit codes and listings as partners type them into the directory's edits (issue 24): the GB 32100 structure and
// the kind's registration type refused with INVALID userErrors that name the failing part, a GB 11714 failure saved
// with a warning, and A + H listings (招商证券: 600999.SH and 6099.HK) with their boards. Real-world vectors.
import { count, eq } from 'drizzle-orm';
import { auditLogTable } from '../src/audit/audit.table.js';
import type { DbOrTx } from '../src/db/client.js';
import { encodeGlobalId } from '../src/global-id.js';
import { creditCodeCheckCharacter } from '../src/members/identifiers.js';
import { listingsTable, organizationsTable } from '../src/members/members.table.js';
import { associationViewer, execute, makeContext } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import { insertOrganization } from './support/factories.js';

const association = associationViewer();
const withCheck = (first17: string) => first17 + creditCodeCheckCharacter(first17);

const CREATE = `mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    organization { id name creditCode stockCode listings { exchange board code symbol primary } }
    userErrors { field message code }
    warnings
  }
}`;
const UPDATE = `mutation($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) {
    organization { id kind stockCode listings { symbol board primary } }
    userErrors { field message code }
    warnings
  }
}`;

async function counts(db: DbOrTx) {
  const [orgs] = await db.select({ n: count() }).from(organizationsTable);
  const [listings] = await db.select({ n: count() }).from(listingsTable);
  const [audit] = await db.select({ n: count() }).from(auditLogTable);
  return [orgs!.n, listings!.n, audit!.n];
}

describe('credit codes in the directory edits', () => {
  test('招商证券 with its real code and A + H listings, typed lowercase and padded: saved with boards, no warning', async ({ tx }) => {
    const res = await execute(makeContext(tx, association), CREATE, {
      input: { kind: 'SECURITIES_FIRM', name: '招商证券股份有限公司', creditCode: '91440300192238549B', listings: ['600999.sh', ' 06099.HK '] },
    });
    const payload = res.data!.createOrganization;
    expect(payload.userErrors).toEqual([]);
    expect(payload.warnings).toEqual([]);
    expect(payload.organization).toMatchObject({
      creditCode: '91440300192238549B',
      stockCode: '600999.SH',
      listings: [
        { exchange: 'SH', board: 'SSE_MAIN', code: '600999', symbol: '600999.SH', primary: true },
        { exchange: 'HK', board: 'HKEX', code: '06099', symbol: '6099.HK', primary: false },
      ],
    });
    // Found by either listing, as typed.
    for (const search of ['6099.HK', '06099.hk', '600999.SH']) {
      const found = await execute(makeContext(tx, association), `query($s: String) { organizations(first: 5, filter: { search: $s }) { edges { node { id } } } }`, { s: search });
      expect(found.data!.organizations.edges.map((e: any) => e.node.id), search).toEqual([payload.organization.id]);
    }
  });

  for (const [creditCode, zh, en] of [
    ['01440300MA5WC9CB1J', '“0”不存在', 'registration authority "0"'],
    [withCheck('99440300MA5WC9CB1'), '“99”不存在', '"99"'],
    [withCheck('91999999MA5WC9CB1'), '“999999”不存在', '"999999"'],
    [withCheck('91440300000000000'), '不能全为 0', 'all zeros'],
    ['51440300MA566C1T0R', '证券公司应为 91', 'does not fit a securities firm'],
  ] as const) {
    test(`refuses ${creditCode} for a securities firm with INVALID naming the failing part, and writes nothing`, async ({ tx }) => {
    const before = await counts(tx);
    const input = { kind: 'SECURITIES_FIRM', name: '深圳测试代码证券股份有限公司', creditCode };
    const res = await execute(makeContext(tx, association), CREATE, { input });
    const errors = res.data!.createOrganization.userErrors;
    expect(errors.map((e: any) => [e.field.join('.'), e.code])).toEqual([['input.creditCode', 'INVALID']]);
    expect(errors[0].message).toContain(zh);
    const english = await execute(makeContext(tx, association, { locale: 'en' }), CREATE, { input });
    expect(english.data!.createOrganization.userErrors[0].message).toContain(en);
    expect(res.data!.createOrganization.organization).toBeNull();
    expect(await counts(tx)).toEqual(before);
    });
  }

  test('a 社会团体 code is fine for OTHER, and turning that organization into a securities firm is refused on kind', async ({ tx }) => {
    const res = await execute(makeContext(tx, association), CREATE, { input: { kind: 'OTHER', name: '深圳市测试社会团体', creditCode: '51440300MA566C1T0R' } });
    expect(res.data!.createOrganization.userErrors).toEqual([]);
    const id = res.data!.createOrganization.organization.id;
    const changed = await execute(makeContext(tx, association), UPDATE, { input: { id, kind: 'SECURITIES_FIRM' } });
    expect(changed.data!.updateOrganization.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([['input.kind', 'INVALID']]);
    const [row] = await tx.select({ kind: organizationsTable.kind }).from(organizationsTable).where(eq(organizationsTable.creditCode, '51440300MA566C1T0R'));
    expect(row!.kind).toBe('OTHER');
  });

  test('a GB 11714 check failure on positions 9–17 is saved, with a warning in the payload', async ({ tx }) => {
    const code = withCheck('91440300192238548');
    const res = await execute(makeContext(tx, association), CREATE, { input: { kind: 'SECURITIES_FIRM', name: '深圳测试警告证券股份有限公司', creditCode: code } });
    expect(res.data!.createOrganization.userErrors).toEqual([]);
    expect(res.data!.createOrganization.organization.creditCode).toBe(code);
    expect(res.data!.createOrganization.warnings).toEqual([expect.stringContaining('GB 11714')]);
    const en = await execute(makeContext(tx, association, { locale: 'en' }), UPDATE, { input: { id: res.data!.createOrganization.organization.id, creditCode: code } });
    expect(en.data!.updateOrganization.warnings).toEqual([expect.stringContaining('GB 11714')]);
    // A branch's code is checked the same way (an enterprise's branch: 91).
    const firm = res.data!.createOrganization.organization.id;
    const branch = await execute(
      makeContext(tx, association),
      `mutation($input: CreateBranchInput!) { createBranch(input: $input) { branch { id } userErrors { field code message } warnings } }`,
      { input: { firmId: firm, kind: 'SALES_DEPARTMENT', name: '深圳测试警告证券股份有限公司深圳福华一路证券营业部', creditCode: '52440300MA5EK6PQ62' } },
    );
    expect(branch.data!.createBranch.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([['input.creditCode', 'INVALID']]);
    expect(branch.data!.createBranch.userErrors[0].message).toContain('分支机构应为 91');
  });
});

describe('listings in the directory edits', () => {
  test('stockCode alone replaces the primary listing and keeps the H share; listings [] clears them; the primary must be one of the listings', async ({ tx }) => {
    const org = await insertOrganization(tx, { kind: 'SECURITIES_FIRM' });
    const id = encodeGlobalId('Organization', org.id);
    const update = async (input: Record<string, unknown>) => (await execute(makeContext(tx, association), UPDATE, { input: { id, ...input } })).data!.updateOrganization;
    expect((await update({ listings: ['601688.SH', '6886.HK'] })).organization).toMatchObject({ stockCode: '601688.SH', listings: [{ symbol: '601688.SH', primary: true }, { symbol: '6886.HK', primary: false }] });
    expect((await update({ stockCode: '6886.hk' })).organization).toMatchObject({ stockCode: '6886.HK', listings: [{ symbol: '6886.HK', primary: true }] });
    expect((await update({ listings: ['6886.HK', '601688.SH'], stockCode: '601688.SH' })).organization.listings.map((l: any) => l.symbol)).toEqual(['601688.SH', '6886.HK']);
    expect((await update({ stockCode: '' })).organization).toMatchObject({ stockCode: '6886.HK', listings: [{ symbol: '6886.HK', primary: true }] });
    const refused = await update({ listings: ['601688.SH'], stockCode: '600030.SH' });
    expect(refused.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([['input.stockCode', 'INVALID']]);
    const bad = await update({ listings: ['601688.SH', '6099.SH', '601688.sh', 'x'.repeat(50)] });
    expect(bad.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([
      ['input.listings.1', 'INVALID'],
      ['input.listings.2', 'DUPLICATE'],
      ['input.listings.3', 'INVALID'],
    ]);
    expect((await update({ listings: [] })).organization).toMatchObject({ stockCode: null, listings: [] });
    const [row] = await tx.select().from(organizationsTable).where(eq(organizationsTable.id, org.id));
    expect([row!.stockCode, row!.stockExchange]).toEqual([null, null]);
  });

  test('a listing another organization has is a DUPLICATE on the field given, and changes nothing', async ({ tx }) => {
    const a = await insertOrganization(tx, { kind: 'SECURITIES_FIRM' });
    const b = await insertOrganization(tx, { kind: 'SECURITIES_FIRM' });
    const update = async (id: number, input: Record<string, unknown>) =>
      (await execute(makeContext(tx, association), UPDATE, { input: { id: encodeGlobalId('Organization', id), ...input } })).data!.updateOrganization;
    expect((await update(a.id, { listings: ['600030.SH', '6030.HK'] })).userErrors).toEqual([]);
    expect((await update(b.id, { listings: ['601211.SH', '06030.HK'] })).userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([['input.listings', 'DUPLICATE']]);
    expect((await update(b.id, { stockCode: '6030.HK' })).userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([['input.stockCode', 'DUPLICATE']]);
    expect(await tx.select({ code: listingsTable.code }).from(listingsTable).where(eq(listingsTable.organizationId, b.id))).toEqual([]);
  });
});
