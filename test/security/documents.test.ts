// Hostile documents: every limit answers 400 with its code (and `extensions.limit` for the document limits) before
// anything runs; typos never earn a schema hint; production mode hides introspection and masks unexpected errors.
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/logger.js';
import { createApp } from '../../src/server/app.js';
import { defaultDocumentLimits } from '../../src/graphql/limits.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { expectEachTestWritesNothing, expectNoLeak, expectRefused, post } from './support.js';

let t: TestApp;
let firmToken: string;

beforeAll(async () => {
  t = await createTestApp();
  firmToken = await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM'));
});
afterAll(async () => {
  await t?.close();
});
expectEachTestWritesNothing(() => t);

const gql = (query: string, variables?: Record<string, unknown>, token?: string) => t.gql(query, variables, { token });

/** Refused during validation: 400, GRAPHQL_VALIDATION_FAILED with the limit named, no data at all. */
async function overLimit(query: string, limit: string, target = t) {
  const res = await target.gql(query);
  expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
  expect(res.body.errors![0]!.extensions!.limit).toBe(limit);
  expect(res.body.data).toBeUndefined();
  return res;
}

const nest = (levels: number, leaf = 'id'): string => (levels === 0 ? leaf : `firm { branches(first: 1) { edges { node { ${nest(levels - 1, leaf)} } } } }`);

