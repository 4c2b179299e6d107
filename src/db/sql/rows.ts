// JSON-row selects: a hot read answered as one JSON array built in SQL, keyed like drizzle's rows.
import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../handle.js';

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
export function jsonRowsSql(columns: Record<string, AnyPgColumn>, rest: SQL, order: SQL, extra?: SQL, alongside?: SQL): SQL {
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

