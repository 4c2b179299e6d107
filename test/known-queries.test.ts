// An operation Apollo has validated and run once is answered again without Apollo's request pipeline
// (src/server/known-query.ts, answerKnownQuery). Nothing a client sees may differ between the two paths: status, headers,
// body, cost and budget, errors, and what each viewer may see; an operation with errors, handed back to Apollo to
// format, runs once.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rowsOf } from '../src/db/sql/index.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

interface Raw {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** POSTs a body as it is, and keeps what a client would compare (not the date or the request id). */
async function post(app: TestApp, body: unknown, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const kept = Object.fromEntries([...res.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id'));
  return { status: res.status, headers: kept, text: await res.text() };
}

/** A query text no other test sends, so its first request is Apollo's for sure. */
let fresh = 0;
const unique = (query: string) => `${query} # known-queries ${++fresh}`;

describe('the known-query path', () => {
  it('answers a repeated query exactly as Apollo answered it the first time, for any viewer', async () => {
    const query = unique('query($first: Int!) { organizations(first: $first) { totalCount edges { node { id name stockCode district } } } }');
    for (const token of [undefined, await t.token('regulator')]) {
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const first = await post(t, { query, variables: { first: 3 } }, auth);
      const again = await post(t, { query, variables: { first: 3 } }, auth);
      const other = await post(t, { query, variables: { first: 2 } }, auth);
      expect(first.status).toBe(200);
      expect(again).toEqual(first);
      expect(JSON.parse(other.text).data.organizations.edges).toHaveLength(2);
    }
  });

  it('shows each viewer only its own: a text first run by one firm, repeated by another tenant, hides the first firm\'s contacts', async () => {
    const codes = rowsOf<{ credit_code: string }>(await t.database.db.execute(sql`
      select o.credit_code from organizations o where o.kind = 'SECURITIES_FIRM' and exists (select 1 from contacts c where c.organization_id = o.id)
      order by o.id limit 2`)).map((r) => r.credit_code);
    expect(codes).toHaveLength(2);
    const [own, other] = codes as [string, string];
    const query = unique('query($code: String!) { organization(creditCode: $code) { name contacts { name phone } } }');
    const as = async (token: string | undefined) => JSON.parse((await post(t, { query, variables: { code: own } }, token ? { authorization: `Bearer ${token}` } : {})).text);
    const owner = await as(await t.token('firm', own));
    expect(owner.errors).toBeUndefined();
    expect(owner.data.organization.contacts.length).toBeGreaterThan(0);
    for (const token of [await t.token('firm', other), undefined]) {
      const answer = await as(token);
      expect(answer.data.organization.name).toBe(owner.data.organization.name);
      expect(answer.data.organization.contacts).toBeNull();
      expect(JSON.stringify(answer)).not.toContain(owner.data.organization.contacts[0].name);
    }
    // And the owner, after the others, still sees its own.
    expect((await as(await t.token('firm', own))).data.organization.contacts).toEqual(owner.data.organization.contacts);
  });

  it('prices and charges each request once, and refuses a spent budget as Apollo does (429, Retry-After)', async () => {
    const tight = await createTestApp({ RATE_LIMIT_POINTS: '100', RATE_LIMIT_WINDOW_SECONDS: '3600' });
    try {
      const query = unique('query($first: Int!) { organizations(first: $first) { edges { node { id } } } }');
      const answers: Raw[] = [];
      for (let i = 0; i < 20; i++) answers.push(await post(tight, { query, variables: { first: 10 } }));
      const costs = answers.filter((a) => a.status === 200).map((a) => JSON.parse(a.text).extensions.cost);
      const requested = costs[0].requested as number;
      expect(requested).toBeGreaterThan(1);
      // Every answer took exactly its price, the first (Apollo's) and the repeats alike.
      costs.forEach((cost, i) => expect(cost).toEqual({ requested, limit: 100, remaining: 100 - requested * (i + 1), windowSeconds: 3600 }));
      expect(costs).toHaveLength(Math.floor(100 / requested));
      const refused = answers.filter((a) => a.status !== 200);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.status).toBe(429);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        expect(JSON.parse(r.text).errors[0].extensions.code).toBe('RATE_LIMITED');
      }
    } finally {
      await tight.close();
    }
  });

  it('hands an answer with errors to Apollo to format, and the operation (and its read record) runs once', async () => {
    const token = await t.token('regulator');
    const [cycle] = rowsOf<{ year: number }>(await t.database.db.execute(sql`select year from rating_cycles where status = 'PUBLISHED' order by year desc limit 1`));
    const query = unique('query($year: Int!) { branchRatings(year: $year, first: 2) { edges { node { id grade } } } serviceAccounts(first: 1) { totalCount } }');
    const reads = async () => rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from data_access_log where actor_role = 'REGULATOR'`))[0]!.n;
    const before = await reads();
    const first = await post(t, { query, variables: { year: cycle!.year } }, { authorization: `Bearer ${token}` });
    const again = await post(t, { query, variables: { year: cycle!.year } }, { authorization: `Bearer ${token}` });
    expect(again).toEqual(first);
    const body = JSON.parse(first.text);
    expect(body.data.branchRatings.edges.length).toBeGreaterThan(0);
    expect(body.data.serviceAccounts).toBeNull();
    expect(body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['FORBIDDEN']);
    expect(body.extensions.cost.requested).toBeGreaterThan(0);
    expect(await reads()).toBe(before + 2);
  });

  it('answers variables that do not coerce with the same 400 BAD_USER_INPUT', async () => {
    const query = unique('query($first: Int!) { organizations(first: $first) { totalCount } }');
    expect((await post(t, { query, variables: { first: 1 } })).status).toBe(200);
    const bad = await post(t, { query, variables: { first: 'many' } });
    const badAgain = await post(t, { query, variables: { first: 'many' } });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(badAgain).toEqual(bad);
  });

  it('leaves other Accept headers, operation names and extensions to Apollo', async () => {
    const query = unique('query Directory { organizations(first: 1) { totalCount } }');
    const plain = await post(t, { query });
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    const graphqlResponse = await post(t, { query }, { accept: 'application/graphql-response+json' });
    expect(graphqlResponse.status).toBe(200);
    expect(graphqlResponse.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    const unknownName = await post(t, { query, operationName: 'Other' });
    expect(unknownName.status).toBe(400);
    expect(JSON.parse(unknownName.text).errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const named = await post(t, { query, operationName: 'Directory' });
    expect(JSON.parse(named.text).data).toEqual(JSON.parse(plain.text).data);
    // Automatic persisted queries are off (docs/TRUSTED-DOCUMENTS.md): Apollo answers them, refused.
    const withExtensions = await post(t, { query, extensions: { persistedQuery: { version: 2, sha256Hash: 'x' } } });
    expect(JSON.parse(withExtensions.text).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
  });

  it('runs a repeated mutation once per request: a new key a new suggestion, the same key a replay', async () => {
    const [org] = rowsOf<{ id: number; credit_code: string }>(await t.database.db.execute(sql`select id, credit_code from organizations where kind = 'SECURITIES_FIRM' order by id limit 1`));
    const firm = await t.token('firm', org!.credit_code);
    const submit = unique('mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id title } userErrors { code } } }');
    const input = (key: string) => ({ topic: 'FINTECH', title: `已知查询测试 ${key}`, body: '建议完善跨境数据流动的监管沙盒。', idempotencyKey: key });
    const rows = async (prefix: string) =>
      rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from suggestions where organization_id = ${org!.id} and idempotency_key like ${`${prefix}%`}`))[0]!.n;
    const prefix = `known-${fresh}-`;
    const answers: Raw[] = [];
    for (const key of ['a', 'b', 'b', 'c']) answers.push(await post(t, { query: submit, variables: { input: input(prefix + key) } }, { authorization: `Bearer ${firm}` }));
    const ids = answers.map((a) => JSON.parse(a.text).data.submitSuggestion.suggestion.id);
    expect(answers.every((a) => a.status === 200 && !JSON.parse(a.text).errors)).toBe(true);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBe(ids[1]);
    expect(await rows(prefix)).toBe(3);
    // A key reused with a different text is a user error, answered the same on both paths.
    const reused = await post(t, { query: submit, variables: { input: { ...input(prefix + 'a'), title: '另一条' } } }, { authorization: `Bearer ${firm}` });
    expect(JSON.parse(reused.text).data.submitSuggestion.userErrors).toEqual([{ code: 'IDEMPOTENCY_KEY_REUSED' }]);
    expect(await rows(prefix)).toBe(3);
  });
});

