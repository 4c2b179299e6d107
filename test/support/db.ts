// The domain-test fixture: per test file one copy of the seeded template; per test one transaction, rolled back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from 'vitest';
import type { Database, Tx } from '../../src/db/client.js';
import { openTemplateCopy } from './template-copy.js';

/** Thrown at the end of every test's transaction so that drizzle rolls it back; never escapes the fixture. */
class RollbackTestTransaction extends Error {}

/**
 * `test` with two fixtures:
 * - `tx`: a transaction opened before the test and rolled back after it, whatever the test did. Pass it to services,
 *   factories and makeContext; services join it under a savepoint (runInTransaction). PGlite has one connection, so
 *   while a test runs, `database.db` must not be used directly (it would wait for `tx`); on PostgreSQL `tx` holds one
 *   pool connection for the test. `now()` is the transaction's start time for every row a test writes.
 * - `database`: the file's own copy of the template, for the few tests that need to commit (concurrency, work that
 *   opens its own transactions). What they commit stays for the rest of the file.
 */
export const test = base.extend<{ $file: { database: Database }; $test: { tx: Tx } }>({
  database: [
    async ({}, use) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'mg-dbtest-'));
      // A test's transaction is idle while the test awaits something else (a timer, a second connection): not a leak.
      const { database, drop } = await openTemplateCopy(dataDir, { DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '0' });
      try {
        await use(database);
      } finally {
        await database.close();
        await drop?.();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'file' },
  ],
  tx: async ({ database }, use) => {
    try {
      await database.db.transaction(async (tx) => {
        await use(tx);
        throw new RollbackTestTransaction();
      });
    } catch (error) {
      if (!(error instanceof RollbackTestTransaction)) throw error;
    }
  },
});

export { describe, expect } from 'vitest';
