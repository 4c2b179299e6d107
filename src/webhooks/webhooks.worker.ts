// The webhook delivery worker: fans outbox events out into deliveries, claims due deliveries, POSTs them signed,
// and schedules retries with exponential backoff. Safe to run in several API instances at once.
//
// - Fan-out is idempotent: one delivery per (event, subscription) by a unique key, and a marker per event.
// - A worker claims an attempt by incrementing `attempts` in the same statement that selects due rows
//   FOR UPDATE SKIP LOCKED, and pushes `next_attempt_at` to the end of a lease, so no other worker can take the
//   same attempt. If the worker dies mid-attempt, the lease expires and the next attempt (n+1) is made:
//   deliveries are at least once, with the same event id in every attempt.
// - The HTTP call happens outside any transaction; its result is written only if the claim is still ours.
import { startPoller } from '../poller.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Db, type DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { rowsOf } from '../db/sql/index.js';
import { encodeGlobalId } from '../global-id.js';
import type { Logger } from '../logger.js';
import { outboxEventsTable } from '../outbox/outbox.table.js';
import { serviceAccountsTable } from '../clients/clients.table.js';
import { eventReachesAssociation, webhookEventScopes } from './webhooks.service.js';
import { allowListOf, DestinationNotAllowed, resolveDestination, systemResolver, type DestinationAllowList, type Resolver } from './webhooks.destination.js';
import { signStandardWebhook, signWebhook, STANDARD_WEBHOOK_HEADERS, WEBHOOK_HEADERS } from './webhooks.signature.js';
import {
  webhookDeliveriesTable,
  webhookDeliveryAttemptsTable,
  webhookFanoutCursorTable,
  webhookFanoutsTable,
  webhookSubscriptionsTable,
} from './webhooks.table.js';
import { endWithError, otelContext, otelTrace, SpanKind, SpanStatusCode, type Span, type Tracing } from '../tracing.js';

export interface WebhookWorkerOptions {
  db: Db;
  logger: Logger;
  pollIntervalMs: number;
  maxAttempts: number;
  /** Delay before attempt n+1 is retryBaseSeconds × 2^(n-1). */
  retryBaseSeconds: number;
  timeoutMs: number;
  /**
   * The operator's allow-list (WEBHOOK_ALLOWED_HOSTS): the only loopback, private, link-local … destinations the worker
   * connects to. Every other destination is resolved once, checked, and connected to at the checked address.
   */
  allowedHosts: DestinationAllowList | readonly string[];
  /** Name resolution (the system's by default; tests replace it to simulate DNS rebinding). */
  resolver?: Resolver;
  /** Deliveries claimed per round (default 20) and sent at once (default 4). */
  batchSize?: number;
  concurrency?: number;
  workerId?: string;
  /** Each attempt's outcome, once recorded (the server's metrics: member_graph_webhook_delivery_attempts_total). */
  onAttempt?: (outcome: 'succeeded' | 'retry' | 'failed') => void;
  /** Tracing when on: a span per attempt, and its `traceparent` sent with the request (src/tracing.ts). */
  tracing?: Tracing;
}

export interface WebhookWorker {
  readonly workerId: string;
  /** One round: fan out new events, then deliver what is due. Resolves to the number of attempts made. */
  runOnce(): Promise<number>;
  /** Stops polling and waits for the attempts in flight. */
  stop(): Promise<void>;
}

/** Events committed out of id order are still fanned out: the cursor only passes events older than this. */
const CURSOR_SAFETY = '1 hour';
const CURSOR_ADVANCE_EVERY_MS = 60_000;

export function retryDelaySeconds(attempt: number, baseSeconds: number): number {
  return baseSeconds * 2 ** Math.max(0, attempt - 1);
}

interface Claimed {
  id: number;
  attempt: number;
  url: string;
  secret: string;
  eventId: string;
  type: string;
  entityType: string;
  entityId: number | null;
  payload: unknown;
  occurredAt: Date;
}

const cursorReady = new WeakSet<DbOrTx>();

/** The scope each event type needs, as SQL over the event's type (null for a type no account may receive). */
const requiredScope = sql`(case e.type ${sql.join(
  Object.entries(webhookEventScopes).map(([type, scope]) => sql`when ${type}::text then ${scope}::text`),
  sql` `,
)} end)`;

