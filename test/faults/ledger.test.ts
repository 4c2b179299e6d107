// A small ledger-checked load run (the full one is `npm run load:ledger`): concurrent submissions with idempotency
// keys while the API's database connections are killed, retries with the same keys, then reconciliation: every
// acknowledged submission exists exactly once with one audit entry, one event and one outbox event; nothing is
// half-applied, duplicated or unaccounted for; the audit chain is intact.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcile, runLedger, type Submitter } from '../../scripts/ledger.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { DATABASE_URL, NEEDS_POSTGRES, terminateAppBackends } from '../support/faults.js';
import { keyOf } from '../support/suggestions.js';

if (!DATABASE_URL) console.warn(`test/faults/ledger.test.ts skipped: ${NEEDS_POSTGRES}`);

describe.skipIf(!DATABASE_URL)('the ledger under faults', () => {
  let t: TestApp;
  let submitters: Submitter[];
  beforeAll(async () => {
    t = await createTestApp({ DB_POOL_SIZE: '6', RATE_LIMIT_POINTS: '0' });
    submitters = [];
    for (const [kind, n] of [['SECURITIES_FIRM', 0], ['SECURITIES_FIRM', 1], ['SECURITIES_FIRM', 2], ['LISTED_COMPANY', 0]] as const) {
      const code = await creditCodeOf(t, kind, n);
      const res = await t.gql(`query($c: String!) { organization(creditCode: $c) { id } }`, { c: code });
      submitters.push({ organizationId: keyOf(res.body.data.organization.id), token: await t.token(kind === 'LISTED_COMPANY' ? 'listed_company' : 'firm', code, 3600) });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('every acknowledged submission is there exactly once, whole; every failed one was resolved by its key', async () => {
    const runId = `ledger-${randomBytes(4).toString('hex')}`;
    const url = t.config.DATABASE_URL!;
    const run = await runLedger(
      { url: t.url, submitters, db: t.database.db },
      { submissions: 160, concurrency: 8, runId, faults: { everyMs: 120, kill: () => terminateAppBackends(url) } },
    );
    const report = await reconcile(t.database.db, run, runId);
    expect(report, JSON.stringify({ report, failures: run.failuresByKind })).toMatchObject({
      ok: true,
      submissions: 160,
      acknowledged: 160,
      lost: [],
      duplicated: [],
      halfApplied: [],
      altered: [],
      phantoms: [],
      unresolved: [],
      orphans: 0,
      auditChain: { ok: true },
    });
    // The faults happened and were survived: connections were killed and some attempts failed (and were retried).
    expect(run.kills).toBeGreaterThan(0);
    expect(run.failedAttempts).toBeGreaterThan(0);
    // Failed attempts were masked as 503 SERVICE_UNAVAILABLE, never a 500 or a dropped connection.
    expect(Object.keys(run.failuresByKind).filter((k) => k !== 'http:503:SERVICE_UNAVAILABLE')).toEqual([]);
  }, 120_000);
});
