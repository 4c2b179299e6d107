// Writes a domain event into the outbox; callers pass their transaction so the event commits with the change.
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { columnList } from '../db/sql/index.js';
import { outboxEventsTable } from './outbox.table.js';

export type OutboxEventType =
  | 'rating_cycle.published'
  | 'suggestion.submitted'
  | 'suggestion.forwarded'
  | 'suggestion.responded'
  | 'training_session.scheduled'
  | 'statistics_return.submitted'
  | 'early_report.escalated'
  | 'disciplinary_decision.published'
  | 'export_job.completed';

/**
 * `associationId`: the association whose data the event carries: webhooks deliver it only to that association's
 * subscriptions and the bureau's (null: to the bureau's only).
 */
export async function enqueueEvent(
  tx: DbOrTx,
  event: { type: OutboxEventType; entityType: string; entityId: number | null; associationId: number | null; payload: Record<string, unknown> },
): Promise<void> {
  await tx.insert(outboxEventsTable).values(event);
}

/**
 * The outbox events of a data-modifying CTE: one per row of `source`, committed with the change in the same statement.
 * `entityId`, `associationId` (as in enqueueEvent) and `payload` are expressions over the source's rows (globalIdSql
 * for IDs in the payload).
 */
export function outboxEventsFrom(
  source: SQL,
  event: { type: OutboxEventType; entityType: string; entityId: SQL; associationId: SQL; payload: SQL },
): SQL {
  const o = outboxEventsTable;
  return sql`insert into ${o} (${columnList(o.type, o.entityType, o.entityId, o.associationId, o.payload)})
        select ${event.type}::text, ${event.entityType}::text, ${event.entityId}, ${event.associationId}, ${event.payload} from ${source}`;
}