/** Creates the deliveries of events not yet fanned out; returns how many events it handled. */
export async function fanOutEvents(db: DbOrTx, limit = 200): Promise<number> {
  if (!cursorReady.has(db)) {
    await db.insert(webhookFanoutCursorTable).values({ id: 1, throughEventId: 0 }).onConflictDoNothing();
    cursorReady.add(db);
  }
  const candidates = rowsOf<{ id: number }>(
    await db.execute(sql`
      select e.id from ${outboxEventsTable} e
      where e.id > (select through_event_id from ${webhookFanoutCursorTable} where id = 1)
        and not exists (select 1 from ${webhookFanoutsTable} f where f.outbox_event_id = e.id)
      order by e.id
      limit ${limit}`),
  );
  if (candidates.length === 0) return 0;
  const ids = candidates.map((c) => Number(c.id));
  await runInTransaction(db, async (tx) => {
    // A subscriber receives the events that occur after it subscribed; disabled subscriptions and accounts receive nothing,
    // a service account receives only events whose data it holds the scope to read (webhookEventScopes), and an
    // association's subscription only its association's events (the bureau's, with no association, every one; an event
    // of no association reaches only the bureau's).
    await tx.execute(sql`
      insert into ${webhookDeliveriesTable} (subscription_id, outbox_event_id, event_id, event_type)
      select s.id, e.id, e.event_id, e.type
      from ${outboxEventsTable} e
      join ${webhookSubscriptionsTable} s on e.type = any(s.event_types) and s.disabled_at is null and s.created_at <= e.occurred_at
        and ${eventReachesAssociation(sql`s.association_id`, sql`e.association_id`)}
      left join ${serviceAccountsTable} a on a.id = s.service_account_id
      where e.id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) and a.disabled_at is null
        and (s.service_account_id is null or ${requiredScope} = any(a.scopes))
      on conflict do nothing`);
    await tx
      .insert(webhookFanoutsTable)
      .values(ids.map((outboxEventId) => ({ outboxEventId })))
      .onConflictDoNothing();
  });
  return ids.length;
}

/** Moves the cursor past events that are fanned out and old enough that no earlier id can still commit. */
export async function advanceFanoutCursor(db: DbOrTx): Promise<void> {
  await db.execute(sql`
    update ${webhookFanoutCursorTable} c set through_event_id = greatest(c.through_event_id, least(
      coalesce((select min(e.id) - 1 from ${outboxEventsTable} e
                where e.id > c.through_event_id
                  and not exists (select 1 from ${webhookFanoutsTable} f where f.outbox_event_id = e.id)), 2147483647),
      coalesce((select max(e.id) from ${outboxEventsTable} e
                where e.id > c.through_event_id and e.occurred_at < now() - ${sql.raw(`interval '${CURSOR_SAFETY}'`)}), c.through_event_id)
    ))
    where c.id = 1`);
}

/** Claims up to `limit` due deliveries for this worker: each claim is the next attempt number, leased for `leaseSeconds`. */
export async function claimDueDeliveries(db: DbOrTx, limit: number, leaseSeconds: number): Promise<Claimed[]> {
  const claimed = rowsOf<{ id: number; attempts: number }>(
    await db.execute(sql`
      with due as (
        select d.id from ${webhookDeliveriesTable} d
        join ${webhookSubscriptionsTable} s on s.id = d.subscription_id
        left join ${serviceAccountsTable} a on a.id = s.service_account_id
        where d.status = 'PENDING' and d.next_attempt_at <= now()
          and s.disabled_at is null and a.disabled_at is null
        order by d.next_attempt_at, d.id
        limit ${limit}
        for update of d skip locked
      )
      update ${webhookDeliveriesTable} d
      set attempts = d.attempts + 1,
          last_attempt_at = now(),
          next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
      from due where d.id = due.id
      returning d.id, d.attempts`),
  );
  if (claimed.length === 0) return [];
  const attemptOf = new Map(claimed.map((c) => [Number(c.id), Number(c.attempts)]));
  const rows = await db
    .select({
      id: webhookDeliveriesTable.id,
      url: webhookSubscriptionsTable.url,
      secret: webhookSubscriptionsTable.secret,
      eventId: outboxEventsTable.eventId,
      type: outboxEventsTable.type,
      entityType: outboxEventsTable.entityType,
      entityId: outboxEventsTable.entityId,
      payload: outboxEventsTable.payload,
      occurredAt: outboxEventsTable.occurredAt,
    })
    .from(webhookDeliveriesTable)
    .innerJoin(webhookSubscriptionsTable, eq(webhookSubscriptionsTable.id, webhookDeliveriesTable.subscriptionId))
    .innerJoin(outboxEventsTable, eq(outboxEventsTable.id, webhookDeliveriesTable.outboxEventId))
    .where(inArray(webhookDeliveriesTable.id, [...attemptOf.keys()]));
  return rows.map((r) => ({ ...r, attempt: attemptOf.get(r.id)! }));
}

