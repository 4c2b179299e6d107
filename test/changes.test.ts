// The change feed (Query.changes): the webhooks' events for systems that poll. Scoped exactly like the webhook fan-out
// (every principal kind), a stable cursor across pages and new events, the types filter, payload = the webhook's data,
// node(id), the read audit, and statements constant in the page size.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataAccessLogTable } from '../src/data-access/data-access.table.js';
import { createLogger } from '../src/logger.js';
import { enqueueEvent, type OutboxEventType } from '../src/outbox/outbox.service.js';
import { outboxEventsTable } from '../src/outbox/outbox.table.js';
import { fanOutEvents, startWebhookWorker } from '../src/webhooks/webhooks.worker.js';
import { webhookDeliveriesTable, webhookSubscriptionsTable } from '../src/webhooks/webhooks.table.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount, staffActor, startReceiver } from './support/integration.js';
import { sideConnection } from './support/faults.js';
import { waitFor } from './support/wait.js';

const isPostgres = Boolean(process.env.DATABASE_URL);

let t: TestApp;
const tokens: Record<string, string | undefined> = {};
/** Our events: entity id → (type, association). Entity ids start high so the seeded events never match. */
const ours = new Map<number, { type: OutboxEventType; association: number | null }>();
const ENUM: Record<OutboxEventType, string> = {
  'rating_cycle.published': 'RATING_CYCLE_PUBLISHED',
  'suggestion.submitted': 'SUGGESTION_SUBMITTED',
  'suggestion.forwarded': 'SUGGESTION_FORWARDED',
  'suggestion.responded': 'SUGGESTION_RESPONDED',
  'training_session.scheduled': 'TRAINING_SESSION_SCHEDULED',
  'statistics_return.submitted': 'STATISTICS_RETURN_SUBMITTED',
  'early_report.escalated': 'EARLY_REPORT_ESCALATED',
  'disciplinary_decision.published': 'DISCIPLINARY_DECISION_PUBLISHED',
  'export_job.completed': 'EXPORT_JOB_COMPLETED',
};
const TYPES = Object.keys(ENUM) as OutboxEventType[];
let nextEntity = 990_000;

async function emit(type: OutboxEventType, association: number | null, payload: Record<string, unknown> = {}) {
  const entityId = nextEntity++;
  await enqueueEvent(t.database.db, { type, entityType: 'Suggestion', entityId, associationId: association, payload: { marker: `feed-${entityId}`, ...payload } });
  ours.set(entityId, { type, association });
  return entityId;
}

const FEED = `query($first: Int, $after: String, $types: [WebhookEventType!]) {
  changes(first: $first, after: $after, types: $types) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id eventId type occurredAt entityType entityId payload } }
  }
}`;

