import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/auth/tokens.js';
import { schema } from '../src/graphql/schema.js';
import { cachedOperationCost, findOperation, operationCost } from '../src/rate-limit/cost.js';
import { MemoryBuckets } from '../src/rate-limit/rate-limiter.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { newServiceAccount, requestToken } from './support/integration.js';

const cost = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  return operationCost(schema, document, findOperation(document, undefined)!, variables);
};

// organizations(first: 10) { edges { node { name } } }: 1 (operation) + 1 (connection) + 1 (edges) + 10 × 1 (nodes) = 13.
const SMALL = '{ organizations(first: 10) { edges { node { name } } } }';

describe('operation cost', () => {
  it('counts objects, multiplying lists by their page size', () => {
    expect(cost('{ __typename }')).toBe(1);
    expect(cost(SMALL)).toBe(13);
    expect(cost('{ organizations { edges { node { name } } } }')).toBe(1 + 1 + 1 + 20);
    expect(cost('query($n: Int) { organizations(first: $n) { totalCount edges { node { name } } } }', { n: 50 })).toBe(1 + 1 + 1 + 50);
    // Nested connections multiply: 10 organizations × (1 node + 1 branches + 1 edges + 5 branch nodes).
    expect(cost('{ organizations(first: 10) { edges { node { branches(first: 5) { edges { node { name } } } } } } }')).toBe(1 + 1 + 1 + 10 * (1 + 1 + 1 + 5));
  });

  it('a remembered price follows the variables, and large variables are priced afresh', () => {
    const document = parse('query($n: Int, $ids: [ID!]!) { organizations(first: $n) { edges { node { name } } } nodes(ids: $ids) { id } }');
    const operation = findOperation(document, undefined)!;
    const many = Array.from({ length: 100 }, (_, i) => `id-${i}-${'x'.repeat(10)}`);
    for (const variables of [{ n: 5, ids: [] }, { n: 50, ids: ['a'] }, { n: 5, ids: [] }, { n: 5, ids: many }, { n: 50, ids: many }]) {
      expect(cachedOperationCost(schema, document, operation, variables)).toBe(operationCost(schema, document, operation, variables));
    }
  });

  it('remembers a price whatever the strings in the variables, never across list lengths or numbers', () => {
    const document = parse('query($n: Int, $ids: [ID!]!, $s: String) { nodes(ids: $ids) { id } organizations(first: $n, filter: { search: $s }) { edges { node { name } } } }');
    const operation = findOperation(document, undefined)!;
    const cases = [
      { n: 5, ids: ['a', 'b'], s: 'x' },
      { n: 5, ids: ['c', 'd'], s: 'y'.repeat(2000) }, // another text of any length: the same price
      { n: 5, ids: ['a', 'b', 'c'], s: 'x' }, // one id more
      { n: 7, ids: ['a', 'b'], s: 'x' }, // another page size
      { n: '5', ids: ['a', 'b'], s: 'x' }, // not a number: the default page size
    ];
    for (const variables of cases) {
      expect(cachedOperationCost(schema, document, operation, variables)).toBe(operationCost(schema, document, operation, variables));
    }
  });

  it('prices last like first: a backward page costs what a forward page of the same size does', () => {
    expect(cost('{ organizations(last: 10) { edges { node { name } } } }')).toBe(cost(SMALL));
    expect(cost('query($n: Int) { organizations(last: $n, before: "x") { edges { node { name } } } }', { n: 50 })).toBe(1 + 1 + 1 + 50);
    expect(cost('{ organizations(last: 99999) { edges { node { name } } } }')).toBe(1 + 1 + 1 + 100);
    // Nested: 10 organizations × (1 node + 1 branches + 1 edges + 5 branch nodes), whichever end each page is read from.
    expect(cost('{ organizations(last: 10) { edges { node { branches(last: 5) { edges { node { name } } } } } } }')).toBe(1 + 1 + 1 + 10 * (1 + 1 + 1 + 5));
    // Both (refused when run) price at the larger.
    expect(cost('{ organizations(first: 2, last: 30) { edges { node { name } } } }')).toBe(1 + 1 + 1 + 30);
  });

  it('prices nodes(ids) by the number of ids, and a page size beyond the maximum as the maximum', () => {
    expect(cost('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ['a', 'b', 'c'] })).toBe(1 + 1 + 3);
    expect(cost('{ committees { code } }')).toBe(1 + 1 + 10);
    expect(cost('{ organizations(first: 99999) { edges { node { name } } } }')).toBe(1 + 1 + 1 + 100);
  });

  it('prices fragments where they are spread, and a fragment bomb in linear time (and very high)', () => {
    expect(cost('{ organizations(first: 10) { ...F } } fragment F on OrganizationConnection { edges { node { name } } }')).toBe(13);
    const levels = 30;
    let doc = `{ organizations(first: 100) { edges { node { ...F0 } } } }`;
    for (let i = 0; i < levels; i++) doc += ` fragment F${i} on Organization { ${Array.from({ length: 4 }, () => `...F${i + 1}`).join(' ')} }`;
    doc += ` fragment F${levels} on Organization { branches(first: 100) { edges { node { name } } } }`;
    // 4^30 expansions if each spread were walked: memoized, it prices at once.
    expect(cost(doc)).toBeGreaterThan(1e9);
  });

  it('adds a fixed cost per mutation field', () => {
    expect(cost('mutation { createServiceAccount(input: { name: "x", role: REGULATOR }) { clientSecret } }')).toBe(1 + 1 + 10);
  });
});

describe('token buckets in memory', () => {
  it('refills over the window and never beyond the budget', () => {
    let now = 0;
    const buckets = new MemoryBuckets({ capacity: 100, pointsPerMs: 100 / 60_000 }, () => now);
    expect(buckets.charge('a', 60)).toEqual({ allowed: true, remaining: 40, retryAfterSeconds: 0 });
    expect(buckets.charge('a', 60)).toEqual({ allowed: false, remaining: 40, retryAfterSeconds: 12 });
    now += 12_000;
    expect(buckets.charge('a', 60).allowed).toBe(true);
    now += 10 * 60_000;
    expect(buckets.charge('a', 1).remaining).toBe(99);
  });
});

describe('rate limits per principal over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_POINTS: '40', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports each operation\'s cost in extensions.cost', async () => {
    const res = await t.gql(SMALL, undefined, { token: await signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub: `cost:${randomUUID()}`, role: 'regulator' }, 600) });
    expect(res.status).toBe(200);
    expect(res.body.data.organizations.edges).toHaveLength(10);
    expect((res.body as any).extensions.cost).toEqual({ requested: 13, limit: 40, remaining: 27, windowSeconds: 60 });
  });

  it('carries the IETF RateLimit-Policy and RateLimit headers, on Apollo\'s path and on the known-query path alike', async () => {
    const token = await signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub: `headers:${randomUUID()}`, role: 'regulator' }, 600);
    const first = await t.gql(SMALL, undefined, { token });
    const second = await t.gql(SMALL, undefined, { token }); // the same document again: answered by the known-query path
    expect(first.headers.get('ratelimit-policy')).toBe('"budget";q=40;w=60');
    expect(second.headers.get('ratelimit-policy')).toBe('"budget";q=40;w=60');
    // 13 points spent of 40 per 60 s: 27 left, whole again in ceil(13/40 × 60) = 20 s; then 14 left, 39 s.
    expect(first.headers.get('ratelimit')).toBe('"budget";r=27;t=20');
    expect(second.headers.get('ratelimit')).toMatch(/^"budget";r=14;t=(38|39)$/);
    expect((second.body as any).extensions.cost.remaining).toBe(14);
  });

  it('answers 429 RATE_LIMITED with Retry-After once the budget is spent, while other principals are unaffected', async () => {
    const sign = (sub: string) => signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub, role: 'regulator' }, 600);
    const spender = await sign(`spender:${randomUUID()}`);
    const bystander = await sign(`bystander:${randomUUID()}`);
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await t.gql(SMALL, undefined, { token: spender });
      expect(ok.status).toBe(200);
      remaining.push((ok.body as any).extensions.cost.remaining);
    }
    expect(remaining).toEqual([27, 14, 1]);
    const limited = await t.gql(SMALL, undefined, { token: spender });
    expect(limited.status).toBe(429);
    expect(limited.body.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    expect(limited.body.data).toBeUndefined();
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    // 12 points short at 40 points per 60 s: 18 s.
    expect(retryAfter).toBeGreaterThanOrEqual(17);
    expect(retryAfter).toBeLessThanOrEqual(19);
    // A refused request costs nothing; another principal has its own budget; anonymous callers are charged by IP.
    expect((await t.gql('{ __typename }', undefined, { token: spender })).status).toBe(200);
    const other = await t.gql(SMALL, undefined, { token: bystander });
    expect(other.status).toBe(200);
    expect((other.body as any).extensions.cost.remaining).toBe(27);
    expect((await t.gql(SMALL)).status).toBe(200);
  });

  it('refuses a single operation costlier than the whole budget as BAD_USER_INPUT (400), charging nothing', async () => {
    const token = await signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub: `big:${randomUUID()}`, role: 'regulator' }, 600);
    const res = await t.gql('{ organizations(first: 100) { edges { node { name } } } }', undefined, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(SMALL, undefined, { token })).body).toMatchObject({ extensions: { cost: { remaining: 27 } } });
  });

  it('charges a malformed request (not JSON, nested too deep) one point before refusing it, and 429 once the budget is spent', async () => {
    const token = await signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub: `malformed:${randomUUID()}`, role: 'regulator' }, 600);
    const send = (body: string) =>
      fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as any }));
    const deep = `{"query":"query($a: String) { __typename }","variables":{"a":${'['.repeat(200)}${']'.repeat(200)}}}`;
    const refused = await send(deep);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe('JSON_TOO_DEEP');
    expect((await send('{"query": ')).body.errors[0].extensions.code).toBe('BAD_REQUEST');
    // Two points gone: 40 − 2 − 13.
    expect((await t.gql(SMALL, undefined, { token })).body).toMatchObject({ extensions: { cost: { remaining: 25 } } });
    for (let i = 0; i < 25; i++) expect((await send(deep)).status).toBe(400);
    const limited = await send(deep);
    expect(limited.status).toBe(429);
    expect(limited.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('throttles token requests per client IP', async () => {
    const account = await newServiceAccount(t);
    const form = { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret };
    // A budget of 40 admits one token request (priced at the whole budget when smaller than 100) per window.
    const answers = [await requestToken(t, form), await requestToken(t, form)];
    expect(answers.map((a) => a.status)).toContain(429);
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.body.error).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('budgets off', () => {
  it('RATE_LIMIT_POINTS=0 charges nothing but still reports the cost', async () => {
    const t = await createTestApp({ RATE_LIMIT_POINTS: '0' });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await t.gql('{ organizations(first: 100) { edges { node { name } } } }');
        expect(res.status).toBe(200);
        expect((res.body as any).extensions.cost).toMatchObject({ requested: 103, remaining: null });
      }
    } finally {
      await t.close();
    }
  });
});
