// Webhook subscriptions, the fan-out of outbox events into deliveries, and the delivery log.
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { serviceAccountsTable } from '../clients/clients.table.js';
import { outboxEventsTable } from '../outbox/outbox.table.js';

export const webhookSubscriptionsTable = pgTable(
  'webhook_subscriptions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    url: text('url').notNull(),
    /** Outbox event types, e.g. "suggestion.submitted". */
    eventTypes: text('event_types').array().notNull(),
    description: text('description'),
    /**
     * The HMAC key. Kept as given (not hashed): signing needs it. Shown to the subscriber once.
     */
    secret: text('secret').notNull(),
    /** The service account that subscribed (null when association staff did); it sees and manages its own. */
    serviceAccountId: integer('service_account_id').references(() => serviceAccountsTable.id, { onDelete: 'cascade' }),
    /**
     * The association it belongs to: its staff see and manage it, and it receives only that association's events. Null
     * only for subscriptions of the bureau's (regulator-role) service accounts, which receive every association's.
     */
    associationId: integer('association_id').references(() => associationsTable.id, { onDelete: 'restrict' }),
    createdBySub: text('created_by_sub').notNull(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('webhook_subscriptions_account_idx').on(t.serviceAccountId, t.id),
    index('webhook_subscriptions_association_idx').on(t.associationId, t.id),
    check('webhook_subscriptions_event_types', sql`cardinality(${t.eventTypes}) > 0`),
    // Staff subscribe for their association; only a service account's subscription may belong to none.
    check('webhook_subscriptions_association', sql`${t.serviceAccountId} is not null or ${t.associationId} is not null`),
  ],
);

/** Marks each outbox event once its deliveries exist, so fan-out is idempotent across workers and restarts. */
export const webhookFanoutsTable = pgTable('webhook_fanouts', {
  outboxEventId: integer('outbox_event_id')
    .primaryKey()
    .references(() => outboxEventsTable.id, { onDelete: 'cascade' }),
  fannedOutAt: timestamp('fanned_out_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A single row: every outbox event up to this id is fanned out (bounds the scan for new events). */
export const webhookFanoutCursorTable = pgTable(
  'webhook_fanout_cursor',
  {
    id: integer('id').primaryKey().default(1),
    throughEventId: integer('through_event_id').notNull().default(0),
  },
  (t) => [check('webhook_fanout_cursor_single_row', sql`${t.id} = 1`)],
);

/** One delivery per (event, subscription); retried with backoff until it succeeds or runs out of attempts. */
export const webhookDeliveriesTable = pgTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    subscriptionId: integer('subscription_id')
      .notNull()
      .references(() => webhookSubscriptionsTable.id, { onDelete: 'cascade' }),
    outboxEventId: integer('outbox_event_id')
      .notNull()
      .references(() => outboxEventsTable.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id').notNull(),
    eventType: text('event_type').notNull(),
    /** PENDING (due at next_attempt_at), SUCCEEDED or FAILED (attempts exhausted). */
    status: text('status').notNull().default('PENDING'),
    /** Attempts started so far; a worker claims attempt n+1 by incrementing it. */
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due; while an attempt runs, the end of its lease. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    lastResponseStatus: integer('last_response_status'),
    lastError: text('last_error'),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_subscription_key').on(t.outboxEventId, t.subscriptionId),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'PENDING'`),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId, t.id),
    check('webhook_deliveries_status', sql`${t.status} in ('PENDING', 'SUCCEEDED', 'FAILED')`),
  ],
);

/** The delivery log: one row per finished attempt. The unique key makes a second run of the same attempt impossible to record. */
export const webhookDeliveryAttemptsTable = pgTable(
  'webhook_delivery_attempts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    deliveryId: integer('delivery_id')
      .notNull()
      .references(() => webhookDeliveriesTable.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    responseStatus: integer('response_status'),
    error: text('error'),
    /** Which worker ran it (host:pid:random), to trace deliveries across instances. */
    workerId: text('worker_id').notNull(),
  },
  (t) => [uniqueIndex('webhook_delivery_attempts_key').on(t.deliveryId, t.attempt)],
);

export type WebhookSubscriptionRow = typeof webhookSubscriptionsTable.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveriesTable.$inferSelect;
export type WebhookDeliveryAttemptRow = typeof webhookDeliveryAttemptsTable.$inferSelect;
