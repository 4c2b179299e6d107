// The one pagination helper: Relay paging both ways. `first`/`after` read forward, `last`/`before` backward, each
// page 1..100 rows (default 20), opaque keyset cursors over a stable integer key (the same cursors both ways).
import type { ArgBuilder, SchemaTypes } from '@pothos/core';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { DEFAULT_PAGE_SIZE, isBackward, MAX_PAGE_SIZE, type PageRequest } from '../db/page.js';
import { builder } from './builder.js';
import { requestedFields } from './selection.js';

type SchemaTypesOf<B> = B extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;


function badInput(message: string) {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function encodeCursor(key: number): string {
  return Buffer.from(`c1:${key}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^c1:(\d{1,10})$/.exec(
    /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '',
  );
  const key = match ? Number(match[1]) : NaN;
  // Keys are PostgreSQL integers; a forged larger one would fail in SQL instead of answering BAD_USER_INPUT.
  if (!Number.isSafeInteger(key) || key > 2_147_483_647) throw badInput('Invalid cursor');
  return key;
}

/**
 * The page the connection arguments ask for, as the Relay cursor connections spec reads them: `after` and `before`
 * bound a window of the list (either, both or neither); `first` takes the window's first rows, `last` its last ones.
 * `first` and `last` together are refused (the spec discourages them; no client needs both). Without either, a page
 * is 20 rows: the last 20 before `before` when only `before` is given, otherwise the first 20.
 */
export function pageRequest(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }): PageRequest {
  if (args.first != null && args.last != null) throw badInput('first and last cannot be used together');
  const name = args.last != null ? 'last' : 'first';
  const size = args.last ?? args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput(`${name} must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return {
    limit: size,
    afterKey: args.after == null ? null : decodeCursor(args.after),
    beforeKey: args.before == null ? null : decodeCursor(args.before),
    backward: args.last != null || (args.first == null && args.before != null),
  };
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Counted only when the field is asked for. */
  totalCount: () => Promise<number>;
}

/**
 * Whether the connection's `totalCount` is asked for (directly or through fragments). A first page that wants it can
 * count with a window function in the same statement instead of a second one (later pages still count apart: the
 * cursor condition would shrink the window).
 */
export function wantsTotalCount(info: GraphQLResolveInfo): boolean {
  return requestedFields(info).has('totalCount');
}

/**
 * Builds a connection from up to limit+1 rows fetched in read order (src/db/page.ts): the list's own order for a
 * forward page, its reverse for a backward one, the extra row (if any) last. Edges come out in the list's own order.
 * As the Relay spec allows, a forward page has a previous page when it starts after a cursor and a backward page a
 * next one when it ends before a cursor; the other side comes from the extra row.
 */
export function toConnection<T>(
  rows: T[],
  page: PageRequest,
  keyOf: (row: T) => number,
  totalCount: () => Promise<number>,
): Connection<T> {
  const backward = isBackward(page);
  const more = rows.length > page.limit;
  const nodes = rows.slice(0, page.limit);
  if (backward) nodes.reverse();
  const edges = nodes.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? (page.beforeKey ?? null) !== null : more,
      hasPreviousPage: backward ? more : page.afterKey !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

export const connectionArgs = (t: ArgBuilder<SchemaTypesOf<typeof builder>>) => ({
  first: t.int({ description: `每页条数，1–${MAX_PAGE_SIZE}，默认 ${DEFAULT_PAGE_SIZE} / Page size, 1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}` }),
  after: t.string({ description: '从此游标之后开始 / Start after this cursor' }),
  last: t.int({ description: `从末尾取的条数，1–${MAX_PAGE_SIZE}，不可与 first 同用 / Page size counted from the end, 1–${MAX_PAGE_SIZE}; not with first` }),
  before: t.string({ description: '到此游标之前为止（向前翻页） / End before this cursor (paging backwards)' }),
});

/** Declares an XConnection with edges, pageInfo and totalCount for a node type. */
export function defineConnection<T>(ref: any, name: string, descriptionZh: string, descriptionEn: string) {
  return builder.connectionObject(
    {
      type: ref,
      name,
      description: `${descriptionZh}（分页） / ${descriptionEn} (paginated)`,
      fields: (t: any) => ({
        totalCount: t.int({
          description: '符合条件的总数 / Total number of matching rows',
          resolve: (conn: Connection<T>) => conn.totalCount(),
        }),
      }),
    } as any,
    { description: `${descriptionZh}（边） / ${descriptionEn} edge` } as any,
  );
}
