// Tables of the branch classification ratings: versioned guidelines, yearly cycles, ratings, per-stage score lines,
// override decisions and the supervisory follow-ups created on publication.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  numeric,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { branchesTable, organizationsTable } from '../members/members.table.js';

export const ratingCycleStatusEnum = pgEnum('rating_cycle_status', [
  'PLANNED',
  'SELF_ASSESSMENT',
  'ASSOCIATION_SCORING',
  'BUREAU_REVIEW',
  'PUBLISHED',
]);
export const branchGradeEnum = pgEnum('branch_grade', ['A', 'B', 'C', 'D']);
export const ratingIndicatorCategoryEnum = pgEnum('rating_indicator_category', [
  'COMPLIANCE_MANAGEMENT',
  'INTERNAL_CONTROL',
  'RISK_MANAGEMENT',
  'INVESTOR_PROTECTION',
  'COMPLAINTS_DISPUTES',
  'CLIENT_TRADING_BEHAVIOUR',
  'AML',
  'STAFF_CONDUCT',
  'IT_DATA_SECURITY',
  'REGULATORY_COOPERATION',
  'VIOLATION_DEDUCTION',
  'BONUS',
]);
export const ratingIndicatorMethodEnum = pgEnum('rating_indicator_method', ['BASE', 'DEDUCTION', 'BONUS']);
export const ratingOverrideTypeEnum = pgEnum('rating_override_type', ['DIRECT_D', 'DOWNGRADE_ONE']);
export const ratingStageEnum = pgEnum('rating_stage', ['SELF', 'ASSOCIATION', 'BUREAU']);
export const supervisoryFollowUpTypeEnum = pgEnum('supervisory_follow_up_type', [
  'WARNING_TALK_BRANCH_HEAD',
  'RECTIFICATION_REPORT',
  'KEY_INSPECTION_TARGET',
  'TALK_HQ_BROKERAGE_EXEC_AND_CCO',
  'OBJECTION_TO_BRANCH_HEAD',
]);
export const followUpOwnerEnum = pgEnum('follow_up_owner', ['BUREAU', 'ASSOCIATION', 'FIRM_HQ', 'BRANCH']);
export const supervisoryFollowUpStatusEnum = pgEnum('supervisory_follow_up_status', ['OPEN', 'IN_PROGRESS', 'DONE']);

/** Scores and points: two decimals, read as JavaScript numbers. */
const points = (name: string) => numeric(name, { precision: 7, scale: 2, mode: 'number' });

/** A guideline version is immutable: a revision is a new row with the next version number. */
export const ratingGuidelinesTable = pgTable(
  'rating_guidelines',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    note: text('note'),
    baseScore: points('base_score').notNull(),
    thresholdA: points('threshold_a').notNull(),
    thresholdB: points('threshold_b').notNull(),
    thresholdC: points('threshold_c').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rating_guidelines_version_key').on(t.version),
    check('rating_guidelines_version_positive', sql`${t.version} > 0`),
    check(
      'rating_guidelines_thresholds',
      sql`${t.baseScore} > 0 and ${t.thresholdA} > ${t.thresholdB} and ${t.thresholdB} > ${t.thresholdC} and ${t.thresholdC} > 0`,
    ),
  ],
);

export const ratingIndicatorsTable = pgTable(
  'rating_indicators',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    guidelineId: integer('guideline_id')
      .notNull()
      .references(() => ratingGuidelinesTable.id, { onDelete: 'restrict' }),
    position: smallint('position').notNull(),
    code: text('code').notNull(),
    category: ratingIndicatorCategoryEnum('category').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    method: ratingIndicatorMethodEnum('method').notNull(),
    /** BASE: the points an indicator is worth; DEDUCTION / BONUS: points per occurrence. */
    points: points('points').notNull(),
    /** DEDUCTION / BONUS: the most points all occurrences together can take or give; BASE has none. */
    cap: points('cap'),
  },
  (t) => [
    uniqueIndex('rating_indicators_code_key').on(t.guidelineId, t.code),
    check('rating_indicators_points_positive', sql`${t.points} > 0`),
    check('rating_indicators_cap', sql`${t.cap} is null or (${t.method} <> 'BASE' and ${t.cap} >= ${t.points})`),
  ],
);

