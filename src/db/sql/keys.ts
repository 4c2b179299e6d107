// Key arrays: a list of keys as one array parameter, so a statement's text never depends on the list's length.
import { sql, type SQL } from 'drizzle-orm';

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

