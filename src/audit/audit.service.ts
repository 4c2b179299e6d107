// Writes the audit entry of a change; callers pass their transaction so the entry commits with the change.
import type { Viewer } from '../auth/viewer.js';
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { columnList } from '../db/sql/index.js';
import { auditLogTable } from './audit.table.js';

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: number | null;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(tx: DbOrTx, actor: Viewer, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLogTable).values({
    actorSub: actor.subject,
    actorRole: actor.role,
    actorOrgId: actor.organizationId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
}

/** An audit entry written by SQL: each part an expression over the rows of the statement's source. */
export interface AuditEntrySql {
  actorSub: SQL;
  actorRole: SQL;
  actorOrgId: SQL;
  action: string;
  entityType: string;
  entityId: SQL;
  /** The changed row as recordAudit stores it: rowAsJson(table) for a row from `returning *`. */
  after: SQL;
}

/**
 * The audit entries of a data-modifying CTE: one per row of `source` (e.g. `inserted`, the CTE that inserted the
 * change), so the entry commits with the change in the same statement. The same columns recordAudit writes.
 */
export function auditEntriesFrom(source: SQL, entry: AuditEntrySql): SQL {
  const a = auditLogTable;
  return sql`insert into ${a} (${columnList(a.actorSub, a.actorRole, a.actorOrgId, a.action, a.entityType, a.entityId, a.after)})
        select ${entry.actorSub}::text, ${entry.actorRole}::text, ${entry.actorOrgId}::integer, ${entry.action}::text, ${entry.entityType}::text, ${entry.entityId}, ${entry.after} from ${source}`;
}
