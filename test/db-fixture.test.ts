// The domain-test fixture and the factories: each test's writes are rolled back, and every factory makes a valid row.
import { count, eq } from 'drizzle-orm';
import { committeeTermsTable } from '../src/committees/committees.table.js';
import { isValidCreditCode } from '../src/members/identifiers.js';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { membershipsTable, organizationsTable } from '../src/members/members.table.js';
import { runInTransaction } from '../src/db/transaction.js';
import { describe, expect, test } from './support/db.js';
import * as factories from './support/factories.js';

const ROLLBACK_PROBE = '深圳回滚探针证券股份有限公司';

describe('each test runs in a transaction that is rolled back', () => {
  // The two tests run in order: the second proves the first one's row did not survive it.
  test('a test writes a row and sees it', async ({ tx }) => {
    await factories.insertOrganization(tx, { name: ROLLBACK_PROBE });
    expect(await tx.select().from(organizationsTable).where(eq(organizationsTable.name, ROLLBACK_PROBE))).toHaveLength(1);
  });

  test('the next test in the file does not see it', async ({ tx }) => {
    expect(await tx.select().from(organizationsTable).where(eq(organizationsTable.name, ROLLBACK_PROBE))).toHaveLength(0);
  });

  test('a service that fails inside the test transaction undoes only its own writes', async ({ tx }) => {
    const kept = await factories.insertOrganization(tx);
    await expect(
      runInTransaction(tx, async (inner) => {
        await factories.insertOrganization(inner, { name: ROLLBACK_PROBE });
        throw new Error('midway');
      }),
    ).rejects.toThrow('midway');
    const names = (await tx.select({ name: organizationsTable.name }).from(organizationsTable)).map((r) => r.name);
    expect(names).toContain(kept.name);
    expect(names).not.toContain(ROLLBACK_PROBE);
  });

  test('the database fixture sees committed rows only', async ({ database }) => {
    const [row] = await database.db.select({ n: count() }).from(organizationsTable).where(eq(organizationsTable.name, ROLLBACK_PROBE));
    expect(row!.n).toBe(0);
  });
});

describe('factories', () => {
  test('make organizations with valid, distinct credit codes, Chinese names and stock codes for listed companies', async ({ tx }) => {
    const firm = await factories.insertOrganization(tx);
    const listed = await factories.insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    for (const org of [firm, listed]) {
      expect(isValidCreditCode(org.creditCode), org.creditCode).toBe(true);
      expect(org.name).toMatch(/^[\u4e00-\u9fff]+$/);
    }
    expect(firm.creditCode).not.toBe(listed.creditCode);
    expect(firm.stockCode).toBeNull();
    expect(listed).toMatchObject({ stockExchange: 'SH', stockCode: expect.stringMatching(/^689\d{3}$/) });
  });

  test('create the parents they are not given, and use the ones they are', async ({ tx }) => {
    const branch = await factories.insertBranch(tx);
    const [firm] = await tx.select().from(organizationsTable).where(eq(organizationsTable.id, branch.firmId));
    expect(branch.name.startsWith(firm!.name)).toBe(true);
    const second = await factories.insertBranch(tx, { firmId: firm!.id });
    expect(second.firmId).toBe(firm!.id);
    const seat = await factories.insertCommitteeSeat(tx);
    const [term] = await tx.select().from(committeeTermsTable).where(eq(committeeTermsTable.id, seat.termId));
    const nextTerm = await factories.insertCommitteeTerm(tx, { committeeId: term!.committeeId });
    expect(nextTerm.number).toBe(2);
  });

  // One call of each with no overrides: the defaults satisfy every constraint of its table.
  test.for([
    'insertOrganization',
    'insertMembership',
    'insertMembershipEvent',
    'insertBranch',
    'insertContact',
    'insertCommittee',
    'insertCommitteeTerm',
    'insertCommitteeSeat',
    'insertRatingGuideline',
    'insertRatingIndicator',
    'insertRatingOverrideRule',
    'insertRatingCycle',
    'insertBranchRating',
    'insertRatingScoreLine',
    'insertRatingOverrideDecision',
    'insertSupervisoryFollowUp',
    'insertPolicyInterpretation',
    'insertPolicySource',
    'insertPolicyRevision',
    'insertSuggestionCampaign',
    'insertSuggestionForwardBatch',
    'insertSuggestion',
    'insertSuggestionEvent',
    'insertServiceAccount',
    'insertServiceAccountSecret',
    'insertDataAccessLogEntry',
    'insertOutboxEvent',
    'insertWebhookSubscription',
    'insertWebhookFanout',
    'insertWebhookDelivery',
    'insertWebhookDeliveryAttempt',
  ] as const)('%s inserts a valid row with its defaults, twice', async (name, { tx }) => {
    const insert = factories[name] as (tx: unknown) => Promise<Record<string, unknown>>;
    const first = await insert(tx);
    const second = await insert(tx);
    expect(first).toBeTruthy();
    expect(second).not.toEqual(first);
  });

  test("rows belong to SZSA unless told; an organization is a member of its primary association; insertMembership adds or changes one", async ({ tx }) => {
    const firm = await factories.insertOrganization(tx);
    const listed = await factories.insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const membershipsOf = (organizationId: number) =>
      tx.select({ associationId: membershipsTable.associationId, status: membershipsTable.status }).from(membershipsTable).where(eq(membershipsTable.organizationId, organizationId)).orderBy(membershipsTable.associationId);
    expect(await membershipsOf(firm.id)).toEqual([{ associationId: ASSOCIATION_IDS.SZSA, status: 'ACTIVE' }]);
    expect(await membershipsOf(listed.id)).toEqual([{ associationId: ASSOCIATION_IDS.SZLCA, status: 'ACTIVE' }]);
    await factories.insertMembership(tx, { organizationId: firm.id, associationId: ASSOCIATION_IDS.SZLCA });
    await factories.insertMembership(tx, { organizationId: firm.id, status: 'SUSPENDED' });
    expect(await membershipsOf(firm.id)).toEqual([
      { associationId: ASSOCIATION_IDS.SZSA, status: 'SUSPENDED' },
      { associationId: ASSOCIATION_IDS.SZLCA, status: 'ACTIVE' },
    ]);
    expect((await factories.insertCommittee(tx)).associationId).toBe(ASSOCIATION_IDS.SZSA);
    expect((await factories.insertCommittee(tx, { code: 'INVESTOR_RELATIONS' })).associationId).toBe(ASSOCIATION_IDS.SZLCA);
    expect((await factories.insertSuggestion(tx, { associationId: ASSOCIATION_IDS.SZLCA, organizationId: listed.id })).associationId).toBe(ASSOCIATION_IDS.SZLCA);
    expect((await factories.insertServiceAccount(tx, { role: 'association' })).associationId).toBe(ASSOCIATION_IDS.SZSA);
    expect((await factories.insertServiceAccount(tx)).associationId).toBeNull();
  });

  test('statuses that need companions get them', async ({ tx }) => {
    expect(await factories.insertSuggestion(tx, { status: 'RESPONDED' })).toMatchObject({ forwardBatchId: expect.any(Number), responseOutcome: 'ADOPTED' });
    expect(await factories.insertRatingCycle(tx, { status: 'PUBLISHED' })).toMatchObject({ publishedAt: expect.any(Date) });
    expect(await factories.insertPolicyInterpretation(tx, { status: 'ARCHIVED' })).toMatchObject({ publishedAt: expect.any(Date), archivedAt: expect.any(Date) });
  });
});
