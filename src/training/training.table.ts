// Tables of training and continuing education (人才培养): needs surveys and their answers, programmes, sessions and
// their lecturers, practitioners (no national ID numbers), enrolments, attendance, view events of the video platform,
// certificates with a public code, and training obligations (C/D ratings, MANDATORY_TRAINING measures).
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { branchesTable, organizationsTable } from '../members/members.table.js';
import { policyAudienceEnum } from '../policies/policies.table.js';

/** A tsvector written as its input literal (built by policies.search.ts); never read back by the application. */
const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

export const trainingTopicEnum = pgEnum('training_topic', [
  'NEW_RULES',
  'BRANCH_MANAGEMENT',
  'CONDUCT_AND_CASES',
  'INVESTOR_SUITABILITY',
  'CLIENT_TRADING_BEHAVIOUR',
  'ANTI_MONEY_LAUNDERING',
  'WEALTH_MANAGEMENT',
  'OTHER',
]);
export const trainingModeEnum = pgEnum('training_mode', ['ONLINE_LIVE', 'ONLINE_RECORDED', 'OFFLINE']);
export const creditTypeEnum = pgEnum('credit_type', ['REQUIRED', 'ELECTIVE']);
export const enrolmentChannelEnum = pgEnum('training_enrolment_channel', ['COLLECTIVE', 'INDIVIDUAL', 'MANDATED']);
export const trainingObligationSourceEnum = pgEnum('training_obligation_source', ['RATING', 'DISCIPLINARY_MEASURE']);


export const trainingNeedsSurveysTable = pgTable(
  'training_needs_surveys',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    closesOn: date('closes_on', { mode: 'string' }).notNull(),
    topics: trainingTopicEnum('topics').array().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('training_needs_surveys_association_idx').on(t.associationId, t.id)],
);

