// The fast-SQL seam. Hot reads (the `<domain>.reads.ts` files) use these instead of the query builder where a
// benchmark showed the builder's cost (docs/PERFORMANCE.md); everything else stays plain drizzle.
//
// - selectRows(db, columns, rest, order): `select <columns> <rest>` answered as one JSON array built in SQL, its
//   objects keyed like drizzle's rows (one field to decode instead of rows x columns).
// - preparedStatement(build) / preparedSelect(columns, rest): a statement rendered once per handle and bound with
//   values on each call; on PostgreSQL a named statement, parsed once per connection.
// - preparedStatementByShape / preparedSelectRowsByShape: the same for statements whose text depends on a few
//   choices (which columns, whether a condition applies): one prepared statement per shape.
// - preparedRowsByIds(table, key): the loader read by integer keys with a chosen column set (one call; the seam
//   picks the statement by the number of keys).
// - keyArray(ids) / arrayLiteral(ids): a list of keys as one array parameter (`= any(...)`).
// - rowsOf(result): the rows of `db.execute` for hand-written SQL, typed by the caller.
// - columnList(...columns) / rowAsJson(table): fragments for hand-written inserts and data-modifying CTEs;
//   tableColumns(table, names): the few columns a one-statement answer's level reads.
//
// Values come back as JSON or the driver gives them: dates and timestamps as strings, on both drivers.
export { rowsOf, selectList, selectRows } from './rows.js';
export {
  columnsKey,
  preparedSelect,
  preparedRowsByIds,
  preparedSelectRowsByShape,
  preparedStatement,
  preparedStatementByShape,
  type SelectRowsShape,
  type StatementShape,
} from './prepared.js';
export { arrayLiteral, keyArray } from './keys.js';
export { columnList, rowAsJson, tableColumns } from './fragments.js';
