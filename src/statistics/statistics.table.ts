// Tables of the industry statistics (行业数据统计): metric definitions kept as data, the periods an association collects,
// the firms' versioned returns and their values, and the yearly development reports (发展报告) with their frozen data.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { organizationKindEnum, organizationsTable } from '../members/members.table.js';

export const statisticsPeriodKindEnum = pgEnum('statistics_period_kind', ['MONTHLY', 'ANNUAL']);
export const statisticsReturnStatusEnum = pgEnum('statistics_return_status', ['DRAFT', 'SUBMITTED', 'RETURNED', 'ACCEPTED']);
export const statisticsMetricKindEnum = pgEnum('statistics_metric_kind', ['FLOW', 'BALANCE', 'COUNT']);
export const developmentReportStatusEnum = pgEnum('development_report_status', ['DRAFT', 'EMBARGOED', 'PUBLISHED']);

/**
 * One row per metric: its rules live here, not in code, so a new metric (with its GraphQL enum value) needs no
 * validation code. Values are stored in base units (元, 人, 户, 家); `displayUnit` is how reports show them.
 */
export const statisticsMetricsTable = pgTable(
  'statistics_metrics',
  {
    code: text('code').primaryKey(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    /** Base unit of stored values: 元, 人, 户, 家. */
    unit: text('unit').notNull(),
    /** Unit reports show: 万元, 亿元, 人, 户, 家. */
    displayUnit: text('display_unit').notNull(),
    kind: statisticsMetricKindEnum('kind').notNull(),
    /** Negative values are refused (balances and counts); net profit may be negative. */
    nonNegative: boolean('non_negative').notNull().default(true),
    /** Counts must be whole numbers. */
    integral: boolean('integral').notNull().default(false),
    /** Soft range: a value outside it is saved with a warning. */
    minValue: doublePrecision('min_value'),
    maxValue: doublePrecision('max_value'),
    /** Soft check: a move of more than this share against the previous period's accepted value warns (0.5 = 50 %). */
    varianceThreshold: doublePrecision('variance_threshold').notNull().default(0.5),
    /** The kinds of organization that report it. */
    appliesToKinds: organizationKindEnum('applies_to_kinds').array().notNull(),
    /** The period kinds it is collected in. */
    periodKinds: statisticsPeriodKindEnum('period_kinds').array().notNull(),
    /** Required before a return is submitted. */
    required: boolean('required').notNull().default(true),
    sortOrder: integer('sort_order').notNull(),
  },
  (t) => [
    check('statistics_metrics_threshold', sql`${t.varianceThreshold} > 0`),
    check('statistics_metrics_range', sql`${t.minValue} is null or ${t.maxValue} is null or ${t.minValue} <= ${t.maxValue}`),
  ],
);

/** A period an association collects returns for: "2026-11" (monthly) or "2025" (annual), due on a day. */
export const statisticsPeriodsTable = pgTable(
  'statistics_periods',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    label: text('label').notNull(),
    kind: statisticsPeriodKindEnum('kind').notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    /** The kinds of organization (members of the association) that owe a return. */
    owedByKinds: organizationKindEnum('owed_by_kinds').array().notNull(),
  },
  (t) => [
    uniqueIndex('statistics_periods_label_key').on(t.associationId, t.label),
    index('statistics_periods_kind_idx').on(t.associationId, t.kind, t.endsOn),
    check('statistics_periods_dates', sql`${t.endsOn} >= ${t.startsOn} and ${t.dueOn} > ${t.endsOn}`),
    check('statistics_periods_label', sql`${t.label} ~ '^[0-9]{4}(-[0-9]{2})?$'`),
  ],
);

/**
 * One row per version of a firm's return for a period. Saving a RETURNED return inserts version + 1 (the earlier
 * rows stay, comparable); `isLatest` marks the one in force.
 */
