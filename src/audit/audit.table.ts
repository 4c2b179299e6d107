// The audit trail: one row per change, written in the same transaction as the change. Append-only and hash-chained
// in the database itself (migration audit_chain): triggers refuse UPDATE, DELETE and TRUNCATE and fill seq, prev_hash
// and hash on every insert, so `npm run audit:verify` can prove no row was altered, removed or slipped in.
import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core';

export const auditLogTable = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorSub: text('actor_sub').notNull(),
    actorRole: text('actor_role').notNull(),
    actorOrgId: integer('actor_org_id'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: integer('entity_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    // Set by the audit_log_chain trigger, never by the application (values it passes are overwritten). The
    // migration makes them NOT NULL and seq unique once existing rows are chained; optional here so inserts omit them.
    /** Position in the chain: 1, 2, 3, … in the order rows were chained (commit order of concurrent writers). */
    seq: bigint('seq', { mode: 'number' }),
    /** The previous row's hash (64 zeros for the first row). */
    prevHash: text('prev_hash'),
    /** sha256(prev_hash || audit_log_canonical(row)), hex. */
    hash: text('hash'),
  },
  (t) => [index('audit_log_entity_idx').on(t.entityType, t.entityId, t.id)],
);

/** The chain's head: the last seq and hash. Its row lock serializes writers from their audit insert to their commit. */
export const auditChainHeadTable = pgTable(
  'audit_chain_head',
  {
    id: smallint('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [check('audit_chain_head_single_row', sql`${t.id} = 1`)],
);

export type AuditLogRow = typeof auditLogTable.$inferSelect;
