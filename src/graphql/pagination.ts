// The one pagination helper: first 1..100 (default 20), opaque keyset cursors over a stable integer key.
import type { ArgBuilder, SchemaTypes } from '@pothos/core';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageRequest } from '../db/page.js';
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

export function pageRequest(args: { first?: number | null; after?: string | null }): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return { limit: first, afterKey: args.after == null ? null : decodeCursor(args.after) };
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

/** Builds a connection from up to limit+1 rows fetched in key order. */
export function toConnection<T>(
  rows: T[],
  page: PageRequest,
  keyOf: (row: T) => number,
  totalCount: () => Promise<number>,
): Connection<T> {
  const hasNextPage = rows.length > page.limit;
  const edges = rows.slice(0, page.limit).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: page.afterKey !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

export const connectionArgs = (t: ArgBuilder<SchemaTypesOf<typeof builder>>) => ({
  first: t.int({ description: `每页条数，1–${MAX_PAGE_SIZE}，默认 ${DEFAULT_PAGE_SIZE} / Page size, 1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}` }),
  after: t.string({ description: '从此游标之后开始 / Start after this cursor' }),
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
