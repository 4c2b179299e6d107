// One database handle for both drivers: embedded PGlite (default) or node-postgres (DATABASE_URL).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { databaseTimeoutDefaults, type Config } from '../config.js';
import { fromProjectRoot } from '../project-root.js';
import type { Db } from './handle.js';
import * as schema from './schema.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { migratePglite } from './migrate-pglite.js';
import { pgliteClusterFor } from './pglite-cluster.js';
import { sendStatementsUnnamed } from './sql/prepared.js';
import type { StatementObserver } from './instrumentation.js';

export type { Db, DbOrTx, Schema, Tx } from './handle.js';

/** drizzle/ at the project root, whether this module runs from src/db or from the compiled dist/src/db. */
export const migrationsFolder = fromProjectRoot('drizzle');

/** How often the embedded database refreshes its planner statistics (it has no autovacuum). */
export const PGLITE_ANALYZE_INTERVAL_MS = 5 * 60_000;

export interface Database {
  db: Db;
  driver: 'pglite' | 'postgres';
  /** Applies the committed migrations in drizzle/. */
  migrate(): Promise<void>;
  /** True when the database answers and every committed migration is applied. */
  isReady(): Promise<boolean>;
  /** Connections of the node-postgres pool (absent for PGlite): tests prove nothing leaks after faults. */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/** Server-side caps applied to every connection; 0 turns one off. */
export interface DatabaseTimeouts {
  /** statement_timeout: a statement running longer is cancelled (SQLSTATE 57014). */
  statementMs: number;
  /** lock_timeout: a statement waiting longer for a lock is cancelled (55P03). */
  lockMs: number;
  /** idle_in_transaction_session_timeout: a session idle inside a transaction longer is terminated (25P03). */
  idleInTransactionMs: number;
  /** Waiting for a connection, new or from a busy pool, longer fails the request (503). */
  connectMs: number;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** PostgreSQL: hot statements as named statements, parsed once per connection (default true). */
  namedStatements?: boolean;
  /** Defaults: `databaseTimeoutDefaults` in config.ts. */
  timeouts?: Partial<DatabaseTimeouts>;
  /** An already-open PGlite (tests clone a migrated template). */
  pglite?: PGlite;
  /** Sees every statement: tests and the benchmark pass statementCountingLogger (src/db/instrumentation.ts). */
  statementLogger?: DrizzleLogger;
  /** Wraps each statement sent by the API's handle (tracing's spans); absent, the driver is not touched. */
  statementObserver?: StatementObserver;
}

export function databaseOptionsFromConfig(config: Config): DatabaseOptions {
  return {
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DB_POOL_SIZE,
    namedStatements: config.DB_NAMED_STATEMENTS,
    timeouts: {
      statementMs: config.DB_STATEMENT_TIMEOUT_MS,
      lockMs: config.DB_LOCK_TIMEOUT_MS,
      idleInTransactionMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      connectMs: config.DB_CONNECT_TIMEOUT_MS,
    },
  };
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

type Query = (...args: unknown[]) => unknown;

/** The text of a driver query's first argument: a string, or a config object's `text` (node-postgres) — never values. */
function statementText(first: unknown): string {
  return typeof first === 'string' ? first : typeof (first as { text?: unknown })?.text === 'string' ? (first as { text: string }).text : '';
}

/**
 * Puts `observer` around `target.query` (a node-postgres pool or connection, a PGlite or its transaction): the same
 * arguments reach the driver and the same answer or error comes back. Callback-style calls are passed through untouched
 * when `promiseFormOnly` (node-postgres' pool calls its connection that way for pool.query, observed already).
 */
function observeQueries(target: object, observer: StatementObserver, options: { promiseFormOnly: boolean }): void {
  const holder = target as { query: Query };
  const original = holder.query;
  holder.query = function observedQuery(this: unknown, ...args: unknown[]) {
    if (args.some((arg) => typeof arg === 'function')) {
      if (options.promiseFormOnly) return original.apply(this, args);
      // pool.query with a callback: the statement is observed until its callback.
      const index = args.findIndex((arg) => typeof arg === 'function');
      const callback = args[index] as (error: unknown, result?: unknown) => void;
      void observer
        .statement(statementText(args[0]), () =>
          new Promise((resolve, reject) => {
            const forwarded = [...args];
            forwarded[index] = (error: unknown, result: unknown) => (error ? reject(error) : resolve(result));
            original.apply(this, forwarded);
          }),
        )
        .then((result) => callback(undefined, result), (error: unknown) => callback(error));
      return undefined;
    }
    return observer.statement(statementText(args[0]), () => original.apply(this, args) as Promise<unknown>);
  };
}

/** PGlite: its own query, and the query of each transaction it hands out (drizzle's transactions run on that). */
function observePglite(pglite: PGlite, observer: StatementObserver): void {
  observeQueries(pglite, observer, { promiseFormOnly: false });
  const holder = pglite as unknown as { transaction: (fn: (tx: object) => Promise<unknown>) => Promise<unknown> };
  const transaction = holder.transaction;
  holder.transaction = function observedTransaction(this: unknown, fn: (tx: object) => Promise<unknown>) {
    return transaction.call(this, (tx: object) => {
      observeQueries(tx, observer, { promiseFormOnly: false });
      return fn(tx);
    });
  };
}

/** Closing twice (shutdown after a failed start, tests) is harmless. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= fn());
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const expected = await journalEntryCount();
  const timeouts: DatabaseTimeouts = { ...databaseTimeoutDefaults, ...options.timeouts };
  if (options.databaseUrl) {
    const databaseUrl = options.databaseUrl;
    const named = options.namedStatements ?? true;
    // The timeouts travel in the startup packet, so every connection has them before its first statement.
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: timeouts.connectMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: timeouts.statementMs,
      lock_timeout: timeouts.lockMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
      keepAlive: true,
      application_name: 'member-graph',
      // A named statement's plan is made for each execution's values, as an unnamed one's is: after five executions
      // PostgreSQL may otherwise keep a generic plan, which for key lists and page sizes can be many times slower.
      ...(named ? { options: '-c plan_cache_mode=force_custom_plan' } : {}),
    });
    if (!named) sendStatementsUnnamed(pool);
    // An idle client killed by the server (restart, pg_terminate_backend) must not crash the process: the pool
    // drops it and opens a new one on the next request.
    pool.on('error', () => {});
    // A checked-out client killed between statements (inside a transaction) emits 'error' with no pool listener
    // attached, which would crash the process; its next query fails instead and the pool discards it on release.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      if (!named) sendStatementsUnnamed(client);
      // A transaction's statements go to its checked-out connection (promise form); pool.query's own call to its
      // connection passes a callback and is already observed as the pool's.
      if (options.statementObserver) observeQueries(client, options.statementObserver, { promiseFormOnly: true });
    });
    if (options.statementObserver) observeQueries(pool, options.statementObserver, { promiseFormOnly: false });
    const db = drizzleNodePg({ client: pool, schema, logger: options.statementLogger }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      // Migrations may rewrite large tables: one connection of their own, without the statement timeout.
      migrate: async () => {
        const client = new pg.Client({
          connectionString: databaseUrl,
          connectionTimeoutMillis: timeouts.connectMs,
          lock_timeout: timeouts.lockMs,
          application_name: 'member-graph-migrate',
        });
        await client.connect();
        try {
          // Already migrated (every start after the release step): nothing to lock. Behind PgBouncer in transaction
          // mode a session-level lock would stay held on whichever server connection ran it, long after this client
          // is gone, and the next instance's start would wait for it forever (docs/OPERATIONS.md, "PgBouncer").
          if ((await appliedMigrationCount(drizzleNodePg({ client, schema }) as unknown as Db).catch(() => 0)) >= expected) return;
          // Instances starting together take turns: the first migrates, the others then find nothing to do.
          // Waiting for another instance's migration is not a lock timeout.
          await client.query(`set lock_timeout = 0`);
          await client.query(`select pg_advisory_lock(hashtext('member-graph:migrate'))`);
          await client.query(`set lock_timeout = ${Math.trunc(timeouts.lockMs)}`);
          await migrateNodePg(drizzleNodePg({ client, schema }) as never, { migrationsFolder });
        } finally {
          await client.end();
        }
      },
      isReady: async () => {
        try {
          return (await appliedMigrationCount(db)) >= expected;
        } catch {
          return false;
        }
      },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      close: once(() => pool.end()),
    };
  }
  let client = options.pglite;
  // One writer per embedded database: the DATA_DIR lock is taken before PGlite touches its files (src/db/data-dir-lock.ts).
  let lock: DataDirLock | undefined;
  if (!client) {
    lock = lockDataDir(options.dataDir);
    try {
      const dir = resolve(options.dataDir, 'pglite');
      mkdirSync(dir, { recursive: true });
      // A new directory starts from the cluster the build made, when there is one (src/db/pglite-cluster.ts).
      client = await PGlite.create({ dataDir: dir, loadDataDir: pgliteClusterFor(dir) });
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  const pglite = client;
  if (options.statementObserver) observePglite(pglite, options.statementObserver);
  // One in-process connection: no lock waits, and the WASM build has no timer signals, so the statement timeout is
  // recorded (SHOW answers it) but not enforced. idle_in_transaction_session_timeout is never set: when it fires it
  // wedges the embedded engine.
  await pglite.exec(`set statement_timeout = ${Math.trunc(timeouts.statementMs)}; set lock_timeout = ${Math.trunc(timeouts.lockMs)}`);
  const db = drizzlePglite({ client: pglite, schema, logger: options.statementLogger }) as unknown as Db;
  // PGlite has no autovacuum: without fresh statistics after bulk writes (an import of a year's ratings) the planner
  // scans whole tables where an index would do. Its analyze, the embedded way: every few minutes, off the event loop's
  // way (one short statement on the single connection).
  const analyzing = setInterval(() => {
    if (!pglite.closed) void pglite.exec('analyze').catch(() => undefined);
  }, PGLITE_ANALYZE_INTERVAL_MS);
  analyzing.unref();
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(pglite, migrationsFolder),
    isReady: async () => {
      try {
        return !pglite.closed && (await appliedMigrationCount(db)) >= expected;
      } catch {
        return false;
      }
    },
    close: once(async () => {
      clearInterval(analyzing);
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    }),
  };
}
