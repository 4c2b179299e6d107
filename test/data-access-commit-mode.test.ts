// The read audit commits asynchronously only when it is its own transaction: a read inside a caller's transaction
// never switches that transaction's writes to asynchronous commit.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../src/auth/viewer.js';
import { recordDataAccess } from '../src/data-access/data-access.service.js';
import type { DbOrTx } from '../src/db/client.js';
import { rowsOf } from '../src/db/sql/index.js';
import { loadBranchRatingsOfBranches } from '../src/ratings/ratings.reads.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const regulator: Viewer = { role: 'REGULATOR', subject: 'regulator:commit-mode', organizationId: null };
const synchronousCommit = async (db: DbOrTx) => rowsOf<{ setting: string }>(await db.execute(sql`select current_setting('synchronous_commit') as setting`))[0]!.setting;
const entries = async () => rowsOf<{ n: number }>(await t.database.db.execute(sql`select count(*)::int as n from data_access_log where actor_sub = ${regulator.subject}`))[0]!.n;

describe('the read audit and its caller’s commit mode', () => {
  it('recordDataAccess inside a caller’s transaction leaves the transaction’s synchronous commit on, and the entry commits with it', async () => {
    const before = await entries();
    await t.database.db.transaction(async (tx) => {
      expect(await synchronousCommit(tx)).toBe('on');
      await recordDataAccess(tx, regulator, { resource: 'branchRatings', details: { year: 2025 } });
      expect(await synchronousCommit(tx)).toBe('on');
    });
    expect(await entries()).toBe(before + 1);
  });

  it('a recorded read of ratings inside a caller’s transaction leaves its synchronous commit on', async () => {
    const [branch] = rowsOf<{ id: number }>(await t.database.db.execute(sql`select branch_id as id from branch_ratings order by id limit 1`));
    const before = await entries();
    await t.database.db.transaction(async (tx) => {
      const rows = await loadBranchRatingsOfBranches(tx, regulator, [branch!.id], undefined, { recordAs: 'Branch.ratings' });
      expect(rows.length).toBeGreaterThan(0);
      expect(await synchronousCommit(tx)).toBe('on');
    });
    expect(await entries()).toBe(before + 1);
  });

  it('on its own (no caller’s transaction) the entry is still written', async () => {
    const before = await entries();
    await recordDataAccess(t.database.db, regulator, { resource: 'supervisionList' });
    expect(await entries()).toBe(before + 1);
  });
});
