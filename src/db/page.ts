// What a service needs to read one page of a list: how many rows, the cursors' keys and which end of the window to
// read from. The GraphQL layer turns `first`/`after`/`last`/`before` into a PageRequest (src/graphql/pagination.ts);
// services and cost pricing only see this.
//
// A page is read in one statement: the window's condition (pageCondition, or pageConditionByRow for a composite
// order), ordered by pageOrderBy, `limit page.limit + 1`. A forward page reads the list in its own order, a backward
// page (last/before) in the reverse; either way the rows come back in read order with the extra row, if any, last,
// and toConnection turns them into the page in the list's own order.
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  /** Rows on the page (`first` or `last`). */
  limit: number;
  /** Rows strictly after this key in the list's order (`after`). */
  afterKey: number | null;
  /** Rows strictly before this key in the list's order (`before`); absent means none. */
  beforeKey?: number | null;
  /** The window's last `limit` rows (`last`, or `before` without `first`) instead of its first; absent means forward. */
  backward?: boolean;
}

/** The direction a list is ordered in: by ascending keys, or newest-first lists by descending ones. */
export type ListOrder = 'asc' | 'desc';

export function isBackward(page: PageRequest): boolean {
  return page.backward === true;
}

/** Whether the page's window is the whole list (no cursor): a window count over its statement counts every match. */
export function isWholeList(page: PageRequest): boolean {
  return page.afterKey === null && (page.beforeKey ?? null) === null;
}

/** The direction rows are read in: the list's own for a forward page, its reverse for a backward one. */
export function readOrder(page: PageRequest, order: ListOrder = 'asc'): ListOrder {
  if (!isBackward(page)) return order;
  return order === 'asc' ? 'desc' : 'asc';
}

/**
 * The ORDER BY of a page over keys that all sort in the list's `order` (the last one unique), in read order:
 * `pageOrderBy(page, 'desc', t.id)` is `t.id desc` forward and `t.id asc` backward.
 */
export function pageOrderBy(page: PageRequest, order: ListOrder, ...keys: (AnyPgColumn | SQL | SQL.Aliased)[]): SQL {
  const direction = readOrder(page, order) === 'asc' ? sql`asc` : sql`desc`;
  return sql.join(
    keys.map((key) => sql`${key} ${direction}`),
    sql`, `,
  );
}

/**
 * The keyset window of a page over one unique key: rows after `afterKey` and before `beforeKey` in the list's order
 * (`asc`: greater, then smaller keys; `desc`, for newest-first lists: the other way), or none without cursors.
 */
export function pageCondition(page: PageRequest, key: AnyPgColumn | SQL, order: ListOrder = 'asc'): SQL | undefined {
  const after = page.afterKey;
  const before = page.beforeKey ?? null;
  const parts: SQL[] = [];
  if (after !== null) parts.push(order === 'asc' ? sql`${key} > ${after}` : sql`${key} < ${after}`);
  if (before !== null) parts.push(order === 'asc' ? sql`${key} < ${before}` : sql`${key} > ${before}`);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : sql`(${sql.join(parts, sql` and `)})`;
}

/**
 * The window of a page over a composite order, `tuple` (all in the list's `order`, the last member unique), whose
 * cursors name a row by its key: `cursorTuple(key)` is a scalar subquery of that row's tuple, which should find it only
 * when the viewer may read it (a forged cursor then matches nothing instead of revealing where a hidden row sorts).
 */
export function pageConditionByRow(page: PageRequest, tuple: SQL, cursorTuple: (key: number) => SQL, order: ListOrder): SQL | undefined {
  const after = page.afterKey;
  const before = page.beforeKey ?? null;
  const parts: SQL[] = [];
  if (after !== null) parts.push(order === 'asc' ? sql`${tuple} > (${cursorTuple(after)})` : sql`${tuple} < (${cursorTuple(after)})`);
  if (before !== null) parts.push(order === 'asc' ? sql`${tuple} < (${cursorTuple(before)})` : sql`${tuple} > (${cursorTuple(before)})`);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : sql`(${sql.join(parts, sql` and `)})`;
}
