// One database handle for both drivers: embedded PGlite (default) or node-postgres (DATABASE_URL).
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, any>;
/** Service functions take either handle: they join the caller's transaction when given one. */
export type DbOrTx = Db | Tx;

export const migrationsFolder = resolve(fileURLToPath(new URL('../../drizzle', import.meta.url)));

/** Counts SQL statements per async context: tests and the benchmark read it, nothing else depends on it. */
const statementCounter = new AsyncLocalStorage<{ count: number; statements: string[] }>();
export function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; statements: string[] }> {
  const store = { count: 0, statements: [] as string[] };
  return statementCounter.run(store, async () => {
    const result = await fn();
    return { result, count: store.count, statements: store.statements };
  });
}
const countingLogger: DrizzleLogger = {
  logQuery(query) {
    const store = statementCounter.getStore();
    if (store) {
      store.count += 1;
      store.statements.push(query);
    }
  },
};

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** Applies the committed migrations in drizzle/. */
  migrate(): Promise<void>;
  /** True when the database answers and every committed migration is applied. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** An already-open PGlite (tests clone a migrated template). */
  pglite?: PGlite;
}

async function appliedMigrationCount(db: Db): Promise<number> {
  const result = (await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as {
    rows: { n: number }[];
  };
  return Number(result.rows[0]?.n ?? 0);
}

async function journalEntryCount(): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const journal = JSON.parse(await readFile(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'));
  return journal.entries.length as number;
}

/** Closing twice (shutdown after a failed start, tests) is harmless. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= fn());
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const expected = await journalEntryCount();
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 15_000,
      application_name: 'member-graph',
    });
    // An idle client killed by the server must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzleNodePg({ client: pool, schema, logger: countingLogger }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      migrate: () => migrateNodePg(db as never, { migrationsFolder }),
      isReady: async () => {
        try {
          return (await appliedMigrationCount(db)) >= expected;
        } catch {
          return false;
        }
      },
      close: once(() => pool.end()),
    };
  }
  let client = options.pglite;
  if (!client) {
    const dir = resolve(options.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    client = await PGlite.create({ dataDir: dir });
  }
  const pglite = client;
  const db = drizzlePglite({ client: pglite, schema, logger: countingLogger }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    isReady: async () => {
      try {
        return !pglite.closed && (await appliedMigrationCount(db)) >= expected;
      } catch {
        return false;
      }
    },
    close: once(async () => {
      if (!pglite.closed) await pglite.close();
    }),
  };
}
