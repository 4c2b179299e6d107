// The one test client: a fresh copy of the seeded template database, the real HTTP app on a free port, and tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { AssociationCode } from '../../src/associations/associations.table.js';
import { loadOrCreateIssuerKeys, type IssuerKeys } from '../../src/auth/keys.js';
import { createTokenVerifier, signAccessToken, type AccessClaims } from '../../src/auth/tokens.js';
import type { Viewer } from '../../src/auth/viewer.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { countStatements } from '../../src/db/instrumentation.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/logger.js';
import { createApp, type App } from '../../src/server/app.js';
import type { Tracing } from '../../src/tracing.js';
import { makeContext, runOperation } from './context.js';
import { openTemplateCopy } from './template-copy.js';

export interface GqlResult<T = any> {
  status: number;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
  text: string;
  headers: Headers;
}

export interface TestApp {
  config: Config;
  database: Database;
  keys: IssuerKeys;
  url: string;
  app: App;
  /**
   * A token of the built-in issuer; `org` is a credit code for firm/listed_company. `association` (the association
   * role's `assoc` claim) picks whose staff the viewer is; without it the token carries no claim, which means SZSA.
   */
  token(role: AccessClaims['role'], org?: string, ttlSeconds?: number, options?: { association?: AssociationCode }): Promise<string>;
  /** POST /graphql over HTTP. */
  gql<T = any, V = Record<string, unknown>>(
    query: string | TypedDocumentNode<T, V>,
    variables?: V,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GqlResult<T>>;
  /** Executes in-process as the given viewer and counts the SQL statements it ran (`params[i]` belong to `statements[i]`). */
  countedExecute(query: string, variables: Record<string, unknown>, viewer: Viewer): Promise<{ count: number; statements: string[]; params: unknown[][]; body: any }>;
  close(): Promise<void>;
}

/** `options.tracing`: the app and its database traced (test/tracing.test.ts); off otherwise, as by default. */
export async function createTestApp(env: Record<string, string> = {}, options: { tracing?: Tracing } = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mg-test-'));
  const { database, databaseUrl, drop } = await openTemplateCopy(dataDir, env, options.tracing ? { statementObserver: options.tracing } : {});
  // Tests share a few principals (one token subject, one IP) for many requests: a budget no suite reaches, unless a test sets its own.
  // Their webhook receivers listen on 127.0.0.1, which the operator's allow-list must name (WEBHOOK_ALLOWED_HOSTS: '' for none).
  const config = loadConfig({
    DATA_DIR: dataDir,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_POINTS: '1000000',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const keys = await loadOrCreateIssuerKeys(dataDir);
  const verifier = createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, jwksUrl: config.AUTH_JWKS_URL, keys });
  const app = await createApp({ config, logger, database, schema, verifier, issuerKeys: keys, tracing: options.tracing });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return {
    config,
    database,
    keys,
    url,
    app,
    token: (role, org, ttlSeconds = 600, options = {}) =>
      signAccessToken(
        keys,
        { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
        options.association
          ? { sub: `test:${role}:${org ?? ''}:${options.association}`, role, org, assoc: options.association }
          : { sub: `test:${role}:${org ?? ''}`, role, org },
        ttlSeconds,
      ),
    async gql(query, variables, options = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const text0 = typeof query === 'string' ? query : print(query);
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: text0, variables }) });
      const text = await res.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
      return { status: res.status, body, text, headers: res.headers };
    },
    async countedExecute(query, variables, viewer) {
      const { result: body, count, statements, params } = await countStatements(() =>
        runOperation(app.apollo, makeContext(database.db, viewer, { logger }), query, variables),
      );
      return { count, statements, params, body };
    },
    async close() {
      await app.shutdown();
      await drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The credit code of a seeded organization of the given kind (the n-th, in id order). */
export async function creditCodeOf(t: TestApp, kind: string, n = 0): Promise<string> {
  const res = await t.gql(`query($kind: OrganizationKind) { organizations(first: 100, filter: { kind: $kind }) { edges { node { creditCode } } } }`, { kind });
  const code = res.body.data?.organizations.edges[n]?.node.creditCode;
  if (!code) throw new Error(`no seeded organization of kind ${kind} #${n}`);
  return code;
}
