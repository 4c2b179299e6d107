// Tables of policy interpretations (政策解读): the current text, the source documents it interprets, and every revision.
import { sql } from 'drizzle-orm';
import {
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';

export const policyAudienceEnum = pgEnum('policy_audience', ['PUBLIC', 'MEMBERS']);
export const policyStatusEnum = pgEnum('policy_status', ['DRAFT', 'PUBLISHED', 'ARCHIVED']);
export const policyDocumentTypeEnum = pgEnum('policy_document_type', [
  'LAW',
  'ADMIN_REGULATION',
  'DEPARTMENTAL_RULE',
  'NORMATIVE_DOCUMENT',
  'SELF_REGULATORY_RULE',
  'INDUSTRY_STANDARD',
  'LOCAL_POLICY',
  'NOTICE',
]);
export const policyDocumentValidityEnum = pgEnum('policy_document_validity', [
  'IN_FORCE',
  'AMENDED',
  'REPEALED',
  'NOT_YET_EFFECTIVE',
]);

/** A tsvector written as its input literal (built in policies.search.ts); never read back by the application. */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

export interface PolicyQa {
  question: string;
  answer: string;
  /** The article answered from, e.g. 第十二条. */
  sourceArticle: string | null;
}

export const policyInterpretationsTable = pgTable(
  'policy_interpretations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** The association that wrote it: its drafts are its staff's only. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    /** Markdown. */
    body: text('body').notNull(),
    audience: policyAudienceEnum('audience').notNull(),
    status: policyStatusEnum('status').notNull().default('DRAFT'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    qa: jsonb('qa').$type<PolicyQa[]>().notNull().default(sql`'[]'::jsonb`),
    /** Number of the current revision (1 for a new draft). */
    revision: integer('revision').notNull().default(1),
    /** Segmented text (words, Han bigrams and characters, lower-case words) for search; see policies.search.ts. */
    searchVector: tsvector('search_vector').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('policy_interpretations_search_idx').using('gin', t.searchVector),
    index('policy_interpretations_tags_idx').using('gin', t.tags),
    index('policy_interpretations_listing_idx').on(t.status, t.audience, t.id),
    check('policy_interpretations_revision_positive', sql`${t.revision} > 0`),
    // A published or archived-after-publishing row keeps its publication time; a draft has none.
    check('policy_interpretations_published_at', sql`${t.status} <> 'PUBLISHED' or ${t.publishedAt} is not null`),
    check('policy_interpretations_draft_unpublished', sql`${t.status} <> 'DRAFT' or ${t.publishedAt} is null`),
  ],
);

/** The documents an interpretation explains, in the order given (the first is `source`). Copied into each revision. */
export const policySourcesTable = pgTable(
  'policy_sources',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    interpretationId: integer('interpretation_id')
      .notNull()
      .references(() => policyInterpretationsTable.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title').notNull(),
    /** Normalised to 〔〕 (DOMAIN.md §2.3). */
    documentNumber: text('document_number'),
    issuer: text('issuer'),
    documentType: policyDocumentTypeEnum('document_type'),
    issuedOn: date('issued_on', { mode: 'string' }),
    effectiveOn: date('effective_on', { mode: 'string' }),
    validity: policyDocumentValidityEnum('validity'),
  },
  (t) => [
    uniqueIndex('policy_sources_position_key').on(t.interpretationId, t.position),
    check('policy_sources_dates', sql`${t.effectiveOn} is null or ${t.issuedOn} is null or ${t.effectiveOn} >= ${t.issuedOn}`),
  ],
);

export interface PolicySourceSnapshot {
  title: string;
  documentNumber: string | null;
  issuer: string | null;
  documentType: PolicySourceRow['documentType'];
  issuedOn: string | null;
  effectiveOn: string | null;
  validity: PolicySourceRow['validity'];
}

/** The content of one revision, as it read then. */
export interface PolicyRevisionSnapshot {
  title: string;
  summary: string;
  body: string;
  audience: PolicyInterpretationRow['audience'];
  tags: string[];
  qa: PolicyQa[];
  sources: PolicySourceSnapshot[];
}

export const policyRevisionsTable = pgTable(
  'policy_revisions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    interpretationId: integer('interpretation_id')
      .notNull()
      .references(() => policyInterpretationsTable.id, { onDelete: 'cascade' }),
    revision: integer('revision').notNull(),
    content: jsonb('content').$type<PolicyRevisionSnapshot>().notNull(),
    note: text('note'),
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('policy_revisions_number_key').on(t.interpretationId, t.revision)],
);

export type PolicyInterpretationRow = typeof policyInterpretationsTable.$inferSelect;
export type PolicySourceRow = typeof policySourcesTable.$inferSelect;
export type PolicyRevisionRow = typeof policyRevisionsTable.$inferSelect;

/**
 * Search synonyms (检索同义词): what a searcher may type for a term the texts use, e.g. suitability → 适当性, AML → 反洗钱,
 * and common slips (证卷 → 证券, 科创版 → 科创板). Reference data seeded by migration and kept by the association; used
 * by every search of policies, training, best practices and self-regulatory rules (policies.search.ts), in the search
 * statement itself. `variant` and `canonical` are normalized (NFKC, lower case, words joined by one space);
 * `canonicalQuery` is the tsquery literal of `canonical` as the analyser builds it (test/policies-search.test.ts checks
 * every row).
 */
export const searchSynonymsTable = pgTable(
  'search_synonyms',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** What is typed: a Han term (replaced wherever it occurs in a Han run), a word, or words joined by one space. */
    variant: text('variant').notNull(),
    /** What the documents say: one Han term or one word. */
    canonical: text('canonical').notNull(),
    canonicalQuery: text('canonical_query').notNull(),
    /** Why the row exists (英文术语, 常见错别字, 简称). */
    note: text('note'),
  },
  (t) => [
    uniqueIndex('search_synonyms_pair_key').on(t.variant, t.canonical),
    check('search_synonyms_distinct', sql`${t.variant} <> ${t.canonical}`),
    check('search_synonyms_lengths', sql`char_length(${t.variant}) between 1 and 40 and char_length(${t.canonical}) between 1 and 40`),
  ],
);

export type SearchSynonymRow = typeof searchSynonymsTable.$inferSelect;