export const statisticsReturnsTable = pgTable(
  'statistics_returns',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    periodId: integer('period_id')
      .notNull()
      .references(() => statisticsPeriodsTable.id, { onDelete: 'restrict' }),
    /** The period's association (repeated so visibility is one column). */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    version: integer('version').notNull().default(1),
    isLatest: boolean('is_latest').notNull().default(true),
    status: statisticsReturnStatusEnum('status').notNull().default('DRAFT'),
    /** Warnings computed at the last save: [{ metric, code, zh, en }]. */
    warnings: jsonb('warnings').$type<StatisticsWarning[]>().notNull().default(sql`'[]'::jsonb`),
    savedBy: text('saved_by').notNull(),
    savedAt: timestamp('saved_at', { withTimezone: true }).notNull().defaultNow(),
    submittedBy: text('submitted_by'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewNote: text('review_note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('statistics_returns_version_key').on(t.organizationId, t.periodId, t.version),
    uniqueIndex('statistics_returns_latest_key').on(t.organizationId, t.periodId).where(sql`${t.isLatest}`),
    index('statistics_returns_period_idx').on(t.periodId, t.status, t.organizationId),
    index('statistics_returns_association_idx').on(t.associationId, t.id),
    index('statistics_returns_org_idx').on(t.organizationId, t.id),
    check('statistics_returns_version', sql`${t.version} >= 1`),
    check('statistics_returns_submitted', sql`(${t.status} = 'DRAFT') or (${t.submittedAt} is not null and ${t.submittedBy} is not null)`),
  ],
);

/** The values of one return version, one row per metric (base units). */
export const statisticsValuesTable = pgTable(
  'statistics_values',
  {
    returnId: integer('return_id')
      .notNull()
      .references(() => statisticsReturnsTable.id, { onDelete: 'cascade' }),
    metricCode: text('metric_code')
      .notNull()
      .references(() => statisticsMetricsTable.code, { onDelete: 'restrict' }),
    value: doublePrecision('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.returnId, t.metricCode] }),
    check('statistics_values_finite', sql`${t.value} <> 'NaN'::float8 and ${t.value} <> 'Infinity'::float8 and ${t.value} <> '-Infinity'::float8`),
  ],
);

/**
 * The yearly development report (《深圳证券业发展报告（2025）》) of an association: the ACCEPTED data frozen at a
 * cut-off (snapshot: aggregate cells with their firm counts, never a firm's row), DRAFT → EMBARGOED → PUBLISHED.
 */
export const developmentReportsTable = pgTable(
  'development_reports',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    year: integer('year').notNull(),
    title: text('title').notNull(),
    status: developmentReportStatusEnum('status').notNull().default('DRAFT'),
    dataCutOff: timestamp('data_cut_off', { withTimezone: true }).notNull(),
    snapshot: jsonb('snapshot').$type<DevelopmentReportSnapshot>().notNull(),
    frozenBy: text('frozen_by').notNull(),
    embargoedAt: timestamp('embargoed_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('development_reports_year_key').on(t.associationId, t.year),
    index('development_reports_status_idx').on(t.status, t.year),
    check('development_reports_published', sql`(${t.status} = 'PUBLISHED') = (${t.publishedAt} is not null)`),
  ],
);

export interface StatisticsWarning {
  metric: string;
  code: 'OUT_OF_RANGE' | 'VARIANCE';
  zh: string;
  en: string;
}

/** One aggregate cell of a frozen report: sum of the firms' values and how many firms it came from. */
export interface SnapshotCell {
  metric: string;
  group: string | null;
  value: number;
  firms: number;
}

export interface DevelopmentReportSnapshot {
  /** The period the tables use ("2025", or the latest month when the year has no accepted annual returns). */
  period: string | null;
  /** The same metric's period one year earlier, for growth columns. */
  previousPeriod: string | null;
  metrics: { code: string; nameZh: string; nameEn: string; unit: string; displayUnit: string; kind: string }[];
  totals: SnapshotCell[];
  previousTotals: SnapshotCell[];
  byDistrict: SnapshotCell[];
  byKind: SnapshotCell[];
  /** Monthly totals of the year's monthly periods: group = the month's label. */
  monthly: SnapshotCell[];
  firmsReporting: number;
}

export type StatisticsMetricRow = typeof statisticsMetricsTable.$inferSelect;
export type StatisticsPeriodRow = typeof statisticsPeriodsTable.$inferSelect;
export type StatisticsReturnRow = typeof statisticsReturnsTable.$inferSelect;
export type StatisticsValueRow = typeof statisticsValuesTable.$inferSelect;
export type DevelopmentReportRow = typeof developmentReportsTable.$inferSelect;
export type StatisticsReturnStatus = StatisticsReturnRow['status'];
export type StatisticsPeriodKind = StatisticsPeriodRow['kind'];
export type DevelopmentReportStatus = DevelopmentReportRow['status'];
