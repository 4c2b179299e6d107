// Tables of the dual-zone suggestions: collection campaigns (征集通知), suggestions and their status history,
// forwarding batches to government bodies and the per-year counter that numbers them.
import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { organizationKindEnum, organizationsTable } from '../members/members.table.js';

export const suggestionTopicEnum = pgEnum('suggestion_topic', [
  'GBA_CROSS_BORDER',
  'PILOT_ZONE_REFORM',
  'QIANHAI',
  'HETAO',
  'CAPITAL_MARKET_REFORM',
  'FINTECH',
  'TALENT',
  'TAX_POLICY',
  'REGULATORY_POLICY',
  'OTHER',
]);
export const suggestionStatusEnum = pgEnum('suggestion_status', [
  'SUBMITTED',
  'UNDER_REVIEW',
  'ACCEPTED',
  'REJECTED',
  'FORWARDED',
  'RESPONDED',
  'WITHDRAWN',
]);
export const governmentRecipientEnum = pgEnum('government_recipient', [
  'CSRC_SZ_BUREAU',
  'SAC',
  'SZ_FINANCIAL_REGULATOR',
  'SZSE',
  'OTHER',
]);
export const responseOutcomeEnum = pgEnum('response_outcome', ['ADOPTED', 'PARTIALLY_ADOPTED', 'NOT_ADOPTED', 'NO_FEEDBACK']);

export const MAX_TITLE_LENGTH = 120;
export const MAX_BODY_LENGTH = 10_000;

export const suggestionCampaignsTable = pgTable(
  'suggestion_campaigns',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** The association that issued the 征集通知. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    description: text('description'),
    /** The 征集通知's own document number, e.g. 深证协函〔2026〕8号. */
    documentNumber: text('document_number').notNull(),
    topics: suggestionTopicEnum('topics').array().notNull(),
    invitedKinds: organizationKindEnum('invited_kinds').array().notNull(),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
    /** Last day (Asia/Shanghai) on which submissions are accepted. */
    deadline: date('deadline', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('suggestion_campaigns_document_number_key').on(t.documentNumber),
    index('suggestion_campaigns_deadline_idx').on(t.deadline, t.id),
    check('suggestion_campaigns_dates', sql`${t.deadline} >= ${t.issuedOn}`),
    check('suggestion_campaigns_topics', sql`cardinality(${t.topics}) > 0`),
    check('suggestion_campaigns_kinds', sql`cardinality(${t.invitedKinds}) > 0`),
  ],
);

/**
 * The bodies an association forwards suggestions to, kept current by its staff (names change: 深圳市地方金融监督管理局 →
 * 深圳市地方金融管理局). `code` ties a row to the contract's GovernmentRecipient value (one row per association and code);
 * bodies the enum does not name (市发展改革委, 前海管理局, 河套发展署, …) have none. Retired rows stay for history.
 */
export const suggestionRecipientsTable = pgTable(
  'suggestion_recipients',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    code: governmentRecipientEnum('code'),
    name: text('name').notNull(),
    shortName: text('short_name'),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('suggestion_recipients_code_key').on(t.associationId, t.code),
    uniqueIndex('suggestion_recipients_name_key').on(t.associationId, t.name),
    index('suggestion_recipients_association_idx').on(t.associationId, t.id),
  ],
);

export const suggestionForwardBatchesTable = pgTable(
  'suggestion_forward_batches',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** The association that forwarded the batch, under its own reference numbers. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    year: integer('year').notNull(),
    number: integer('number').notNull(),
    /** 深证协〔2026〕12号 */
    referenceNumber: text('reference_number').notNull(),
    /** The contract's value: the recipient row's code, OTHER for a body the enum does not name. */
    recipient: governmentRecipientEnum('recipient').notNull(),
    recipientId: integer('recipient_id')
      .notNull()
      .references(() => suggestionRecipientsTable.id, { onDelete: 'restrict' }),
    note: text('note'),
    forwardedAt: timestamp('forwarded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('suggestion_forward_batches_year_number_key').on(t.associationId, t.year, t.number),
    uniqueIndex('suggestion_forward_batches_reference_key').on(t.referenceNumber),
  ],
);

/**
 * One row per association and year: the last reference number issued. Forwarding increments it inside its transaction,
 * so the row lock serializes concurrent forwards and a rolled-back forward gives its number back.
 */
export const suggestionReferenceCountersTable = pgTable(
  'suggestion_reference_counters',
  {
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    year: integer('year').notNull(),
    lastNumber: integer('last_number').notNull(),
  },
  (t) => [primaryKey({ columns: [t.associationId, t.year] })],
);

