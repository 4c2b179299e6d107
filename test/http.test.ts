import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/harness.js';
import { LEAK } from './security/support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: 'https://partner.example', BODY_LIMIT_BYTES: '100000' });
});
afterAll(async () => {
  await t?.close();
});


describe('HTTP endpoints', () => {
  it('/healthz and /readyz answer 200', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('/schema.graphql serves the printed SDL', async () => {
    const text = await (await fetch(`${t.url}/schema.graphql`)).text();
    expect(text).toMatch(/type Query/);
    expect(text).toMatch(/organizations\(/);
  });

  it('serves an explorer page whose assets are all local', async () => {
    const res = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toMatch(/<html/i);
    const external = [...html.matchAll(/(?:src|href)=["'](https?:)?\/\/([^"'/]+)/g)].map((m) => m[2]);
    expect(external).toEqual([]);
    const assets = [...html.matchAll(/(?:src|href)=["'](\/ruru-static\/[^"']+)/g)].map((m) => m[1]!);
    for (const asset of assets) expect((await fetch(`${t.url}${asset}`)).status).toBe(200);
  });

  it('GET serves queries but never mutations', async () => {
    const q = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(((await q.json()) as any).data.viewer.role).toBe('ANONYMOUS');
    const m = await fetch(`${t.url}/graphql?query=${encodeURIComponent('mutation { removeContact(input: {id: "x"}) { userErrors { code } } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(m.status).toBe(405);
  });

  it('blocks CSRF-prone requests: simple GETs without a preflight header, and form posts', async () => {
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`);
    expect(get.status).toBe(400);
    const form = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query={viewer{role}}' });
    expect(form.status).toBe(400);
    const text = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{viewer{role}}"}' });
    expect(text.status).toBe(400);
  });

  it('refuses batched requests, truncated JSON and bodies over the limit', async () => {
    const batch = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ query: '{viewer{role}}' }, { query: '{viewer{role}}' }]) });
    expect(batch.status).toBe(400);
    const truncated = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ viewer' });
    expect(truncated.status).toBe(400);
    expect(await truncated.text()).not.toMatch(LEAK);
    const big = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ viewer { role } } # ${'x'.repeat(150000)}` }) });
    expect(big.status).toBe(413);
    const variablesString = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{viewer{role}}', variables: 'oops' }) });
    expect(variablesString.status).toBe(400);
  });

  it('answers CORS only for configured origins', async () => {
    const ok = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://partner.example', 'access-control-request-method': 'POST' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://partner.example');
    const no = await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('strips suggestions and never leaks internals in errors', async () => {
    const typo = await t.gql('{ organizationz(first: 1) { totalCount } }');
    expect(typo.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.text).not.toMatch(LEAK);
    const enumTypo = await t.gql('query($k: OrganizationKind) { organizations(filter: { kind: $k }) { totalCount } }', { k: 'SECURITIES_FIRMS' });
    expect(enumTypo.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(enumTypo.text).not.toMatch(LEAK);
    const inputTypo = await t.gql('query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }', { f: { kinds: 'X' } });
    expect(inputTypo.text).not.toMatch(LEAK);
    const parse = await t.gql('{ viewer { ');
    expect(parse.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses documents with too many tokens with 400, not 500', async () => {
    const query = `{ ${Array.from({ length: 3000 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`;
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    expect(res.status).toBe(400);
  });

  it('echoes a request id', async () => {
    const res = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });
});
