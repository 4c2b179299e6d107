// Service-account scopes: ratings:read, reports:read and suggestions:read bound what an account reads on every path
// (lists, totalCount, node, nodes, nested fields, reports, CSV, webhooks), people are bounded by their role alone,
// and every read of ratings by the regulator or a service account is in the data-access log.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueEvent } from '../src/outbox/outbox.service.js';
import { webhookDeliveriesTable, webhookSubscriptionsTable } from '../src/webhooks/webhooks.table.js';
import { fanOutEvents } from '../src/webhooks/webhooks.worker.js';
import { getCsv } from './support/csv.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount, requestToken } from './support/integration.js';

let t: TestApp;
let firmCode: string;
let ratingIds: string[];
let suggestionId: string;
const people: Record<'association' | 'regulator', string> = { association: '', regulator: '' };

/** A service account of the regulator with these scopes, and a token for it. */
async function account(scopes: string[], role: 'regulator' | 'association' = 'regulator') {
  const a = await newServiceAccount(t, { role, scopes, name: `scopes ${scopes.join(' ') || 'none'}` });
  return { ...a, token: await clientToken(t, a.clientId, a.clientSecret) };
}

beforeAll(async () => {
  t = await createTestApp();
  people.association = await t.token('association');
  people.regulator = await t.token('regulator');
  firmCode = await creditCodeOf(t, 'SECURITIES_FIRM', 0);
  const ratings = await t.gql(`{ branchRatings(year: 2025, first: 3) { edges { node { id } } } }`, {}, { token: people.association });
  ratingIds = ratings.body.data.branchRatings.edges.map((e: any) => e.node.id);
  const suggestions = await t.gql(`{ suggestions(first: 1) { edges { node { id } } } }`, {}, { token: people.association });
  suggestionId = suggestions.body.data.suggestions.edges[0].node.id;
});
afterAll(async () => {
  await t?.close();
});

const RATING_PATHS = `query($ids: [ID!]!, $id: ID!, $code: String!) {
  branchRatings(year: 2025, first: 100) { totalCount edges { node { id } } }
  node(id: $id) { id ... on BranchRating { grade } }
  nodes(ids: $ids) { id }
  organization(creditCode: $code) { branches(first: 50) { edges { node { ratings { id grade } } } } }
  supervisionList(year: 2025) { id }
}`;
const RATING_REPORTS = `{
  reports {
    ratingDistribution(year: 2025) { grade count }
    byFirm: ratingDistribution(year: 2025, by: FIRM) { count }
    supervisoryFollowUpSummary(year: 2025) { count }
  }
}`;
const SUGGESTION_PATHS = `query($id: ID!, $code: String!) {
  suggestions(first: 100) { totalCount edges { node { id } } }
  node(id: $id) { id }
  nodes(ids: [$id]) { id }
  organization(creditCode: $code) { suggestions(first: 100) { totalCount edges { node { id } } } }
}`;

async function ratingPaths(token: string) {
  const res = await t.gql(RATING_PATHS, { ids: ratingIds, id: ratingIds[0], code: firmCode }, { token });
  expect(res.body.errors).toBeUndefined();
  const d = res.body.data;
  return {
    total: d.branchRatings.totalCount as number,
    edges: d.branchRatings.edges.length as number,
    node: d.node,
    nodes: d.nodes.filter(Boolean).length as number,
    nested: d.organization.branches.edges.flatMap((e: any) => e.node.ratings).length as number,
    supervision: d.supervisionList.length as number,
  };
}