export const suggestionsTable = pgTable(
  'suggestions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** Always the submitting viewer's organization, never one named in the input. */
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    /** The association it was submitted to: one the organization is an active member of. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    campaignId: integer('campaign_id').references(() => suggestionCampaignsTable.id, { onDelete: 'restrict' }),
    topic: suggestionTopicEnum('topic').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    status: suggestionStatusEnum('status').notNull().default('SUBMITTED'),
    /** Client-chosen key, unique per organization; kept with the row (so for at least 24 hours). */
    idempotencyKey: text('idempotency_key'),
    /** sha256 of the normalized input that first used the key. */
    inputFingerprint: text('input_fingerprint'),
    duplicateOfId: integer('duplicate_of_id').references((): AnyPgColumn => suggestionsTable.id, { onDelete: 'restrict' }),
    reviewNote: text('review_note'),
    forwardBatchId: integer('forward_batch_id').references(() => suggestionForwardBatchesTable.id, { onDelete: 'restrict' }),
    response: text('response'),
    responseOutcome: responseOutcomeEnum('response_outcome'),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('suggestions_org_idempotency_key').on(t.organizationId, t.idempotencyKey),
    index('suggestions_org_idx').on(t.organizationId, t.id),
    index('suggestions_status_idx').on(t.status, t.id),
    index('suggestions_campaign_idx').on(t.campaignId, t.id),
    index('suggestions_batch_idx').on(t.forwardBatchId),
    index('suggestions_submitted_at_idx').on(t.submittedAt),
    check('suggestions_title_length', sql`char_length(${t.title}) between 1 and ${sql.raw(String(MAX_TITLE_LENGTH))}`),
    check('suggestions_body_length', sql`char_length(${t.body}) between 1 and ${sql.raw(String(MAX_BODY_LENGTH))}`),
    check('suggestions_key_fingerprint', sql`(${t.idempotencyKey} is null) = (${t.inputFingerprint} is null)`),
    // A duplicate points at an earlier suggestion, so duplicate chains cannot loop.
    check('suggestions_duplicate_of_earlier', sql`${t.duplicateOfId} is null or ${t.duplicateOfId} < ${t.id}`),
    check(
      'suggestions_forwarded_has_batch',
      sql`(${t.status} in ('FORWARDED', 'RESPONDED')) = (${t.forwardBatchId} is not null)`,
    ),
    check('suggestions_responded_has_outcome', sql`(${t.status} = 'RESPONDED') = (${t.responseOutcome} is not null)`),
  ],
);

/**
 * One suggestion forwarded to one recipient (in one batch), with that recipient's own response. The suggestion's first
 * forwarding is its primary one (suggestions.forward_batch_id), whose response is also the suggestion's.
 */
export const suggestionForwardingsTable = pgTable(
  'suggestion_forwardings',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    suggestionId: integer('suggestion_id')
      .notNull()
      .references(() => suggestionsTable.id, { onDelete: 'cascade' }),
    batchId: integer('batch_id')
      .notNull()
      .references(() => suggestionForwardBatchesTable.id, { onDelete: 'restrict' }),
    recipientId: integer('recipient_id')
      .notNull()
      .references(() => suggestionRecipientsTable.id, { onDelete: 'restrict' }),
    response: text('response'),
    responseOutcome: responseOutcomeEnum('response_outcome'),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('suggestion_forwardings_recipient_key').on(t.suggestionId, t.recipientId),
    index('suggestion_forwardings_batch_idx').on(t.batchId, t.suggestionId),
    check('suggestion_forwardings_response', sql`(${t.responseOutcome} is null) = (${t.respondedAt} is null)`),
  ],
);

export const suggestionEventsTable = pgTable(
  'suggestion_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    suggestionId: integer('suggestion_id')
      .notNull()
      .references(() => suggestionsTable.id, { onDelete: 'cascade' }),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    fromStatus: suggestionStatusEnum('from_status'),
    toStatus: suggestionStatusEnum('to_status').notNull(),
    note: text('note'),
    actorRole: text('actor_role').notNull(),
  },
  (t) => [index('suggestion_events_suggestion_idx').on(t.suggestionId, t.id)],
);

export type SuggestionCampaignRow = typeof suggestionCampaignsTable.$inferSelect;
export type SuggestionRow = typeof suggestionsTable.$inferSelect;
export type SuggestionEventRow = typeof suggestionEventsTable.$inferSelect;
export type SuggestionForwardBatchRow = typeof suggestionForwardBatchesTable.$inferSelect;
export type SuggestionRecipientRow = typeof suggestionRecipientsTable.$inferSelect;
export type SuggestionForwardingRow = typeof suggestionForwardingsTable.$inferSelect;
export type SuggestionTopic = SuggestionRow['topic'];
export type SuggestionStatus = SuggestionRow['status'];
export type GovernmentRecipient = SuggestionForwardBatchRow['recipient'];
export type ResponseOutcome = NonNullable<SuggestionRow['responseOutcome']>;
