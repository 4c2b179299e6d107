// Tables of self-regulation (自律管理, DOMAIN.md §14): self-regulatory rules and their versions, members' comments in
// consultation, disciplinary cases with their measures and stage events.
import { sql } from 'drizzle-orm';
import {
  check,
  customType,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { organizationsTable } from '../members/members.table.js';

export const selfRegulatoryRuleStatusEnum = pgEnum('self_regulatory_rule_status', [
  'DRAFT',
  'CONSULTATION',
  'ADOPTED',
  'FILED',
  'IN_FORCE',
  'REPEALED',
]);
export const disciplinaryStageEnum = pgEnum('disciplinary_stage', ['INVESTIGATION', 'HEARING', 'DECIDED', 'UNDER_REVIEW', 'FINAL']);
export const disciplinaryMeasureTypeEnum = pgEnum('disciplinary_measure_type', [
  // 自律管理措施
  'TALK_REMINDER',
  'WRITTEN_UNDERTAKING',
  'MANDATORY_TRAINING',
  'WARNING',
  'ORDER_TO_CORRECT',
  'ORDER_COMPLIANCE_CHECK',
  'SUSPEND_FILING',
  // 纪律处分
  'INDUSTRY_CRITICISM',
  'PUBLIC_CENSURE',
  'SUSPEND_QUALIFICATION',
  'SUSPEND_MEMBERSHIP_RIGHTS',
  'EXPEL',
]);
/** 从重情节 (DOMAIN.md §14.3): recorded on the case; REPEATED_WITHIN_12_MONTHS is flagged automatically at decision. */
export const disciplinaryAggravatingFactorEnum = pgEnum('disciplinary_aggravating_factor', [
  'NON_COOPERATION',
  'RETALIATION',
  'REFUSED_RECTIFICATION',
  'REPEATED_WITHIN_12_MONTHS',
  'OTHER',
]);

/** A tsvector written as its input literal (built by policies.search.ts); never read back by the application. */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

/**
 * One version of a self-regulatory rule. An amendment is a new row (version + 1) that supersedes the version in force
 * and goes through the same lifecycle; when it enters into force the superseded one is REPEALED. `lineageId` is the
 * first version's id, shared by every version of the rule.
 */
export const selfRegulatoryRulesTable = pgTable(
  'self_regulatory_rules',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    lineageId: integer('lineage_id').references((): AnyPgColumn => selfRegulatoryRulesTable.id, { onDelete: 'restrict' }),
    version: integer('version').notNull().default(1),
    supersedesId: integer('supersedes_id').references((): AnyPgColumn => selfRegulatoryRulesTable.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    status: selfRegulatoryRuleStatusEnum('status').notNull().default('DRAFT'),
    /** 文号, e.g. 深证协会字〔2026〕12号, given when it enters into force. */
    documentNumber: text('document_number'),
    effectiveOn: date('effective_on', { mode: 'string' }),
    /** Segmented text for Chinese search (policies.search.ts). */
    searchVector: tsvector('search_vector').notNull(),
    draftedBy: text('drafted_by').notNull(),
    consultationOpenedAt: timestamp('consultation_opened_at', { withTimezone: true }),
    adoptedAt: timestamp('adopted_at', { withTimezone: true }),
    filedAt: timestamp('filed_at', { withTimezone: true }),
    inForceAt: timestamp('in_force_at', { withTimezone: true }),
    repealedAt: timestamp('repealed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('self_regulatory_rules_search_idx').using('gin', t.searchVector),
    index('self_regulatory_rules_listing_idx').on(t.status, t.id),
    index('self_regulatory_rules_association_idx').on(t.associationId, t.id),
    index('self_regulatory_rules_lineage_idx').on(t.lineageId, t.version),
    uniqueIndex('self_regulatory_rules_document_number_key').on(t.documentNumber),
    uniqueIndex('self_regulatory_rules_version_key').on(t.lineageId, t.version),
    check('self_regulatory_rules_version_positive', sql`${t.version} > 0`),
    // In force (or once in force, repealed) means published with a number and a date.
    check(
      'self_regulatory_rules_in_force_published',
      sql`${t.status} not in ('IN_FORCE') or (${t.documentNumber} is not null and ${t.effectiveOn} is not null)`,
    ),
  ],
);

/** A member's comment on a rule in consultation (征求意见). */
export const selfRegulatoryRuleCommentsTable = pgTable(
  'self_regulatory_rule_comments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    ruleId: integer('rule_id')
      .notNull()
      .references(() => selfRegulatoryRulesTable.id, { onDelete: 'cascade' }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    authorSub: text('author_sub').notNull(),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('self_regulatory_rule_comments_rule_idx').on(t.ruleId, t.id)],
);

/** A disciplinary case of one association against one of its members. */
export const disciplinaryCasesTable = pgTable(
  'disciplinary_cases',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    stage: disciplinaryStageEnum('stage').notNull().default('INVESTIGATION'),
    summary: text('summary').notNull(),
    /** Token subjects: the staff member who opened the case, and the one who decided it (never the same). */
    openedBy: text('opened_by').notNull(),
    decidedBy: text('decided_by'),
    finalizedBy: text('finalized_by'),
    /** The member's 陈述申辩, during HEARING only; never public. */
    statement: text('statement'),
    statementAt: timestamp('statement_at', { withTimezone: true }),
    aggravatingFactors: disciplinaryAggravatingFactorEnum('aggravating_factors').array().notNull().default(sql`'{}'::disciplinary_aggravating_factor[]`),
    decisionNumber: text('decision_number'),
    decidedOn: date('decided_on', { mode: 'string' }),
    reviewRequestedAt: timestamp('review_requested_at', { withTimezone: true }),
    finalizedAt: timestamp('finalized_at', { withTimezone: true }),
    /** Set at FINAL when the decision holds a 纪律处分: from then on the case is public. */
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('disciplinary_cases_association_idx').on(t.associationId, t.id),
    index('disciplinary_cases_organization_idx').on(t.organizationId, t.id),
    index('disciplinary_cases_published_idx').on(t.id).where(sql`published_at is not null`),
    uniqueIndex('disciplinary_cases_decision_number_key').on(t.decisionNumber),
    check('disciplinary_cases_decided', sql`${t.stage} in ('INVESTIGATION', 'HEARING') or (${t.decidedOn} is not null and ${t.decisionNumber} is not null and ${t.decidedBy} is not null)`),
    check('disciplinary_cases_separation', sql`${t.decidedBy} is null or ${t.decidedBy} <> ${t.openedBy}`),
    check('disciplinary_cases_published_final', sql`${t.publishedAt} is null or ${t.stage} = 'FINAL'`),
  ],
);

/** A measure of a decision (自律管理措施 or 纪律处分). */
export const disciplinaryMeasuresTable = pgTable(
  'disciplinary_measures',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    caseId: integer('case_id')
      .notNull()
      .references(() => disciplinaryCasesTable.id, { onDelete: 'cascade' }),
    type: disciplinaryMeasureTypeEnum('type').notNull(),
    note: text('note'),
    /** Last day the measure is in force (inclusive, Asia/Shanghai); null: no end. */
    endsOn: date('ends_on', { mode: 'string' }),
  },
  (t) => [
    uniqueIndex('disciplinary_measures_case_type_key').on(t.caseId, t.type),
    // The membership-rights check on every member mutation reads this index.
    index('disciplinary_measures_type_idx').on(t.type, t.caseId),
  ],
);

