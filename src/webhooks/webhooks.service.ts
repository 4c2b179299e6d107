// Business rules of webhook subscriptions and the delivery log; delivery itself is in webhooks.worker.ts.
import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { branchRatingScope, managedByStaffCondition, suggestionScope, webhookScope } from '../auth/policy.js';
import { isStaff, staffAssociationOf, type Viewer } from '../auth/viewer.js';
import { viewerHasScope, type ServiceAccountScope } from '../clients/scopes.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector } from '../errors.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import type { OutboxEventType } from '../outbox/outbox.service.js';
import { cleanText } from '../text.js';
import { isUnresolvable, resolveDestination, systemResolver, EMPTY_ALLOW_LIST, type DestinationAllowList, type Resolver } from './webhooks.destination.js';
import {
  webhookDeliveriesTable,
  webhookDeliveryAttemptsTable,
  webhookSubscriptionsTable,
  type WebhookDeliveryAttemptRow,
  type WebhookDeliveryRow,
  type WebhookSubscriptionRow,
} from './webhooks.table.js';

export const webhookEventTypes = [
  'rating_cycle.published',
  'suggestion.submitted',
  'suggestion.forwarded',
  'suggestion.responded',
  'training_session.scheduled',
  'statistics_return.submitted',
  'early_report.escalated',
  'disciplinary_decision.published',
  'export_job.completed',
] as const satisfies readonly OutboxEventType[];
export type WebhookEventType = (typeof webhookEventTypes)[number];

/**
 * The read scope an event's payload needs: a service account subscribes to, and is delivered, only the events whose
 * data it could read in the graph (ratings:read for the published grades, suggestions:read for suggestion titles).
 * Staff subscribing in person are bounded by their role: another association's staff never read the ratings.
 */
export const webhookEventScopes: Record<WebhookEventType, ServiceAccountScope> = {
  'rating_cycle.published': 'ratings:read',
  'suggestion.submitted': 'suggestions:read',
  'suggestion.forwarded': 'suggestions:read',
  'suggestion.responded': 'suggestions:read',
  'training_session.scheduled': 'training:read',
  'statistics_return.submitted': 'statistics:read',
  'early_report.escalated': 'early-reports:read',
  'disciplinary_decision.published': 'discipline:read',
  // The event names the job and its manifest, no rows; the file itself needs the job's visibility (docs/EXPORTS.md).
  'export_job.completed': 'reports:read',
};

export const MAX_URL_LENGTH = 2000;
export const MAX_SUBSCRIPTIONS_PER_ACCOUNT = 25;
/** The same cap for a person (association staff, by token subject). */
export const MAX_SUBSCRIPTIONS_PER_PERSON = 25;
/** How long subscribing waits for DNS before accepting the URL (the worker checks again at every connection). */
const REGISTRATION_LOOKUP_MS = 3000;

const NOT_FOUND = { zh: '订阅不存在', en: 'Webhook subscription not found' };

/** "whsec_" and 32 random bytes in standard base64, as the Standard Webhooks libraries read a secret. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Only absolute http(s) URLs without credentials: the secret travels in the signature, never in the URL. */
export function checkWebhookUrl(errors: ErrorCollector, value: string | undefined): string | undefined {
  const field = ['input', 'url'];
  const text = value?.trim() ?? '';
  if (!text) {
    errors.add('REQUIRED', field, { zh: 'URL 不能为空', en: 'url is required' });
    return undefined;
  }
  if (text.length > MAX_URL_LENGTH) {
    errors.add('TOO_LONG', field, { zh: `URL 不能超过 ${MAX_URL_LENGTH} 个字符`, en: `url must be at most ${MAX_URL_LENGTH} characters` });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    errors.add('INVALID', field, { zh: 'URL 格式无效', en: 'url is not a valid absolute URL' });
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    errors.add('INVALID', field, { zh: 'URL 必须以 http:// 或 https:// 开头', en: 'url must use http or https' });
    return undefined;
  }
  if (url.username || url.password) {
    errors.add('INVALID', field, { zh: 'URL 不能包含用户名或密码', en: 'url must not contain credentials' });
    return undefined;
  }
  return url.toString();
}

const DESTINATION_REFUSED = {
  zh: 'URL 不能指向本机、内网或其他保留地址 / 该地址不允许接收 Webhook',
  en: 'url must point to a public address: this destination may not receive webhooks',
};

