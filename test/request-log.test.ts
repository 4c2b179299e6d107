// The request log line (issue 21): operation name, principal (the token's subject, never the token), status, error
// codes and, with LOG_STATEMENT_COUNTS=true, the statement count, the same on the known-query path and Apollo's.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { schema } from '../src/graphql/schema.js';
import { createLogger } from '../src/logger.js';
import { createApp, type App } from '../src/server/app.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

interface LoggedApp {
  app: App;
  url: string;
  lines: Record<string, any>[];
  close(): Promise<void>;
}

/** An app on the test database, as main.ts builds it, with a logger whose lines we read. */
async function loggedApp(env: Record<string, string>): Promise<LoggedApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: t.config.DATA_DIR,
    LOG_LEVEL: 'info',
    RATE_LIMIT_POINTS: '1000000',
    ...(t.config.DATABASE_URL ? { DATABASE_URL: t.config.DATABASE_URL } : {}),
    ...env,
  });
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const verifier = createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys: t.keys });
  const app = await createApp({ config, logger: createLogger('info', sink), database: t.database, schema, verifier, issuerKeys: t.keys });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return {
    app,
    url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    lines,
    async close() {
      await new Promise((resolve) => app.server.close(resolve));
      await app.apollo.stop();
    },
  };
}

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; requestId: string }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  await res.text();
  return { status: res.status, requestId: res.headers.get('x-request-id')! };
}

/** The request line of one request (written in the `finally` after the answer: wait a tick for it). */
async function lineOf(logged: LoggedApp, requestId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 50; i++) {
    const line = logged.lines.find((l) => l.msg === 'request' && l.requestId === requestId);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no request line for ${requestId}`);
}

const ORGS = 'query DirectoryPage($first: Int!) { organizations(first: $first) { edges { node { name } } } }';

describe('the request log line', () => {
  let logged: LoggedApp;
  beforeAll(async () => {
    logged = await loggedApp({ LOG_STATEMENT_COUNTS: 'true' });
  });
  afterAll(async () => {
    await logged?.close();
  });

  it("Apollo's path and the known-query path log the same operation, principal, status and statement count", async () => {
    const token = await t.token('association');
    const hitsBefore = logged.app.knownQueries.hits;
    const first = await post(logged.url, { query: ORGS, variables: { first: 3 } }, token);
    const second = await post(logged.url, { query: ORGS, variables: { first: 3 } }, token);
    expect(logged.app.knownQueries.hits).toBe(hitsBefore + 1); // the second took the known-query path
    const viaApollo = await lineOf(logged, first.requestId);
    const viaKnown = await lineOf(logged, second.requestId);
    for (const line of [viaApollo, viaKnown]) {
      expect(line).toMatchObject({ method: 'POST', path: '/graphql', status: 200, operation: 'DirectoryPage', principal: 'test:association:' });
      expect(line.errorCodes).toBeUndefined();
      expect(line.statements).toBeGreaterThan(0);
    }
    expect(viaKnown.statements).toBe(viaApollo.statements);
    // The token itself is never logged, in any line.
    expect(JSON.stringify(logged.lines)).not.toContain(token);
  });

  it('anonymous callers are "anonymous"; an operation without a name has no operation field', async () => {
    const { requestId } = await post(logged.url, { query: '{ organizations(first: 1) { totalCount } }' });
    const line = await lineOf(logged, requestId);
    expect(line).toMatchObject({ status: 200, principal: 'anonymous' });
    expect(line.operation).toBeUndefined();
  });

  it('error codes: a document that does not validate, a bad token, a malformed body', async () => {
    const invalid = await post(logged.url, { query: 'query Broken { nope }', operationName: 'Broken' });
    expect(await lineOf(logged, invalid.requestId)).toMatchObject({ status: 400, operation: 'Broken', principal: 'anonymous', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] });

    const badToken = await post(logged.url, { query: ORGS, variables: { first: 1 } }, 'not.a.token');
    const unauthenticated = await lineOf(logged, badToken.requestId);
    expect(unauthenticated).toMatchObject({ status: 401, errorCodes: ['UNAUTHENTICATED'] });
    expect(JSON.stringify(unauthenticated)).not.toContain('not.a.token');

    const res = await fetch(`${logged.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    await res.text();
    expect(await lineOf(logged, res.headers.get('x-request-id')!)).toMatchObject({ status: 400, errorCodes: ['BAD_REQUEST'] });
  });

  it('an error in a known operation is answered by Apollo and logged with its code', async () => {
    // A negative page size is refused at run time: the known-query path runs it, then hands the errors to Apollo to format.
    const query = 'query Page($first: Int!) { organizations(first: $first) { edges { node { name } } } }';
    await post(logged.url, { query, variables: { first: 2 } });
    const handedBefore = logged.app.knownQueries.handedToApollo;
    const { requestId, status } = await post(logged.url, { query, variables: { first: -1 } });
    expect(logged.app.knownQueries.handedToApollo).toBe(handedBefore + 1);
    const line = await lineOf(logged, requestId);
    expect(line).toMatchObject({ status, operation: 'Page', principal: 'anonymous' });
    expect(line.errorCodes?.length).toBeGreaterThan(0);
  });
});

describe('without LOG_STATEMENT_COUNTS (the default)', () => {
  it('the line has no statement count', async () => {
    const logged = await loggedApp({});
    try {
      const { requestId } = await post(logged.url, { query: ORGS, variables: { first: 1 } });
      const line = await lineOf(logged, requestId);
      expect(line).toMatchObject({ status: 200, operation: 'DirectoryPage', principal: 'anonymous' });
      expect(line.statements).toBeUndefined();
    } finally {
      await logged.close();
    }
  });
});
