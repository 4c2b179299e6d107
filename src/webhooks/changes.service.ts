// The change feed (Query.changes): the outbox events, the same ones the webhooks deliver, for systems that poll instead of
// receiving webhooks. Scoped by the one rule the fan-out follows (eventAudience, eventReachesAssociation in
// webhooks.service.ts); paged by the outbox id, ascending, over settled events only (see `settled`).
import { and, count, inArray, sql, type SQL } from 'drizzle-orm';
import type { Viewer } from '../auth/viewer.js';
import { recordDataAccess } from '../data-access/data-access.service.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { outboxEventsTable, type OutboxEventRow } from '../outbox/outbox.table.js';
import { eventAudience, eventReachesAssociation, type WebhookEventType } from './webhooks.service.js';

/** How long events stay readable in the feed, at least (the outbox is not purged today: docs/WEBHOOKS.md, "Retention"). */
export const CHANGE_FEED_RETENTION_DAYS = 30;

/** The events the viewer may read, of the wanted types (all of its types when null); null when there are none. */
function changeConditions(viewer: Viewer, types: readonly WebhookEventType[] | null | undefined): SQL | null {
  const audience = eventAudience(viewer);
  if (!audience) return null;
  const wanted = types ? audience.types.filter((t) => types.includes(t)) : audience.types;
  if (wanted.length === 0) return null;
  return and(inArray(outboxEventsTable.type, wanted), eventReachesAssociation(audience.associationId, sql`${outboxEventsTable.associationId}`), settled)!;
}

/**
 * Events whose transaction ended, and so did every transaction that began before it (or written by the reader's own
 * transaction). Outbox ids are taken when an event is written, and transactions may commit in another order: without
 * this an event could commit behind a cursor already handed out and never be seen. With it, a page stops just before
 * the oldest transaction still running, and the feed's order is final.
 */
const settled = sql`(${outboxEventsTable.txid} < pg_snapshot_xmin(pg_current_snapshot()) or ${outboxEventsTable.txid} = pg_current_xact_id_if_assigned())`;

/**
 * Suggestion titles and the ratings' grade counts are protected reads: a page of them read by the regulator or a service
 * account is recorded in the read audit, like the same data read through the graph (one entry per page, none when empty).
 */
async function recordFeedRead(db: DbOrTx, viewer: Viewer, resource: string, rows: readonly OutboxEventRow[]): Promise<void> {
  if (rows.length === 0) return;
  await recordDataAccess(db, viewer, { resource, details: { events: rows.slice(0, 100).map((r) => r.id), rows: rows.length } });
}

export async function listChanges(db: DbOrTx, viewer: Viewer, types: readonly WebhookEventType[] | null | undefined, page: PageRequest): Promise<OutboxEventRow[]> {
  const conditions = changeConditions(viewer, types);
  if (!conditions) return [];
  const rows = await db
    .select()
    .from(outboxEventsTable)
    .where(and(conditions, pageCondition(page, outboxEventsTable.id)))
    .orderBy(pageOrderBy(page, 'asc', outboxEventsTable.id))
    .limit(page.limit + 1);
  await recordFeedRead(db, viewer, 'changes', rows.slice(0, page.limit));
  return rows;
}

export async function countChanges(db: DbOrTx, viewer: Viewer, types: readonly WebhookEventType[] | null | undefined): Promise<number> {
  const conditions = changeConditions(viewer, types);
  if (!conditions) return 0;
  const [row] = await db.select({ n: count() }).from(outboxEventsTable).where(conditions);
  return row?.n ?? 0;
}

/** node(id) / nodes(ids) of Change: the same rule; another's event loads as a missing one. */
export async function loadChangesByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<OutboxEventRow[]> {
  const conditions = changeConditions(viewer, null);
  if (!conditions || ids.length === 0) return [];
  const rows = await db
    .select()
    .from(outboxEventsTable)
    .where(and(conditions, inArray(outboxEventsTable.id, [...ids])));
  await recordFeedRead(db, viewer, 'Change', rows);
  return rows;
}
