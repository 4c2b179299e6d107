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
    uniqueIndex('committee_seats_one_per_person').on(t.termId, t.personName).where(sql`ended_on is null`),
  ],
);

export type CommitteeRow = typeof committeesTable.$inferSelect;
export type CommitteeTermRow = typeof committeeTermsTable.$inferSelect;
export type CommitteeSeatRow = typeof committeeSeatsTable.$inferSelect;
