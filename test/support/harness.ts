// The one test client: a fresh copy of the seeded template database, the real HTTP app on a free port, and tokens.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pg from 'pg';
import { inject } from 'vitest';
import { loadOrCreateIssuerKeys, type IssuerKeys } from '../../src/auth/keys.js';
import { createTokenVerifier, signAccessToken, type AccessClaims } from '../../src/auth/tokens.js';
import type { Viewer } from '../../src/auth/viewer.js';
import { loadConfig, type Config } from '../../src/config.js';
import { databaseOptionsFromConfig, openDatabase, type Database } from '../../src/db/client.js';
import { countStatements, statementCountingLogger } from '../../src/db/instrumentation.js';
import type { Context } from '../../src/graphql/context.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/logger.js';
import { createApp, type App } from '../../src/server/app.js';

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
  /** A token of the built-in issuer; `org` is a credit code for firm/listed_company. */
  token(role: AccessClaims['role'], org?: string, ttlSeconds?: number): Promise<string>;
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

/**
 * Copies the run's template: a PGlite restored from its dump, or a PostgreSQL database created from the template.
 * Pool size (5 unless DB_POOL_SIZE) and timeouts follow `env`; with `env.DATABASE_URL` that database is opened as it
 * is (no copy, not dropped): a second instance on a shared database, or a cluster a fault test made.
 */
async function openTemplateCopy(dataDir: string, env: Record<string, string>): Promise<{ database: Database; databaseUrl?: string; drop?: () => Promise<void> }> {
  const options = { ...databaseOptionsFromConfig(loadConfig({ DB_POOL_SIZE: '5', ...env, DATA_DIR: dataDir })), statementLogger: statementCountingLogger };
  if (env.DATABASE_URL) return { database: await openDatabase(options), databaseUrl: env.DATABASE_URL };
  const baseUrl = process.env.DATABASE_URL;
  const template = inject('postgresTemplate');
  if (baseUrl && template) {
    const name = `${template}_f${randomBytes(5).toString('hex')}`;
    const admin = new URL(baseUrl);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`create database ${name} template ${template}`);
    await client.end();
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    const database = await openDatabase({ ...options, databaseUrl: url.toString() });
    return {
      database,
      databaseUrl: url.toString(),
      drop: async () => {
        const c = new pg.Client({ connectionString: admin.toString() });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dump = readFileSync(inject('pgliteTemplate'));
  const pglite = await PGlite.create({ loadDataDir: new Blob([dump]) });
  return { database: await openDatabase({ ...options, databaseUrl: undefined, pglite }) };
}

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mg-test-'));
  const { database, databaseUrl, drop } = await openTemplateCopy(dataDir, env);
  // Tests share a few principals (one token subject, one IP) for many requests: a budget no suite reaches, unless a test sets its own.
  const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_POINTS: '1000000', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env });
  const logger = createLogger(config.LOG_LEVEL);
  const keys = await loadOrCreateIssuerKeys(dataDir);
  const verifier = createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, jwksUrl: config.AUTH_JWKS_URL, keys });
  const app = await createApp({ config, logger, database, schema, verifier, issuerKeys: keys });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return {
    config,
    database,
    keys,
    url,
    app,
    token: (role, org, ttlSeconds = 600) =>
      signAccessToken(keys, { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE }, { sub: `test:${role}:${org ?? ''}`, role, org }, ttlSeconds),
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
      const contextValue: Context = { viewer, db: database.db, locale: 'zh', logger, requestId: 'test' };
      const { result, count, statements, params } = await countStatements(() =>
        app.apollo.executeOperation({ query, variables }, { contextValue }),
      );
      const body = result.body.kind === 'single' ? result.body.singleResult : null;
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
