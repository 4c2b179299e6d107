import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommitteesDocument, DirectoryDocument, OrganizationWithBranchesDocument, type DirectoryQuery, type OrganizationWithBranchesQuery } from './generated/operations.js';
import { createTestApp, creditCodeOf, type GqlResult, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function allPages(filter: Record<string, unknown> | undefined, first: number) {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (let i = 0; i < 200; i++) {
    const res: GqlResult<DirectoryQuery> = await t.gql(DirectoryDocument, { first, after, filter });
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data!.organizations;
    totalCount = conn.totalCount;
    ids.push(...conn.edges.map((e) => e.node.id));
    if (!conn.pageInfo.hasNextPage) break;
    after = conn.pageInfo.endCursor ?? null;
  }
  return { ids, totalCount };
}

describe('organizations directory', () => {
  it('pages through every organization without repeating or skipping, at several page sizes', async () => {
    const big = await allPages(undefined, 100);
    expect(big.ids.length).toBe(big.totalCount);
    expect(new Set(big.ids).size).toBe(big.ids.length);
    for (const size of [1, 7, 20]) {
      const paged = await allPages(undefined, size);
      expect(paged.ids).toEqual(big.ids);
    }
  });

  it('filters by kind and district, with totalCount matching the filter', async () => {
    const firms = await allPages({ kind: 'SECURITIES_FIRM' }, 100);
    expect(firms.totalCount).toBeGreaterThanOrEqual(12);
    const res = await t.gql(DirectoryDocument, { first: 100, filter: { kind: 'SECURITIES_FIRM', district: 'FUTIAN' } });
    const nodes = res.body.data!.organizations.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.kind === 'SECURITIES_FIRM' && n.district === 'FUTIAN')).toBe(true);
    expect(res.body.data!.organizations.totalCount).toBe(nodes.length);
  });

  it('has listed companies with stock codes on both Shenzhen and Shanghai', async () => {
    const res = await t.gql(DirectoryDocument, { first: 100, filter: { kind: 'LISTED_COMPANY' } });
    const codes = res.body.data!.organizations.edges.map((e) => e.node.stockCode);
    expect(codes.length).toBeGreaterThanOrEqual(10);
    expect(codes.some((c) => c?.endsWith('.SZ'))).toBe(true);
    expect(codes.some((c) => c?.endsWith('.SH'))).toBe(true);
    for (const c of codes) expect(c).toMatch(/^\d{6}\.(SZ|SH|BJ)$/);
  });

  it('searches in Chinese, by short name, and by stock code', async () => {
    const first = (await t.gql(DirectoryDocument, { first: 1, filter: { kind: 'LISTED_COMPANY' } })).body.data!.organizations.edges[0]!.node;
    const word = (first.shortName ?? first.name).slice(0, 2);
    const byWord = await t.gql(DirectoryDocument, { first: 100, filter: { search: word } });
    expect(byWord.body.data!.organizations.edges.map((e) => e.node.id)).toContain(first.id);
    const byStock = await t.gql(DirectoryDocument, { first: 100, filter: { search: first.stockCode } });
    expect(byStock.body.data!.organizations.edges.map((e) => e.node.id)).toEqual([first.id]);
    const securities = await t.gql(DirectoryDocument, { first: 100, filter: { search: '证券' } });
    expect(securities.body.data!.organizations.totalCount).toBeGreaterThanOrEqual(12);
  });

  it('treats hostile search text as plain text', async () => {
    for (const search of ['%', '_', '\\', "'; drop table organizations; --", 'x'.repeat(5000), '\u0000证券', '")(*&^']) {
      const res = await t.gql(DirectoryDocument, { first: 5, filter: { search } });
      expect(res.status).toBe(200);
      expect(res.body.errors).toBeUndefined();
    }
    const percent = await t.gql(DirectoryDocument, { first: 5, filter: { search: '%' } });
    expect(percent.body.data!.organizations.totalCount).toBe(0);
  });

  it('refuses page sizes outside 1..100 and forged cursors with BAD_USER_INPUT', async () => {
    for (const variables of [{ first: 0 }, { first: 101 }, { first: -1 }, { after: 'not-a-cursor' }, { after: Buffer.from('c1:abc').toString('base64url') }]) {
      const res = await t.gql(DirectoryDocument, variables);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.text).not.toMatch(/at .*\(|select|drizzle/i);
    }
    const huge = await t.gql('query { organizations(first: 99999999999) { totalCount } }');
    expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(huge.body.errors?.[0]?.extensions?.code);
  });

  it('finds an organization by credit code, and answers null for unknown or malformed codes', async () => {
    const code = await creditCodeOf(t, 'SECURITIES_FIRM');
    const found = await t.gql(OrganizationWithBranchesDocument, { creditCode: code });
    expect(found.body.data!.organization?.name).toBeTruthy();
    for (const creditCode of ['91440300MA5WC9CB1A', 'nope', '']) {
      const res = await t.gql(OrganizationWithBranchesDocument, { creditCode });
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.organization).toBeNull();
    }
  });

  it('pages a firm\'s branches without repeats, and counts them', async () => {
    const code = await creditCodeOf(t, 'SECURITIES_FIRM');
    const all = await t.gql(OrganizationWithBranchesDocument, { creditCode: code, first: 100 });
    const expected = all.body.data!.organization!.branches.edges.map((e) => e.node.id);
    expect(expected.length).toBe(all.body.data!.organization!.branches.totalCount);
    expect(expected.length).toBeGreaterThan(1);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: GqlResult<OrganizationWithBranchesQuery> = await t.gql(OrganizationWithBranchesDocument, { creditCode: code, first: 2, after });
      const conn = res.body.data!.organization!.branches;
      seen.push(...conn.edges.map((e) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual(expected);
  });
});

describe('committees', () => {
  it("lists both associations' committees with a current term, one chair and at most seven vice-chairs", async () => {
    const res = await t.gql(CommitteesDocument);
    expect(res.body.errors).toBeUndefined();
    const committees = res.body.data!.committees;
    // The securities association's four and the listed companies association's two (issue 16).
    expect(committees.map((c) => c.code).sort()).toEqual(['BOARD_SECRETARIES', 'BROKERAGE_WEALTH', 'COMPLIANCE', 'FINTECH', 'INVESTMENT_BANKING', 'INVESTOR_RELATIONS']);
    for (const c of committees) {
      expect(c.currentTerm).not.toBeNull();
      const roles = c.currentTerm!.seats.map((s) => s.role);
      expect(roles.filter((r) => r === 'CHAIR')).toHaveLength(1);
      expect(roles.filter((r) => r === 'VICE_CHAIR').length).toBeLessThanOrEqual(7);
      expect(c.terms.length).toBeGreaterThanOrEqual(1);
      expect(c.currentTerm!.seats.every((s) => s.organization.name.length > 0)).toBe(true);
    }
  });
});
