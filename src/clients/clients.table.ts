// Service accounts for machine clients (the regulator's systems) and their hashed secrets.
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { associationsTable } from '../associations/associations.table.js';

export const serviceAccountsTable = pgTable(
  'service_accounts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** Public, opaque client id ("mgc_…"); tokens carry it as sub "client:<clientId>". */
    clientId: text('client_id').notNull(),
    name: text('name').notNull(),
    /** The token role claim: association or regulator. */
    role: text('role').notNull(),
    /** The association whose systems use it (role association); null for the regulator's. */
    associationId: integer('association_id').references(() => associationsTable.id, { onDelete: 'restrict' }),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    owner: text('owner'),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('service_accounts_client_id_key').on(t.clientId),
    check('service_accounts_role', sql`${t.role} in ('association', 'regulator')`),
    check('service_accounts_association', sql`(${t.role} = 'association') = (${t.associationId} is not null)`),
  ],
);

/** One row per secret; a rotated-out secret keeps working until expires_at (null: no expiry). Only scrypt hashes are stored. */
export const serviceAccountSecretsTable = pgTable(
  'service_account_secrets',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    serviceAccountId: integer('service_account_id')
      .notNull()
      .references(() => serviceAccountsTable.id, { onDelete: 'cascade' }),
    hash: text('hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [index('service_account_secrets_account_idx').on(t.serviceAccountId, t.id)],
);

export type ServiceAccountRow = typeof serviceAccountsTable.$inferSelect;
export type ServiceAccountSecretRow = typeof serviceAccountSecretsTable.$inferSelect;
