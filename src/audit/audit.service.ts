// Writes the audit entry of a change; callers pass their transaction so the entry commits with the change.
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
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
