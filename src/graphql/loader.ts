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
