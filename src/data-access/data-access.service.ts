// The read audit: records reads of protected data by the regulator and by service accounts, and lists them for the association.
import { and, count, eq, sql, type SQL } from 'drizzle-orm';
import { isRecordedReader } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { preparedStatement } from '../db/sql/index.js';
import { isTransaction } from '../db/transaction.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { dataAccessLogTable, type DataAccessLogRow } from './data-access.table.js';

export interface DataAccess {
  /** What was read: the root field or export, e.g. "branchRatings", "supervisionList", "BranchRating", "branch-ratings.csv". */
  resource: string;
  /** The parameters that say which rows: year, filter, ids, number of rows returned. Small and JSON-serializable. */
  details?: Record<string, unknown>;
}

/**
 * Records one read (who, what, when) when the viewer is the regulator or a service account; otherwise does nothing
 * and runs no statement. Call it once per resolved root field or export, not per row.
 *
 * Given the database, one statement of its own, committed asynchronously: the row is visible at once, but the commit
 * does not wait for the WAL flush. Only a crash of the database server itself can lose the latest entries (at most
 * 3 × wal_writer_delay, 0.6 s by default) — for an access log, not worth a disk flush in every read of ratings.
 * Given a caller's transaction, the entry joins it with the transaction's own commit mode: a read never switches a
 * caller's writes to asynchronous commit.
 */
export async function recordDataAccess(db: DbOrTx, viewer: Viewer, access: DataAccess): Promise<void> {
  if (!isRecordedReader(viewer)) return;
  const values = { ...dataAccessValues(viewer, access.resource), details: access.details === undefined ? null : JSON.stringify(access.details) };
  await (isTransaction(db) ? insertDataAccessInTransaction : insertDataAccess)(db, values);
}

/** The placeholders of dataAccessInsert: who read, and what. */
export type DataAccessValues = { actorSub: string; actorRole: string; clientId: string | null; documentId: string | null; resource: string };

export function dataAccessValues(viewer: Viewer, resource: string): DataAccessValues {
  return {
    actorSub: viewer.subject,
    actorRole: viewer.role,
    clientId: viewer.serviceAccount?.clientId ?? null,
    documentId: viewer.documentId ?? null,
    resource: resource.slice(0, 200),
  };
}

/**
 * The read audit's insert, values as placeholders (DataAccessValues) and `details` as SQL. A read can carry it as a
 * data-modifying CTE of its own statement, so recording the read costs no statement of its own: the entry commits with
 * the read, or neither happens. `asyncCommit` (see recordDataAccess) only when the statement is its own transaction:
 * pass `!isTransaction(db)`, since set_config(…, true) lasts to the end of the enclosing transaction.
 */
export function dataAccessInsert(details: SQL, asyncCommit: boolean): SQL {
  return sql`insert into ${dataAccessLogTable} (actor_sub, actor_role, client_id, document_id, resource, details)
    select ${sql.placeholder('actorSub')}::text, ${sql.placeholder('actorRole')}::text, ${sql.placeholder('clientId')}::text,
           ${sql.placeholder('documentId')}::text, ${sql.placeholder('resource')}::text, ${details}${asyncCommit ? sql`
    from (select set_config('synchronous_commit', 'off', true)) async_commit` : sql``}`;
}

type InsertValues = DataAccessValues & { details: string | null };
const insertDataAccess = preparedStatement<InsertValues>(() => dataAccessInsert(sql`${sql.placeholder('details')}::jsonb`, true));
const insertDataAccessInTransaction = preparedStatement<InsertValues>(() => dataAccessInsert(sql`${sql.placeholder('details')}::jsonb`, false));

/**
 * Deletes the read audit's entries older than `retentionDays` (never fewer than 183: six months, as the Cybersecurity
 * Law asks of network logs); returns how many went. Several instances may run it at once: a delete is idempotent.
 */
export async function purgeDataAccessLog(db: DbOrTx, retentionDays: number): Promise<number> {
  if (!Number.isInteger(retentionDays) || retentionDays < MIN_DATA_ACCESS_RETENTION_DAYS) {
    throw new RangeError(`the read audit is kept at least ${MIN_DATA_ACCESS_RETENTION_DAYS} days, not ${retentionDays}`);
  }
  const deleted = await db
    .delete(dataAccessLogTable)
    .where(sql`${dataAccessLogTable.at} < now() - make_interval(days => ${retentionDays})`)
    .returning({ id: dataAccessLogTable.id });
  return deleted.length;
}

export const MIN_DATA_ACCESS_RETENTION_DAYS = 183;

export interface DataAccessFilter {
  resource?: string | null;
  actorSubject?: string | null;
}

function conditions(filter: DataAccessFilter): SQL | undefined {
  // PostgreSQL text cannot hold NUL: such a filter matches nothing rather than failing the query.
  if ([filter.resource, filter.actorSubject].some((v) => v?.includes('\u0000'))) return sql`false`;
  return and(
    filter.resource ? eq(dataAccessLogTable.resource, filter.resource) : undefined,
    filter.actorSubject ? eq(dataAccessLogTable.actorSub, filter.actorSubject) : undefined,
  );
}

/** Newest first; the cursor is the entry id, so pages stay stable while new reads are recorded. */
export async function listDataAccess(db: DbOrTx, filter: DataAccessFilter, page: PageRequest): Promise<DataAccessLogRow[]> {
  return db
    .select()
    .from(dataAccessLogTable)
    .where(and(conditions(filter), pageCondition(page, dataAccessLogTable.id, 'desc')))
    .orderBy(pageOrderBy(page, 'desc', dataAccessLogTable.id))
    .limit(page.limit + 1);
}

export async function countDataAccess(db: DbOrTx, filter: DataAccessFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(dataAccessLogTable).where(conditions(filter));
  return row?.n ?? 0;
}
