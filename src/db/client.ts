// One database handle for both drivers: embedded PGlite (default) or node-postgres (DATABASE_URL).
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { AnyPgColumn, PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { databaseTimeoutDefaults, type Config } from '../config.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, any>;
/** Service functions take either handle: they join the caller's transaction when given one. */
export type DbOrTx = Db | Tx;

export const migrationsFolder = resolve(fileURLToPath(new URL('../../drizzle', import.meta.url)));

/** Counts SQL statements per async context: tests and the benchmark read it, nothing else depends on it. */
const statementCounter = new AsyncLocalStorage<{ count: number; statements: string[]; params: unknown[][] }>();
/** `params[i]` are the parameters of `statements[i]` (a test EXPLAINs the statements as they ran). */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; statements: string[]; params: unknown[][] }> {
  const store = { count: 0, statements: [] as string[], params: [] as unknown[][] };
  countingRuns += 1;
  try {
    return await statementCounter.run(store, async () => {
      const result = await fn();
      return { result, count: store.count, statements: store.statements, params: store.params };
    });
  } finally {
    // An enabled AsyncLocalStorage makes Node track the context of every promise in the process; once the last count
    // is done nothing should pay for that (the benchmark counts statements between timed rounds).
    if (--countingRuns === 0) statementCounter.disable();
  }
}
let countingRuns = 0;
const countingLogger: DrizzleLogger = {
  logQuery(query, params) {
    const store = statementCounter.getStore();
    if (store) {
      store.count += 1;
      store.statements.push(query);
      store.params.push(params);
    }
  },
};

/** The rows of `db.execute` (hand-written SQL), typed by the caller; dates and timestamps stay strings on both drivers. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
const selectLists = new WeakMap<object, SQL>();

/**
 * `"table"."column" as "key", …`: builder columns under the builder's property names, rendered once per columns
 * object (hot reads ask for the same few selections over and over; columnsFor hands out the same object each time).
 */
export function selectList(columns: Record<string, AnyPgColumn>): SQL {
  let list = selectLists.get(columns);
  if (!list) {
    const items = Object.entries(columns).map(([key, column]) => {
      const ref = `${quoteIdentifier(getTableName(column.table))}.${quoteIdentifier(column.name)}`;
      // numeric in number mode: as float8 it is a JSON number, as numeric JSON would keep every digit the same way.
      return `${column.columnType === 'PgNumericNumber' ? `${ref}::float8` : ref} as ${quoteIdentifier(key)}`;
    });
    selectLists.set(columns, (list = sql.raw(items.join(', '))));
  }
  return list;
}

/**
 * The statement of selectRows: its rows as one JSON array, in `order`. `alongside`, a data-modifying statement that may
 * read the selected rows as `q`, runs in the same statement (a CTE).
 */
function jsonRowsSql(columns: Record<string, AnyPgColumn>, rest: SQL, order: SQL, extra?: SQL, alongside?: SQL): SQL {
  const select = sql`select ${selectList(columns)}${extra ? sql`, ${extra}` : sql``} ${rest}`;
  return alongside
    ? sql`with q as (${select}), alongside as (${alongside}) select coalesce(json_agg(q order by ${order}), '[]'::json) as "rows" from q`
    : sql`select coalesce(json_agg(q order by ${order}), '[]'::json) as "rows" from (${select}) q`;
}

/**
 * Hot reads: `select <columns> <rest>` (rest: from, where, order, limit) answered as one JSON array built in SQL, its
 * objects keyed like the builder's rows. One field to decode instead of rows × columns and no per-row mapping: the
 * embedded driver decodes every field in JavaScript, which costs more than the SQL itself on small, wide answers.
 * `order` (over `q`, the aliased row) restates the order for the aggregate, which does not promise its input's;
 * `extra` adds expressions to the select list. Values come as JSON gives them: dates and timestamps as ISO strings.
 */
export async function selectRows<T>(db: DbOrTx, columns: Record<string, AnyPgColumn>, rest: SQL, order: SQL, extra?: SQL): Promise<T[]> {
  const [row] = rowsOf<{ rows: T[] }>(await db.execute(jsonRowsSql(columns, rest, order, extra)));
  return row!.rows;
}

/** What drizzle keeps inside every handle (database or transaction): how it renders SQL and where it sends it. */
interface HandleInternals {
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session: {
    /** node-postgres: the pool, or a transaction's client; PGlite: the engine. */
    client: object;
    prepareQuery(query: { sql: string; params: unknown[] }, fields: undefined, name: string | undefined, isResponseInArrayMode: boolean): {
      execute(values: Record<string, unknown>): Promise<unknown>;
    };
  };
}

/**
 * A hand-written statement rendered once per handle: `build` writes it with `sql.placeholder(name)` for its values;
 * each run binds `values` and sends the same text. For the hottest statements, where drizzle rendering the SQL tree on
 * every call (and the driver's query config it then makes) costs more than the statement's own round trip. Counted,
 * logged and wrapped on error like any other statement.
 *
 * On PostgreSQL it is also a named statement: each connection parses it once and then only binds and executes it
 * (planned for each execution's values: plan_cache_mode = force_custom_plan, see openDatabase). `DB_NAMED_STATEMENTS=false`
 * sends it unnamed, parsed every time, for poolers that cannot keep named statements (docs/OPERATIONS.md).
 */
