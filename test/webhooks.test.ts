import { createHmac } from 'node:crypto';
import { eq, isNull, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueueEvent, type OutboxEventType } from '../src/outbox/outbox.service.js';
import { createLogger } from '../src/logger.js';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { verifyWebhook } from '../src/webhooks/webhooks.signature.js';
import { webhookDeliveriesTable, webhookDeliveryAttemptsTable, webhookSubscriptionsTable } from '../src/webhooks/webhooks.table.js';
import { createWebhookSubscription, MAX_SUBSCRIPTIONS_PER_ACCOUNT, MAX_SUBSCRIPTIONS_PER_PERSON } from '../src/webhooks/webhooks.service.js';
import { DomainError } from '../src/errors.js';
import { EMPTY_ALLOW_LIST, parseAllowList, type Resolver } from '../src/webhooks/webhooks.destination.js';
import { claimDueDeliveries, fanOutEvents, startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from '../src/webhooks/webhooks.worker.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { outboxEventsTable } from '../src/outbox/outbox.table.js';
import { clientToken, newServiceAccount, staffActor, staffToken, startReceiver } from './support/integration.js';
import { waitFor } from './support/wait.js';

let t: TestApp;
let association: string;
const workers: WebhookWorker[] = [];
const receivers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  t = await createTestApp();
  association = await t.token('association');
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  // Each test's subscriptions end with it, so later tests' events reach only their own receivers.
  await t.database.db.update(webhookSubscriptionsTable).set({ disabledAt: sql`now()` }).where(isNull(webhookSubscriptionsTable.disabledAt));
});
afterAll(async () => {
  await t?.close();
});

const SUBSCRIBE = `mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { secret webhookSubscription { id url eventTypes ownerClientId disabled } userErrors { field code } }
}`;
const DELIVERIES = `query($filter: WebhookDeliveryFilter, $first: Int) {
  webhookDeliveries(first: $first, filter: $filter) {
    totalCount
    edges { node { eventId eventType status attempts lastResponseStatus lastError deliveredAt subscription { url } attemptLog { attempt responseStatus error } } }
  }
}`;

function worker(options: Partial<WebhookWorkerOptions> = {}) {
  const w = startWebhookWorker({
    db: t.database.db,
    logger: createLogger('silent'),
    pollIntervalMs: 20,
    maxAttempts: 12,
    retryBaseSeconds: 0.05,
    timeoutMs: 2000,
    ...options,
    allowedHosts: options.allowedHosts ?? t.config.WEBHOOK_ALLOWED_HOSTS,
  });
  workers.push(w);
  return w;
}

