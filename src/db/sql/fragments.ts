// Small SQL fragments for hand-written statements (data-modifying CTEs): column lists and a table's row as JSON.
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/** `"col_a", "col_b"`: the columns' SQL names, for insert column lists and on-conflict targets. */
export function columnList(...columns: PgColumn[]): SQL {
  return sql.join(
    columns.map((c) => sql.identifier(c.name)),
    sql`, `,
  );
}

/**
 * A row of `table` (unqualified column names, e.g. from `returning *` in a CTE) as a JSON object keyed like drizzle's
 * rows (camelCase property names): the shape the audit log stores for a row.
 */
export function rowAsJson(table: PgTable): SQL {
  return sql`jsonb_build_object(${sql.join(
    Object.entries(getTableColumns(table)).map(([key, column]) => sql`${sql.raw(`'${key}'`)}, ${sql.identifier(column.name)}`),
    sql`, `,
  )})`;
}

/**
 * `"t"."id", "t"."name"`: the named columns (SQL names) of `table`, its `id` always among them, for a statement that
 * reads only what its caller shows. A name that is no column of the table throws.
 */
export function tableColumns(table: PgTable, names: Iterable<string>): SQL {
  const known = new Set(Object.values(getTableColumns(table)).map((c) => c.name));
  const wanted = new Set(['id', ...names]);
  for (const name of wanted) if (!known.has(name)) throw new Error(`tableColumns: no column ${name}`);
  return sql.join(
    [...wanted].map((name) => sql`${table}.${sql.identifier(name)}`),
    sql`, `,
  );
}