/**
 * Refuses (INVALID on input.url) a URL whose host is, or resolves to, a loopback, private, link-local … address that
 * the operator has not allowed (src/webhooks/webhooks.destination.ts). The message is the same whatever the reason, so
 * subscribing tells nothing about the network behind the API. A name that does not resolve (yet) is accepted: the worker
 * resolves and checks again at every connection.
 */
export async function checkWebhookDestination(
  errors: ErrorCollector,
  url: string,
  allow: DestinationAllowList,
  resolver: Resolver = systemResolver,
): Promise<void> {
  const { hostname } = new URL(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      resolveDestination(hostname, allow, resolver),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, REGISTRATION_LOOKUP_MS);
      }),
    ]);
  } catch (error) {
    if (!isUnresolvable(error)) errors.add('INVALID', ['input', 'url'], DESTINATION_REFUSED);
  } finally {
    clearTimeout(timer);
  }
}

/** The subscriptions the viewer may see, from the one policy function: its association's (staff), its own (a service account). */
function visibleSubscriptions(viewer: Viewer): SQL {
  const scope = webhookScope(viewer);
  if (scope.kind === 'none') return sql`false`;
  if (scope.kind === 'association') return managedByStaffCondition(viewer, webhookSubscriptionsTable.associationId);
  return eq(webhookSubscriptionsTable.serviceAccountId, scope.serviceAccountId);
}

/**
 * Whether the subscriber could read an event type's data in the graph: the scope (service accounts), and the rows'
 * visibility (another association's staff never read the ratings, so they may not subscribe to their events).
 * Members and anonymous callers receive no event (they neither subscribe nor read the change feed).
 */
export function mayReceive(actor: Viewer, type: WebhookEventType): boolean {
  if (!isStaff(actor)) return false;
  if (!viewerHasScope(actor, webhookEventScopes[type])) return false;
  if (type === 'rating_cycle.published') return branchRatingScope(actor).firms.kind !== 'none';
  if (type.startsWith('suggestion.')) return suggestionScope(actor).kind !== 'none';
  // Training sessions, statistics returns, escalated early reports and disciplinary decisions: the association's staff
  // (fan-out delivers only their association's events) and the bureau read them; members do not subscribe.
  return isStaff(actor);
}

/**
 * THE rule of who receives which events, shared by the webhook fan-out and the change feed (Query.changes): the event
 * types whose data the principal could read (mayReceive), of the association the principal works for — or, for the
 * bureau (the regulator in person and its service accounts), of every association and of none. Null: no events at all.
 */
export interface EventAudience {
  types: WebhookEventType[];
  /** The association whose events (null: every association's, and events of none). */
  associationId: number | null;
}

export function eventAudience(viewer: Viewer): EventAudience | null {
  if (!isStaff(viewer)) return null;
  return { types: webhookEventTypes.filter((type) => mayReceive(viewer, type)), associationId: staffAssociationOf(viewer) };
}

/**
 * The association half of the rule, as SQL: an event (`eventAssociation`) reaches a receiver of association
 * `receiverAssociation` when they are the same, and a receiver of none (the bureau's) always. Used by the fan-out over
 * subscriptions (webhook_subscriptions.association_id, set from eventAudience when subscribing) and by the change feed
 * over the viewer's audience.
 */
export function eventReachesAssociation(receiverAssociation: SQL | number | null, eventAssociation: SQL): SQL {
  if (receiverAssociation === null) return sql`true`;
  if (typeof receiverAssociation === 'number') return sql`${eventAssociation} = ${receiverAssociation}`;
  return sql`(${receiverAssociation} is null or ${receiverAssociation} = ${eventAssociation})`;
}

export interface CreateWebhookSubscriptionInput {
  url: string;
  eventTypes: readonly string[];
  description?: string | null;
}