async function receiver(respond?: Parameters<typeof startReceiver>[0]) {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

async function subscribe(url: string, eventTypes: string[] = ['SUGGESTION_SUBMITTED'], token = association) {
  const res = await t.gql(SUBSCRIBE, { input: { url, eventTypes, description: '测试接收端' } }, { token });
  const payload = res.body.data.createWebhookSubscription;
  expect(payload.userErrors).toEqual([]);
  return { id: payload.webhookSubscription.id as string, secret: payload.secret as string, subscription: payload.webhookSubscription };
}

/** An event of the securities association's data (SZSA, id 1) unless another association is given. */
async function emit(
  type: OutboxEventType = 'suggestion.submitted',
  entityId = 7,
  payload: Record<string, unknown> = { title: '关于前海跨境理财通的建议', status: 'SUBMITTED' },
  associationId: number | null = 1,
) {
  await enqueueEvent(t.database.db, { type, entityType: 'Suggestion', entityId, associationId, payload });
}

describe('webhook delivery', () => {
  it('delivers an outbox event to a local receiver, signed over timestamp, event id and body', async () => {
    const r = await receiver();
    const { secret } = await subscribe(r.url);
    // Standard base64 (32 bytes), as the Standard Webhooks libraries read a secret.
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await emit('suggestion.submitted', 7, { title: '关于前海跨境理财通的建议, "引号"\n换行', status: 'SUBMITTED' });
    worker();
    await waitFor('a delivery', () => r.received.length >= 1);
    const [req] = r.received;
    expect(req!.headers['content-type']).toBe('application/json');
    const eventId = req!.headers['x-member-graph-event-id'] as string;
    const timestamp = req!.headers['x-member-graph-timestamp'] as string;
    const signature = req!.headers['x-member-graph-signature'] as string;
    expect(req!.headers['x-member-graph-event-type']).toBe('suggestion.submitted');
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(30);
    // The documented scheme, computed independently of the server's code.
    const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${eventId}.${req!.body}`).digest('hex')}`;
    expect(signature).toBe(expected);
    expect(verifyWebhook(secret, { timestamp, eventId, signature }, req!.body)).toBe(true);
    expect(verifyWebhook(secret, { timestamp, eventId, signature }, req!.body.replace('SUBMITTED', 'ACCEPTED'))).toBe(false);
    expect(verifyWebhook('whsec_wrong', { timestamp, eventId, signature }, req!.body)).toBe(false);
    expect(verifyWebhook(secret, { timestamp: String(Number(timestamp) - 3600), eventId, signature }, req!.body)).toBe(false);
    // Standard Webhooks: the same delivery verifies with the maintained library, and fails when anything is changed.
    expect(req!.headers['webhook-id']).toBe(eventId);
    expect(req!.headers['webhook-timestamp']).toBe(timestamp);
    expect(req!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const standard = new StandardWebhook(secret);
    const headers = { 'webhook-id': eventId, 'webhook-timestamp': timestamp, 'webhook-signature': req!.headers['webhook-signature'] as string };
    expect(standard.verify(req!.body, headers)).toMatchObject({ id: eventId, type: 'suggestion.submitted' });
    expect(() => standard.verify(req!.body.replace('SUBMITTED', 'ACCEPTED'), headers)).toThrow();
    expect(() => new StandardWebhook(`whsec_${Buffer.from('another secret of enough length!').toString('base64')}`).verify(req!.body, headers)).toThrow();
    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({
      id: eventId,
      type: 'suggestion.submitted',
      entity: { type: 'Suggestion', id: Buffer.from('Suggestion:7').toString('base64url') },
      data: { title: '关于前海跨境理财通的建议, "引号"\n换行', status: 'SUBMITTED' },
    });
    expect(new Date(body.occurredAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    // The receiver has the request before the worker records its answer: wait for the log to settle.
    const delivery = await waitFor('the delivery to be logged', async () => {
      const log = await t.gql(DELIVERIES, { filter: { eventId } }, { token: association });
      const node = log.body.data.webhookDeliveries.edges[0]?.node;
      return node?.status === 'PENDING' ? null : node;
    });
    expect(delivery).toMatchObject({ eventId, eventType: 'SUGGESTION_SUBMITTED', status: 'SUCCEEDED', attempts: 1, lastResponseStatus: 200, lastError: null, subscription: { url: r.url } });
    expect(delivery.attemptLog).toEqual([{ attempt: 1, responseStatus: 200, error: null }]);
  });

  it('retries with backoff after the receiver fails, with the same event id and body', async () => {
    const r = await receiver((_req, index) => (index < 2 ? 503 : 200));
    await subscribe(r.url);
    await emit();
    worker();
    await waitFor('three attempts', () => r.received.length >= 3);
    const ids = new Set(r.received.map((q) => q.headers['x-member-graph-event-id']));
    expect(ids.size).toBe(1);
    expect(new Set(r.received.map((q) => q.body)).size).toBe(1);
    const eventId = [...ids][0];
    const log = await waitFor('the delivery to succeed', async () => {
      const d = (await t.gql(DELIVERIES, { filter: { eventId } }, { token: association })).body.data.webhookDeliveries.edges[0]?.node;
      return d?.status === 'SUCCEEDED' ? d : null;
    });
    expect(log.attempts).toBe(3);
    expect(log.attemptLog).toEqual([
      { attempt: 1, responseStatus: 503, error: 'HTTP 503' },
      { attempt: 2, responseStatus: 503, error: 'HTTP 503' },
      { attempt: 3, responseStatus: 200, error: null },
    ]);
  });

  it('schedules each retry after base × 2^(n-1): 30 s, 60 s, 120 s …', async () => {
    const r = await receiver(() => 500);
    await subscribe(r.url);
    await emit();
    const w = worker({ retryBaseSeconds: 30 });
    await w.stop();
    const schedule: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      await w.runOnce();
      const [d] = await t.database.db
        .select({ gap: sql<number>`extract(epoch from ${webhookDeliveriesTable.nextAttemptAt} - ${webhookDeliveriesTable.lastAttemptAt})::float8`, attempts: webhookDeliveriesTable.attempts })
        .from(webhookDeliveriesTable)
        .innerJoin(webhookSubscriptionsTable, eq(webhookSubscriptionsTable.id, webhookDeliveriesTable.subscriptionId))
        .where(eq(webhookSubscriptionsTable.url, r.url));
      expect(d!.attempts).toBe(attempt);
      schedule.push(Math.floor(Number(d!.gap) / 30) * 30);
      // Not waited for: the retry is made due now.
      await t.database.db.update(webhookDeliveriesTable).set({ nextAttemptAt: sql`now()` }).where(eq(webhookDeliveriesTable.status, 'PENDING'));
    }
    expect(schedule).toEqual([30, 60, 120]);
    expect(r.received).toHaveLength(3);
  });

  it('retries a receiver that is down, and gives up after the last attempt', async () => {
    const r = await receiver();
    const { url } = r;
    await r.close();
    receivers.splice(receivers.indexOf(r), 1);
    await subscribe(url);
    await emit();
    worker({ maxAttempts: 3 });
    const delivery = await waitFor('the delivery to fail', async () => {
      const d = (await t.gql(DELIVERIES, { filter: { status: 'FAILED' } }, { token: association })).body.data.webhookDeliveries.edges[0]?.node;
      return d ?? null;
    });
    expect(delivery.attempts).toBe(3);
    expect(delivery.attemptLog.map((a: any) => a.error)).toEqual(['connection failed', 'connection failed', 'connection failed']);
    expect(delivery.deliveredAt).toBeNull();
  });

  it('delivers nothing twice after the worker restarts', async () => {
    const r = await receiver();
    await subscribe(r.url);
    await emit('suggestion.submitted', 1);
    const first = worker();
    await waitFor('a delivery', () => r.received.length >= 1);
    await first.stop();
    const second = worker();
    await emit('suggestion.submitted', 2);
    await waitFor('two deliveries', () => r.received.length >= 2);
    // Several more rounds: nothing already delivered goes out again.
    for (let i = 0; i < 5; i++) await second.runOnce();
    await second.stop();
    const third = worker();
    for (let i = 0; i < 3; i++) await third.runOnce();
    expect(r.received).toHaveLength(2);
    expect(new Set(r.received.map((q) => q.headers['x-member-graph-event-id'])).size).toBe(2);
    expect(r.received.map((q) => JSON.parse(q.body).entity.id)).toEqual([Buffer.from('Suggestion:1').toString('base64url'), Buffer.from('Suggestion:2').toString('base64url')]);
  });

  it('two workers never deliver the same attempt twice', async () => {
    const r = await receiver(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 200;
    });
    await subscribe(r.url);
    const events = 30;
    for (let i = 1; i <= events; i++) await emit('suggestion.submitted', i);
    const a = worker({ batchSize: 5, concurrency: 3 });
    const b = worker({ batchSize: 5, concurrency: 3 });
    await waitFor('all deliveries', () => r.received.length >= events, 20_000);
    for (let i = 0; i < 3; i++) await Promise.all([a.runOnce(), b.runOnce()]);
    const deliveries = r.received.map((q) => q.headers['x-member-graph-delivery'] as string);
    expect(r.received).toHaveLength(events);
    expect(new Set(deliveries).size).toBe(events);
    expect(new Set(r.received.map((q) => q.headers['x-member-graph-event-id'])).size).toBe(events);
    const attempts = await t.database.db
      .select({ workerId: webhookDeliveryAttemptsTable.workerId, attempt: webhookDeliveryAttemptsTable.attempt })
      .from(webhookDeliveryAttemptsTable)
      .innerJoin(webhookDeliveriesTable, eq(webhookDeliveriesTable.id, webhookDeliveryAttemptsTable.deliveryId))
      .where(sql`${webhookDeliveriesTable.eventId}::text in ${r.received.map((q) => q.headers['x-member-graph-event-id'] as string)}`);
    expect(attempts).toHaveLength(events);
    expect(attempts.every((x) => x.attempt === 1)).toBe(true);
  });

  it('concurrent claims take disjoint deliveries; a claim whose lease ran out is retaken as the next attempt', async () => {
    await subscribe('http://127.0.0.1:9/never-called');
    for (let i = 1; i <= 10; i++) await emit('suggestion.submitted', 500 + i);
    await fanOutEvents(t.database.db);
    const [first, second] = await Promise.all([claimDueDeliveries(t.database.db, 10, 60), claimDueDeliveries(t.database.db, 10, 60)]);
    const ids = [...first!, ...second!].map((d) => d.id);
    expect(ids).toHaveLength(10);
    expect(new Set(ids).size).toBe(10);
    expect(await claimDueDeliveries(t.database.db, 10, 60)).toEqual([]);
    // A worker that died mid-attempt: once its lease is over, the delivery is claimed again as attempt 2.
    await t.database.db.update(webhookDeliveriesTable).set({ nextAttemptAt: sql`now() - interval '1 second'` }).where(eq(webhookDeliveriesTable.id, ids[0]!));
    const retaken = await claimDueDeliveries(t.database.db, 10, 60);
    expect(retaken.map((d) => [d.id, d.attempt])).toEqual([[ids[0], 2]]);
  });

  it('sends only subscribed event types, nothing to disabled subscriptions, and no events from before subscribing', async () => {
    await emit('suggestion.submitted', 99);
    const r = await receiver();
    await subscribe(r.url, ['RATING_CYCLE_PUBLISHED', 'SUGGESTION_FORWARDED']);
    const off = await receiver();
    const disabled = await subscribe(off.url, ['RATING_CYCLE_PUBLISHED']);
    const res = await t.gql(`mutation($id: ID!) { disableWebhookSubscription(input: { id: $id }) { webhookSubscription { disabled } userErrors { code } } }`, { id: disabled.id }, { token: association });
    expect(res.body.data.disableWebhookSubscription.webhookSubscription.disabled).toBe(true);
    await emit('suggestion.submitted', 100);
    await enqueueEvent(t.database.db, { type: 'rating_cycle.published', entityType: 'RatingCycle', entityId: 2025, associationId: 1, payload: { year: 2025 } });
    await emit('suggestion.forwarded', 101);
    const w = worker();
    await waitFor('two deliveries', () => r.received.length >= 2);
    for (let i = 0; i < 3; i++) await w.runOnce();
    expect(r.received.map((q) => q.headers['x-member-graph-event-type']).sort()).toEqual(['rating_cycle.published', 'suggestion.forwarded']);
    expect(off.received).toHaveLength(0);
  });
});

describe('webhook subscriptions', () => {
  it('a service account with webhooks:manage subscribes and sees only its own subscriptions and deliveries', async () => {
    const r = await receiver();
    const mine = await newServiceAccount(t, { scopes: ['webhooks:manage', 'suggestions:read'] });
    const token = await clientToken(t, mine.clientId, mine.clientSecret);
    const own = await subscribe(r.url, ['SUGGESTION_SUBMITTED'], token);
    expect(own.subscription.ownerClientId).toBe(mine.clientId);
    const staffR = await receiver();
    await subscribe(staffR.url);
    await emit();
    const w = worker();
    await waitFor('a delivery to each receiver', () => r.received.length >= 1 && staffR.received.length >= 1);
    await w.stop();
    const list = await t.gql(`{ webhookSubscriptions(first: 100) { totalCount edges { node { id url } } } }`, {}, { token });
    expect(list.body.data.webhookSubscriptions.edges.map((e: any) => e.node.id)).toEqual([own.id]);
    const deliveries = await t.gql(DELIVERIES, { first: 100 }, { token });
    expect(deliveries.body.data.webhookDeliveries.edges.every((e: any) => e.node.subscription.url === r.url)).toBe(true);
    expect(deliveries.body.data.webhookDeliveries.totalCount).toBe(1);
    // The securities association's staff, who manage the bureau's accounts, see their subscriptions too.
    const all = await t.gql(`{ webhookSubscriptions(first: 100) { totalCount edges { node { id } } } }`, {}, { token: association });
    expect(all.body.data.webhookSubscriptions.totalCount).toBeGreaterThan(1);
    expect(all.body.data.webhookSubscriptions.edges.map((e: any) => e.node.id)).toContain(own.id);
    // The listed companies association's staff do not.
    const szlcaAll = await t.gql(`{ webhookSubscriptions(first: 100) { edges { node { id } } } }`, {}, { token: await staffToken(t, 'SZLCA') });
    expect(szlcaAll.body.data.webhookSubscriptions.edges.map((e: any) => e.node.id)).not.toContain(own.id);
    // Another account's subscription is hidden from node() and cannot be disabled.
    const other = await newServiceAccount(t, { scopes: ['webhooks:manage'] });
    const otherToken = await clientToken(t, other.clientId, other.clientSecret);
    const node = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: own.id }, { token: otherToken });
    expect(node.body.data.node).toBeNull();
    const disable = await t.gql(`mutation($id: ID!) { disableWebhookSubscription(input: { id: $id }) { userErrors { code } } }`, { id: own.id }, { token: otherToken });
    expect(disable.body.data.disableWebhookSubscription.userErrors[0].code).toBe('NOT_FOUND');
  });

  it('refuses callers without webhooks:manage, and other roles', async () => {
    const readOnly = await newServiceAccount(t, { scopes: ['reports:read'] });
    for (const token of [undefined, await t.token('regulator'), await clientToken(t, readOnly.clientId, readOnly.clientSecret)]) {
      const res = await t.gql(SUBSCRIBE, { input: { url: 'https://example.test/hook', eventTypes: ['SUGGESTION_SUBMITTED'] } }, { token });
      expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
      const list = await t.gql(`{ webhookSubscriptions { totalCount } webhookDeliveries { totalCount } }`, {}, { token });
      expect(list.body.data).toEqual({ webhookSubscriptions: null, webhookDeliveries: null });
    }
  });

  it('accepts only http(s) URLs without credentials and known event types', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ url: 'ftp://example.test/x', eventTypes: ['SUGGESTION_SUBMITTED'] }, 'input.url', 'INVALID'],
      [{ url: 'https://user:pw@example.test/x', eventTypes: ['SUGGESTION_SUBMITTED'] }, 'input.url', 'INVALID'],
      [{ url: 'not a url', eventTypes: ['SUGGESTION_SUBMITTED'] }, 'input.url', 'INVALID'],
      [{ url: `https://example.test/${'x'.repeat(2001)}`, eventTypes: ['SUGGESTION_SUBMITTED'] }, 'input.url', 'TOO_LONG'],
      [{ url: 'https://example.test/x', eventTypes: [] }, 'input.eventTypes', 'REQUIRED'],
    ];
    for (const [input, field, code] of cases) {
      const res = await t.gql(SUBSCRIBE, { input }, { token: association });
      const payload = res.body.data.createWebhookSubscription;
      expect(payload.userErrors.map((e: any) => [e.field.join('.'), e.code])).toEqual([[field, code]]);
      expect(payload.secret).toBeNull();
    }
  });
});