export const ratingOverrideRulesTable = pgTable(
  'rating_override_rules',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    guidelineId: integer('guideline_id')
      .notNull()
      .references(() => ratingGuidelinesTable.id, { onDelete: 'restrict' }),
    code: text('code').notNull(),
    type: ratingOverrideTypeEnum('type').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
  },
  (t) => [uniqueIndex('rating_override_rules_code_key').on(t.guidelineId, t.code)],
);

export const ratingCyclesTable = pgTable(
  'rating_cycles',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    year: integer('year').notNull(),
    /** The guideline version this cycle is scored under; later revisions never touch it. */
    guidelineId: integer('guideline_id')
      .notNull()
      .references(() => ratingGuidelinesTable.id, { onDelete: 'restrict' }),
    status: ratingCycleStatusEnum('status').notNull().default('PLANNED'),
    /** The day the bureau's notice (关于开展分类监管工作的通知) opened the cycle: the end of January after the rated year. */
    noticeOn: date('notice_on', { mode: 'string' }),
    selfAssessmentDueOn: date('self_assessment_due_on', { mode: 'string' }).notNull(),
    associationScoringDueOn: date('association_scoring_due_on', { mode: 'string' }).notNull(),
    bureauReviewDueOn: date('bureau_review_due_on', { mode: 'string' }).notNull(),
    publicationDueOn: date('publication_due_on', { mode: 'string' }).notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rating_cycles_year_key').on(t.year),
    check('rating_cycles_year_range', sql`${t.year} between 2019 and 2100`),
    check(
      'rating_cycles_deadlines_ordered',
      sql`${t.selfAssessmentDueOn} <= ${t.associationScoringDueOn} and ${t.associationScoringDueOn} <= ${t.bureauReviewDueOn} and ${t.bureauReviewDueOn} <= ${t.publicationDueOn}`,
    ),
    check('rating_cycles_notice_first', sql`${t.noticeOn} is null or ${t.noticeOn} <= ${t.selfAssessmentDueOn}`),
    check('rating_cycles_published_at', sql`(${t.status} = 'PUBLISHED') = (${t.publishedAt} is not null)`),
  ],
);

/** One rating per branch and cycle; the scores and grades are recomputed from the lines on every change. */
export const branchRatingsTable = pgTable(
  'branch_ratings',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    cycleId: integer('cycle_id')
      .notNull()
      .references(() => ratingCyclesTable.id, { onDelete: 'restrict' }),
    branchId: integer('branch_id')
      .notNull()
      .references(() => branchesTable.id, { onDelete: 'restrict' }),
    selfScore: points('self_score'),
    associationScore: points('association_score'),
    bureauScore: points('bureau_score'),
    totalScore: points('total_score').notNull(),
    /** The grade from the thresholds alone, before override rules and the bureau's adjustment. */
    computedGrade: branchGradeEnum('computed_grade').notNull(),
    grade: branchGradeEnum('grade').notNull(),
    /** The bureau's grade adjustment in BUREAU_REVIEW, with its reason. */
    adjustedGrade: branchGradeEnum('adjusted_grade'),
    adjustmentReason: text('adjustment_reason'),
    /** Bumped on every change: clients can tell they read a stale rating. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('branch_ratings_cycle_branch_key').on(t.cycleId, t.branchId),
    index('branch_ratings_branch_idx').on(t.branchId),
    index('branch_ratings_cycle_grade_idx').on(t.cycleId, t.grade, t.id),
    check('branch_ratings_adjustment_reason', sql`(${t.adjustedGrade} is null) = (${t.adjustmentReason} is null)`),
  ],
);

/** Every stage keeps its own lines: one per rating, stage and indicator. */
export const ratingScoreLinesTable = pgTable(
  'rating_score_lines',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    ratingId: integer('rating_id')
      .notNull()
      .references(() => branchRatingsTable.id, { onDelete: 'cascade' }),
    stage: ratingStageEnum('stage').notNull(),
    indicatorId: integer('indicator_id')
      .notNull()
      .references(() => ratingIndicatorsTable.id, { onDelete: 'restrict' }),
    /** BASE: points earned; DEDUCTION / BONUS: number of occurrences. */
    value: points('value').notNull(),
    comment: text('comment'),
    enteredBy: text('entered_by').notNull(),
    enteredByRole: text('entered_by_role').notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rating_score_lines_key').on(t.ratingId, t.stage, t.indicatorId),
    check('rating_score_lines_value', sql`${t.value} >= 0`),
  ],
);

