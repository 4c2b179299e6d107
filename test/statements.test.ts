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

  it('organizations(first: 50) with totalCount is two statements', async () => {
    const res = await t.countedExecute('{ organizations(first: 50) { totalCount edges { node { id name } } } }', {}, anonymousViewer);
    expect(res.count).toBe(2);
  });

  it('one organization by id is one statement', async () => {
    const list = await t.countedExecute('{ organizations(first: 1) { edges { node { id } } } }', {}, anonymousViewer);
    const id = list.body.data.organizations.edges[0].node.id;
    const res = await t.countedExecute('query($id: ID!) { node(id: $id) { ... on Organization { name creditCode } } }', { id }, anonymousViewer);
    expect(res.count).toBe(1);
  });
});
