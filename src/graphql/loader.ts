// Per-request DataLoaders for relations that are not a Pothos loadable field (shared by several fields).
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { Context } from './context.js';

export const MAX_BATCH_SIZE = 500;

/** A loader of groups: one batch query, rows grouped by parent key (empty list when none). */
export function groupedLoader<K extends number, V>(
  batch: (ctx: Context, keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
): (ctx: Context) => DataLoader<K, V[]> {
  return createContextCache(
    (ctx: Context) =>
      new DataLoader<K, V[]>(
        async (keys) => {
          const rows = await batch(ctx, keys);
          const groups = new Map<K, V[]>(keys.map((k) => [k, []]));
          for (const row of rows) groups.get(keyOf(row))?.push(row);
          return keys.map((k) => groups.get(k)!);
        },
        { maxBatchSize: MAX_BATCH_SIZE },
      ),
  );
}

/**
 * Rows by id for one column set, one loader per column set and request: a lookup that knows its selection (node,
 * nodes) reads only the columns its fields need, and shares batches and cache only with lookups wanting the same
 * (columnsFor hands out one object per set).
 */
export function columnSetLoader<V extends { id: number }, C extends object>(
  batch: (ctx: Context, ids: readonly number[], columns: C) => Promise<V[]>,
): (ctx: Context, columns: C) => DataLoader<number, V | null> {
  const perRequest = createContextCache(() => new Map<C, DataLoader<number, V | null>>());
  return (ctx, columns) => {
    const loaders = perRequest(ctx);
    let loader = loaders.get(columns);
    if (!loader) {
      loader = new DataLoader<number, V | null>(
        async (ids) => {
          const rows = new Map((await batch(ctx, ids, columns)).map((row) => [row.id, row]));
          return ids.map((id) => rows.get(id) ?? null);
        },
        { maxBatchSize: MAX_BATCH_SIZE },
      );
      loaders.set(columns, loader);
    }
    return loader;
  };
}
