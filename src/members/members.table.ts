// Tables of the member directory: organizations, their branches, contacts and membership history.
import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';

export const organizationKindEnum = pgEnum('organization_kind', [
  'SECURITIES_FIRM',
  'FUTURES_FIRM',
  'FUND_MANAGER',
  'INVESTMENT_ADVISORY',
  'LISTED_COMPANY',
  'OTHER',
]);
export const districtEnum = pgEnum('district', [
  'FUTIAN',
  'LUOHU',
  'NANSHAN',
  'BAOAN',
  'LONGGANG',
  'YANTIAN',
  'LONGHUA',
  'PINGSHAN',
  'GUANGMING',
  'DAPENG',
  'SHENSHAN',
]);
export const stockExchangeEnum = pgEnum('stock_exchange', ['SZ', 'SH', 'BJ', 'HK']);
export const membershipStatusEnum = pgEnum('membership_status', ['ACTIVE', 'SUSPENDED', 'WITHDRAWN']);
export const membershipCategoryEnum = pgEnum('membership_category', [
  'VICE_PRESIDENT_UNIT',
  'COUNCIL_UNIT',
  'ORDINARY',
  'SPECIAL',
  'OBSERVER',
]);
export const membershipEventKindEnum = pgEnum('membership_event_kind', [
  'JOIN',
  'SUSPEND',
  'REINSTATE',
  'WITHDRAW',
]);
export const branchKindEnum = pgEnum('branch_kind', ['BRANCH_COMPANY', 'SALES_DEPARTMENT']);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const organizationsTable = pgTable(
  'organizations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    kind: organizationKindEnum('kind').notNull(),
    name: text('name').notNull(),
    shortName: text('short_name'),
    nameEn: text('name_en'),
    creditCode: text('credit_code').notNull(),
    stockCode: text('stock_code'),
    stockExchange: stockExchangeEnum('stock_exchange'),
    district: districtEnum('district'),
    address: text('address'),
    memberSince: date('member_since', { mode: 'string' }),
    membershipStatus: membershipStatusEnum('membership_status').notNull().default('ACTIVE'),
    membershipCategory: membershipCategoryEnum('membership_category').notNull().default('ORDINARY'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('organizations_credit_code_key').on(t.creditCode),
    uniqueIndex('organizations_name_key').on(t.name),
    uniqueIndex('organizations_stock_key').on(t.stockExchange, t.stockCode),
    index('organizations_kind_idx').on(t.kind, t.id),
    index('organizations_district_idx').on(t.district, t.id),
    check('organizations_stock_pair', sql`(${t.stockCode} is null) = (${t.stockExchange} is null)`),
    // 6 digits on the mainland exchanges, 5 (zero-padded) on HKEX; the exchange compared as text (see listings).
    check('organizations_stock_code_format', sql`${t.stockCode} ~ '^[0-9]{6}$' or (${t.stockExchange}::text = 'HK' and ${t.stockCode} ~ '^[0-9]{5}$')`),
    check('organizations_credit_code_format', sql`${t.creditCode} ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'`),
  ],
);

/**
 * One organization's membership in one association, with its own category, status and dates there. The
 * organization's own membership columns repeat its membership in its first association (SZSA for securities firms,
 * SZLCA for listed companies), the one the directory has always shown.
 */
/**
 * Every listing of an organization (A + H shares: 600999.SH and 6099.HK), in its order: the first (position 0) is its
 * primary listing, which organizations.stock_code / stock_exchange repeat (the contract's stockCode). The board is
 * derived from the exchange and code (identifiers.boardOf), not stored. A listing belongs to one organization.
 */
export const listingsTable = pgTable(
  'listings',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'cascade' }),
    exchange: stockExchangeEnum('exchange').notNull(),
    code: text('code').notNull(),
    position: integer('position').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('listings_exchange_code_key').on(t.exchange, t.code),
    uniqueIndex('listings_organization_position_key').on(t.organizationId, t.position),
    check('listings_position_range', sql`${t.position} between 0 and 9`),
    // Compared as text: the migration that adds 'HK' to the enum cannot use the new value in the same transaction.
    check('listings_code_format', sql`(${t.exchange}::text = 'HK' and ${t.code} ~ '^[0-9]{5}$') or (${t.exchange}::text <> 'HK' and ${t.code} ~ '^[0-9]{6}$')`),
  ],
);

export const membershipsTable = pgTable(
  'memberships',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'cascade' }),
    category: membershipCategoryEnum('category').notNull().default('ORDINARY'),
    status: membershipStatusEnum('status').notNull().default('ACTIVE'),
    since: date('since', { mode: 'string' }),
    /** The association's own member number; unique within the association. */
    memberNo: text('member_no'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('memberships_association_organization_key').on(t.associationId, t.organizationId),
    uniqueIndex('memberships_member_no_key').on(t.associationId, t.memberNo),
    index('memberships_organization_idx').on(t.organizationId, t.associationId),
    check('memberships_member_no_format', sql`${t.memberNo} is null or length(${t.memberNo}) between 1 and 40`),
  ],
);

export const membershipEventsTable = pgTable(
  'membership_events',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'cascade' }),
    /** The association whose membership changed. */
    associationId: integer('association_id')
      .notNull()
      .references(() => associationsTable.id, { onDelete: 'restrict' }),
    kind: membershipEventKindEnum('kind').notNull(),
    effectiveOn: date('effective_on', { mode: 'string' }).notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('membership_events_org_idx').on(t.organizationId, t.id)],
);

export const branchesTable = pgTable(
  'branches',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    firmId: integer('firm_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'restrict' }),
    kind: branchKindEnum('kind').notNull(),
    name: text('name').notNull(),
    creditCode: text('credit_code'),
    district: districtEnum('district'),
    address: text('address'),
    openedOn: date('opened_on', { mode: 'string' }),
    closedOn: date('closed_on', { mode: 'string' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('branches_name_key').on(t.name),
    uniqueIndex('branches_credit_code_key').on(t.creditCode),
    index('branches_firm_idx').on(t.firmId, t.id),
    check('branches_dates', sql`${t.closedOn} is null or ${t.openedOn} is null or ${t.closedOn} >= ${t.openedOn}`),
  ],
);

export const contactsTable = pgTable(
  'contacts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizationsTable.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    title: text('title'),
    phone: text('phone'),
    email: text('email'),
    ...timestamps,
  },
  (t) => [index('contacts_org_idx').on(t.organizationId, t.id)],
);

export type OrganizationRow = typeof organizationsTable.$inferSelect;
export type BranchRow = typeof branchesTable.$inferSelect;
export type ContactRow = typeof contactsTable.$inferSelect;
export type MembershipEventRow = typeof membershipEventsTable.$inferSelect;
export type MembershipRow = typeof membershipsTable.$inferSelect;
export type ListingRow = typeof listingsTable.$inferSelect;
