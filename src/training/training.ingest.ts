// View events of the video platform (POST /training/view-events): one NDJSON line per event, validated here; the
// good ones inserted set-based in batches (INSERT … SELECT FROM jsonb_to_recordset … ON CONFLICT (event_id) DO
// NOTHING) in one transaction per request. Each eventId counts once however often it is sent, in one request or
// across requests; a line whose session or practitioner the account may not post for is rejected like an unknown one.
import { sql } from 'drizzle-orm';
import type { viewEventIngestScope } from '../auth/policy.js';
import type { DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import { cachePlansForBulkWrite, runInTransaction } from '../db/transaction.js';
import { parseGlobalIdOf } from '../global-id.js';
import { membershipsTable } from '../members/members.table.js';
import { practitionersTable, trainingEnrolmentsTable, trainingSessionsTable, trainingViewEventsTable } from './training.table.js';
import { signalLiveChange } from '../outbox/outbox.signal.js';

/** Rows per INSERT statement. */
export const VIEW_EVENT_BATCH = 1_000;
/** Lines per request: beyond this the request is refused whole (413). */
export const MAX_VIEW_EVENT_LINES = 50_000;
/** Bytes per request: beyond this the request is refused whole (413). */
export const MAX_VIEW_EVENT_BYTES = 16 * 1024 * 1024;
/** Bytes per line: a longer line is rejected (and skipped without being buffered). */
export const MAX_VIEW_EVENT_LINE_BYTES = 4_096;
export const MAX_EVENT_ID_LENGTH = 128;
const MAX_WATCHED_SECONDS = 86_400;
const EVENT_ID = /^[\x21-\x7e]+$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface ViewEventRow {
  line: number;
  eventId: string;
  sessionId: number;
  practitionerId: number;
  watchedSeconds: number;
  at: string;
}

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: RejectedLine[];
}

/** One line of the body, parsed and checked (not against the database). Blank lines are skipped (null). */
export function parseViewEventLine(text: string, line: number, now = Date.now()): ViewEventRow | RejectedLine | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, reason: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, reason: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  const unknownKeys = Object.keys(v).filter((k) => !['eventId', 'sessionId', 'practitionerId', 'watchedSeconds', 'at'].includes(k));
  if (unknownKeys.length > 0) return { line, reason: `unknown field ${unknownKeys[0]!.slice(0, 40)}` };
  if (typeof v.eventId !== 'string' || v.eventId.length === 0 || v.eventId.length > MAX_EVENT_ID_LENGTH || !EVENT_ID.test(v.eventId)) {
    return { line, reason: `eventId must be 1–${MAX_EVENT_ID_LENGTH} printable ASCII characters` };
  }
  const sessionId = typeof v.sessionId === 'string' ? parseGlobalIdOf(v.sessionId, 'TrainingSession') : null;
  if (sessionId === null) return { line, reason: 'sessionId must be a TrainingSession global ID' };
  const practitionerId = typeof v.practitionerId === 'string' ? parseGlobalIdOf(v.practitionerId, 'Practitioner') : null;
  if (practitionerId === null) return { line, reason: 'practitionerId must be a Practitioner global ID' };
  if (typeof v.watchedSeconds !== 'number' || !Number.isInteger(v.watchedSeconds) || v.watchedSeconds < 0 || v.watchedSeconds > MAX_WATCHED_SECONDS) {
    return { line, reason: `watchedSeconds must be an integer from 0 to ${MAX_WATCHED_SECONDS}` };
  }
  const at = typeof v.at === 'string' && ISO_WITH_OFFSET.test(v.at) ? Date.parse(v.at) : NaN;
  if (!Number.isFinite(at) || at < Date.UTC(2000, 0, 1) || at > now + 86_400_000) {
    return { line, reason: 'at must be an ISO 8601 date-time with an offset, not in the future' };
  }
  return { line, eventId: v.eventId, sessionId, practitionerId, watchedSeconds: v.watchedSeconds, at: new Date(at).toISOString() };
}

export const isRejected = (r: ViewEventRow | RejectedLine): r is RejectedLine => 'reason' in r;

type IngestScope = NonNullable<ReturnType<typeof viewEventIngestScope>>;

