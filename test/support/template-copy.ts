// One copy of the run's seeded template database (built by global-setup.ts), for the HTTP harness and the db fixture.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { databaseOptionsFromConfig, openDatabase, type Database, type DatabaseOptions } from '../../src/db/client.js';
import { statementCountingLogger } from '../../src/db/instrumentation.js';

export interface TemplateCopy {
  database: Database;
  /** The copy's URL on PostgreSQL (absent on PGlite). */
  databaseUrl?: string;
  /** Drops the PostgreSQL copy; call after `database.close()`. */
  drop?: () => Promise<void>;
}

/**
 * Copies the run's template: a PGlite restored from its dump, or a PostgreSQL database created from the template.
 * Pool size (5 unless DB_POOL_SIZE) and timeouts follow `env`; with `env.DATABASE_URL` that database is opened as it
 * is (no copy, not dropped): a second instance on a shared database, or a cluster a fault test made. Statements are
 * counted (`countStatements`) on every copy; `extra` adds options (tracing's statementObserver).
 */
export async function openTemplateCopy(dataDir: string, env: Record<string, string>, extra: Partial<DatabaseOptions> = {}): Promise<TemplateCopy> {
  const options = { ...databaseOptionsFromConfig(loadConfig({ DB_POOL_SIZE: '5', ...env, DATA_DIR: dataDir })), statementLogger: statementCountingLogger, ...extra };
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