/** Subscribes a URL; the HMAC secret is returned here once. The subscriber receives events that occur from now on. */
export async function createWebhookSubscription(
  db: DbOrTx,
  actor: Viewer,
  input: CreateWebhookSubscriptionInput,
  destinations: { allowedHosts?: DestinationAllowList; resolver?: Resolver } = {},
): Promise<{ subscription: WebhookSubscriptionRow; secret: string }> {
  const scope = webhookScope(actor);
  if (scope.kind === 'none') throw new DomainError('INVALID_STATE', null, { zh: '无权管理 Webhook', en: 'Not allowed to manage webhooks' });
  const audience = eventAudience(actor);
  const errors = new ErrorCollector();
  const url = checkWebhookUrl(errors, input.url);
  if (url) await checkWebhookDestination(errors, url, destinations.allowedHosts ?? EMPTY_ALLOW_LIST, destinations.resolver);
  const description = cleanText(errors, input.description, { field: ['input', 'description'], max: 200, labelZh: '说明', labelEn: 'description' });
  const eventTypes = [...new Set(input.eventTypes)];
  if (eventTypes.length === 0) {
    errors.add('REQUIRED', ['input', 'eventTypes'], { zh: '至少选择一种事件', en: 'Choose at least one event type' });
  }
  const unknown = eventTypes.filter((t) => !(webhookEventTypes as readonly string[]).includes(t));
  if (unknown.length > 0) {
    errors.add('INVALID', ['input', 'eventTypes'], { zh: `未知事件类型：${unknown.join(', ')}`, en: `Unknown event types: ${unknown.join(', ')}` });
  }
  const unreadable = eventTypes.filter((t): t is WebhookEventType => t in webhookEventScopes && !audience?.types.includes(t as WebhookEventType));
  if (unreadable.length > 0) {
    const needs = unreadable.map((t) => `${t} (${webhookEventScopes[t]})`).join(', ');
    errors.add('INVALID', ['input', 'eventTypes'], {
      zh: actor.serviceAccount ? `服务账号缺少读取这些事件内容的权限：${needs}` : `无权读取这些事件的内容：${needs}`,
      en: actor.serviceAccount ? `The service account may not read the data of these events: ${needs}` : `You may not read the data of these events: ${needs}`,
    });
  }
  errors.throwIfAny();
  const secret = newWebhookSecret();
  const serviceAccountId = scope.kind === 'account' ? scope.serviceAccountId : null;
  // The staff's association, or the service account's (null for the bureau's accounts, which receive every association's events).
  const associationId = scope.kind === 'association' ? scope.associationId : (audience?.associationId ?? null);
  const subscription = await runInTransaction(db, async (tx) => {
    // Serializes one principal's subscribing (a service account by id, a person by token subject), so the cap holds
    // under concurrency.
    if (serviceAccountId !== null) {
      await tx.execute(sql`select pg_advisory_xact_lock(${0x77656268}, ${serviceAccountId})`);
    } else {
      await tx.execute(sql`select pg_advisory_xact_lock(${0x77656270}, hashtext(${actor.subject}))`);
    }
    const [row0] = await tx
      .select({ n: count() })
      .from(webhookSubscriptionsTable)
      .where(
        and(
          serviceAccountId !== null
            ? eq(webhookSubscriptionsTable.serviceAccountId, serviceAccountId)
            : and(isNull(webhookSubscriptionsTable.serviceAccountId), eq(webhookSubscriptionsTable.createdBySub, actor.subject)),
          isNull(webhookSubscriptionsTable.disabledAt),
        ),
      );
    const cap = serviceAccountId !== null ? MAX_SUBSCRIPTIONS_PER_ACCOUNT : MAX_SUBSCRIPTIONS_PER_PERSON;
    if ((row0?.n ?? 0) >= cap) {
      throw new DomainError(
        'LIMIT_EXCEEDED',
        null,
        serviceAccountId !== null
          ? { zh: `每个服务账号最多 ${cap} 个有效订阅`, en: `A service account may hold at most ${cap} active subscriptions` }
          : { zh: `每人最多 ${cap} 个有效订阅`, en: `A person may hold at most ${cap} active subscriptions` },
      );
    }
    const [row] = await tx
      .insert(webhookSubscriptionsTable)
      .values({ url: url!, eventTypes, description: description ?? null, secret, serviceAccountId, associationId, createdBySub: actor.subject })
      .returning();
    const { secret: _secret, ...safe } = row!;
    await recordAudit(tx, actor, { action: 'webhook_subscription.create', entityType: 'WebhookSubscription', entityId: row!.id, after: safe });
    return row!;
  });
  return { subscription, secret };
}

