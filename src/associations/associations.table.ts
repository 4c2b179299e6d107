// The associations under the bureau (深证协, 深圳上市公司协会, …); memberships in them are the member directory's.
import { integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const associationCodeEnum = pgEnum('association_code', ['SZSA', 'SZLCA']);

/** The associations: rows are written by migrations (their ids are fixed: SZSA 1, SZLCA 2). */
export const associationsTable = pgTable(
  'associations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    code: associationCodeEnum('code').notNull(),
    name: text('name').notNull(),
    shortName: text('short_name'),
    nameEn: text('name_en'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('associations_code_key').on(t.code)],
);

export type AssociationRow = typeof associationsTable.$inferSelect;
export type AssociationCode = AssociationRow['code'];

/** The ids migration 0009 gave the associations: fixed, so code can name an association without a lookup. */
export const ASSOCIATION_IDS: Readonly<Record<AssociationCode, number>> = Object.freeze({ SZSA: 1, SZLCA: 2 });
export const ASSOCIATION_CODES: Readonly<Record<number, AssociationCode>> = Object.freeze({ 1: 'SZSA', 2: 'SZLCA' });

/**
 * The association an organization of this kind joins first, whose membership the organization's own membership
 * columns repeat: listed companies the listed companies association, everyone else the securities association.
 */
export function primaryAssociationOf(kind: string): number {
  return kind === 'LISTED_COMPANY' ? ASSOCIATION_IDS.SZLCA : ASSOCIATION_IDS.SZSA;
}
