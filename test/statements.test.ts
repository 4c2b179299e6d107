import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousViewer } from '../src/auth/viewer.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const regulator = { role: 'REGULATOR' as const, subject: 'test', organizationId: null };

const NESTED = `query($first: Int!) {
  organizations(first: $first) {
    totalCount
    edges { node { id name contacts { name } branches(first: 5) { totalCount edges { node { id name firm { id name } } } } } }
  }
}`;

describe('SQL statements per request do not grow with the page size', () => {
  it('a nested directory query costs the same number of statements at 10 and 100 organizations', async () => {
    const small = await t.countedExecute(NESTED, { first: 10 }, regulator);
    const large = await t.countedExecute(NESTED, { first: 100 }, regulator);
    expect(small.body.errors).toBeUndefined();
    expect(large.body.errors).toBeUndefined();
    expect(large.body.data.organizations.edges.length).toBeGreaterThan(small.body.data.organizations.edges.length);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(6);
  });

  it('committees with terms, seats and seat organizations cost a fixed number of statements', async () => {
    const res = await t.countedExecute('{ committees { currentTerm { seats { personName organization { name } } } terms { number } } }', {}, anonymousViewer);
    expect(res.body.errors).toBeUndefined();
    expect(res.count).toBe(4);
  });

  it('organizations(first: 50) with totalCount is one statement: the first page counts with a window function', async () => {
    const res = await t.countedExecute('{ organizations(first: 50) { totalCount edges { node { id name } } } }', {}, anonymousViewer);
    expect(res.count).toBe(1);
    expect(res.body.data.organizations.totalCount).toBeGreaterThan(res.body.data.organizations.edges.length - 1);
  });

  it('a later page, a filter or a fragment-only totalCount still count every match', async () => {
    const query = `query($after: String, $kind: OrganizationKind) {
      organizations(first: 5, after: $after, filter: { kind: $kind }) { ...Total edges { node { id kind } } pageInfo { endCursor } }
    } fragment Total on OrganizationConnection { totalCount }`;
    const first = await t.countedExecute(query, {}, anonymousViewer);
    const second = await t.countedExecute(query, { after: first.body.data.organizations.pageInfo.endCursor }, anonymousViewer);
    expect(first.count).toBe(1);
    expect(second.count).toBe(2);
    expect(second.body.data.organizations.totalCount).toBe(first.body.data.organizations.totalCount);
    const all = await t.countedExecute('{ organizations(first: 100) { edges { node { id kind } } } }', {}, anonymousViewer);
    expect(first.body.data.organizations.totalCount).toBe(all.body.data.organizations.edges.length);
    const firms = await t.countedExecute(query, { kind: 'SECURITIES_FIRM' }, anonymousViewer);
    const firmCount = all.body.data.organizations.edges.filter((e: any) => e.node.kind === 'SECURITIES_FIRM').length;
    expect(firms.body.data.organizations.totalCount).toBe(firmCount);
  });

  it('backward pages cost what forward ones do: the last page with totalCount is one statement, nested pages stay constant', async () => {
    const last = await t.countedExecute('{ organizations(last: 50) { totalCount pageInfo { startCursor } edges { node { id name } } } }', {}, anonymousViewer);
    expect(last.body.errors).toBeUndefined();
    expect(last.count).toBe(1);
    const forward = await t.countedExecute('{ organizations(first: 100) { totalCount edges { node { id } } } }', {}, anonymousViewer);
    expect(last.body.data.organizations.totalCount).toBe(forward.body.data.organizations.totalCount);
    expect(last.body.data.organizations.edges.map((e: any) => e.node.id)).toEqual(forward.body.data.organizations.edges.slice(-50).map((e: any) => e.node.id));
    const before = await t.countedExecute(
      'query($before: String) { organizations(last: 5, before: $before) { totalCount edges { node { id } } } }',
      { before: last.body.data.organizations.pageInfo.startCursor },
      anonymousViewer,
    );
    expect(before.count).toBe(2); // the page, then the count (a cursor shrinks the window)
    const BACKWARD_NESTED = NESTED.replace('organizations(first: $first)', 'organizations(last: $first)').replace('branches(first: 5)', 'branches(last: 5)');
    const small = await t.countedExecute(BACKWARD_NESTED, { first: 10 }, regulator);
    const large = await t.countedExecute(BACKWARD_NESTED, { first: 100 }, regulator);
    expect(small.body.errors).toBeUndefined();
    expect(large.count).toBe(small.count);
    const forwardSmall = await t.countedExecute(NESTED, { first: 10 }, regulator);
    expect(small.count).toBe(forwardSmall.count);
  });

  it('nested batch loads fetch the union of what every path asks for, and each path gets its fields', async () => {
    const narrow = await t.countedExecute('{ organizations(first: 20) { edges { node { branches(first: 3) { edges { node { name ratings { grade } } } } } } } }', {}, regulator);
    expect(narrow.body.errors).toBeUndefined();
    const branchSql = narrow.statements.find((q) => q.includes('cross join lateral'))!;
    const ratingSql = narrow.statements.find((q) => q.includes('"branch_ratings"'))!;
    expect(branchSql).not.toContain('"address"');
    expect(ratingSql).not.toContain('"self_score"');
    // Two paths to the same loaders, asking for different fields: one batch each, and both get what they asked for.
    const both = await t.countedExecute(
      `{ a: organizations(first: 20) { edges { node { branches(first: 3) { edges { node { name ratings { grade } } } } } } }
         b: organizations(first: 20) { edges { node { branches(first: 3) { edges { node { address ratings { selfScore totalScore underDailySupervision } } } } } } } }`,
      {},
      regulator,
    );
    expect(both.body.errors).toBeUndefined();
    const flat = (alias: string) => both.body.data[alias].edges.flatMap((e: any) => e.node.branches.edges.map((b: any) => b.node));
    const a = flat('a');
    const b = flat('b');
    expect(a.length).toBeGreaterThan(0);
    expect(a.every((n: any) => typeof n.name === 'string')).toBe(true);
    expect(b.some((n: any) => typeof n.address === 'string')).toBe(true);
    const rated = b.flatMap((n: any) => n.ratings);
    expect(rated.length).toBeGreaterThan(0);
    expect(rated.every((r: any) => typeof r.totalScore === 'number' && typeof r.underDailySupervision === 'boolean')).toBe(true);
    expect(rated.some((r: any) => typeof r.selfScore === 'number')).toBe(true);
    // The same firm twice in one batch still has each branch once.
    const list = await t.countedExecute('{ organizations(first: 20) { edges { node { id } } } }', {}, regulator);
    const firmId = list.body.data.organizations.edges.find((_: any, i: number) => both.body.data.a.edges[i].node.branches.edges.length > 1).node.id;
    const twice = await t.countedExecute('query($ids: [ID!]!) { nodes(ids: $ids) { ...on Organization { branches(first: 50) { edges { node { id } } } } } }', { ids: [firmId, firmId] }, regulator);
    const [first, second] = twice.body.data.nodes.map((n: any) => n.branches.edges.map((e: any) => e.node.id));
    expect(first.length).toBeGreaterThan(1);
    expect(new Set(first).size).toBe(first.length);
    expect(second).toEqual(first);
  });

  it('a list fetches only the columns its fields show, and every field still answers', async () => {
    const few = await t.countedExecute('{ organizations(first: 3) { edges { node { id name } } } }', {}, anonymousViewer);
    expect(few.statements[0]).not.toContain('"address"');
    const every = await t.countedExecute(
      `{ organizations(first: 100) { edges { node { ...on Organization { id kind name shortName nameEn creditCode stockCode district address memberSince membershipStatus membershipCategory } } } } }`,
      {},
      anonymousViewer,
    );
    const byNode = await Promise.all(
      every.body.data.organizations.edges.slice(0, 5).map((e: any) =>
        t.countedExecute('query($id: ID!) { node(id: $id) { ...on Organization { id kind name shortName nameEn creditCode stockCode district address memberSince membershipStatus membershipCategory } } }', { id: e.node.id }, anonymousViewer),
      ),
    );
    expect(byNode.map((r) => r.body.data.node)).toEqual(every.body.data.organizations.edges.slice(0, 5).map((e: any) => e.node));
    expect(every.body.data.organizations.edges.some((e: any) => e.node.stockCode)).toBe(true);
  });

  it('one organization by id is one statement', async () => {
    const list = await t.countedExecute('{ organizations(first: 1) { edges { node { id } } } }', {}, anonymousViewer);
    const id = list.body.data.organizations.edges[0].node.id;
    const res = await t.countedExecute('query($id: ID!) { node(id: $id) { ... on Organization { name creditCode } } }', { id }, anonymousViewer);
    expect(res.count).toBe(1);
  });
});