/** Runs `fn` and tells how the app's known-query path counted it and how often Apollo's pipeline was entered. */
async function watched<T>(app: TestApp, fn: () => Promise<T>): Promise<{ value: T; hits: number; misses: number; handedToApollo: number; apolloRuns: number }> {
  const before = { ...app.app.knownQueries };
  const spy = vi.spyOn(app.app.apollo, 'executeHTTPGraphQLRequest');
  try {
    const value = await fn();
    const now = app.app.knownQueries;
    return { value, hits: now.hits - before.hits, misses: now.misses - before.misses, handedToApollo: now.handedToApollo - before.handedToApollo, apolloRuns: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

// These fail when the path is not taken (answerKnownQuery always answering false) as well as when what it answers or
// charges differs from Apollo: the tests above pass either way, since Apollo answering every request is also correct.
describe('the known-query path is taken, and agrees with Apollo', () => {
  it('answers a repeated query itself, without entering Apollo, with Apollo\'s exact status, headers and bytes', async () => {
    const query = unique('query($first: Int!) { organizations(first: $first) { totalCount edges { node { id name } } } }');
    const token = await t.token('association');
    const first = await watched(t, () => post(t, { query, variables: { first: 2 } }, { authorization: `Bearer ${token}` }));
    expect(first).toMatchObject({ hits: 0, misses: 1, handedToApollo: 0, apolloRuns: 1 });
    const again = await watched(t, () => post(t, { query, variables: { first: 2 } }, { authorization: `Bearer ${token}` }));
    expect(again).toMatchObject({ hits: 1, misses: 0, handedToApollo: 0, apolloRuns: 0 });
    expect(again.value).toEqual(first.value);
    expect(again.value.text.endsWith('}\n')).toBe(true);
    // A named operation, and an empty variables object, are the same known operation.
    const named = unique('query Pair { organizations(first: 2) { edges { node { id } } } }');
    const apollo = await watched(t, () => post(t, { query: named, operationName: 'Pair', variables: null }));
    const fast = await watched(t, () => post(t, { query: named, operationName: 'Pair', variables: {} }));
    expect([apollo.apolloRuns, fast.apolloRuns, fast.hits]).toEqual([1, 0, 1]);
    expect(fast.value).toEqual(apollo.value);
  });

  it('charges and reports on the path exactly what Apollo charges and reports, request after request', async () => {
    const tight = await createTestApp({ RATE_LIMIT_POINTS: '1000', RATE_LIMIT_WINDOW_SECONDS: '3600' });
    try {
      expect(tight.app.knownQueries).toEqual({ hits: 0, statementAnswers: 0, misses: 0, handedToApollo: 0 });
      const query = unique('query($first: Int!) { organizations(first: $first) { edges { node { id branches(first: 2) { totalCount } } } } }');
      const byApollo = await watched(tight, () => post(tight, { query, variables: { first: 5 } }));
      const onPath = await watched(tight, () => post(tight, { query, variables: { first: 5 } }));
      // The same request once more through Apollo (an Accept header the path leaves alone), for Apollo's price now.
      const byApolloAgain = await watched(tight, () => post(tight, { query, variables: { first: 5 } }, { accept: 'application/json, */*' }));
      expect([byApollo.apolloRuns, onPath.apolloRuns, onPath.hits, byApolloAgain.apolloRuns, byApolloAgain.misses]).toEqual([1, 0, 1, 1, 1]);
      const costs = [byApollo, onPath, byApolloAgain].map((r) => JSON.parse(r.value.text).extensions.cost);
      const requested = costs[0].requested as number;
      expect(requested).toBeGreaterThan(5);
      expect(costs).toEqual([1, 2, 3].map((n) => ({ requested, limit: 1000, remaining: 1000 - n * requested, windowSeconds: 3600 })));
      expect(JSON.parse(onPath.value.text).data).toEqual(JSON.parse(byApollo.value.text).data);
      // Another app counts its own requests only.
      expect(t.app.knownQueries).not.toBe(tight.app.knownQueries);
    } finally {
      await tight.close();
    }
  });

  it('hands an answer with errors to Apollo with its price: formatted by Apollo, charged once, run once', async () => {
    const tight = await createTestApp({ RATE_LIMIT_POINTS: '1000', RATE_LIMIT_WINDOW_SECONDS: '3600' });
    try {
      const token = await tight.token('regulator');
      const query = unique('query { serviceAccounts(first: 1) { totalCount } organizations(first: 1) { totalCount } }');
      const first = await watched(tight, () => post(tight, { query }, { authorization: `Bearer ${token}` }));
      const again = await watched(tight, () => post(tight, { query }, { authorization: `Bearer ${token}` }));
      expect(again).toMatchObject({ hits: 0, misses: 0, handedToApollo: 1, apolloRuns: 1 });
      const [a, b] = [first, again].map((r) => JSON.parse(r.value.text));
      expect(b.errors).toEqual(a.errors);
      expect(b.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['FORBIDDEN']);
      expect(b.data).toEqual(a.data);
      expect(again.value.status).toBe(first.value.status);
      const requested = a.extensions.cost.requested as number;
      expect([a.extensions.cost.remaining, b.extensions.cost.remaining]).toEqual([1000 - requested, 1000 - 2 * requested]);
    } finally {
      await tight.close();
    }
  });

  it('counts as misses the POSTs it leaves to Apollo: texts not yet known, extensions, other content types and Accept headers', async () => {
    const query = unique('{ organizations(first: 1) { totalCount } }');
    const unknown = await watched(t, () => post(t, { query }));
    const extensions = await watched(t, () => post(t, { query, extensions: { tag: 1 } }));
    const accept = await watched(t, () => post(t, { query }, { accept: 'application/graphql-response+json' }));
    const known = await watched(t, () => post(t, { query }));
    expect([unknown, extensions, accept, known].map((r) => [r.misses, r.hits, r.apolloRuns])).toEqual([
      [1, 0, 1],
      [1, 0, 1],
      [1, 0, 1],
      [0, 1, 0],
    ]);
  });
});