describe('webhooks of several associations', () => {
  const run = Math.random().toString(36).slice(2, 8);
  /** Subscriptions of each kind of owner, to SUGGESTION_SUBMITTED, each at its own URL. */
  async function subscribers() {
    const szlca = await staffToken(t, 'SZLCA');
    const regulatorAccount = await newServiceAccount(t, { scopes: ['webhooks:manage', 'suggestions:read'] });
    const szlcaAccount = await newServiceAccount(t, { role: 'association', scopes: ['webhooks:manage', 'suggestions:read'] }, staffActor('SZLCA'));
    const regulatorToken = await clientToken(t, regulatorAccount.clientId, regulatorAccount.clientSecret);
    const szlcaAccountToken = await clientToken(t, szlcaAccount.clientId, szlcaAccount.clientSecret);
    const url = (who: string) => `https://${who}.example.test/hook-${run}-${Math.random().toString(36).slice(2, 8)}`;
    const subs = {
      szsaStaff: await subscribe(url('szsa'), ['SUGGESTION_SUBMITTED'], association),
      szlcaStaff: await subscribe(url('szlca'), ['SUGGESTION_SUBMITTED'], szlca),
      regulatorAccount: await subscribe(url('regulator'), ['SUGGESTION_SUBMITTED'], regulatorToken),
      szlcaAccount: await subscribe(url('szlca-account'), ['SUGGESTION_SUBMITTED'], szlcaAccountToken),
    };
    return { szlca, regulatorToken, szlcaAccountToken, subs };
  }

  /** The entity ids of the events delivered to the subscription at this URL. */
  async function deliveredTo(url: string): Promise<number[]> {
    const rows = await t.database.db
      .select({ entityId: outboxEventsTable.entityId })
      .from(webhookDeliveriesTable)
      .innerJoin(webhookSubscriptionsTable, eq(webhookSubscriptionsTable.id, webhookDeliveriesTable.subscriptionId))
      .innerJoin(outboxEventsTable, eq(outboxEventsTable.id, webhookDeliveriesTable.outboxEventId))
      .where(eq(webhookSubscriptionsTable.url, url));
    return rows.map((r) => r.entityId!).sort((a, b) => a - b);
  }

  it('an event reaches only its association\'s subscriptions and the regulator\'s: an SZLCA suggestion never reaches an SZSA subscription', async () => {
    const { subs } = await subscribers();
    const rows = await t.database.db.select().from(webhookSubscriptionsTable).where(eq(webhookSubscriptionsTable.url, subs.regulatorAccount.subscription.url));
    expect(rows[0]!.associationId).toBeNull();
    await emit('suggestion.submitted', 9101, { title: '上市公司协会的建议' }, 2);
    await emit('suggestion.submitted', 9102, { title: '深证协的建议' }, 1);
    await emit('suggestion.submitted', 9103, { title: '不属于任何协会的事件' }, null);
    while ((await fanOutEvents(t.database.db)) > 0);
    expect(await deliveredTo(subs.szsaStaff.subscription.url)).toEqual([9102]);
    expect(await deliveredTo(subs.szlcaStaff.subscription.url)).toEqual([9101]);
    expect(await deliveredTo(subs.szlcaAccount.subscription.url)).toEqual([9101]);
    expect(await deliveredTo(subs.regulatorAccount.subscription.url)).toEqual([9101, 9102, 9103]);
  });

  it('staff see and manage their association\'s subscriptions and deliveries only; another\'s looks like a missing one', async () => {
    const { szlca, subs } = await subscribers();
    await emit('suggestion.submitted', 9201, { title: '深证协的建议' }, 1);
    await emit('suggestion.submitted', 9202, { title: '上市公司协会的建议' }, 2);
    while ((await fanOutEvents(t.database.db)) > 0);
    const LIST = `{ webhookSubscriptions(first: 100) { totalCount edges { node { id } } } webhookDeliveries(first: 100) { totalCount edges { node { subscription { id } } } } }`;
    const szlcaView = (await t.gql(LIST, {}, { token: szlca })).body.data;
    const szlcaIds = szlcaView.webhookSubscriptions.edges.map((e: any) => e.node.id);
    expect(szlcaIds).toEqual(expect.arrayContaining([subs.szlcaStaff.id, subs.szlcaAccount.id]));
    expect(szlcaIds).not.toContain(subs.szsaStaff.id);
    expect(szlcaIds).not.toContain(subs.regulatorAccount.id);
    const szlcaRows = await t.database.db.select().from(webhookSubscriptionsTable).where(eq(webhookSubscriptionsTable.associationId, 2));
    expect(szlcaView.webhookSubscriptions.totalCount).toBe(szlcaRows.length);
    const deliverySubs = new Set(szlcaView.webhookDeliveries.edges.map((e: any) => e.node.subscription.id));
    expect([...deliverySubs].every((id) => szlcaIds.includes(id))).toBe(true);
    expect(deliverySubs.has(subs.szlcaStaff.id)).toBe(true);

    const szsaIds = (await t.gql(LIST, {}, { token: association })).body.data.webhookSubscriptions.edges.map((e: any) => e.node.id);
    expect(szsaIds).toContain(subs.szsaStaff.id);
    // The securities association's staff manage the bureau's accounts, so they see their subscriptions; never SZLCA's.
    expect(szsaIds).toContain(subs.regulatorAccount.id);
    for (const id of [subs.szlcaStaff.id, subs.szlcaAccount.id]) expect(szsaIds).not.toContain(id);

    const NODE = `query($id: ID!) { node(id: $id) { id } }`;
    const DISABLE = `mutation($id: ID!) { disableWebhookSubscription(input: { id: $id }) { webhookSubscription { id } userErrors { code field } } }`;
    const missing = Buffer.from('WebhookSubscription:999999').toString('base64url');
    expect((await t.gql(NODE, { id: subs.szsaStaff.id }, { token: szlca })).body.data.node).toBeNull();
    const refused = await t.gql(DISABLE, { id: subs.szsaStaff.id }, { token: szlca });
    // The same answer as for a subscription that does not exist (the data; the cost report's budget moves on).
    expect(refused.body.data).toEqual((await t.gql(DISABLE, { id: missing }, { token: szlca })).body.data);
    expect(refused.body.data.disableWebhookSubscription.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'] }]);
    const [still] = await t.database.db.select().from(webhookSubscriptionsTable).where(eq(webhookSubscriptionsTable.url, subs.szsaStaff.subscription.url));
    expect(still!.disabledAt).toBeNull();
    // Their own: yes.
    expect((await t.gql(DISABLE, { id: subs.szlcaStaff.id }, { token: szlca })).body.data.disableWebhookSubscription.userErrors).toEqual([]);
  });

  it('another association\'s staff (and its accounts) may not subscribe to the ratings\' events, which they never read', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    const szlcaAccount = await newServiceAccount(t, { role: 'association', scopes: ['webhooks:manage', 'ratings:read'] }, staffActor('SZLCA'));
    for (const token of [szlca, await clientToken(t, szlcaAccount.clientId, szlcaAccount.clientSecret)]) {
      const res = await t.gql(SUBSCRIBE, { input: { url: `https://szlca.example.test/ratings-${run}`, eventTypes: ['RATING_CYCLE_PUBLISHED'] } }, { token });
      expect(res.body.data.createWebhookSubscription).toEqual({ secret: null, webhookSubscription: null, userErrors: [{ field: ['input', 'eventTypes'], code: 'INVALID' }] });
    }
    expect(await t.database.db.select().from(webhookSubscriptionsTable).where(eq(webhookSubscriptionsTable.url, `https://szlca.example.test/ratings-${run}`))).toEqual([]);
    // The securities association's staff may.
    await subscribe(`https://szsa.example.test/ratings-${run}`, ['RATING_CYCLE_PUBLISHED']);
  });
});

