// Tables of the professional committees: committees, their terms (届) and seats.
import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';
import { organizationsTable } from '../members/members.table.js';

export const committeeCodeEnum = pgEnum('committee_code', [
  'COMPLIANCE',
  'INVESTMENT_BANKING',
  'BROKERAGE_WEALTH',
  'FINTECH',
  'BOARD_SECRETARIES',
  'INVESTOR_RELATIONS',
]);
export const committeeRoleEnum = pgEnum('committee_role', [
  'CHAIR',
  'VICE_CHAIR',
  'SECRETARY_GENERAL',
  'MEMBER',
  'ADVISOR',
]);

export const committeeSeatEndReasonEnum = pgEnum('committee_seat_end_reason', [
  'TERM_EXPIRED',
  'RESIGNED',
  'JOB_CHANGE',
  'LEFT_INDUSTRY',
  'DISMISSED',
  'OTHER',
]);

export const committeesTable = pgTable(
  'committees',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** The association whose committee it is. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    code: committeeCodeEnum('code').notNull(),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('committees_code_key').on(t.code)],
);

export const committeeTermsTable = pgTable(
  'committee_terms',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    committeeId: integer('committee_id')
      .notNull()
      .references(() => committeesTable.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    endsOn: date('ends_on', { mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('committee_terms_number_key').on(t.committeeId, t.number),
    check('committee_terms_number_positive', sql`${t.number} > 0`),
    check('committee_terms_dates', sql`${t.endsOn} is null or ${t.endsOn} >= ${t.startsOn}`),
  ],
);

/**
 * A person who sits (or sat) on an association's committees: one record per person, so two people with the same name
 * are two records and one person keeps the same record across terms and committees. Kept by the association.
 */
export const committeePeopleTable = pgTable(
  'committee_people',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('committee_people_association_idx').on(t.associationId, t.id)],
);

export const committeeSeatsTable = pgTable(
  'committee_seats',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    termId: integer('term_id')
      .notNull()
      .references(() => committeeTermsTable.id, { onDelete: 'cascade' }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    /** The person on the seat. */
    personId: integer('person_id')
      .notNull()
      .references(() => committeePeopleTable.id, { onDelete: 'restrict' }),
    /** The person's name as recorded on appointment (the roster shows it as it was). */
    personName: text('person_name').notNull(),
    role: committeeRoleEnum('role').notNull(),
    appointedOn: date('appointed_on', { mode: 'string' }).notNull(),
    endedOn: date('ended_on', { mode: 'string' }),
    endReason: committeeSeatEndReasonEnum('end_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('committee_seats_term_idx').on(t.termId, t.id),
    // The database, not a check-then-insert, keeps one chair and one seat per person in a term.
    uniqueIndex('committee_seats_one_chair').on(t.termId).where(sql`role = 'CHAIR' and ended_on is null`),
    check('committee_seats_end_reason', sql`(${t.endedOn} is null) = (${t.endReason} is null)`),
    uniqueIndex('committee_seats_one_per_person_record').on(t.termId, t.personId).where(sql`ended_on is null`),
    index('committee_seats_person_idx').on(t.personId),
  ],
);

export type CommitteeRow = typeof committeesTable.$inferSelect;
export type CommitteeTermRow = typeof committeeTermsTable.$inferSelect;
export type CommitteePersonRow = typeof committeePeopleTable.$inferSelect;
export type CommitteeSeatRow = typeof committeeSeatsTable.$inferSelect;
