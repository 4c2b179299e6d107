// On PostgreSQL the hot statements are named: each connection parses them once, and plans them for each execution's
// values. DB_NAMED_STATEMENTS=false sends them unnamed (poolers that cannot keep named statements). PostgreSQL only.
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/sql/index.js';
import { cachePlansForBulkWrite, runInTransaction } from '../src/db/transaction.js';
import { ingestViewEvents } from '../src/training/training.ingest.js';
import { insertOrganization, insertPractitioner, insertTrainingSession } from './support/factories.js';
import { DATABASE_URL } from './support/faults.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';

if (!DATABASE_URL) console.warn('test/named-statements.test.ts skipped: it needs PostgreSQL (DATABASE_URL)');

const DIRECTORY = 'query($first: Int!) { organizations(first: $first) { totalCount edges { node { id name } } } }';
const SUBMIT = 'mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id } userErrors { code } } }';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The named statements of the app's only connection (a pool of one), and its plan cache mode. */
async function connectionState(app: TestApp) {
  const named = rowsOf<{ name: string; statement: string }>(await app.database.db.execute(sql`select name, statement from pg_prepared_statements order by name`));
  const [mode] = rowsOf<{ plan_cache_mode: string }>(await app.database.db.execute(sql`show plan_cache_mode`));
  return { named, planCacheMode: mode!.plan_cache_mode };
}

async function readAndSubmit(app: TestApp, key: string) {
  for (const first of [3, 5, 3]) {
    const read = await app.gql(DIRECTORY, { first });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.organizations.edges).toHaveLength(first);
  }
  const token = await app.token('firm', await creditCodeOf(app, 'SECURITIES_FIRM'));
  const input = { topic: 'FINTECH', title: '命名语句测试', body: '建议在前海试点跨境数据流动的监管沙盒。', idempotencyKey: key };
  const submitted = await app.gql(SUBMIT, { input }, { token });
  expect(submitted.body.errors).toBeUndefined();
  expect(submitted.body.data.submitSuggestion.userErrors).toEqual([]);
}

describe.skipIf(!DATABASE_URL)('named statements on PostgreSQL', () => {
  it('are parsed once per connection, reused across requests and transactions, and planned per execution', async () => {
    t = await createTestApp({ DB_POOL_SIZE: '1' });
    await readAndSubmit(t, 'named-1');
    const { named, planCacheMode } = await connectionState(t);
    expect(planCacheMode).toBe('force_custom_plan');
    expect(named.length).toBeGreaterThanOrEqual(2);
    expect(named.every((s) => /^mg_\d+$/.test(s.name))).toBe(true);
    // One statement per text: the page read three times, at two sizes, was parsed once; the submission's too.
    expect(new Set(named.map((s) => s.statement)).size).toBe(named.length);
    expect(named.some((s) => /from "organizations"/.test(s.statement))).toBe(true);
    expect(named.some((s) => /insert into "suggestions"/i.test(s.statement))).toBe(true);
  });

  it('are planned from cache again inside a bulk write (its foreign-key checks), and only to the end of its transaction', async () => {
    t = await createTestApp({ DB_POOL_SIZE: '1' });
    const db = t.database.db;
    const inside = await runInTransaction(db, async (tx) => {
      await cachePlansForBulkWrite(tx);
      return rowsOf<{ plan_cache_mode: string }>(await tx.execute(sql`show plan_cache_mode`))[0]!.plan_cache_mode;
    });
    expect(inside).toBe('auto');
    expect((await connectionState(t)).planCacheMode).toBe('force_custom_plan');
    // The view ingestion takes it (two batches, one transaction): the pooled connection is as it was afterwards.
    const session = await insertTrainingSession(db, { mode: 'ONLINE_RECORDED' });
    const practitioner = await insertPractitioner(db, { organizationId: (await insertOrganization(db)).id });
    const rows = Array.from({ length: 1_500 }, (_, i) => ({
      line: i + 1, eventId: `bulk-plan-${i}`, sessionId: session.id, practitionerId: practitioner.id, watchedSeconds: 60, at: '2026-04-28T06:05:00.000Z',
    }));
    const result = await ingestViewEvents(db, { kind: 'all' }, rows);
    expect(result).toEqual({ accepted: 1_500, duplicates: 0, rejected: [] });
    expect((await connectionState(t)).planCacheMode).toBe('force_custom_plan');
  });

  it('are sent unnamed with DB_NAMED_STATEMENTS=false, and the answers are the same', async () => {
    t = await createTestApp({ DB_POOL_SIZE: '1', DB_NAMED_STATEMENTS: 'false' });
    await readAndSubmit(t, 'unnamed-1');
    const { named, planCacheMode } = await connectionState(t);
    expect(named).toEqual([]);
    expect(planCacheMode).toBe('auto');
  });
});
