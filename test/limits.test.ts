import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDocumentLimits } from '../src/graphql/limits.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function refused(query: string, limit: string) {
  const res = await t.gql(query);
  expect(res.status).toBe(400);
  expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit });
  expect(res.body.data).toBeUndefined();
}

describe('document limits', () => {
  it('refuses documents deeper than the limit, also through fragments', async () => {
    const nest = (n: number): string => (n === 0 ? 'id' : `firm { branches(first: 1) { edges { node { ${nest(n - 1)} } } } }`);
    await refused(`{ organizations(first: 1) { edges { node { branches(first: 1) { edges { node { ${nest(3)} } } } } } } }`, 'depth');
    await refused(
      `query { organizations(first: 1) { ...A } } fragment A on OrganizationConnection { edges { node { branches { edges { node { firm { branches { edges { node { firm { branches { edges { node { firm { id } } } } } } } } } } } } } } }`,
      'depth',
    );
  });

  it(`refuses more than ${defaultDocumentLimits.maxAliases} aliases`, async () => {
    await refused(`{ ${Array.from({ length: defaultDocumentLimits.maxAliases + 1 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`, 'aliases');
  });

  it(`refuses more than ${defaultDocumentLimits.maxDirectives} directives`, async () => {
    await refused(`{ viewer { ${Array.from({ length: defaultDocumentLimits.maxDirectives + 1 }, () => 'role @include(if: true)').join(' ')} } }`, 'directives');
  });

  it('reports fragment cycles as validation errors, not crashes', async () => {
    const res = await t.gql('query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses a document at the depth limit with __typename below it through the complexity plugin, which counts meta fields (why depth is checked twice)', async () => {
    // With __typename innermost: twelve levels for the validation rule (meta fields do not count), thirteen for the
    // complexity plugin. With a field there, thirteen for both, and the rule refuses it first.
    const nested = '{ organizations(first: 1) { edges { node { branches(first: 1) { edges { node { firm { branches(first: 1) { edges { node { firm { branches(first: 1) { %s } } } } } } } } } } } } }';
    await refused(nested.replace('%s', 'totalCount'), 'depth');
    const res = await t.gql(nested.replace('%s', '__typename'));
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.limit])).toEqual([['查询超出深度限制', 'BAD_USER_INPUT', 'Depth']]);
  });

  it('accepts ordinary queries within the limits', async () => {
    const res = await t.gql('{ a: viewer { role } b: viewer { role @include(if: true) } organizations(first: 2) { edges { node { branches(first: 2) { edges { node { firm { name } } } } } } } }');
    expect(res.body.errors).toBeUndefined();
  });
});