/**
 * One batch, one statement: the rows whose session the account may post for (its association's, or any for the
 * bureau's) and whose practitioner is that association's trainee (a member organization's, or enrolled in the session)
 * are inserted once per eventId; the statement answers how many were inserted, how many were valid, and the lines
 * that were not (an unknown or foreign session or practitioner).
 */
async function insertBatch(db: DbOrTx, scope: IngestScope, rows: ViewEventRow[]): Promise<{ accepted: number; valid: number; unknownLines: number[] }> {
  const json = JSON.stringify(
    rows.map((r) => ({ line: r.line, event_id: r.eventId, session_id: r.sessionId, practitioner_id: r.practitionerId, watched_seconds: r.watchedSeconds, at: r.at })),
  );
  const s = trainingSessionsTable;
  const p = practitionersTable;
  const own = scope.kind === 'association' ? sql`and s.association_id = ${scope.associationId}` : sql``;
  const [result] = rowsOf<{ accepted: number; valid: number; unknown_lines: number[] | string }>(
    await db.execute(sql`
      with input as (
        select * from jsonb_to_recordset(${json}::jsonb) as x(line int, event_id text, session_id int, practitioner_id int, watched_seconds int, at timestamptz)
      ), pairs as materialized (
        -- Each distinct (session, practitioner) of the batch is checked once (a batch names few of either).
        select distinct i.session_id, i.practitioner_id from input i
      ), allowed as materialized (
        select pr.session_id, pr.practitioner_id from pairs pr
        join ${s} s on s.id = pr.session_id ${own}
        join ${p} p on p.id = pr.practitioner_id
        where exists (select 1 from ${membershipsTable} m where m.organization_id = p.organization_id and m.association_id = s.association_id)
           or exists (select 1 from ${trainingEnrolmentsTable} e where e.session_id = s.id and e.practitioner_id = p.id)
      ), valid as (
        select i.* from input i join allowed a on a.session_id = i.session_id and a.practitioner_id = i.practitioner_id
      ), inserted as (
        insert into ${trainingViewEventsTable} (event_id, session_id, practitioner_id, watched_seconds, at)
        select distinct on (event_id) event_id, session_id, practitioner_id, watched_seconds, at from valid order by event_id, line
        on conflict (event_id) do nothing
        returning 1
      )
      select (select count(*) from inserted)::int as accepted, (select count(*) from valid)::int as valid,
             coalesce((select json_agg(line order by line) from input where line not in (select line from valid)), '[]'::json) as unknown_lines`),
  );
  const unknownLines = typeof result!.unknown_lines === 'string' ? (JSON.parse(result!.unknown_lines) as number[]) : result!.unknown_lines;
  return { accepted: Number(result!.accepted), valid: Number(result!.valid), unknownLines };
}

/**
 * Inserts the parsed rows in batches of VIEW_EVENT_BATCH, all in one transaction: duplicates (an eventId already
 * stored, or repeated in this request) are counted exactly; lines naming a session or practitioner the account may
 * not post for are rejected.
 */
export async function ingestViewEvents(db: DbOrTx, scope: IngestScope, rows: ViewEventRow[]): Promise<{ accepted: number; duplicates: number; rejected: RejectedLine[] }> {
  if (rows.length === 0) return { accepted: 0, duplicates: 0, rejected: [] };
  // The batches share one transaction, whose foreign-key checks keep their cached plans.
  const result = await runInTransaction(db, async (tx) => {
    await cachePlansForBulkWrite(tx);
    let accepted = 0;
    let duplicates = 0;
    const rejected: RejectedLine[] = [];
    for (let i = 0; i < rows.length; i += VIEW_EVENT_BATCH) {
      const batch = await insertBatch(tx, scope, rows.slice(i, i + VIEW_EVENT_BATCH));
      accepted += batch.accepted;
      duplicates += batch.valid - batch.accepted;
      for (const line of batch.unknownLines) rejected.push({ line, reason: 'unknown session or practitioner' });
    }
    return { accepted, duplicates, rejected };
  });
  // The sessions' live reach (Subscription.trainingSessionReach): the hub recomputes it at most once per interval.
  if (result.accepted > 0) signalLiveChange('TrainingSession', [...new Set(rows.map((r) => r.sessionId))]);
  return result;
}
