// Prepared statements: hand-written SQL rendered once per handle, and on PostgreSQL named (parsed once per connection).
// The only module that reaches into drizzle's handle internals; domain code sees typed functions of (handle, values).
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../handle.js';
import { arrayLiteral } from './keys.js';
import { jsonRowsSql, rowsOf, selectList } from './rows.js';

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
 * A node-postgres pool or connection on which prepared statements go unnamed (parsed on every execution): for poolers
 * that cannot keep named statements (DB_NAMED_STATEMENTS=false). Called by openDatabase only.
 */
export function sendStatementsUnnamed(client: object): void {
  unnamedClients.add(client);
}

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
 * Rows of `table` by integer key, with a chosen column set, in key order: the loader read behind `node`, `nodes` and
 * every nested object. Which statement answers is this seam's business, measured on both drivers
 * (docs/PERFORMANCE.md): one key compares an integer (no array to parse, no sort); a few come from a plain select;
 * more come back as one JSON array, where decoding rows × columns in the driver would cost more than building JSON.
 */
export function preparedRowsByIds<Columns extends Record<string, AnyPgColumn>>(table: PgTable, key: AnyPgColumn, fewIds = 4) {
  const byOneId = preparedStatementByShape<{ id: number }, { columns: Columns }>(
    ({ columns }) => sql`select ${selectList(columns)} from ${table} where ${key} = ${sql.placeholder('id')}`,
  );
  const byFewIds = preparedStatementByShape<{ ids: string }, { columns: Columns }>(
    ({ columns }) => sql`select ${selectList(columns)} from ${table} where ${key} = any(${sql.placeholder('ids')}::int[]) order by ${key}`,
  );
  const byManyIds = preparedSelectRowsByShape<{ ids: string }, { columns: Columns }>(({ columns }) => ({
    columns,
    rest: sql`from ${table} where ${key} = any(${sql.placeholder('ids')}::int[])`,
    order: sql`q.${sql.identifier(keyProperty(columns, key))}`,
  }));
  return <T>(db: DbOrTx, ids: readonly number[], columns: Columns): Promise<T[]> => {
    if (ids.length === 1) return byOneId<T>(db, { columns }, { id: ids[0]! });
    const values = { ids: arrayLiteral(ids) };
    return ids.length <= fewIds ? byFewIds<T>(db, { columns }, values) : byManyIds<T>(db, { columns }, values);
  };
}

/** The property name under which `columns` selects `key` (the JSON rows' order key). */
function keyProperty(columns: Record<string, AnyPgColumn>, key: AnyPgColumn): string {
  const found = Object.entries(columns).find(([, column]) => column === key);
  if (!found) throw new Error(`the column set must include the key column ${key.name}`);
  return found[0];
}