describe('ratings:read', () => {
  it('a service account without it sees no rating on any path, and gets 403 on the CSV', async () => {
    const without = await account(['reports:read', 'suggestions:read']);
    expect(await ratingPaths(without.token)).toEqual({ total: 0, edges: 0, node: null, nodes: 0, nested: 0, supervision: 0 });
    const reports = await t.gql(RATING_REPORTS, {}, { token: without.token });
    expect(reports.body.errors).toBeUndefined();
    expect(reports.body.data.reports.ratingDistribution.every((g: any) => g.count === 0)).toBe(true);
    expect(reports.body.data.reports.byFirm).toEqual([]);
    expect(reports.body.data.reports.supervisoryFollowUpSummary).toEqual([]);
    const csv = await getCsv(t, '/reports/branch-ratings.csv?year=2025', without.token);
    expect(csv.status).toBe(403);
    expect(csv.json.errors[0].extensions.code).toBe('FORBIDDEN');
    // Service accounts change nothing: the follow-up mutation is FORBIDDEN to it.
    const followUp = await t.gql(`{ supervisionList(year: 2025) { followUps { id } } }`, {}, { token: people.association });
    const id = followUp.body.data.supervisionList[0].followUps[0].id;
    const update = await t.gql(`mutation($id: ID!) { updateSupervisoryFollowUp(input: { id: $id, status: IN_PROGRESS }) { userErrors { code } } }`, { id }, { token: without.token });
    expect(update.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Nothing was read, so nothing is on the record.
    expect(await t.database.db.execute(sql`select count(*)::int as n from data_access_log where client_id = ${without.clientId}`)).toMatchObject({ rows: [{ n: 0 }] });
  });

  it('with it (and for people of the association and the regulator) every path shows the ratings', async () => {
    const withScope = await account(['ratings:read', 'reports:read']);
    for (const token of [withScope.token, people.regulator, people.association]) {
      const seen = await ratingPaths(token);
      expect(seen.total).toBeGreaterThan(50);
      expect(seen.edges).toBe(Math.min(100, seen.total));
      expect(seen.node).toMatchObject({ id: ratingIds[0] });
      expect(seen.nodes).toBe(ratingIds.length);
      expect(seen.nested).toBeGreaterThan(0);
      expect(seen.supervision).toBeGreaterThan(0);
      expect((await getCsv(t, '/reports/branch-ratings.csv?year=2025', token)).status).toBe(200);
    }
  });

  it('a token narrowed to reports:read by its scope parameter reads no ratings, though the account holds ratings:read', async () => {
    const full = await newServiceAccount(t, { scopes: ['reports:read', 'ratings:read'] });
    const narrowed = await requestToken(t, { grant_type: 'client_credentials', client_id: full.clientId, client_secret: full.clientSecret, scope: 'reports:read' });
    expect(narrowed.status).toBe(200);
    const seen = await ratingPaths(narrowed.body.access_token);
    expect(seen).toEqual({ total: 0, edges: 0, node: null, nodes: 0, nested: 0, supervision: 0 });
    expect((await getCsv(t, '/reports/branch-ratings.csv?year=2025', narrowed.body.access_token)).status).toBe(403);
  });
});

describe('reports:read', () => {
  it('a service account without it gets reports null + FORBIDDEN and 403 on both CSVs, while its list reads still work', async () => {
    const without = await account(['ratings:read', 'suggestions:read']);
    const res = await t.gql(`{ reports { membershipSummary { count } } }`, {}, { token: without.token });
    expect(res.body.data.reports).toBeNull();
    expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    for (const path of ['/reports/branch-ratings.csv?year=2025', '/reports/suggestions.csv?from=2025-01-01&to=2026-12-31']) {
      const csv = await getCsv(t, path, without.token);
      expect(csv.status).toBe(403);
      expect(csv.json.errors[0].extensions.code).toBe('FORBIDDEN');
    }
    expect((await ratingPaths(without.token)).total).toBeGreaterThan(50);
  });
});

describe('suggestions:read', () => {
  it('a service account without it sees no suggestion on any path, counts none in the summary, and gets 403 on the CSV', async () => {
    const without = await account(['reports:read', 'ratings:read']);
    const res = await t.gql(SUGGESTION_PATHS, { id: suggestionId, code: firmCode }, { token: without.token });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({
      suggestions: { totalCount: 0, edges: [] },
      node: null,
      nodes: [null],
      organization: { suggestions: { totalCount: 0, edges: [] } },
    });
    const summary = await t.gql(`{ reports { suggestionSummary { count } } }`, {}, { token: without.token });
    expect(summary.body.data.reports.suggestionSummary).toEqual([]);
    expect((await getCsv(t, '/reports/suggestions.csv?from=2020-01-01&to=2030-12-31', without.token)).status).toBe(403);

    const withScope = await account(['reports:read', 'suggestions:read']);
    const seen = await t.gql(SUGGESTION_PATHS, { id: suggestionId, code: firmCode }, { token: withScope.token });
    expect(seen.body.data.suggestions.totalCount).toBeGreaterThan(0);
    expect(seen.body.data.node).toEqual({ id: suggestionId });
    const counted = await t.gql(`{ reports { suggestionSummary { count } } }`, {}, { token: withScope.token });
    expect(counted.body.data.reports.suggestionSummary.reduce((n: number, s: any) => n + s.count, 0)).toBe(seen.body.data.suggestions.totalCount);
  });
});

describe('the read audit', () => {
  it('records each rating read of a service account once per root field, loader batch and export, with its client id', async () => {
    const reader = await account(['ratings:read', 'reports:read']);
    const log = async () =>
      (
        (await t.database.db.execute(sql`select resource, details from data_access_log where client_id = ${reader.clientId} order by id`)) as unknown as {
          rows: { resource: string; details: any }[];
        }
      ).rows;
    await ratingPaths(reader.token);
    await t.gql(RATING_REPORTS, {}, { token: reader.token });
    await getCsv(t, '/reports/branch-ratings.csv?year=2025', reader.token);
    const entries = await log();
    expect(entries.map((e) => e.resource).sort()).toEqual(
      [
        'Branch.ratings',
        'BranchRating', // node and nodes: one loader batch
        'branch-ratings.csv',
        'branchRatings',
        'reports.ratingDistribution',
        'reports.ratingDistribution',
        'reports.supervisoryFollowUpSummary',
        'supervisionList',
      ].sort(),
    );
    const byResource = Object.fromEntries(entries.map((e) => [e.resource, e.details]));
    expect(byResource.branchRatings).toMatchObject({ year: 2025, first: 100, after: null });
    expect(byResource.branchRatings.rows).toBeGreaterThan(50);
    expect(byResource.BranchRating.ids.sort()).toEqual([...ratingIds].sort());
    expect(byResource['branch-ratings.csv']).toEqual({ year: 2025 });
    // The association reads the log through GraphQL, by client.
    const res = await t.gql(`query($s: String) { dataAccessLog(first: 50, filter: { actorSubject: $s }) { totalCount edges { node { clientId actorRole } } } }`, { s: `client:${reader.clientId}` }, { token: people.association });
    expect(res.body.data.dataAccessLog.totalCount).toBe(entries.length);
    expect(res.body.data.dataAccessLog.edges.every((e: any) => e.node.clientId === reader.clientId && e.node.actorRole === 'REGULATOR')).toBe(true);
  });

  it('records the regulator in person too, and never the association in person', async () => {
    const count = async () => Number(((await t.database.db.execute(sql`select count(*)::int as n from data_access_log`)) as any).rows[0].n);
    const before = await count();
    await ratingPaths(people.association);
    expect(await count()).toBe(before);
    await ratingPaths(people.regulator);
    const subjects = await t.database.db.execute(sql`select distinct actor_sub, actor_role from data_access_log where id > (select max(id) - 4 from data_access_log)`);
    expect(await count()).toBe(before + 4); // branchRatings, BranchRating (node + nodes), Branch.ratings, supervisionList
    expect((subjects as any).rows).toEqual([{ actor_sub: 'test:regulator:', actor_role: 'REGULATOR' }]);
  });
});

describe('webhooks and scopes', () => {
  const SUBSCRIBE = `mutation($input: CreateWebhookSubscriptionInput!) {
    createWebhookSubscription(input: $input) { webhookSubscription { id } userErrors { field code message } }
  }`;

  it('a service account may subscribe only to events whose data it may read', async () => {
    const manager = await account(['webhooks:manage', 'suggestions:read']);
    const refused = await t.gql(SUBSCRIBE, { input: { url: 'https://bureau.example/hook', eventTypes: ['RATING_CYCLE_PUBLISHED', 'SUGGESTION_SUBMITTED'] } }, { token: manager.token, headers: { 'accept-language': 'en' } });
    const errors = refused.body.data.createWebhookSubscription.userErrors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ field: ['input', 'eventTypes'], code: 'INVALID' });
    expect(errors[0].message).toContain('rating_cycle.published (ratings:read)');
    const accepted = await t.gql(SUBSCRIBE, { input: { url: 'https://bureau.example/hook', eventTypes: ['SUGGESTION_SUBMITTED', 'SUGGESTION_FORWARDED'] } }, { token: manager.token });
    expect(accepted.body.data.createWebhookSubscription.userErrors).toEqual([]);
    // People of the association are bounded by their role only.
    const staff = await t.gql(SUBSCRIBE, { input: { url: 'https://assoc.example/hook', eventTypes: ['RATING_CYCLE_PUBLISHED'] } }, { token: people.association });
    expect(staff.body.data.createWebhookSubscription.userErrors).toEqual([]);
  });

  it('fan-out delivers an event only to subscriptions whose account holds the scope its data needs', async () => {
    const db = t.database.db;
    const ratingsOnly = await newServiceAccount(t, { scopes: ['webhooks:manage', 'ratings:read'] });
    const suggestionsOnly = await newServiceAccount(t, { scopes: ['webhooks:manage', 'suggestions:read'] });
    const types = ['rating_cycle.published', 'suggestion.submitted', 'suggestion.forwarded', 'suggestion.responded'];
    // Subscriptions written directly, as if the scopes had been different when they were made.
    const subs = await db
      .insert(webhookSubscriptionsTable)
      .values([
        { url: 'https://a.example/h', eventTypes: types, secret: 'whsec_a', serviceAccountId: ratingsOnly.id, createdBySub: 'test', createdAt: sql`now() - interval '1 minute'` as never },
        { url: 'https://b.example/h', eventTypes: types, secret: 'whsec_b', serviceAccountId: suggestionsOnly.id, createdBySub: 'test', createdAt: sql`now() - interval '1 minute'` as never },
        { url: 'https://c.example/h', eventTypes: types, secret: 'whsec_c', serviceAccountId: null, associationId: 1, createdBySub: 'test', createdAt: sql`now() - interval '1 minute'` as never },
      ])
      .returning({ id: webhookSubscriptionsTable.id });
    for (const type of types) await enqueueEvent(db, { type: type as never, entityType: 'Suggestion', entityId: 1, associationId: 1, payload: {} });
    while ((await fanOutEvents(db)) > 0);
    const delivered = async (subscriptionId: number) =>
      (await db.select({ type: webhookDeliveriesTable.eventType }).from(webhookDeliveriesTable).where(eq(webhookDeliveriesTable.subscriptionId, subscriptionId)))
        .map((d) => d.type)
        .sort();
    expect(await delivered(subs[0]!.id)).toEqual(['rating_cycle.published']);
    expect(await delivered(subs[1]!.id)).toEqual(['suggestion.forwarded', 'suggestion.responded', 'suggestion.submitted']);
    expect(await delivered(subs[2]!.id)).toEqual([...types].sort());
  });
});