describe('no SSRF through webhooks', () => {
  const SUBSCRIBE_WITH_MESSAGE = `mutation($input: CreateWebhookSubscriptionInput!) {
    createWebhookSubscription(input: $input) { secret webhookSubscription { id } userErrors { field code message } }
  }`;
  const subscriptionsAt = (url: string) => t.database.db.select().from(webhookSubscriptionsTable).where(eq(webhookSubscriptionsTable.url, url));

  it('refuses internal destinations in every form at subscribing, with one message that reveals nothing, and writes nothing', async () => {
    // The test app allows 127.0.0.1 only (its receivers): every other loopback, private … address stays refused.
    const urls = [
      'http://127.0.0.2:8080/hook',
      'http://2130706434/hook', // 127.0.0.2 as an integer
      'http://0177.0.0.2/hook', // octal
      'http://0x7f.2/hook', // hex, short
      'http://127.2/hook', // short
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.2]/hook',
      'http://[::ffff:7f00:2]/hook',
      'http://[64:ff9b::a00:1]/hook', // NAT64 of 10.0.0.1
      'http://10.0.0.1/hook',
      'http://172.16.5.4/hook',
      'http://192.168.1.1/hook',
      'http://100.64.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/hook',
      'http://[fe80::1]/hook',
      'http://0.0.0.0/hook',
      'http://255.255.255.255/hook',
      'http://224.0.0.1/hook',
    ];
    const messages = new Set<string>();
    for (const url of urls) {
      for (const lang of ['en', 'zh']) {
        const res = await t.gql(SUBSCRIBE_WITH_MESSAGE, { input: { url, eventTypes: ['SUGGESTION_SUBMITTED'] } }, { token: association, headers: { 'accept-language': lang } });
        const payload = res.body.data.createWebhookSubscription;
        expect(payload.webhookSubscription, url).toBeNull();
        expect(payload.secret).toBeNull();
        expect(payload.userErrors.map((e: any) => [e.field, e.code]), url).toEqual([[['input', 'url'], 'INVALID']]);
        messages.add(payload.userErrors[0].message);
      }
      expect(await subscriptionsAt(new URL(url).toString())).toEqual([]);
    }
    // One message per language, whatever the address or the reason.
    expect(messages.size).toBe(2);
    for (const m of messages) expect(m).not.toMatch(/127|10\.0|169\.254|loopback|private|link-local|resolv/i);
  });

  it('refuses a name that resolves to an internal address (resolver stubbed), and accepts one that does not resolve yet', async () => {
    const resolver: Resolver = async (host) => {
      if (host === 'partner.example.test') return [{ address: '93.184.215.14', family: 4 }, { address: '10.1.2.3', family: 4 }];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    const actor = staffActor('SZSA');
    const refused = await createWebhookSubscription(t.database.db, actor, { url: 'https://partner.example.test/hook', eventTypes: ['suggestion.submitted'] }, { allowedHosts: EMPTY_ALLOW_LIST, resolver }).catch((e) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused.errors.map((e: any) => [e.field, e.code])).toEqual([[['input', 'url'], 'INVALID']]);
    expect(await subscriptionsAt('https://partner.example.test/hook')).toEqual([]);
    const accepted = await createWebhookSubscription(t.database.db, actor, { url: 'https://later.example.test/hook', eventTypes: ['suggestion.submitted'] }, { allowedHosts: EMPTY_ALLOW_LIST, resolver });
    expect(accepted.subscription.url).toBe('https://later.example.test/hook');
  });

  it('without the allow-list, loopback is refused at subscribing', async () => {
    const strict = await createTestApp({ WEBHOOK_ALLOWED_HOSTS: '' });
    try {
      expect(strict.config.WEBHOOK_ALLOWED_HOSTS).toEqual([]);
      const r = await receiver();
      const token = await strict.token('association');
      for (const url of [r.url, r.url.replace('127.0.0.1', '2130706433'), r.url.replace('127.0.0.1', 'localhost'), r.url.replace('127.0.0.1', 'LOCALHOST.'), r.url.replace('127.0.0.1', '[::ffff:127.0.0.1]')]) {
        const res = await strict.gql(SUBSCRIBE_WITH_MESSAGE, { input: { url, eventTypes: ['SUGGESTION_SUBMITTED'] } }, { token });
        expect(res.body.data.createWebhookSubscription.userErrors.map((e: any) => [e.field, e.code]), url).toEqual([[['input', 'url'], 'INVALID']]);
      }
      expect(await strict.database.db.select().from(webhookSubscriptionsTable)).toEqual([]);
    } finally {
      await strict.close();
    }
  });

  it('without the allow-list, the worker refuses at connect time: nothing is sent, the log says only "destination not allowed"', async () => {
    const r = await receiver();
    const { id } = await subscribe(r.url);
    await emit('suggestion.submitted', 4401);
    worker({ allowedHosts: EMPTY_ALLOW_LIST, maxAttempts: 2 });
    const delivery = await waitFor('the delivery to fail', async () => {
      const d = (await t.gql(DELIVERIES, { filter: { status: 'FAILED', subscriptionId: id } }, { token: association })).body.data.webhookDeliveries.edges[0]?.node;
      return d ?? null;
    });
    expect(r.received).toHaveLength(0);
    expect(delivery.lastError).toBe('destination not allowed');
    expect(delivery.lastResponseStatus).toBeNull();
    expect(delivery.attemptLog).toEqual([
      { attempt: 1, responseStatus: null, error: 'destination not allowed' },
      { attempt: 2, responseStatus: null, error: 'destination not allowed' },
    ]);
  });

  it('a closed port and a silent one read the same in the log as any failure: "connection failed", "timeout"', async () => {
    const closed = await receiver();
    const closedUrl = closed.url;
    await closed.close();
    receivers.splice(receivers.indexOf(closed), 1);
    const slow = await receiver(() => new Promise((resolve) => setTimeout(() => resolve(200), 1500)));
    await subscribe(closedUrl);
    await subscribe(slow.url);
    await emit('suggestion.submitted', 4501);
    worker({ maxAttempts: 1, timeoutMs: 300 });
    const errors = await waitFor('both deliveries to fail', async () => {
      const edges = (await t.gql(DELIVERIES, { filter: { status: 'FAILED' }, first: 10 }, { token: association })).body.data.webhookDeliveries.edges;
      const byUrl = new Map(edges.map((e: any) => [e.node.subscription.url, e.node.lastError]));
      return byUrl.has(closedUrl) && byUrl.has(slow.url) ? byUrl : null;
    });
    expect(errors!.get(closedUrl)).toBe('connection failed');
    expect(errors!.get(slow.url)).toBe('timeout');
  });

  it('resolves once and connects to the checked address: a second DNS answer (rebinding) is never used', async () => {
    const r = await receiver();
    const port = new URL(r.url).port;
    const answers: string[] = [];
    // The first answer is the receiver (allowed by address); every later one an internal address.
    const resolver: Resolver = async (host) => {
      const address = answers.length === 0 ? '127.0.0.1' : '10.0.0.1';
      answers.push(`${host} → ${address}`);
      return [{ address, family: 4 }];
    };
    // Not resolvable by the system: subscribing accepts it, and only the stub can make the worker reach the receiver.
    const { id } = await subscribe(`http://rebind.example.test:${port}/hooks`);
    await emit('suggestion.submitted', 4601);
    const w = worker({ resolver, maxAttempts: 1 });
    await waitFor('a delivery', () => r.received.length >= 1);
    await w.stop();
    expect(answers).toEqual(['rebind.example.test → 127.0.0.1']);
    expect(r.received[0]!.headers.host).toBe(`rebind.example.test:${port}`);
    // The next event: the name now answers an internal address, and nothing is sent.
    await emit('suggestion.submitted', 4602);
    const again = worker({ resolver, maxAttempts: 1 });
    const failed = await waitFor('the second delivery to fail', async () => {
      const d = (await t.gql(DELIVERIES, { filter: { status: 'FAILED', subscriptionId: id } }, { token: association })).body.data.webhookDeliveries.edges[0]?.node;
      return d ?? null;
    });
    expect(failed.lastError).toBe('destination not allowed');
    await again.stop();
    expect(r.received).toHaveLength(1);
    expect(answers).toEqual(['rebind.example.test → 127.0.0.1', 'rebind.example.test → 10.0.0.1']);
  });

  it('the allow-list may name a host: its internal addresses are then used', async () => {
    const r = await receiver();
    const port = new URL(r.url).port;
    const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    await subscribe(`http://hooks.partner.example.test:${port}/hooks`);
    await emit('suggestion.submitted', 4701);
    // Only the name is allowed (not the address).
    worker({ resolver, allowedHosts: parseAllowList('hooks.partner.example.test') });
    await waitFor('a delivery', () => r.received.length >= 1);
  });
});

