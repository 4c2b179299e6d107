// Service accounts for machine clients (the regulator's systems) and their hashed secrets.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
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
    /** Runs only documents of its active trusted-document manifest (docs/TRUSTED-DOCUMENTS.md); set by the staff who manage it. */
    trustedDocumentsOnly: boolean('trusted_documents_only').notNull().default(false),
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

/**
 * A version of a service account's trusted-document manifest (docs/TRUSTED-DOCUMENTS.md). The highest version is the
 * active one; older versions stay readable and are never changed.
 */
export const trustedDocumentManifestsTable = pgTable(
  'trusted_document_manifests',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    serviceAccountId: integer('service_account_id')
      .notNull()
      .references(() => serviceAccountsTable.id, { onDelete: 'cascade' }),
    /** 1, 2, … per account. */
    version: integer('version').notNull(),
    documentCount: integer('document_count').notNull(),
    /** The token subject of who uploaded it (staff, or the account itself as "client:…"). */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('trusted_document_manifests_account_version_key').on(t.serviceAccountId, t.version), check('trusted_document_manifests_version', sql`${t.version} > 0`)],
);

/** One document of a manifest version, by its id: "sha256:" and the SHA-256 (lowercase hex) of its exact UTF-8 text. */
export const trustedDocumentsTable = pgTable(
  'trusted_documents',
  {
    manifestId: integer('manifest_id')
      .notNull()
      .references(() => trustedDocumentManifestsTable.id, { onDelete: 'cascade' }),
    documentId: text('document_id').notNull(),
    body: text('body').notNull(),
    /** The named operations of the document, for reading the manifest. */
    operationNames: text('operation_names').array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [primaryKey({ columns: [t.manifestId, t.documentId] }), check('trusted_documents_id', sql`${t.documentId} ~ '^sha256:[0-9a-f]{64}$'`)],
);

export type ServiceAccountRow = typeof serviceAccountsTable.$inferSelect;
export type ServiceAccountSecretRow = typeof serviceAccountSecretsTable.$inferSelect;
export type TrustedDocumentManifestRow = typeof trustedDocumentManifestsTable.$inferSelect;
export type TrustedDocumentRow = typeof trustedDocumentsTable.$inferSelect;
