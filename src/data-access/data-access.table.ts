// The read audit: who (regulator or service account) read which protected data, and when.
import { index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const dataAccessLogTable = pgTable(
  'data_access_log',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
    /** The service account's client id when the reader was one. */
    clientId: text('client_id'),
    /** The trusted document the request ran ("sha256:…"), when it was sent by id (docs/TRUSTED-DOCUMENTS.md). */
    documentId: text('document_id'),
    /** What was read, e.g. "branchRatings", "supervisionList", "BranchRating". */
    resource: text('resource').notNull(),
    /** The parameters of the read (year, filter, ids, row count). */
    details: jsonb('details'),
  },
  (t) => [index('data_access_log_resource_idx').on(t.resource, t.id)],
);

export type DataAccessLogRow = typeof dataAccessLogTable.$inferSelect;
