// Tables of early reports (抓早抓小) and the best-practice library (优秀工作经验): members' reports of what is going wrong
// and their status history, the working-day calendar their deadlines count in, and members' good experience with its
// review and its links to policy interpretations.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { branchesTable, organizationsTable } from '../members/members.table.js';
import { policyAudienceEnum, policyInterpretationsTable } from '../policies/policies.table.js';
import { trainingProgrammesTable } from '../training/training.table.js';

export const earlyReportCategoryEnum = pgEnum('early_report_category', [
  'LITIGATION_OR_FREEZE',
  'SYSTEM_OUTAGE',
  'STAFF_MISCONDUCT',
  'CUSTOMER_DISTURBANCE',
  'REGULATORY_ACTION',
  'REPUTATION_EVENT',
  'MARKET_FEEDBACK',
  'OTHER',
]);
/** Declared mildest first, so the enum's own order is the severity order. */
export const earlyReportSeverityEnum = pgEnum('early_report_severity', ['MINOR', 'MODERATE', 'SEVERE', 'CRITICAL']);
export const earlyReportStatusEnum = pgEnum('early_report_status', ['SUBMITTED', 'ACKNOWLEDGED', 'ESCALATED', 'CLOSED']);
export const bestPracticeStatusEnum = pgEnum('best_practice_status', ['SUBMITTED', 'UNDER_REVIEW', 'PUBLISHED', 'REJECTED']);

export const EARLY_REPORTS_MAX_TITLE = 120;
export const EARLY_REPORTS_MAX_BODY = 10_000;
export const EARLY_REPORTS_MAX_SUMMARY = 500;

/** A tsvector written as its input literal (built by policies.search.ts); never read back by the application. */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

/**
 * The working-day calendar of the Chinese mainland (Asia/Shanghai) that MINOR reports' "5 working days" count in: a row
 * per day that differs from the Monday–Friday rule — a public holiday (working = false) or a make-up working day on a
 * weekend (调休上班, working = true). Data, not code: the seed loads 2025–2027 (demo convention; see
 * docs/EARLY-REPORTS.md), an operator loads each year's State Council notice.
 */
export const workingCalendarTable = pgTable('working_calendar', {
  day: date('day', { mode: 'string' }).primaryKey(),
  working: boolean('working').notNull(),
  /** e.g. 春节, 国庆节, 春节调休上班. */
  name: text('name').notNull(),
});