/** Every change the token reads (all pages of 100), in feed order. */
async function readAll(token: string | undefined, types?: string[]) {
  const nodes: any[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (let i = 0; i < 100; i++) {
    const res: any = await t.gql(FEED, { first: 100, after, types }, { token });
    expect(res.body.errors, res.text.slice(0, 300)).toBeUndefined();
    const c: any = res.body.data.changes;
    if (i === 0) totalCount = c.totalCount;
    nodes.push(...c.edges.map((e: any) => e.node));
    if (!c.pageInfo.hasNextPage) break;
    after = c.pageInfo.endCursor;
  }
  return { nodes, totalCount };
}

const entityOf = (node: any) => Number(/^Suggestion:(\d+)$/.exec(Buffer.from(node.entityId, 'base64url').toString())![1]);
const oursOf = (nodes: any[]) => nodes.map(entityOf).filter((id) => ours.has(id));

/** Our events a principal should read: the types and associations of the webhook rule. */
function expected(types: readonly OutboxEventType[], association: number | 'all') {
  return [...ours.entries()].filter(([, e]) => types.includes(e.type) && (association === 'all' || e.association === association)).map(([id]) => id);
}

beforeAll(async () => {
  t = await createTestApp();
  const regulatorSuggestions = await newServiceAccount(t, { scopes: ['suggestions:read'] });
  const regulatorAll = await newServiceAccount(t, { scopes: ['reports:read', 'suggestions:read', 'ratings:read', 'training:read', 'statistics:read', 'early-reports:read', 'discipline:read'] });
  const regulatorWebhooksOnly = await newServiceAccount(t, { scopes: ['webhooks:manage'] });
  const szlcaAccount = await newServiceAccount(t, { role: 'association', scopes: ['webhooks:manage', 'suggestions:read', 'ratings:read', 'early-reports:read'] }, staffActor('SZLCA'));
  Object.assign(tokens, {
    anonymous: undefined,
    firm: await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM')),
    listed: await t.token('listed_company', await creditCodeOf(t, 'LISTED_COMPANY')),
    szsa: await t.token('association'),
    szlca: await t.token('association', undefined, 600, { association: 'SZLCA' }),
    regulator: await t.token('regulator'),
    saSuggestions: await clientToken(t, regulatorSuggestions.clientId, regulatorSuggestions.clientSecret),
    saAll: await clientToken(t, regulatorAll.clientId, regulatorAll.clientSecret),
    saNone: await clientToken(t, regulatorWebhooksOnly.clientId, regulatorWebhooksOnly.clientSecret),
    szlcaAccount: await clientToken(t, szlcaAccount.clientId, szlcaAccount.clientSecret),
  });
  // Every type, of each association and of none.
  for (const type of TYPES) for (const association of [1, 2, null]) await emit(type, association);
});
afterAll(async () => {
  await t?.close();
});

describe('Query.changes: scoped like the webhook fan-out', () => {
  it('the securities association’s staff read its events of every type, never another association’s or the bureau’s own', async () => {
    const { nodes, totalCount } = await readAll(tokens.szsa);
    expect(oursOf(nodes).sort()).toEqual(expected(TYPES, 1).sort());
    expect(totalCount).toBe(nodes.length);
  });

  it('the listed companies association’s staff read its events, without the ratings (which they never read)', async () => {
    const { nodes, totalCount } = await readAll(tokens.szlca);
    expect(oursOf(nodes).sort()).toEqual(expected(TYPES.filter((x) => x !== 'rating_cycle.published'), 2).sort());
    expect(totalCount).toBe(nodes.length);
  });

  it('the regulator in person reads every association’s events and those of none', async () => {
    const { nodes, totalCount } = await readAll(tokens.regulator);
    expect(oursOf(nodes).sort()).toEqual(expected(TYPES, 'all').sort());
    expect(totalCount).toBe(nodes.length);
  });

  it('a service account reads only the types whose read scope it holds; without any, nothing', async () => {
    expect(oursOf((await readAll(tokens.saSuggestions)).nodes).sort()).toEqual(expected(TYPES.filter((x) => x.startsWith('suggestion.')), 'all').sort());
    expect(oursOf((await readAll(tokens.saAll)).nodes).sort()).toEqual(expected(TYPES, 'all').sort());
    expect(await readAll(tokens.saNone)).toEqual({ nodes: [], totalCount: 0 });
    // An association's account: its association's events of its scopes (the ratings' events are not its association's).
    expect(oursOf((await readAll(tokens.szlcaAccount)).nodes).sort()).toEqual(
      expected(['suggestion.submitted', 'suggestion.forwarded', 'suggestion.responded', 'early_report.escalated'], 2).sort(),
    );
  });

  it('members and anonymous callers get an empty connection, as other staff-only lists', async () => {
    for (const who of ['anonymous', 'firm', 'listed']) {
      const res = await t.gql(FEED, { first: 100 }, { token: tokens[who] });
      expect(res.body.errors, who).toBeUndefined();
      expect(res.body.data.changes).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    }
  });

  it('reads exactly what the fan-out delivers to the same principal’s subscription', async () => {
    // The securities association's staff and the listed companies association's account subscribe to every type they may.
    const sub = async (token: string, eventTypes: string[]) => {
      const res = await t.gql(
        'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { webhookSubscription { id } userErrors { code } } }',
        { i: { url: `https://feed.example.test/${Math.random().toString(36).slice(2)}`, eventTypes } },
        { token },
      );
      expect(res.body.data.createWebhookSubscription.userErrors).toEqual([]);
      return res.body.data.createWebhookSubscription.webhookSubscription.id as string;
    };
    const subs = {
      szsa: await sub(tokens.szsa!, Object.values(ENUM)),
      szlcaAccount: await sub(tokens.szlcaAccount!, ['SUGGESTION_SUBMITTED', 'SUGGESTION_FORWARDED', 'SUGGESTION_RESPONDED', 'EARLY_REPORT_ESCALATED']),
    };
    const before = nextEntity;
    for (const type of TYPES) for (const association of [1, 2, null]) await emit(type, association);
    while ((await fanOutEvents(t.database.db)) > 0);
    for (const [who, id] of Object.entries(subs)) {
      const subscriptionId = Number(/:(\d+)$/.exec(Buffer.from(id, 'base64url').toString())![1]);
      const delivered = await t.database.db
        .select({ entityId: outboxEventsTable.entityId })
        .from(webhookDeliveriesTable)
        .innerJoin(outboxEventsTable, eq(outboxEventsTable.id, webhookDeliveriesTable.outboxEventId))
        .where(and(eq(webhookDeliveriesTable.subscriptionId, subscriptionId), sql`${outboxEventsTable.entityId} >= ${before}`));
      const read = oursOf((await readAll(tokens[who])).nodes).filter((e) => e >= before);
      expect(read.sort(), who).toEqual(delivered.map((d) => d.entityId!).sort());
      expect(read.length, who).toBeGreaterThan(0);
    }
    await t.database.db.update(webhookSubscriptionsTable).set({ disabledAt: sql`now()` }).where(sql`${webhookSubscriptionsTable.disabledAt} is null`);
  });
});

describe('Query.changes: the cursor, the filter, the payload', () => {
  it('pages in event order with a stable cursor: new events appear after the last page, none twice, none skipped', async () => {
    const all = (await readAll(tokens.regulator)).nodes;
    const seen: any[] = [];
    let after: string | null = null;
    let added = 0;
    for (let i = 0; i < 1000; i++) {
      const res: any = await t.gql(FEED, { first: 7, after }, { token: tokens.regulator });
      const c: any = res.body.data.changes;
      seen.push(...c.edges.map((e: any) => e.node));
      // Events committed while paging: they come later in the same walk.
      if (i < 3) {
        await emit('suggestion.submitted', 1 + (i % 2));
        added++;
      }
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    const ids = seen.map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, all.length)).toEqual(all.map((n) => n.id));
    expect(seen).toHaveLength(all.length + added);
    // Ascending occurrence order (the outbox id): the cursor of a page's last edge resumes exactly after it.
    const occurred = seen.map((n) => new Date(n.occurredAt).getTime());
    expect(occurred).toEqual([...occurred].sort((a, b) => a - b));
    // Resuming from the cursor of an earlier read gives the same continuation.
    const mid = await t.gql(FEED, { first: 5 }, { token: tokens.regulator });
    const next = await t.gql(FEED, { first: 5, after: mid.body.data.changes.pageInfo.endCursor }, { token: tokens.regulator });
    expect(next.body.data.changes.edges.map((e: any) => e.node.id)).toEqual(ids.slice(5, 10));
  });

  it.skipIf(!isPostgres)('an event of a transaction still running holds back the later ones: nothing commits behind a cursor handed out', async () => {
    const side = await sideConnection(t.config.DATABASE_URL!);
    const early = nextEntity++;
    try {
      await side.query('begin');
      // Takes its outbox id now, commits last.
      await side.query(`insert into outbox_events (type, entity_type, entity_id, association_id, payload) values ('suggestion.submitted', 'Suggestion', $1, 1, '{}')`, [early]);
      const late = await emit('suggestion.submitted', 1);
      const during = oursOf((await readAll(tokens.regulator)).nodes);
      expect(during).not.toContain(early);
      // Committed, but behind a transaction that may still commit a smaller id: not shown yet.
      expect(during).not.toContain(late);
      await side.query('commit');
      ours.set(early, { type: 'suggestion.submitted', association: 1 });
      const after = oursOf((await readAll(tokens.regulator)).nodes);
      expect(after.filter((id) => id === early || id === late)).toEqual([early, late]);
    } finally {
      await side.query('rollback').catch(() => {});
      await side.end();
    }
  });

  it('filters by types, within what the viewer may read', async () => {
    const forwarded = await readAll(tokens.regulator, ['SUGGESTION_FORWARDED', 'DISCIPLINARY_DECISION_PUBLISHED']);
    expect(new Set(forwarded.nodes.map((n) => n.type))).toEqual(new Set(['SUGGESTION_FORWARDED', 'DISCIPLINARY_DECISION_PUBLISHED']));
    expect(oursOf(forwarded.nodes).sort()).toEqual(expected(['suggestion.forwarded', 'disciplinary_decision.published'], 'all').sort());
    expect(forwarded.totalCount).toBe(forwarded.nodes.length);
    // Asking for a type the viewer may not read gives nothing of it.
    expect(await readAll(tokens.szlca, ['RATING_CYCLE_PUBLISHED'])).toEqual({ nodes: [], totalCount: 0 });
    expect(await readAll(tokens.saSuggestions, ['EARLY_REPORT_ESCALATED'])).toEqual({ nodes: [], totalCount: 0 });
    // An empty list of types: nothing.
    expect(await readAll(tokens.regulator, [])).toEqual({ nodes: [], totalCount: 0 });
  });

  it('refuses a forged cursor and an out-of-range page size like every connection', async () => {
    for (const variables of [{ after: 'bm9wZQ' }, { first: 0 }, { first: 101 }]) {
      const res = await t.gql(FEED, variables, { token: tokens.regulator });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('payload is exactly the webhook body’s data, and eventId its webhook-id', async () => {
    const receiver = await startReceiver();
    try {
      const res = await t.gql(
        'mutation($u: String!) { createWebhookSubscription(input: { url: $u, eventTypes: [EARLY_REPORT_ESCALATED] }) { userErrors { code } } }',
        { u: receiver.url },
        { token: tokens.szsa },
      );
      expect(res.body.data.createWebhookSubscription.userErrors).toEqual([]);
      const entity = await emit('early_report.escalated', 1, { title: '早报告 "引号" 与换行\n', severity: 'SEVERE', nested: { list: [1, 2.5, null, true], text: '深圳' } });
      const worker = startWebhookWorker({ db: t.database.db, logger: createLogger('silent'), pollIntervalMs: 20, maxAttempts: 2, retryBaseSeconds: 0.05, timeoutMs: 2000, allowedHosts: t.config.WEBHOOK_ALLOWED_HOSTS });
      try {
        await waitFor('the delivery', () => receiver.received.some((r) => r.body.includes(`feed-${entity}`)));
      } finally {
        await worker.stop();
      }
      const delivered = JSON.parse(receiver.received.find((r) => r.body.includes(`feed-${entity}`))!.body);
      const change = (await readAll(tokens.szsa, ['EARLY_REPORT_ESCALATED'])).nodes.find((n) => entityOf(n) === entity);
      expect(change.payload).toEqual(delivered.data);
      expect(change.eventId).toBe(delivered.id);
      expect(change.type).toBe('EARLY_REPORT_ESCALATED');
      expect(change.entityId).toBe(delivered.entity.id);
      expect(new Date(change.occurredAt).toISOString()).toBe(delivered.occurredAt);
    } finally {
      await receiver.close();
      await t.database.db.update(webhookSubscriptionsTable).set({ disabledAt: sql`now()` }).where(sql`${webhookSubscriptionsTable.disabledAt} is null`);
    }
  });

  it('node(id) loads a change under the same rule; another’s looks like a missing one', async () => {
    const szlcaOnly = (await readAll(tokens.szlca)).nodes.find((n) => ours.get(entityOf(n))?.association === 2)!;
    const NODE = 'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Change { type payload } } }';
    const missing = Buffer.from('Change:2147483000').toString('base64url');
    expect((await t.gql(NODE, { ids: [szlcaOnly.id] }, { token: tokens.szlca })).body.data.nodes[0]).toMatchObject({ id: szlcaOnly.id, payload: szlcaOnly.payload });
    expect((await t.gql(NODE, { ids: [szlcaOnly.id] }, { token: tokens.regulator })).body.data.nodes[0]?.id).toBe(szlcaOnly.id);
    for (const who of ['szsa', 'anonymous', 'firm', 'saNone']) {
      const res = await t.gql(NODE, { ids: [szlcaOnly.id, missing] }, { token: tokens[who] });
      expect(res.body.errors, who).toBeUndefined();
      expect(res.body.data, who).toEqual({ nodes: [null, null] });
    }
  });

  it('records the regulator’s and service accounts’ reads in the read audit, not staff’s own', async () => {
    const count = async (resource: string) =>
      (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(dataAccessLogTable).where(eq(dataAccessLogTable.resource, resource)))[0]!.n;
    const before = await count('changes');
    await t.gql(FEED, { first: 3 }, { token: tokens.szsa });
    expect(await count('changes')).toBe(before);
    await t.gql(FEED, { first: 3 }, { token: tokens.regulator });
    await t.gql(FEED, { first: 3 }, { token: tokens.saSuggestions });
    expect(await count('changes')).toBe(before + 2);
    // Nothing read, nothing recorded.
    await t.gql(FEED, { first: 3 }, { token: tokens.saNone });
    expect(await count('changes')).toBe(before + 2);
  });

  it('runs the same statements for a page of 2 and of 100', async () => {
    const regulator = { role: 'REGULATOR' as const, subject: 'test:regulator:counted', organizationId: null };
    const query = 'query($first: Int) { changes(first: $first) { totalCount edges { node { id eventId type occurredAt entityId payload } } } }';
    const small = await t.countedExecute(query, { first: 2 }, regulator);
    const large = await t.countedExecute(query, { first: 100 }, regulator);
    expect(small.body.errors).toBeUndefined();
    expect(large.body.data.changes.edges.length).toBeGreaterThan(2);
    expect(large.count).toBe(small.count);
  });

  it('keeps events at least 30 days: an event of 40 days ago is still in the feed', async () => {
    const entity = await emit('suggestion.responded', 1);
    await t.database.db.update(outboxEventsTable).set({ occurredAt: sql`now() - interval '40 days'` }).where(eq(outboxEventsTable.entityId, entity));
    expect(oursOf((await readAll(tokens.szsa, ['SUGGESTION_RESPONDED'])).nodes)).toContain(entity);
    const rows = await t.database.db.select().from(outboxEventsTable).where(inArray(outboxEventsTable.entityId, [entity]));
    expect(rows).toHaveLength(1);
  });
});