/** Stops deliveries to the URL; the subscription and its delivery log stay readable. */
export async function disableWebhookSubscription(db: DbOrTx, actor: Viewer, id: number | null): Promise<WebhookSubscriptionRow> {
  return runInTransaction(db, async (tx) => {
    const [before] =
      id === null
        ? []
        : await tx
            .select()
            .from(webhookSubscriptionsTable)
            .where(and(eq(webhookSubscriptionsTable.id, id), visibleSubscriptions(actor)))
            .for('update');
    if (!before) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND);
    if (before.disabledAt) throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '订阅已停用', en: 'The subscription is already disabled' });
    const [after] = await tx
      .update(webhookSubscriptionsTable)
      .set({ disabledAt: sql`now()` })
      .where(eq(webhookSubscriptionsTable.id, before.id))
      .returning();
    const { secret: _a, ...safeBefore } = before;
    const { secret: _b, ...safeAfter } = after!;
    await recordAudit(tx, actor, { action: 'webhook_subscription.disable', entityType: 'WebhookSubscription', entityId: before.id, before: safeBefore, after: safeAfter });
    return after!;
  });
}

// ---------------------------------------------------------------- reads, filtered by the viewer's webhook scope

export async function listWebhookSubscriptions(db: DbOrTx, viewer: Viewer, page: PageRequest): Promise<WebhookSubscriptionRow[]> {
  return db
    .select()
    .from(webhookSubscriptionsTable)
    .where(and(visibleSubscriptions(viewer), pageCondition(page, webhookSubscriptionsTable.id)))
    .orderBy(pageOrderBy(page, 'asc', webhookSubscriptionsTable.id))
    .limit(page.limit + 1);
}

export async function countWebhookSubscriptions(db: DbOrTx, viewer: Viewer): Promise<number> {
  const [row] = await db.select({ n: count() }).from(webhookSubscriptionsTable).where(visibleSubscriptions(viewer));
  return row?.n ?? 0;
}

export async function loadWebhookSubscriptionsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<WebhookSubscriptionRow[]> {
  if (webhookScope(viewer).kind === 'none') return [];
  return db
    .select()
    .from(webhookSubscriptionsTable)
    .where(and(inArray(webhookSubscriptionsTable.id, [...ids]), visibleSubscriptions(viewer)));
}

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface DeliveryFilter {
  subscriptionId?: number | null;
  status?: DeliveryStatus | null;
  eventId?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function deliveryConditions(viewer: Viewer, filter: DeliveryFilter): SQL | undefined {
  // A delivery is visible with its subscription.
  const subscriptions = visibleSubscriptions(viewer);
  return and(
    inArray(webhookDeliveriesTable.subscriptionId, sql`(select ${webhookSubscriptionsTable.id} from ${webhookSubscriptionsTable} where ${subscriptions})`),
    filter.subscriptionId != null ? eq(webhookDeliveriesTable.subscriptionId, filter.subscriptionId) : undefined,
    filter.status ? eq(webhookDeliveriesTable.status, filter.status) : undefined,
    filter.eventId != null ? (UUID.test(filter.eventId) ? eq(webhookDeliveriesTable.eventId, filter.eventId) : sql`false`) : undefined,
  );
}

/** The delivery log, newest first. */
export async function listWebhookDeliveries(db: DbOrTx, viewer: Viewer, filter: DeliveryFilter, page: PageRequest): Promise<WebhookDeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveriesTable)
    .where(and(deliveryConditions(viewer, filter), pageCondition(page, webhookDeliveriesTable.id, 'desc')))
    .orderBy(pageOrderBy(page, 'desc', webhookDeliveriesTable.id))
    .limit(page.limit + 1);
}

export async function countWebhookDeliveries(db: DbOrTx, viewer: Viewer, filter: DeliveryFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(webhookDeliveriesTable).where(deliveryConditions(viewer, filter));
  return row?.n ?? 0;
}

export async function loadWebhookDeliveriesByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<WebhookDeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveriesTable)
    .where(and(inArray(webhookDeliveriesTable.id, [...ids]), deliveryConditions(viewer, {})));
}

/** Attempts of deliveries the caller already may see (the parent delivery was loaded through the scope). */
export async function loadAttemptsByDeliveryIds(db: DbOrTx, ids: readonly number[]): Promise<WebhookDeliveryAttemptRow[]> {
  return db
    .select()
    .from(webhookDeliveryAttemptsTable)
    .where(inArray(webhookDeliveryAttemptsTable.deliveryId, [...ids]))
    .orderBy(asc(webhookDeliveryAttemptsTable.attempt));
}
