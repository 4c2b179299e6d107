// What the live poller reads: the rows other processes wrote when a followed object changed — a suggestion's and an
// early report's status history (suggestion_events, early_report_events) and the outbox's rating-cycle publications —
// after the cursors of the last read, in ONE statement whatever the number of open streams.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import { earlyReportEventsTable } from '../early-reports/early-reports.table.js';
import { outboxEventsTable } from '../outbox/outbox.table.js';
import { suggestionEventsTable } from '../suggestions/suggestions.table.js';
import type { LiveTopic } from '../outbox/outbox.signal.js';

/** The last row seen of each source. */
export interface LiveCursors {
  suggestion: number;
  earlyReport: number;
  ratingCycle: number;
}

/** Rows read per source and poll at most; a busier interval continues at the next poll. */
export const LIVE_POLL_BATCH = 500;

/** The cursors at the poller's start: the newest row of each source (streams start from the current state). */
export async function currentLiveCursors(db: DbOrTx): Promise<LiveCursors> {
  const [row] = rowsOf<{ s: number | string; e: number | string; r: number | string }>(
    await db.execute(sql`select
      (select coalesce(max(id), 0) from ${suggestionEventsTable}) as s,
      (select coalesce(max(id), 0) from ${earlyReportEventsTable}) as e,
      (select coalesce(max(id), 0) from ${outboxEventsTable} where type = 'rating_cycle.published') as r`),
  );
  return { suggestion: Number(row?.s ?? 0), earlyReport: Number(row?.e ?? 0), ratingCycle: Number(row?.r ?? 0) };
}

export interface LiveChange {
  topic: LiveTopic;
  id: number;
}

/** The changes after `cursors`, one statement (each source by its primary key or the outbox's (type, id) index); and the cursors after them. */
export async function readLiveChanges(db: DbOrTx, cursors: LiveCursors): Promise<{ changes: LiveChange[]; cursors: LiveCursors }> {
  const rows = rowsOf<{ topic: LiveTopic; seq: number | string; entity: number | string | null }>(
    await db.execute(sql`
      (select 'Suggestion' as topic, id as seq, suggestion_id as entity from ${suggestionEventsTable} where id > ${cursors.suggestion} order by id limit ${LIVE_POLL_BATCH})
      union all
      (select 'EarlyReport', id, report_id from ${earlyReportEventsTable} where id > ${cursors.earlyReport} order by id limit ${LIVE_POLL_BATCH})
      union all
      (select 'RatingCycle', id, entity_id from ${outboxEventsTable} where type = 'rating_cycle.published' and id > ${cursors.ratingCycle} order by id limit ${LIVE_POLL_BATCH})`),
  );
  const next = { ...cursors };
  const changes: LiveChange[] = [];
  for (const row of rows) {
    const seq = Number(row.seq);
    if (row.topic === 'Suggestion') next.suggestion = Math.max(next.suggestion, seq);
    else if (row.topic === 'EarlyReport') next.earlyReport = Math.max(next.earlyReport, seq);
    else next.ratingCycle = Math.max(next.ratingCycle, seq);
    if (row.entity !== null) changes.push({ topic: row.topic, id: Number(row.entity) });
  }
  return { changes, cursors: next };
}
