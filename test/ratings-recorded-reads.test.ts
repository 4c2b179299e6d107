// A recorded ratings read (the regulator's, a service account's) commits its audit entry asynchronously when it is its
// own transaction; inside a caller's transaction it joins it and never changes that transaction's commit mode.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DbOrTx } from '../src/db/client.js';
import { rowsOf } from '../src/db/sql/index.js';
import { loadBranchRatingsOfBranches, ratingViewColumns, recordRatingsRead } from '../src/ratings/ratings.reads.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { cast, scalar, type Cast } from './support/ratings.js';

let t: TestApp;
let c: Cast;
let branchIds: number[];
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
  branchIds = rowsOf<{ id: number }>(await t.database.db.execute(sql`select distinct branch_id as id from branch_ratings order by 1 limit 5`)).map((r) => r.id);
});
afterAll(async () => {
  await t?.close();
});

const synchronousCommit = async (handle: DbOrTx) =>
  rowsOf<{ synchronous_commit: string }>(await handle.execute(sql`show synchronous_commit`))[0]!.synchronous_commit;
const entries = () => scalar(t, sql`select count(*) from data_access_log`);

it("a regulator's recorded read inside a caller's transaction joins it: synchronous commit stays on, the entries commit with it", async () => {
  const before = await entries();
  await t.database.db.transaction(async (tx) => {
    const rows = await loadBranchRatingsOfBranches(tx, c.viewers.regulator, branchIds, ratingViewColumns, { recordAs: 'Branch.ratings' });
    expect(rows.length).toBeGreaterThan(0);
    await recordRatingsRead(tx, c.viewers.regulator, 'branchRatings', { year: 2025 });
    expect(await synchronousCommit(tx)).toBe('on');
  });
  expect(await entries()).toBe(before + 2);
});

it("on the database, the regulator's read is recorded by the read's own statement", async () => {
  const before = await entries();
  const rows = await loadBranchRatingsOfBranches(t.database.db, c.viewers.regulator, branchIds, ratingViewColumns, { recordAs: 'Branch.ratings' });
  expect(rows.length).toBeGreaterThan(0);
  await recordRatingsRead(t.database.db, c.viewers.regulator, 'branchRatings', { year: 2025 });
  expect(await entries()).toBe(before + 2);
});

it('a reader that is never recorded (the association) reads inside a transaction as before', async () => {
  await t.database.db.transaction(async (tx) => {
    const rows = await loadBranchRatingsOfBranches(tx, c.viewers.association, branchIds, ratingViewColumns, { recordAs: 'Branch.ratings' });
    expect(rows.length).toBeGreaterThan(0);
    await recordRatingsRead(tx, c.viewers.association, 'branchRatings', { year: 2025 });
    expect(await synchronousCommit(tx)).toBe('on');
  });
});