/** An override rule applied (or withdrawn) at a stage, always with a reason. */
export const ratingOverrideDecisionsTable = pgTable(
  'rating_override_decisions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    ratingId: integer('rating_id')
      .notNull()
      .references(() => branchRatingsTable.id, { onDelete: 'cascade' }),
    stage: ratingStageEnum('stage').notNull(),
    ruleId: integer('rule_id')
      .notNull()
      .references(() => ratingOverrideRulesTable.id, { onDelete: 'restrict' }),
    applied: boolean('applied').notNull(),
    reason: text('reason').notNull(),
    enteredBy: text('entered_by').notNull(),
    enteredByRole: text('entered_by_role').notNull(),
    enteredAt: timestamp('entered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('rating_override_decisions_key').on(t.ratingId, t.stage, t.ruleId)],
);

export const supervisoryFollowUpsTable = pgTable(
  'supervisory_follow_ups',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    ratingId: integer('rating_id')
      .notNull()
      .references(() => branchRatingsTable.id, { onDelete: 'cascade' }),
    type: supervisoryFollowUpTypeEnum('type').notNull(),
    owner: followUpOwnerEnum('owner').notNull(),
    dueOn: date('due_on', { mode: 'string' }),
    /** Progress, recorded by the association or the bureau; OPEN → IN_PROGRESS → DONE (DONE is final). */
    status: supervisoryFollowUpStatusEnum('status').notNull().default('OPEN'),
    /** The Shanghai day it was recorded DONE. */
    completedOn: date('completed_on', { mode: 'string' }),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('supervisory_follow_ups_key').on(t.ratingId, t.type, t.owner),
    check('supervisory_follow_ups_completed', sql`(${t.status} = 'DONE') = (${t.completedOn} is not null)`),
  ],
);

/**
 * Each firm's 主要联系单位 (primary contact unit): the one Shenzhen branch (preferably a 分公司 with management
 * functions) its head office designates to coordinate all its Shenzhen branches with the bureau and the association
 * (DOMAIN.md §1.1, [S 2]). One per firm; the branch is one of the firm's own.
 */
export const primaryContactUnitsTable = pgTable(
  'primary_contact_units',
  {
    firmId: integer('firm_id')
      .primaryKey()
      .references(() => organizationsTable.id, { onDelete: 'cascade' }),
    branchId: integer('branch_id')
      .notNull()
      .references(() => branchesTable.id, { onDelete: 'cascade' }),
    /** The day the head office designated it, when known. */
    designatedOn: date('designated_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('primary_contact_units_branch_key').on(t.branchId)],
);

export type RatingGuidelineRow = typeof ratingGuidelinesTable.$inferSelect;
export type RatingIndicatorRow = typeof ratingIndicatorsTable.$inferSelect;
export type RatingOverrideRuleRow = typeof ratingOverrideRulesTable.$inferSelect;
export type RatingCycleRow = typeof ratingCyclesTable.$inferSelect;
export type BranchRatingRow = typeof branchRatingsTable.$inferSelect;
export type RatingScoreLineRow = typeof ratingScoreLinesTable.$inferSelect;
export type RatingOverrideDecisionRow = typeof ratingOverrideDecisionsTable.$inferSelect;
export type SupervisoryFollowUpRow = typeof supervisoryFollowUpsTable.$inferSelect;
export type RatingCycleStatus = RatingCycleRow['status'];
export type BranchGrade = BranchRatingRow['grade'];
export type RatingStage = RatingScoreLineRow['stage'];
export type SupervisoryFollowUpStatus = SupervisoryFollowUpRow['status'];