export function preparedStatement<V extends Record<string, unknown>>(build: () => SQL): <T>(db: DbOrTx, values: V) => Promise<T[]> {
  const byHandle = new WeakMap<DbOrTx, ReturnType<HandleInternals['session']['prepareQuery']>>();
  const name = `mg_${++preparedStatements}`;
  return async <T>(db: DbOrTx, values: V) => {
    let prepared = byHandle.get(db);
    if (!prepared) {
      const { dialect, session } = db as unknown as HandleInternals;
      prepared = session.prepareQuery(dialect.sqlToQuery(build()), undefined, unnamedClients.has(session.client) ? undefined : name, false);
      byHandle.set(db, prepared);
    }
    return rowsOf<T>(await prepared.execute(values));
  };
}

let preparedStatements = 0;
/** Pools opened with DB_NAMED_STATEMENTS=false, and their connections (a transaction's handle has the connection). */
const unnamedClients = new WeakSet<object>();

/**
 * A prepared plain `select <columns> <rest>`, its rows keyed like the builder's (the select list's aliases), for
 * answers of one row or a few: there, decoding a handful of fields costs less than building and parsing JSON (on
 * PGlite about 0.1 ms per statement). Values come as the driver gives them through drizzle: dates and timestamps as
 * strings, as in selectRows' JSON.
 */
export function preparedSelect<V extends Record<string, unknown>>(columns: Record<string, AnyPgColumn>, rest: SQL) {
  return preparedStatement<V>(() => sql`select ${selectList(columns)} ${rest}`);
}

/** The parts of a selectRows statement for one shape, values as placeholders. */
export interface SelectRowsShape {
  columns: Record<string, AnyPgColumn>;
  rest: SQL;
  order: SQL;
  extra?: SQL;
  /** A data-modifying statement run in the same statement, reading the selected rows as `q` (see jsonRowsSql). */
  alongside?: SQL;
}

/** What decides a statement's text: column sets (from columnsFor) and flags. */
export type StatementShape = Record<string, Record<string, AnyPgColumn> | boolean | string | null>;

/**
 * preparedStatement for a statement whose text varies with a few choices (which columns, whether a condition applies):
 * one prepared statement per shape, named by the shape's values (column sets by columnsKey). The shapes are few and
 * fixed by the code, so the statements are kept for the life of the process.
 */
export function preparedStatementByShape<V extends Record<string, unknown>, S extends StatementShape>(build: (shape: S) => SQL) {
  const statements = new Map<string, ReturnType<typeof preparedStatement<V>>>();
  return async <T>(db: DbOrTx, shape: S, values: V): Promise<T[]> => {
    const key = Object.values(shape)
      .map((v) => (typeof v === 'object' && v !== null ? columnsKey(v) : String(v)))
      .join('|');
    let statement = statements.get(key);
    if (!statement) statements.set(key, (statement = preparedStatement<V>(() => build(shape))));
    return statement<T>(db, values);
  };
}

/** selectRows as a prepared statement, one per shape (see preparedStatementByShape); values as placeholders. */
export function preparedSelectRowsByShape<V extends Record<string, unknown>, S extends StatementShape>(build: (shape: S) => SelectRowsShape) {
  const statement = preparedStatementByShape<V, S>((shape) => {
    const { columns, rest, order, extra, alongside } = build(shape);
    return jsonRowsSql(columns, rest, order, extra, alongside);
  });
  return async <T>(db: DbOrTx, shape: S, values: V): Promise<T[]> => {
    const [row] = await statement<{ rows: T[] }>(db, shape, values);
    return row!.rows;
  };
}

/** A stable name for a set of columns (the property names, which columnsFor picks from one fixed set per table). */
export function columnsKey(columns: Record<string, AnyPgColumn>): string {
  let key = columnKeys.get(columns);
  if (key === undefined) columnKeys.set(columns, (key = Object.keys(columns).join(',')));
  return key;
}
const columnKeys = new WeakMap<object, string>();

/**
 * One array parameter for a list of keys (integers, or text without commas, quotes or braces such as credit codes):
 * the statement text stays the same whatever the list's length.
 */
export function keyArray(values: readonly (number | string)[], type: 'int' | 'text' = 'int'): SQL {
  return sql`${arrayLiteral(values)}::${sql.raw(type)}[]`;
}

/** keyArray's value, for a prepared statement's `${sql.placeholder(name)}::int[]`. */
export function arrayLiteral(values: readonly (number | string)[]): string {
  return `{${values.join(',')}}`;
}

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
    if (!named) unnamedClients.add(pool);
    // An idle client killed by the server (restart, pg_terminate_backend) must not crash the process: the pool
    // drops it and opens a new one on the next request.
    pool.on('error', () => {});
    // A checked-out client killed between statements (inside a transaction) emits 'error' with no pool listener
    // attached, which would crash the process; its next query fails instead and the pool discards it on release.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      if (!named) unnamedClients.add(client);
    });
    const db = drizzleNodePg({ client: pool, schema, logger: countingLogger }) as unknown as Db;
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
  if (!client) {
    const dir = resolve(options.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    client = await PGlite.create({ dataDir: dir });
  }
  const pglite = client;
  // One in-process connection: no lock waits, and the WASM build has no timer signals, so the statement timeout is
  // recorded (SHOW answers it) but not enforced. idle_in_transaction_session_timeout is never set: when it fires it
  // wedges the embedded engine.
  await pglite.exec(`set statement_timeout = ${Math.trunc(timeouts.statementMs)}; set lock_timeout = ${Math.trunc(timeouts.lockMs)}`);
  const db = drizzlePglite({ client: pglite, schema, logger: countingLogger }) as unknown as Db;
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
    migrate: () => migratePglite(db as never, { migrationsFolder }),
    isReady: async () => {
      try {
        return !pglite.closed && (await appliedMigrationCount(db)) >= expected;
      } catch {
        return false;
      }
    },
    close: once(async () => {
      clearInterval(analyzing);
      if (!pglite.closed) await pglite.close();
    }),
  };
}