/** One answer per organization and survey: answering again replaces the topics. */
export const trainingSurveyAnswersTable = pgTable(
  'training_survey_answers',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    surveyId: integer('survey_id')
      .notNull()
      .references(() => trainingNeedsSurveysTable.id, { onDelete: 'cascade' }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    topics: trainingTopicEnum('topics').array().notNull(),
    answeredBy: text('answered_by').notNull(),
    answeredAt: timestamp('answered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('training_survey_answers_one_per_org').on(t.surveyId, t.organizationId)],
);

export const trainingProgrammesTable = pgTable(
  'training_programmes',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    series: text('series'),
    audience: policyAudienceEnum('audience').notNull(),
    /** Title and series, analysed by policies.search.ts (Chinese bigrams + words). */
    searchVector: tsvector('search_vector').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('training_programmes_association_idx').on(t.associationId, t.id),
    index('training_programmes_search_idx').using('gin', t.searchVector),
  ],
);

export const trainingSessionsTable = pgTable(
  'training_sessions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    programmeId: integer('programme_id')
      .notNull()
      .references(() => trainingProgrammesTable.id, { onDelete: 'restrict' }),
    /** The programme's association, repeated so scopes and ingestion check one row. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    mode: trainingModeEnum('mode').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    creditHours: numeric('credit_hours', { precision: 4, scale: 1, mode: 'number' }).notNull(),
    creditType: creditTypeEnum('credit_type').notNull(),
    searchVector: tsvector('search_vector').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('training_sessions_programme_idx').on(t.programmeId, t.id),
    index('training_sessions_starts_idx').on(t.startsAt),
    index('training_sessions_search_idx').using('gin', t.searchVector),
    check('training_sessions_times', sql`${t.endsAt} > ${t.startsAt}`),
    check('training_sessions_credit_hours', sql`${t.creditHours} > 0 and ${t.creditHours} <= 24`),
  ],
);

export const trainingLecturersTable = pgTable(
  'training_lecturers',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => trainingSessionsTable.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('training_lecturers_position').on(t.sessionId, t.position)],
);

/** A registered practitioner of a firm. No national ID number is stored (demo convention, DOMAIN.md §11.3). */
export const practitionersTable = pgTable(
  'practitioners',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    branchId: integer('branch_id').references(() => branchesTable.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    /** SAC 登记编号: S + 13 digits. */
    registrationNumber: text('registration_number'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('practitioners_organization_idx').on(t.organizationId, t.id),
    index('practitioners_branch_idx').on(t.branchId),
    uniqueIndex('practitioners_registration_per_org').on(t.organizationId, t.registrationNumber),
    check('practitioners_registration_format', sql`${t.registrationNumber} is null or ${t.registrationNumber} ~ '^S[0-9]{13}$'`),
  ],
);

export const trainingEnrolmentsTable = pgTable(
  'training_enrolments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => trainingSessionsTable.id, { onDelete: 'cascade' }),
    practitionerId: integer('practitioner_id')
      .notNull()
      .references(() => practitionersTable.id, { onDelete: 'cascade' }),
    channel: enrolmentChannelEnum('channel').notNull().default('COLLECTIVE'),
    enrolledBy: text('enrolled_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('training_enrolments_once').on(t.sessionId, t.practitionerId),
    index('training_enrolments_practitioner_idx').on(t.practitionerId),
  ],
);

/** Attendance records, appended by the association; a session counts once per person however many there are. */
export const trainingAttendanceTable = pgTable(
  'training_attendance',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => trainingSessionsTable.id, { onDelete: 'cascade' }),
    practitionerId: integer('practitioner_id')
      .notNull()
      .references(() => practitionersTable.id, { onDelete: 'cascade' }),
    attendedMinutes: integer('attended_minutes').notNull(),
    completed: boolean('completed').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('training_attendance_session_idx').on(t.sessionId, t.practitionerId),
    index('training_attendance_practitioner_idx').on(t.practitionerId, t.sessionId),
    check('training_attendance_minutes', sql`${t.attendedMinutes} >= 0 and ${t.attendedMinutes} <= 1440`),
  ],
);

/** View records of the video platform: each event id counts once, however often it is sent ("人次"). */
export const trainingViewEventsTable = pgTable(
  'training_view_events',
  {
    /** The platform's id of the view: each counts once, however often it is sent (the one unique index a row pays). */
    eventId: text('event_id').primaryKey(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => trainingSessionsTable.id, { onDelete: 'cascade' }),
    practitionerId: integer('practitioner_id')
      .notNull()
      .references(() => practitionersTable.id, { onDelete: 'cascade' }),
    watchedSeconds: integer('watched_seconds').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One secondary index: reach reads by session, credits by the sessions of a year and then the practitioner. Every
    // index is paid on each of the platform's inserts (DOMAIN: 25,000 views a session), so none by practitioner alone.
    index('training_view_events_session_idx').on(t.sessionId, t.practitionerId),
    check('training_view_events_seconds', sql`${t.watchedSeconds} >= 0 and ${t.watchedSeconds} <= 86400`),
  ],
);

/** One certificate per practitioner and session; its public code is random. Revocation also revokes the credit. */
export const trainingCertificatesTable = pgTable(
  'training_certificates',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    code: text('code').notNull(),
    sessionId: integer('session_id')
      .notNull()
      .references(() => trainingSessionsTable.id, { onDelete: 'restrict' }),
    practitionerId: integer('practitioner_id')
      .notNull()
      .references(() => practitionersTable.id, { onDelete: 'restrict' }),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokeReason: text('revoke_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('training_certificates_code_key').on(t.code),
    uniqueIndex('training_certificates_once').on(t.sessionId, t.practitionerId),
    index('training_certificates_practitioner_idx').on(t.practitionerId, t.id),
    check('training_certificates_revocation', sql`(${t.revokedAt} is null) = (${t.revokeReason} is null)`),
  ],
);

/**
 * Training obligations recorded by another domain: a MANDATORY_TRAINING disciplinary measure (source_id: the
 * measure) through recordTrainingObligation. Obligations from C/D ratings are derived from the published ratings
 * (training.obligations.ts) and are not stored here; RATING stays a valid source for a caller that records one.
 */
export const trainingObligationsTable = pgTable(
  'training_obligations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    source: trainingObligationSourceEnum('source').notNull(),
    sourceId: integer('source_id').notNull(),
    reason: text('reason').notNull(),
    dueOn: date('due_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('training_obligations_once').on(t.source, t.sourceId, t.organizationId),
    index('training_obligations_organization_idx').on(t.organizationId, t.id),
  ],
);

export type TrainingNeedsSurveyRow = typeof trainingNeedsSurveysTable.$inferSelect;
export type TrainingSurveyAnswerRow = typeof trainingSurveyAnswersTable.$inferSelect;
export type TrainingProgrammeRow = Omit<typeof trainingProgrammesTable.$inferSelect, 'searchVector'>;
export type TrainingSessionRow = Omit<typeof trainingSessionsTable.$inferSelect, 'searchVector'>;
export type PractitionerRow = typeof practitionersTable.$inferSelect;
export type TrainingCertificateRow = typeof trainingCertificatesTable.$inferSelect;
export type TrainingObligationRow = typeof trainingObligationsTable.$inferSelect;
export type TrainingTopic = (typeof trainingTopicEnum.enumValues)[number];
export type TrainingMode = (typeof trainingModeEnum.enumValues)[number];
export type CreditType = (typeof creditTypeEnum.enumValues)[number];
export type TrainingObligationSource = (typeof trainingObligationSourceEnum.enumValues)[number];
