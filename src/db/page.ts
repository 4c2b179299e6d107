// What a service needs to read one page of a list: how many rows and after which key. The GraphQL layer turns
// `first`/`after` into a PageRequest (src/graphql/pagination.ts); services and cost pricing only see this.
import { gt, lt, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  limit: number;
  /** Rows strictly after this key. */
  afterKey: number | null;
}

/**
 * The keyset condition of a page: rows after the cursor's key in the list's order (`asc`: greater keys; `desc`, for
 * newest-first lists: smaller), or none on the first page.
 */
export function afterCursor(page: PageRequest, key: AnyPgColumn, order: 'asc' | 'desc' = 'asc'): SQL | undefined {
  if (page.afterKey === null) return undefined;
  return order === 'asc' ? gt(key, page.afterKey) : lt(key, page.afterKey);
}
