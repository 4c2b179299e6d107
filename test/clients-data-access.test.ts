import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousViewer, type Viewer } from '../src/auth/viewer.js';
import { recordDataAccess } from '../src/data-access/data-access.service.js';
import { countStatements } from '../src/db/instrumentation.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount, staffActor, staffToken } from './support/integration.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const LOG = `query($first: Int, $after: String, $filter: DataAccessFilter) {
  dataAccessLog(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { node { at actorSubject actorRole clientId resource details } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const regulator: Viewer = { role: 'REGULATOR', subject: 'regulator:alice', organizationId: null };
const association: Viewer = { role: 'ASSOCIATION', subject: 'association:bob', organizationId: null };
const firm: Viewer = { role: 'FIRM', subject: 'firm:x', organizationId: 1 };

describe('read audit (recordDataAccess + dataAccessLog)', () => {
  it('records reads by the regulator and by service accounts, and nothing (not even a statement) for other viewers', async () => {
    const account = await newServiceAccount(t, { role: 'association' });
    const client: Viewer = { role: 'ASSOCIATION', subject: `client:${account.clientId}`, organizationId: null, serviceAccount: { id: account.id, clientId: account.clientId, scopes: ['ratings:read'] } };
    await recordDataAccess(t.database.db, regulator, { resource: 'branchRatings', details: { year: 2025, rows: 20 } });
    await recordDataAccess(t.database.db, client, { resource: 'supervisionList', details: { year: 2025 } });
    for (const viewer of [association, firm, anonymousViewer]) {
      const { count } = await countStatements(() => recordDataAccess(t.database.db, viewer, { resource: 'branchRatings' }));
      expect(count).toBe(0);
    }
    const res = await t.gql(LOG, { first: 10 }, { token: await t.token('association') });
    const entries = res.body.data.dataAccessLog.edges.map((e: any) => e.node);
    expect(res.body.data.dataAccessLog.totalCount).toBe(2);
    // Newest first.
    expect(entries[0]).toMatchObject({ actorSubject: `client:${account.clientId}`, actorRole: 'ASSOCIATION', clientId: account.clientId, resource: 'supervisionList' });
    expect(JSON.parse(entries[0].details)).toEqual({ year: 2025 });
    expect(entries[1]).toMatchObject({ actorSubject: 'regulator:alice', actorRole: 'REGULATOR', clientId: null, resource: 'branchRatings' });
    expect(new Date(entries[1].at).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('filters by resource and by reader, and pages newest first without repeats', async () => {
    for (let i = 0; i < 5; i++) await recordDataAccess(t.database.db, regulator, { resource: 'BranchRating', details: { id: i } });
    const token = await t.token('association');
    const byResource = await t.gql(LOG, { first: 100, filter: { resource: 'BranchRating' } }, { token });
    expect(byResource.body.data.dataAccessLog.totalCount).toBe(5);
    const byActor = await t.gql(LOG, { first: 100, filter: { actorSubject: 'regulator:alice' } }, { token });
    expect(byActor.body.data.dataAccessLog.edges.every((e: any) => e.node.actorSubject === 'regulator:alice')).toBe(true);
    const ids: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const page: any = (await t.gql(LOG, { first: 2, after, filter: { resource: 'BranchRating' } }, { token })).body.data.dataAccessLog;
      ids.push(...page.edges.map((e: any) => JSON.parse(e.node.details).id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(ids).toEqual([4, 3, 2, 1, 0]);
  });

  it('is readable by the securities association (in person or through its service account), by no one else', async () => {
    const ownClient = await newServiceAccount(t, { role: 'association' });
    const otherAssociationClient = await newServiceAccount(t, { role: 'association' }, staffActor('SZLCA'));
    const ok = await t.gql(LOG, {}, { token: await clientToken(t, ownClient.clientId, ownClient.clientSecret) });
    expect(ok.body.data.dataAccessLog.totalCount).toBeGreaterThan(0);
    const regulatorClient = await newServiceAccount(t, { role: 'regulator' });
    for (const token of [
      undefined,
      await t.token('regulator'),
      await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM')),
      await clientToken(t, regulatorClient.clientId, regulatorClient.clientSecret),
      // Another association's staff and service accounts: hidden exactly as for any other role.
      await staffToken(t, 'SZLCA'),
      await clientToken(t, otherAssociationClient.clientId, otherAssociationClient.clientSecret),
    ]) {
      const res = await t.gql(LOG, {}, { token });
      expect(res.body.data.dataAccessLog).toBeNull();
      expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    }
  });
});