/** Every stage move of a case: who (token subject and role) and when. */
export const disciplinaryCaseEventsTable = pgTable(
  'disciplinary_case_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    caseId: integer('case_id')
      .notNull()
      .references(() => disciplinaryCasesTable.id, { onDelete: 'cascade' }),
    fromStage: disciplinaryStageEnum('from_stage'),
    toStage: disciplinaryStageEnum('to_stage').notNull(),
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('disciplinary_case_events_case_idx').on(t.caseId, t.id)],
);

export type SelfRegulatoryRuleRow = typeof selfRegulatoryRulesTable.$inferSelect;
export type SelfRegulatoryRuleStatus = SelfRegulatoryRuleRow['status'];
export type RuleCommentRow = typeof selfRegulatoryRuleCommentsTable.$inferSelect;
export type DisciplinaryCaseRow = typeof disciplinaryCasesTable.$inferSelect;
export type DisciplinaryStage = DisciplinaryCaseRow['stage'];
export type DisciplinaryMeasureRow = typeof disciplinaryMeasuresTable.$inferSelect;
export type DisciplinaryMeasureType = DisciplinaryMeasureRow['type'];
export type DisciplinaryCaseEventRow = typeof disciplinaryCaseEventsTable.$inferSelect;
export type AggravatingFactor = (typeof disciplinaryAggravatingFactorEnum.enumValues)[number];