describe('subscription caps', () => {
  it(`a person holds at most ${MAX_SUBSCRIPTIONS_PER_PERSON} active subscriptions, also when subscribing concurrently`, async () => {
    const person = await t.token('association', undefined, 600, { association: 'SZSA' });
    const attempts = await Promise.all(
      Array.from({ length: MAX_SUBSCRIPTIONS_PER_PERSON + 5 }, (_, i) =>
        t.gql(SUBSCRIBE, { input: { url: `https://cap.example.test/person-${i}`, eventTypes: ['SUGGESTION_SUBMITTED'] } }, { token: person }),
      ),
    );
    const codes = attempts.map((a) => a.body.data.createWebhookSubscription.userErrors[0]?.code ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(MAX_SUBSCRIPTIONS_PER_PERSON);
    expect(codes.filter((c) => c === 'LIMIT_EXCEEDED')).toHaveLength(5);
    const [row] = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(webhookSubscriptionsTable)
      .where(sql`${webhookSubscriptionsTable.createdBySub} = 'test:association::SZSA' and ${webhookSubscriptionsTable.disabledAt} is null`);
    expect(row!.n).toBe(MAX_SUBSCRIPTIONS_PER_PERSON);
    // Another person of the same association has a cap of their own.
    const colleague = await staffToken(t, 'SZSA');
    const res = await t.gql(SUBSCRIBE, { input: { url: 'https://cap.example.test/colleague', eventTypes: ['SUGGESTION_SUBMITTED'] } }, { token: colleague });
    expect(res.body.data.createWebhookSubscription.userErrors).toEqual([]);
    // Disabling one frees a place.
    const one = attempts.find((a) => a.body.data.createWebhookSubscription.webhookSubscription)!.body.data.createWebhookSubscription.webhookSubscription.id;
    await t.gql(`mutation($id: ID!) { disableWebhookSubscription(input: { id: $id }) { userErrors { code } } }`, { id: one }, { token: person });
    const after = await t.gql(SUBSCRIBE, { input: { url: 'https://cap.example.test/person-again', eventTypes: ['SUGGESTION_SUBMITTED'] } }, { token: person });
    expect(after.body.data.createWebhookSubscription.userErrors).toEqual([]);
  });

  it(`a service account holds at most ${MAX_SUBSCRIPTIONS_PER_ACCOUNT}`, async () => {
    const account = await newServiceAccount(t, { scopes: ['webhooks:manage', 'suggestions:read'] });
    const token = await clientToken(t, account.clientId, account.clientSecret);
    const attempts = await Promise.all(
      Array.from({ length: MAX_SUBSCRIPTIONS_PER_ACCOUNT + 2 }, (_, i) =>
        t.gql(SUBSCRIBE, { input: { url: `https://cap.example.test/account-${i}`, eventTypes: ['SUGGESTION_SUBMITTED'] } }, { token }),
      ),
    );
    const codes = attempts.map((a) => a.body.data.createWebhookSubscription.userErrors[0]?.code ?? 'OK');
    expect(codes.filter((c) => c === 'OK')).toHaveLength(MAX_SUBSCRIPTIONS_PER_ACCOUNT);
    expect(codes.filter((c) => c === 'LIMIT_EXCEEDED')).toHaveLength(2);
  });
});
