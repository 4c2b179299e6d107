// Bulk export jobs (issue 22): who asked for which rows in which format, the job's progress and manifest, and the
// file itself in chunks, so any instance serves it and it survives a restart.
import { sql } from 'drizzle-orm';
import { check, customType, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { serviceAccountsTable } from '../clients/clients.table.js';

export const exportKindEnum = pgEnum('export_kind', ['RATINGS', 'SUGGESTIONS', 'TRAINING_HOURS', 'STATISTICS']);
export const exportFormatEnum = pgEnum('export_format', ['CSV', 'JSONL']);
export const exportStatusEnum = pgEnum('export_status', ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED']);

export type ExportKind = (typeof exportKindEnum.enumValues)[number];
export type ExportFormat = (typeof exportFormatEnum.enumValues)[number];
export type ExportStatus = (typeof exportStatusEnum.enumValues)[number];

/** PostgreSQL bytea as a Buffer (both drivers hand back bytes; node-postgres a Buffer, PGlite a Uint8Array). */
const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

/**
 * What the job runs as: the requester's role, subject and association when it was started. The worker rebuilds the
 * viewer from it (a service account's current scopes, narrowed to these), so the rows are what the requester may see.
 */
export interface ExportRequester {
  role: 'ASSOCIATION' | 'REGULATOR';
  subject: string;
  associationId: number | null;
  serviceAccountId: number | null;
  clientId: string | null;
  scopes: string[] | null;
}

/** The rows a job selects: the same parameters as the /reports/*.csv routes. */
export interface ExportFilter {
  year?: number;
  period?: string;
  from?: string;
  to?: string;
}

export const exportJobsTable = pgTable(
  'export_jobs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** The requester's token subject ("client:<id>" for a service account): the principal the limits count by. */
    requestedBySub: text('requested_by_sub').notNull(),
    requester: jsonb('requester').$type<ExportRequester>().notNull(),
    /** Set for a service account's job (its jobs stop when it is disabled). */
    serviceAccountId: integer('service_account_id').references(() => serviceAccountsTable.id, { onDelete: 'cascade' }),
    /** The requester's association (its staff see the job); null for the bureau's jobs. */
    associationId: integer('association_id').references(() => associationsTable.id, { onDelete: 'restrict' }),
    kind: exportKindEnum('kind').notNull(),
    format: exportFormatEnum('format').notNull(),
    filter: jsonb('filter').$type<ExportFilter>().notNull(),
    status: exportStatusEnum('status').notNull().default('QUEUED'),
    /** How many times a worker has claimed it (a claim whose lease ran out is taken again with the next number). */
    attempts: integer('attempts').notNull().default(0),
    /** Which worker holds the claim, and until when; another worker takes a RUNNING job whose lease has passed. */
    claimedBy: text('claimed_by'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    rowCount: integer('row_count'),
    byteSize: integer('byte_size'),
    /** Lowercase hex SHA-256 of the whole file. */
    sha256: text('sha256'),
    /** Why it failed: ROW_LIMIT_EXCEEDED, REQUESTER_NOT_ALLOWED, INTERNAL (docs/EXPORTS.md). */
    errorCode: text('error_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('export_jobs_requester_idx').on(t.requestedBySub, t.id),
    index('export_jobs_association_idx').on(t.associationId, t.id),
    // The worker's queue: jobs waiting, and running ones whose lease may have passed.
    index('export_jobs_open_idx').on(t.id).where(sql`${t.status} in ('QUEUED', 'RUNNING')`),
    check('export_jobs_finished', sql`(${t.status} = 'SUCCEEDED') = (${t.sha256} is not null)`),
  ],
);

/** The file of a job, in order: one chunk per batch of rows. Written while the job runs; complete once it SUCCEEDED. */
export const exportChunksTable = pgTable(
  'export_chunks',
  {
    jobId: integer('job_id')
      .notNull()
      .references(() => exportJobsTable.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);

export type ExportJobRow = typeof exportJobsTable.$inferSelect;
