// Bulk export jobs (issue 22): starting one (what it may contain is the CSV exports' rule, src/reports/reports.csv.ts),
// listing and loading them for the viewers who may see them, and reading a finished file. The background run is
// exports.worker.ts.
import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import { exportJobCondition, mayStartExportJob } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import { staffAssociationOf } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError } from '../errors.js';
import { exportSource, type ExportParameters } from '../reports/reports.csv.js';
import { exportChunksTable, exportJobsTable, type ExportFilter, type ExportFormat, type ExportJobRow, type ExportKind, type ExportRequester } from './exports.table.js';

/** Jobs a principal may have waiting or running at once (EXPORT_MAX_ACTIVE_JOBS). */
export const DEFAULT_MAX_ACTIVE_EXPORT_JOBS = 3;

export interface StartExportInput {
  kind: ExportKind;
  format: ExportFormat;
  filter: ExportParameters;
}

/** The input field each kind's parameters are reported on. */
const FILTER_FIELD: Record<ExportKind, string> = { RATINGS: 'year', TRAINING_HOURS: 'year', SUGGESTIONS: 'from', STATISTICS: 'period' };

/** What the worker runs the job as (see ExportRequester). */
function requesterOf(viewer: Viewer): ExportRequester {
  return {
    role: viewer.role as ExportRequester['role'],
    subject: viewer.subject,
    associationId: staffAssociationOf(viewer),
    serviceAccountId: viewer.serviceAccount?.id ?? null,
    clientId: viewer.serviceAccount?.clientId ?? null,
    scopes: viewer.serviceAccount ? [...viewer.serviceAccount.scopes] : null,
  };
}

/**
 * Queues an export for the worker. Refused (nothing written): a kind the viewer may not export (INVALID_STATE; the
 * schema refuses it as FORBIDDEN first), parameters that do not fit the kind (INVALID), and a principal with
 * `maxActiveJobs` jobs already waiting or running (LIMIT_EXCEEDED).
 */
export async function startExport(db: DbOrTx, viewer: Viewer, input: StartExportInput, limits: { maxActiveJobs: number }): Promise<ExportJobRow> {
  if (!mayStartExportJob(viewer, input.kind)) {
    throw new DomainError('INVALID_STATE', ['input', 'kind'], { zh: '无权导出此类数据', en: 'You may not export this kind of data' });
  }
  const source = exportSource(db, viewer, input.kind, input.filter);
  if ('status' in source) {
    throw new DomainError('INVALID', ['input', FILTER_FIELD[input.kind]], { zh: `导出条件无效：${source.message}`, en: `Invalid export parameters: ${source.message}` });
  }
  return runInTransaction(db, async (tx) => {
    // One principal's starts are serialized, so two at once cannot both pass the count.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`export_jobs:${viewer.subject}`}))`);
    const [active] = await tx
      .select({ n: count() })
      .from(exportJobsTable)
      .where(and(eq(exportJobsTable.requestedBySub, viewer.subject), inArray(exportJobsTable.status, ['QUEUED', 'RUNNING'])));
    if ((active?.n ?? 0) >= limits.maxActiveJobs) {
      throw new DomainError('LIMIT_EXCEEDED', null, {
        zh: `同时进行的导出任务最多 ${limits.maxActiveJobs} 个，请等待已有任务完成`,
        en: `At most ${limits.maxActiveJobs} export jobs may be waiting or running at once; wait for one to finish`,
      });
    }
    const [job] = await tx
      .insert(exportJobsTable)
      .values({
        requestedBySub: viewer.subject,
        requester: requesterOf(viewer),
        serviceAccountId: viewer.serviceAccount?.id ?? null,
        associationId: staffAssociationOf(viewer),
        kind: input.kind,
        format: input.format,
        // Only the parameters of the kind, as the source read them.
        filter: source.details as ExportFilter,
      })
      .returning();
    return job!;
  });
}

/** The viewer's export jobs (exportJobScope), newest first. */
export async function listExportJobs(db: DbOrTx, viewer: Viewer, page: PageRequest): Promise<ExportJobRow[]> {
  const j = exportJobsTable;
  return db
    .select()
    .from(j)
    .where(and(exportJobCondition(viewer, { requestedBySub: j.requestedBySub, association: j.associationId }), pageCondition(page, j.id, 'desc')))
    .orderBy(pageOrderBy(page, 'desc', j.id))
    .limit(page.limit + 1);
}

export async function countExportJobs(db: DbOrTx, viewer: Viewer): Promise<number> {
  const j = exportJobsTable;
  const [row] = await db.select({ n: count() }).from(j).where(exportJobCondition(viewer, { requestedBySub: j.requestedBySub, association: j.associationId }));
  return row?.n ?? 0;
}

/** node(id) / nodes(ids) and the download routes: the same rule; another's job loads as a missing one. */
export async function loadExportJobsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<ExportJobRow[]> {
  if (ids.length === 0) return [];
  const j = exportJobsTable;
  return db
    .select()
    .from(j)
    .where(and(exportJobCondition(viewer, { requestedBySub: j.requestedBySub, association: j.associationId }), inArray(j.id, [...ids])));
}

export async function findExportJob(db: DbOrTx, viewer: Viewer, id: number): Promise<ExportJobRow | null> {
  return (await loadExportJobsByIds(db, viewer, [id]))[0] ?? null;
}

/** Chunks of a file read per statement when serving it: a download holds this many in memory at most. */
export const CHUNKS_PER_READ = 8;

/** The chunks of a job's file after `afterSeq`, in order (the file is complete once the job SUCCEEDED). */
export async function readExportChunks(db: DbOrTx, jobId: number, afterSeq: number, limit = CHUNKS_PER_READ): Promise<{ seq: number; data: Buffer }[]> {
  const c = exportChunksTable;
  return db
    .select({ seq: c.seq, data: c.data })
    .from(c)
    .where(and(eq(c.jobId, jobId), gt(c.seq, afterSeq)))
    .orderBy(asc(c.seq))
    .limit(limit);
}

/** Media types and file extensions of the formats. */
export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = { CSV: 'text/csv; charset=utf-8', JSONL: 'application/x-ndjson; charset=utf-8' };
export const EXPORT_EXTENSIONS: Record<ExportFormat, string> = { CSV: 'csv', JSONL: 'jsonl' };