describe('documents: limits', () => {
  it(`a depth bomb (deeper than QUERY_MAX_DEPTH = ${defaultDocumentLimits.maxDepth}) is 400 with limit "depth"`, async () => {
    await overLimit(`{ organizations(first: 1) { edges { node { branches(first: 1) { edges { node { ${nest(20)} } } } } } } }`, 'depth');
  });

  it('a depth bomb hidden in fragments is measured through them', async () => {
    const fragments = Array.from({ length: 14 }, (_, i) => `fragment D${i} on Organization { branches(first: 1) { edges { node { firm { ${i === 13 ? 'id' : `...D${i + 1}`} } } } } }`).join('\n');
    await overLimit(`{ organizations(first: 1) { edges { node { ...D0 } } } } ${fragments}`, 'depth');
  });

  it(`an alias flood (more than QUERY_MAX_ALIASES = ${defaultDocumentLimits.maxAliases}) is 400 with limit "aliases", the mutation never runs`, async () => {
    const fields = Array.from({ length: defaultDocumentLimits.maxAliases + 1 }, (_, i) => `s${i}: submitSuggestion(input: { topic: OTHER, title: "别名 ${i}", body: "x" }) { userErrors { code } }`);
    const res = await post(t, JSON.stringify({ query: `mutation { ${fields.join(' ')} }` }), { 'content-type': 'application/json', authorization: `Bearer ${firmToken}` });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors![0]!.extensions!.limit).toBe('aliases');
  });

  it(`duplicated fields (the same field 1,000 times) are 400 GRAPHQL_VALIDATION_FAILED`, async () => {
    const res = await gql(`{ viewer { ${'role '.repeat(1000)} } }`);
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it(`a directive flood (more than QUERY_MAX_DIRECTIVES = ${defaultDocumentLimits.maxDirectives}) is 400 with limit "directives"`, async () => {
    await overLimit(`{ viewer { ${Array.from({ length: 200 }, () => 'role @include(if: true) @skip(if: false)').join(' ')} } }`, 'directives');
  });

  it('a fragment cycle is 400 GRAPHQL_VALIDATION_FAILED, not a hang', async () => {
    const res = await gql('query { viewer { ...A } } fragment A on Viewer { role ...B } fragment B on Viewer { organization { id } ...A }');
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it(`a fragment expansion bomb (2^400 fields from 400 lines) is 400 with limit "breadth", measured in linear time`, async () => {
    const n = 400;
    const fragments = Array.from({ length: n }, (_, i) => (i === n - 1 ? `fragment F${i} on Query { viewer { role } }` : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`));
    await overLimit(`query { ...F0 } ${fragments.join('\n')}`, 'breadth');
  }, 10_000);

  it(`a breadth flood (more than QUERY_MAX_BREADTH = ${defaultDocumentLimits.maxBreadth} fields) is 400 with limit "breadth"`, async () => {
    await overLimit(`{ ${Array.from({ length: 20 }, (_, i) => `o${i}: organizations(first: 1) { edges { node { ${'id name kind creditCode district address shortName nameEn stockCode memberSince '.repeat(2)} } } }`).join(' ')} }`, 'breadth');
  });

  it(`a 20,000-token document (over QUERY_MAX_TOKENS = ${defaultDocumentLimits.maxTokens}) is 400 GRAPHQL_PARSE_FAILED, not 500`, async () => {
    const query = `{ viewer { ${'role '.repeat(20_000)} } }`;
    const res = await gql(query);
    expectRefused(res, 400, 'GRAPHQL_PARSE_FAILED');
  });

  it('a document just within every limit is answered', async () => {
    // Exactly QUERY_MAX_DEPTH (12) levels deep.
    const res = await gql(`{ organizations(first: 1) { edges { node { branches(first: 1) { edges { node { ${nest(1, 'firm { id }')} } } } } } } }`);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('an operation type the schema does not have (subscription) is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await gql('subscription { suggestionSubmitted { id } }');
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('a syntax error is 400 GRAPHQL_PARSE_FAILED', async () => {
    expectRefused(await gql('{ viewer { role '), 400, 'GRAPHQL_PARSE_FAILED');
  });
});

describe('documents: limits follow the configuration', () => {
  let tight: TestApp;
  beforeAll(async () => {
    tight = await createTestApp({ QUERY_MAX_DEPTH: '4', QUERY_MAX_ALIASES: '2', QUERY_MAX_DIRECTIVES: '1', QUERY_MAX_TOKENS: '200', QUERY_MAX_BREADTH: '20' });
  });
  afterAll(async () => {
    await tight?.close();
  });

  it('QUERY_MAX_DEPTH, QUERY_MAX_ALIASES, QUERY_MAX_DIRECTIVES and QUERY_MAX_BREADTH are the limits enforced', async () => {
    expect((await tight.gql('{ viewer { organization { branches { totalCount } } } }')).body.errors).toBeUndefined();
    await overLimit('{ viewer { organization { branches { edges { node { id } } } } } }', 'depth', tight);
    await overLimit('{ a: viewer { role } b: viewer { role } c: viewer { role } }', 'aliases', tight);
    await overLimit('{ viewer { role @include(if: true) organization @skip(if: false) { id } } }', 'directives', tight);
    await overLimit(`{ viewer { ${'role '.repeat(25)} } }`, 'breadth', tight);
  });

  it('the defaults are depth 12, breadth 300, aliases 30, directives 20, tokens 5000, complexity 20000', () => {
    expect(loadConfig({})).toMatchObject({ QUERY_MAX_DEPTH: 12, QUERY_MAX_BREADTH: 300, QUERY_MAX_ALIASES: 30, QUERY_MAX_DIRECTIVES: 20, QUERY_MAX_TOKENS: 5000, QUERY_MAX_COMPLEXITY: 20_000 });
    expect(() => loadConfig({ QUERY_MAX_DEPTH: '0', QUERY_MAX_TOKENS: 'many' })).toThrow(/QUERY_MAX_DEPTH[\s\S]*QUERY_MAX_TOKENS/);
  });

  it('QUERY_MAX_TOKENS is the parser limit: 400 GRAPHQL_PARSE_FAILED', async () => {
    expectRefused(await tight.gql(`{ viewer { ${'role '.repeat(250)} } }`), 400, 'GRAPHQL_PARSE_FAILED');
  });
});

describe('documents: typos never produce a suggestion', () => {
  it.each([
    ['a field name', '{ organizationz(first: 1) { totalCount } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['an argument name', '{ organizations(frist: 1) { totalCount } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['a type in a fragment condition', '{ viewer { ...V } } fragment V on Veiwer { role }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['a type in a variable definition', 'query($k: OrganisationKind) { organizations(filter: { kind: $k }) { totalCount } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['an enum value written in the document', '{ organizations(filter: { kind: SECURITIES_FIRMS }) { totalCount } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['an input field written in the document', '{ organizations(filter: { kinds: SECURITIES_FIRM }) { totalCount } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['a directive name', '{ viewer { role @inclued(if: true) } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['an enum value in variables', 'query($k: OrganizationKind) { organizations(filter: { kind: $k }) { totalCount } }', { k: 'SECURITIES_FIRMS' }, 400, 'BAD_USER_INPUT'],
    ['an input field name in variables', 'query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }', { f: { kinds: 'SECURITIES_FIRM', serach: 'x' } }, 400, 'BAD_USER_INPUT'],
    ['an enum value nested in a mutation input in variables', 'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { userErrors { code } } }', { i: { topic: 'QIANHA', title: 'x', body: 'y' } }, 400, 'BAD_USER_INPUT'],
    ['an input field name nested in a mutation input in variables', 'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { userErrors { code } } }', { i: { topic: 'QIANHAI', titel: 'x', body: 'y' } }, 400, 'BAD_USER_INPUT'],
  ] as const)('%s: refused with its code, without "Did you mean"', async (_what, query, variables, status, code) => {
    const res = await gql(query, variables as Record<string, unknown> | undefined, firmToken);
    expectRefused(res, status, code);
    expect(res.text).not.toMatch(/did you mean/i);
  });
});

describe('documents: production mode', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await createTestApp({ NODE_ENV: 'production' });
  });
  afterAll(async () => {
    await prod?.close();
  });

  it('introspection is off: __schema is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await prod.gql('{ __schema { types { name } } }');
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.text).not.toMatch(/Organization|Suggestion|BranchRating/);
  });

  it('introspection is off: __type is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    expectRefused(await prod.gql('{ __type(name: "BranchRating") { fields { name } } }'), 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it('__typename still answers (clients rely on it)', async () => {
    expect((await prod.gql('{ __typename viewer { __typename role } }')).body.data).toEqual({ __typename: 'Query', viewer: { __typename: 'Viewer', role: 'ANONYMOUS' } });
  });

  it('the explorer page and its assets are 404', async () => {
    const page = await fetch(`${prod.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    expect(await page.text()).not.toMatch(/<html/i);
    expect((await fetch(`${prod.url}/ruru-static/ruru.min.js`)).status).toBe(404);
  });

  it('typos are answered without suggestions in production too', async () => {
    const res = await prod.gql('query($k: OrganizationKind) { organizationz { totalCount } organizations(filter: { kind: $k }) { totalCount } }', { k: 'FUND' });
    expect(res.status).toBe(400);
    expectNoLeak(res.text);
  });
});

describe('documents: unexpected errors in production', () => {
  // An app on the test database with a logger we can read, as main.ts builds it in production.
  const lines: string[] = [];
  let app: Awaited<ReturnType<typeof createApp>>;
  let url: string;
  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: t.config.DATA_DIR, LOG_LEVEL: 'error', RATE_LIMIT_POINTS: '0' });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('error', sink);
    const verifier = createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys: t.keys });
    app = await createApp({ config, logger, database: t.database, schema, verifier, issuerKeys: t.keys });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => app?.server.close(resolve));
    await app?.apollo.stop();
  });

  it('a database failure is masked to "Internal server error" with no stack, SQL or parameter, and logged in full but redacted', async () => {
    const secretSearch = 'needle-4f1c9a';
    // Break a table the resolver reads, as an outage or a bad migration would; restored right after.
    await t.database.db.execute(sql`alter table organizations rename to organizations_away`);
    let res: Response;
    try {
      res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query($s: String) { organizations(first: 5, filter: { search: $s }) { totalCount edges { node { id } } } }', variables: { s: secretSearch } }),
      });
    } finally {
      await t.database.db.execute(sql`alter table organizations_away rename to organizations`);
    }
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.errors).toEqual([{ message: '服务器内部错误', path: ['organizations'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(body.data).toBeNull();
    expectNoLeak(text);
    expect(text).not.toContain(secretSearch);
    // The server log has the detail a diagnosis needs (the SQL text and the cause), but not the bound values.
    const logged = lines.join('\n');
    expect(logged).toMatch(/unexpected error/);
    expect(logged).toMatch(/organizations/);
    expect(logged).not.toContain(secretSearch);
  });
});