export const earlyReportsTable = pgTable(
  'early_reports',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** Always the submitting viewer's organization. */
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    /** The association it was filed with: one the organization is an active member of. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    /** One of the organization's own branches, if the event happened at one. */
    branchId: integer('branch_id').references(() => branchesTable.id, { onDelete: 'restrict' }),
    category: earlyReportCategoryEnum('category').notNull(),
    severity: earlyReportSeverityEnum('severity').notNull(),
    /** 0 for CRITICAL … 3 for MINOR: the triage queue's first key (most severe first). */
    severityRank: smallint('severity_rank')
      .notNull()
      .generatedAlwaysAs(
        sql`case severity when 'CRITICAL' then 0 when 'SEVERE' then 1 when 'MODERATE' then 2 else 3 end`,
      ),
    title: text('title').notNull(),
    body: text('body').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull().defaultNow(),
    /** The deadline for the severity, computed at submission (dueAtSql): reports after it are late. */
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    late: boolean('late')
      .notNull()
      .generatedAlwaysAs(sql`reported_at > due_at`),
    status: earlyReportStatusEnum('status').notNull().default('SUBMITTED'),
    /** When it reached the regulator (at submission for SEVERE and CRITICAL); stays set after closing. */
    escalatedAt: timestamp('escalated_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** The person (token subject) who submitted it. */
    submittedBySub: text('submitted_by_sub').notNull(),
    /** Client-chosen key, unique per organization (as for suggestions). */
    idempotencyKey: text('idempotency_key'),
    /** sha256 of the normalized input that first used the key. */
    inputFingerprint: text('input_fingerprint'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('early_reports_org_idempotency_key').on(t.organizationId, t.idempotencyKey),
    // The triage queue's order (severity, age, id) under each visibility: an association's, an organization's, the
    // regulator's (escalated only).
    index('early_reports_association_queue_idx').on(t.associationId, t.severityRank, t.reportedAt, t.id),
    index('early_reports_org_queue_idx').on(t.organizationId, t.severityRank, t.reportedAt, t.id),
    index('early_reports_escalated_queue_idx')
      .on(t.severityRank, t.reportedAt, t.id)
      .where(sql`escalated_at is not null`),
    index('early_reports_reported_at_idx').on(t.reportedAt),
    index('early_reports_branch_idx').on(t.branchId),
    check('early_reports_title_length', sql`char_length(${t.title}) between 1 and ${sql.raw(String(EARLY_REPORTS_MAX_TITLE))}`),
    check('early_reports_body_length', sql`char_length(${t.body}) between 1 and ${sql.raw(String(EARLY_REPORTS_MAX_BODY))}`),
    check('early_reports_key_fingerprint', sql`(${t.idempotencyKey} is null) = (${t.inputFingerprint} is null)`),
    check('early_reports_occurred_before_reported', sql`${t.occurredAt} <= ${t.reportedAt}`),
    // Never a SEVERE or CRITICAL report without its escalation, and never ESCALATED without the time it happened.
    check('early_reports_serious_escalated', sql`${t.severity} in ('MINOR', 'MODERATE') or ${t.escalatedAt} is not null`),
    check('early_reports_escalated_at', sql`${t.status} <> 'ESCALATED' or ${t.escalatedAt} is not null`),
    check('early_reports_closed_at', sql`(${t.status} = 'CLOSED') = (${t.closedAt} is not null)`),
  ],
);

export const earlyReportEventsTable = pgTable(
  'early_report_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    reportId: integer('report_id')
      .notNull()
      .references(() => earlyReportsTable.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    fromStatus: earlyReportStatusEnum('from_status'),
    toStatus: earlyReportStatusEnum('to_status').notNull(),
    note: text('note'),
    /** Who moved it: the token subject and role. */
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
  },
  (t) => [index('early_report_events_report_idx').on(t.reportId, t.id)],
);

export const bestPracticesTable = pgTable(
  'best_practices',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    /** The association that reviews it (the organization's first, or the one named). */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    body: text('body').notNull(),
    /** Published without the organization's name (staff of its association and the regulator still see it). */
    anonymous: boolean('anonymous').notNull().default(false),
    status: bestPracticeStatusEnum('status').notNull().default('SUBMITTED'),
    /** Who reads it once published; MEMBERS until the reviewer decides. */
    audience: policyAudienceEnum('audience').notNull().default('MEMBERS'),
    reviewNote: text('review_note'),
    reviewedBySub: text('reviewed_by_sub'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    submittedBySub: text('submitted_by_sub').notNull(),
    /** Segmented text for search (policies.search.ts): title A, summary B, body D. */
    searchVector: tsvector('search_vector').notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('best_practices_search_idx').using('gin', t.searchVector),
    index('best_practices_listing_idx').on(t.status, t.audience, t.id),
    index('best_practices_association_idx').on(t.associationId, t.id),
    index('best_practices_org_idx').on(t.organizationId, t.id),
    check('best_practices_title_length', sql`char_length(${t.title}) between 1 and ${sql.raw(String(EARLY_REPORTS_MAX_TITLE))}`),
    check('best_practices_summary_length', sql`char_length(${t.summary}) between 1 and ${sql.raw(String(EARLY_REPORTS_MAX_SUMMARY))}`),
    check('best_practices_body_length', sql`char_length(${t.body}) between 1 and ${sql.raw(String(EARLY_REPORTS_MAX_BODY))}`),
    check('best_practices_published_at', sql`(${t.status} = 'PUBLISHED') = (${t.publishedAt} is not null)`),
  ],
);

export const bestPracticeEventsTable = pgTable(
  'best_practice_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    bestPracticeId: integer('best_practice_id')
      .notNull()
      .references(() => bestPracticesTable.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    fromStatus: bestPracticeStatusEnum('from_status'),
    toStatus: bestPracticeStatusEnum('to_status').notNull(),
    note: text('note'),
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
  },
  (t) => [index('best_practice_events_practice_idx').on(t.bestPracticeId, t.id)],
);

/** A best practice's related policy interpretations (set by the reviewer). */
export const bestPracticePolicyLinksTable = pgTable(
  'best_practice_policy_links',
  {
    bestPracticeId: integer('best_practice_id')
      .notNull()
      .references(() => bestPracticesTable.id, { onDelete: 'cascade' }),
    policyInterpretationId: integer('policy_interpretation_id')
      .notNull()
      .references(() => policyInterpretationsTable.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bestPracticeId, t.policyInterpretationId] }),
    index('best_practice_policy_links_interpretation_idx').on(t.policyInterpretationId),
  ],
);

/** A best practice's related training programmes (set by the reviewer): where members learn more. */
export const bestPracticeTrainingLinksTable = pgTable(
  'best_practice_training_links',
  {
    bestPracticeId: integer('best_practice_id')
      .notNull()
      .references(() => bestPracticesTable.id, { onDelete: 'cascade' }),
    trainingProgrammeId: integer('training_programme_id')
      .notNull()
      .references(() => trainingProgrammesTable.id, { onDelete: 'cascade' }),
    position: smallint('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.bestPracticeId, t.trainingProgrammeId] }),
    index('best_practice_training_links_programme_idx').on(t.trainingProgrammeId),
  ],
);

export type WorkingCalendarRow = typeof workingCalendarTable.$inferSelect;
export type EarlyReportRow = typeof earlyReportsTable.$inferSelect;
export type EarlyReportEventRow = typeof earlyReportEventsTable.$inferSelect;
export type BestPracticeRow = typeof bestPracticesTable.$inferSelect;
export type EarlyReportCategory = EarlyReportRow['category'];
export type EarlyReportSeverity = EarlyReportRow['severity'];
export type EarlyReportStatus = EarlyReportRow['status'];
export type BestPracticeStatus = BestPracticeRow['status'];