/** The request body: the same bytes in every attempt of an event (the event id is stable; only the timestamp header changes). */
export function webhookBody(event: Pick<Claimed, 'eventId' | 'type' | 'entityType' | 'entityId' | 'payload' | 'occurredAt'>): string {
  return JSON.stringify({
    id: event.eventId,
    type: event.type,
    occurredAt: new Date(event.occurredAt).toISOString(),
    entity: { type: event.entityType, id: event.entityId === null ? null : encodeGlobalId(event.entityType, event.entityId) },
    data: event.payload,
  });
}

/**
 * What the delivery log records about a failure: generic words only, never the library's message or the connection's
 * error code (which would tell a subscriber which internal ports answer): "destination not allowed", "timeout",
 * "connection failed". HTTP statuses are recorded as "HTTP <status>" by the caller.
 */
export function describeFailure(error: unknown): string {
  const e = error as { name?: string; code?: string };
  if (error instanceof DestinationNotAllowed) return 'destination not allowed';
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return 'timeout';
  return 'connection failed';
}

/**
 * POSTs a webhook without fetch: the host is resolved once, every address checked (resolveDestination), and the socket
 * connects to the checked addresses through a lookup that answers only those (a second DNS answer, as in DNS rebinding,
 * is never asked for). Redirects are not followed (a 3xx is a failure, like fetch's redirect: "manual");
 * the whole exchange is bounded by the timeout.
 */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowedHosts: DestinationAllowList; resolver?: Resolver },
): Promise<number> {
  const target = new URL(url);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const resolving = resolveDestination(target.hostname, options.allowedHosts, options.resolver ?? systemResolver);
  resolving.catch(() => {});
  const checked = await Promise.race([
    resolving,
    new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
  ]);
  // Answers only the checked addresses: all of them when the socket tries several (Node's happy eyeballs), else the first.
  const lookup: LookupFunction = (_hostname, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, checked);
    else callback(null, checked[0]!.address, checked[0]!.family);
  };
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const requestOptions: RequestOptions = {
    method: 'POST',
    headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
    lookup,
    // A fresh connection per attempt: a pooled socket would skip the check.
    agent: false,
    signal,
  };
  return new Promise<number>((resolve, reject) => {
    const req = request(target, requestOptions, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      // The answer's body is not read: only the status counts.
      res.resume();
      res.on('error', () => {});
      resolve(status);
      req.destroy();
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { db, logger } = options;
  const batchSize = options.batchSize ?? 20;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const allowedHosts = allowListOf(options.allowedHosts);
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const leaseSeconds = Math.ceil(options.timeoutMs / 1000) + 30;
  const log = logger.child({ component: 'webhooks', workerId });
  let cursorAdvancedAt = 0;

  /** One attempt, in a span of its own when tracing is on (a new trace: the event's request has long been answered). */
  function attempt(d: Claimed): Promise<void> {
    const tracing = options.tracing;
    if (!tracing) return deliver(d);
    const span = tracing.tracer.startSpan('webhook deliver', {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'member_graph.webhook.delivery_id': String(d.id),
        'member_graph.webhook.event_type': d.type,
        'member_graph.webhook.attempt': d.attempt,
      },
    });
    const ctx = otelTrace.setSpan(otelContext.active(), span);
    return otelContext.with(ctx, () => deliver(d, tracing.outgoingHeaders(ctx), span)).then(
      () => span.end(),
      (error: unknown) => {
        endWithError(span, error);
        throw error;
      },
    );
  }

  async function deliver(d: Claimed, traceHeaders: Record<string, string> = {}, span?: Span): Promise<void> {
    const body = webhookBody(d);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const startedAt = new Date();
    let responseStatus: number | null = null;
    let error: string | null = null;
    let detail: string | undefined;
    try {
      responseStatus = await postWebhook(
        d.url,
        {
          'content-type': 'application/json',
          'user-agent': 'member-graph-webhooks/1',
          [WEBHOOK_HEADERS.eventId]: d.eventId,
          [WEBHOOK_HEADERS.eventType]: d.type,
          [WEBHOOK_HEADERS.timestamp]: timestamp,
          [WEBHOOK_HEADERS.signature]: signWebhook(d.secret, timestamp, d.eventId, body),
          [WEBHOOK_HEADERS.delivery]: `${d.id}.${d.attempt}`,
          [STANDARD_WEBHOOK_HEADERS.id]: d.eventId,
          [STANDARD_WEBHOOK_HEADERS.timestamp]: timestamp,
          [STANDARD_WEBHOOK_HEADERS.signature]: signStandardWebhook(d.secret, d.eventId, timestamp, body),
          ...traceHeaders,
        },
        body,
        { timeoutMs: options.timeoutMs, allowedHosts, resolver: options.resolver },
      );
      if (responseStatus < 200 || responseStatus > 299) error = `HTTP ${responseStatus}`;
    } catch (e) {
      error = describeFailure(e);
      // The operator's log may say more than the subscriber's delivery log (which range, which code).
      detail = e instanceof DestinationNotAllowed ? e.detail : ((e as { code?: string })?.code ?? (e as Error)?.name);
    }
    const durationMs = Date.now() - startedAt.getTime();
    const succeeded = error === null;
    const exhausted = !succeeded && d.attempt >= options.maxAttempts;
    const delay = retryDelaySeconds(d.attempt, options.retryBaseSeconds);
    await runInTransaction(db, async (tx) => {
      await tx
        .insert(webhookDeliveryAttemptsTable)
        .values({ deliveryId: d.id, attempt: d.attempt, startedAt, durationMs, responseStatus, error, workerId })
        .onConflictDoNothing();
      await tx
        .update(webhookDeliveriesTable)
        .set({
          status: succeeded ? 'SUCCEEDED' : exhausted ? 'FAILED' : 'PENDING',
          lastResponseStatus: responseStatus,
          lastError: error,
          deliveredAt: succeeded ? sql`now()` : null,
          nextAttemptAt: succeeded || exhausted ? sql`now()` : sql`now() + make_interval(secs => ${delay})`,
        })
        // Only while the claim is still ours: a lease that ran out has been handed to a later attempt.
        .where(and(eq(webhookDeliveriesTable.id, d.id), eq(webhookDeliveriesTable.attempts, d.attempt), eq(webhookDeliveriesTable.status, 'PENDING')));
    });
    options.onAttempt?.(succeeded ? 'succeeded' : exhausted ? 'failed' : 'retry');
    if (span) {
      if (responseStatus !== null) span.setAttribute('http.response.status_code', responseStatus);
      span.setAttribute('member_graph.webhook.outcome', succeeded ? 'succeeded' : exhausted ? 'failed' : 'retry');
      if (!succeeded) span.setStatus({ code: SpanStatusCode.ERROR, message: responseStatus !== null ? `HTTP ${responseStatus}` : (detail ?? 'failed') });
    }
    if (succeeded) log.debug({ deliveryId: d.id, eventId: d.eventId, attempt: d.attempt }, 'webhook delivered');
    else log.warn({ deliveryId: d.id, eventId: d.eventId, attempt: d.attempt, error, detail, exhausted }, 'webhook attempt failed');
  }

  async function round(): Promise<number> {
    await fanOutEvents(db);
    if (Date.now() - cursorAdvancedAt > CURSOR_ADVANCE_EVERY_MS) {
      cursorAdvancedAt = Date.now();
      await advanceFanoutCursor(db);
    }
    const due = await claimDueDeliveries(db, batchSize, leaseSeconds);
    const queue = [...due];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let d = queue.shift(); d; d = queue.shift()) {
          try {
            await attempt(d);
          } catch (error) {
            // Recording failed (database away): the lease runs out and a later attempt retries.
            log.error({ err: error, deliveryId: d.id }, 'could not record a webhook attempt');
          }
        }
      }),
    );
    return due.length;
  }

  const poller = startPoller(round, {
    // A full batch means more are due: go again at once.
    nextDelayMs: (made) => (made >= batchSize ? 0 : options.pollIntervalMs),
    onError: (error) => log.error({ err: error }, 'webhook round failed'),
  });
  return { workerId, runOnce: poller.runOnce, stop: poller.stop };
}
