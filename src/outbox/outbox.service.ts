// Writes a domain event into the outbox; callers pass their transaction so the event commits with the change.
import type { DbOrTx } from '../db/client.js';
import { outboxEventsTable } from './outbox.table.js';

export type OutboxEventType =
  | 'rating_cycle.published'
  | 'suggestion.submitted'
  | 'suggestion.forwarded'
  | 'suggestion.responded';

export async function enqueueEvent(
  tx: DbOrTx,
  event: { type: OutboxEventType; entityType: string; entityId: number | null; payload: Record<string, unknown> },
): Promise<void> {
  await tx.insert(outboxEventsTable).values(event);
}
