// Hostile transport: every way of sending a request that is not a plain JSON POST (or a preflighted GET query) is
// refused with its documented status and code, writes nothing, leaks nothing, and leaves the server answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { expectEachTestWritesNothing, expectNoLeak, expectRefused, expectStillUp, fingerprint, post, rawExchange } from './support.js';

const BODY_LIMIT = 20_000;
const HEADER_LIMIT = 8192;

let t: TestApp;
let firmToken: string;

const SUBMIT = 'mutation { submitSuggestion(input: { topic: OTHER, title: "跨站提交", body: "不应写入" }) { suggestion { id } userErrors { code } } }';
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: String(BODY_LIMIT), MAX_HEADER_BYTES: String(HEADER_LIMIT) });
  firmToken = await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM'));
});
afterAll(async () => {
  await t?.close();
});
expectEachTestWritesNothing(() => t);

const auth = () => ({ authorization: `Bearer ${firmToken}` });

describe('transport: refused before any GraphQL runs', () => {
  it('a mutation sent with GET is 405 BAD_REQUEST (GET serves queries only)', async () => {
    const res = await fetch(`${t.url}/graphql?query=${encodeURIComponent(SUBMIT)}`, { headers: { 'apollo-require-preflight': 'true', ...auth() } });
    const text = await res.text();
    expectRefused({ status: res.status, text, body: JSON.parse(text) }, 405, 'BAD_REQUEST');
  });

  it('a GET query without a preflight-forcing header is refused as CSRF: 400 BAD_REQUEST', async () => {
    const res = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`, { headers: auth() });
    const text = await res.text();
    expectRefused({ status: res.status, text, body: JSON.parse(text) }, 400, 'BAD_REQUEST');
  });

  it('a form-encoded POST (a cross-site form) is 400 BAD_REQUEST', async () => {
    const res = await post(t, new URLSearchParams({ query: SUBMIT }).toString(), { 'content-type': 'application/x-www-form-urlencoded', ...auth() });
    expectRefused(res, 400, 'BAD_REQUEST');
  });

  it('a multipart POST (a cross-site form upload) is 400 BAD_REQUEST', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: SUBMIT }));
    form.set('map', '{}');
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', body: form, headers: auth() });
    const text = await res.text();
    expectRefused({ status: res.status, text, body: JSON.parse(text) }, 400, 'BAD_REQUEST');
  });

  it('a multipart POST even with the preflight header is 400 BAD_REQUEST (no uploads)', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: SUBMIT }));
    form.set('map', '{}');
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', body: form, headers: { 'apollo-require-preflight': 'true', ...auth() } });
    const text = await res.text();
    expectRefused({ status: res.status, text, body: JSON.parse(text) }, 400, 'BAD_REQUEST');
  });

  it('a text/plain POST (no preflight in browsers) is 400 BAD_REQUEST', async () => {
    const res = await post(t, JSON.stringify({ query: SUBMIT }), { 'content-type': 'text/plain', ...auth() });
    expectRefused(res, 400, 'BAD_REQUEST');
  });

  it('a batched array body is 400 BAD_REQUEST, and none of its operations runs', async () => {
    const res = await post(t, JSON.stringify([{ query: SUBMIT }, { query: SUBMIT }]), { ...json, ...auth() });
    expectRefused(res, 400, 'BAD_REQUEST');
  });

  it('variables nested deeper than 64 levels are 400 JSON_TOO_DEEP, cheaply, in a POST body and in a GET', async () => {
    // 3,000 levels fit under the body limit and would overflow anything that walks the JSON recursively.
    const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    const started = performance.now();
    const res = await post(t, `{"query":"mutation($v: String) { submitSuggestion(input: { topic: OTHER, title: \\"t\\", body: \\"b\\" }) { userErrors { code } } }","variables":{"v":${deep}}}`, { ...json, ...auth() });
    expectRefused(res, 400, 'JSON_TOO_DEEP');
    expect(performance.now() - started).toBeLessThan(5_000); // cheap: not a timing assertion of speed, a guard against hanging
    const shallowEnoughForAUrl = `${'['.repeat(100)}${']'.repeat(100)}`;
    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('query($v: String) { __typename }')}&variables=${encodeURIComponent(`{"v":${shallowEnoughForAUrl}}`)}`, { headers: { 'apollo-require-preflight': 'true', ...auth() } });
    const text = await get.text();
    expectRefused({ status: get.status, text, body: JSON.parse(text) }, 400, 'JSON_TOO_DEEP');
    await expectStillUp(t);
  });

  it('brackets inside strings do not count as nesting: a variable full of them is answered', async () => {
    const query = 'query($s: String) { organizations(first: 1, filter: { search: $s }) { totalCount } }';
    const res = await post(t, JSON.stringify({ query, variables: { s: `"${'{['.repeat(500)}\\"` } }), { ...json, ...auth() });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.body.data).toEqual({ organizations: { totalCount: 0 } });
  });

  it(`a body over BODY_LIMIT_BYTES (${BODY_LIMIT}) is 413 PAYLOAD_TOO_LARGE, judged by its Content-Length`, async () => {
    const res = await post(t, JSON.stringify({ query: `${SUBMIT} # ${'x'.repeat(BODY_LIMIT)}` }), { ...json, ...auth() });
    expectRefused(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a chunked body that grows past the limit is 413 PAYLOAD_TOO_LARGE without being buffered whole', async () => {
    const chunk = 'x'.repeat(8000);
    const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const body = Array.from({ length: 5 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const { text } = await rawExchange(t, [head, ...body, '0\r\n\r\n'], { gapMs: 20 });
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toContain('"PAYLOAD_TOO_LARGE"');
    expectNoLeak(text);
  });

  it('truncated JSON is 400 BAD_REQUEST', async () => {
    const res = await post(t, '{"query": "mutation { submitSuggestion(input: {', { ...json, ...auth() });
    expectRefused(res, 400, 'BAD_REQUEST');
  });

  it('variables sent as a JSON string is 400 BAD_REQUEST', async () => {
    const res = await post(t, JSON.stringify({ query: 'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { userErrors { code } } }', variables: JSON.stringify({ i: {} }) }), { ...json, ...auth() });
    expectRefused(res, 400, 'BAD_REQUEST');
  });

  it('a query that is not a string is 400 BAD_REQUEST', async () => {
    const res = await post(t, JSON.stringify({ query: { mutation: 'submitSuggestion' } }), { ...json, ...auth() });
    expectRefused(res, 400, 'BAD_REQUEST');
  });

  it('a JSON body without a query (null, {}) is 400 BAD_REQUEST', async () => {
    expectRefused(await post(t, 'null', json), 400, 'BAD_REQUEST');
    expectRefused(await post(t, '{}', json), 400, 'BAD_REQUEST');
  });

  it('methods other than GET, POST and OPTIONS are 405', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${t.url}/graphql`, { method, headers: { ...json, ...auth() }, body: JSON.stringify({ query: SUBMIT }) });
      const text = await res.text();
      expectRefused({ status: res.status, text, body: JSON.parse(text) }, 405, 'BAD_REQUEST');
      expect(res.headers.get('allow')).toBe('GET, POST, OPTIONS');
    }
  });

  it('an operationName that names no operation is 400 OPERATION_RESOLUTION_FAILURE', async () => {
    const res = await post(t, JSON.stringify({ query: SUBMIT.replace('mutation', 'mutation Submit'), operationName: 'Other' }), { ...json, ...auth() });
    expectRefused(res, 400, 'OPERATION_RESOLUTION_FAILURE');
  });

  it(`headers larger than MAX_HEADER_BYTES (${HEADER_LIMIT}) are 431 and the connection is closed`, async () => {
    const res = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { ...json, ...auth(), 'x-padding': 'a'.repeat(HEADER_LIMIT + 1) }, body: JSON.stringify({ query: SUBMIT }) });
    expect(res.status).toBe(431);
    expectNoLeak(await res.text());
  });

  it('a bare CR/LF-smuggled header is a 400 from the HTTP parser, not a request', async () => {
    const { text } = await rawExchange(t, [`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}`]);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expectNoLeak(text);
  });
});

describe('transport: slow clients', () => {
  let slow: TestApp;
  beforeAll(async () => {
    // Short deadlines make the behaviour observable; the defaults are 10 s for headers and 30 s per request.
    slow = await createTestApp({ HTTP_HEADERS_TIMEOUT_MS: '400', HTTP_REQUEST_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await slow?.close();
  });

  it('the defaults are 10 s for headers, 30 s per request, 16 KiB of headers; a headers deadline past the request deadline is refused', () => {
    expect(loadConfig({})).toMatchObject({ HTTP_HEADERS_TIMEOUT_MS: 10_000, HTTP_REQUEST_TIMEOUT_MS: 30_000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 5000, MAX_HEADER_BYTES: 16_384, TRUST_PROXY_HOPS: 0 });
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
  });

  it('headers trickled slower than HTTP_HEADERS_TIMEOUT_MS get 408 and a closed connection', async () => {
    const lines = ['POST /graphql HTTP/1.1\r\n', 'Host: localhost\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: 1\r\n`)];
    const { text, closed } = await rawExchange(slow, lines, { gapMs: 150, maxMs: 8000 });
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    await expectStillUp(slow);
  });

  it('a body trickled past HTTP_REQUEST_TIMEOUT_MS gets 408, and what was sent is not executed', async () => {
    const before = await fingerprint(slow);
    const body = JSON.stringify({ query: SUBMIT });
    const head = `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: Bearer ${firmToken}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const { text, closed } = await rawExchange(slow, [head, ...body.slice(0, 40).split('')], { gapMs: 100, maxMs: 8000 });
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(await fingerprint(slow)).toEqual(before);
    await expectStillUp(slow);
  });
});

describe('transport: client addresses behind a load balancer', () => {
  let proxied: TestApp;
  beforeAll(async () => {
    proxied = await createTestApp({ TRUST_PROXY_HOPS: '1', RATE_LIMIT_POINTS: '60' });
  });
  afterAll(async () => {
    await proxied?.close();
  });

  // About 22 points each against a budget of 60.
  const ask = (forwardedFor: string) => proxied.gql('{ organizations(first: 20) { edges { node { id } } } }', undefined, { headers: { 'x-forwarded-for': forwardedFor } });

  it('anonymous budgets are per client address as the trusted proxy saw it, and a client cannot pick a fresh one', async () => {
    let status = 200;
    for (let i = 0; i < 5 && status === 200; i++) status = (await ask('203.0.113.7')).status;
    expect(status).toBe(429);
    // A client prepending its own X-Forwarded-For entries is still the address the proxy appended.
    const spoofed = await ask('198.51.100.99, 203.0.113.7');
    expectRefused(spoofed, 429, 'RATE_LIMITED');
    expect(spoofed.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another client behind the same proxy has its own budget.
    expect((await ask('203.0.113.8')).status).toBe(200);
    await expectStillUp(proxied);
  });
});
