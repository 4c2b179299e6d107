// Where a transaction starts: the caller decides. A service given a transaction joins it (its writes commit or roll
// back with the caller's); given the database, it opens its own. Tests pass a transaction they roll back afterwards.
import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type { DbOrTx, Tx } from './handle.js';

export function isTransaction(handle: DbOrTx): handle is Tx {
  return handle instanceof PgTransaction;
}

/**
 * Runs `fn` atomically. Given the database: a new transaction, committed when `fn` resolves and rolled back when it
 * throws. Given a transaction: inside it, under a savepoint, so a service that fails (a DomainError after some writes,
 * a caught constraint violation) undoes only its own writes and leaves the caller's transaction usable; everything
 * still commits or rolls back with the caller's.
 */
export function runInTransaction<T>(handle: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // drizzle opens a transaction on a database and a savepoint on a transaction: exactly the two cases above.
  return handle.transaction(fn);
}

/**
 * For a bulk write into a table with foreign keys: plans are cached again (plan_cache_mode = auto) for the rest of the
 * transaction. The pool's force_custom_plan (openDatabase) is for the API's hot named statements, but it also
 * re-plans the foreign-key checks PostgreSQL runs for every inserted row: 1,000 view events paid 26 ms of checks
 * instead of 7 (docs/PERFORMANCE.md). SET LOCAL ends with the transaction, so a pooled connection keeps its setting.
 */
export async function cachePlansForBulkWrite(tx: Tx): Promise<void> {
  await tx.execute(sql`set local plan_cache_mode = auto`);
}
