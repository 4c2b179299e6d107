// The transactional outbox: domain events written in the same transaction as the change, delivered later (webhooks).
import { sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';

/** PostgreSQL's 64-bit transaction id (xid8, PostgreSQL 13 and later), read as text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

export const outboxEventsTable = pgTable(
  'outbox_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** Stable event id, sent to receivers so they can deduplicate. */
    eventId: uuid('event_id').notNull().default(sql`gen_random_uuid()`),
    type: text('type').notNull(),
    /** The aggregate the event is about, e.g. ("Suggestion", 42). */
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id'),
    /**
     * The association whose data the event is about (a suggestion's association; SZSA for rating cycles): only its
     * subscriptions and the bureau's receive it (null: the bureau's only).
     */
    associationId: integer('association_id').references(() => associationsTable.id, { onDelete: 'restrict' }),
    payload: jsonb('payload').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The writing transaction: the change feed shows an event only once every transaction older than it has ended,
     * so an id taken earlier can no longer commit behind a cursor already handed out (src/webhooks/changes.service.ts).
     */
    txid: xid8('txid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [index('outbox_events_type_idx').on(t.type, t.id)],
);

export type OutboxEventRow = typeof outboxEventsTable.$inferSelect;
