// No library talks to clients: the refusals Apollo Server words itself (introspection off, a possible CSRF, an
// automatic persisted query, which this server does not take: docs/TRUSTED-DOCUMENTS.md) answer in the project's own words and codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/harness.js';
import { post } from './support.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ GRAPHQL_INTROSPECTION: 'false' });
});
afterAll(async () => {
  await t?.close();
});

const library = /apollo|ApolloServer|introspection: true|csrfPrevention|provided sha/i;

describe('refusals in the project\'s words', () => {
  it('introspection turned off: 400 GRAPHQL_VALIDATION_FAILED, naming no library or option', async () => {
    const res = await t.gql('{ __schema { types { name } } }');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors?.[0]?.message).toMatch(/^本服务器已关闭内省查询/);
    expect(res.text).not.toMatch(library);
  });

  it('a GET query without a preflight header: 400 BAD_REQUEST naming the header to send; with X-Requested-With it is answered', async () => {
    const url = `${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const refused = await fetch(url);
    const text = await refused.text();
    expect(refused.status).toBe(400);
    expect(JSON.parse(text).errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    expect(JSON.parse(text).errors[0].message).toContain('X-Requested-With');
    expect(text).not.toMatch(library);
    const answered = await fetch(url, { headers: { 'x-requested-with': 'curl' } });
    expect(answered.status).toBe(200);
    expect(await answered.json()).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('an automatic persisted query (APQ is off): PERSISTED_QUERY_NOT_SUPPORTED naming trusted documents, with or without the text', async () => {
    for (const body of [
      { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } },
    ]) {
      const res = await post(t, JSON.stringify(body), { 'content-type': 'application/json', 'accept-language': 'en' });
      // 200, as Apollo's APQ links expect before they fall back to sending the text.
      expect(res.status).toBe(200);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
      expect(res.body.errors?.[0]?.message).toContain('documentId');
      expect(res.text).not.toMatch(library);
    }
  });
});
