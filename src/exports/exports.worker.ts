// The export worker: claims queued export jobs (and running ones whose lease ran out: the instance running them stopped
// or died), writes the file into export_chunks batch by batch while hashing it, and finishes the job with its manifest
// and an export_job.completed event. Safe to run in several API instances at once.
//
// - A claim is one statement: the oldest open job, FOR UPDATE SKIP LOCKED, becomes RUNNING with the next attempt
//   number and a lease. On PGlite (one connection) SKIP LOCKED never meets a lock and the statement behaves the same.
// - Every batch extends the lease in the transaction that stores its chunk, and only while the claim is still ours
//   (same attempt number); a worker that lost its claim stops at its next batch without writing.
// - A resumed job starts its file again (the hash is over the whole file and cannot be saved halfway): the chunks of
//   the earlier attempt are deleted when the new attempt starts.
import { startPoller } from '../poller.js';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Viewer } from '../auth/viewer.js';
import { serviceAccountsTable } from '../clients/clients.table.js';
import type { ServiceAccountScope } from '../clients/scopes.js';
import { recordDataAccess } from '../data-access/data-access.service.js';
import type { Db, DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import { runInTransaction } from '../db/transaction.js';
import { encodeGlobalId } from '../global-id.js';
import type { Logger } from '../logger.js';
import { enqueueEvent } from '../outbox/outbox.service.js';
import { BOM, csvRow, exportSource, headerRow, jsonLine, type Column, type ExportSource } from '../reports/reports.csv.js';
import { exportChunksTable, exportJobsTable, type ExportJobRow } from './exports.table.js';

/** Rows read per statement and written per chunk. */
export const EXPORT_BATCH_SIZE = 500;
/** A job whose runs keep failing unexpectedly (not a refusal or the row limit) fails for good after this many claims. */
export const EXPORT_MAX_ATTEMPTS = 5;
export const DEFAULT_EXPORT_LEASE_SECONDS = 60;

/** Why a job failed (ExportJob.errorCode). */
export type ExportErrorCode = 'ROW_LIMIT_EXCEEDED' | 'REQUESTER_NOT_ALLOWED' | 'INTERNAL';

export interface ExportWorkerOptions {
  db: Db;
  logger: Logger;
  pollIntervalMs: number;
  /** EXPORT_MAX_ROWS: a job with more rows fails with ROW_LIMIT_EXCEEDED and keeps no file. */
  maxRows: number;
  leaseSeconds?: number;
  workerId?: string;
}

export interface ExportWorker {
  readonly workerId: string;
  /** Claims and runs jobs until none is due; resolves to how many it finished (succeeded or failed). */
  runOnce(): Promise<number>;
  /** Stops polling; a job being written is handed back (its lease ended now) for another instance to resume. */
  stop(): Promise<void>;
}

/** The claim lost (another worker took the job after our lease ran out), or the worker stopping: leave the job. */
export class ExportClaimEnded extends Error {}

/**
 * Claims the oldest open job for `workerId`: a QUEUED one, or a RUNNING one whose lease has passed or ends now (a
 * stopping worker hands its job back with its lease ended at `now()`; on the embedded database the next claim can
 * read the same clock tick).
 */
export async function claimExportJob(db: DbOrTx, workerId: string, leaseSeconds: number): Promise<ExportJobRow | null> {
  const claimed = rowsOf<{ id: number }>(
    await db.execute(sql`
      with next as (
        select j.id from ${exportJobsTable} j
        where j.status = 'QUEUED' or (j.status = 'RUNNING' and j.lease_expires_at <= now())
        order by j.id
        limit 1
        for update skip locked
      )
      update ${exportJobsTable} j
      set status = 'RUNNING', attempts = j.attempts + 1, claimed_by = ${workerId},
          lease_expires_at = now() + make_interval(secs => ${leaseSeconds}), started_at = coalesce(j.started_at, now())
      from next where j.id = next.id
      returning j.id`),
  );
  if (claimed.length === 0) return null;
  const [job] = await db.select().from(exportJobsTable).where(eq(exportJobsTable.id, Number(claimed[0]!.id)));
  return job ?? null;
}

/**
 * The viewer the job runs as: the requester when it was started; a service account with its scopes of now, narrowed
 * to those it held then (a scope taken away since stops the job), and none when it is disabled.
 */
export async function requesterViewer(db: DbOrTx, job: ExportJobRow): Promise<Viewer | null> {
  const r = job.requester;
  if (r.serviceAccountId === null) return { role: r.role, subject: r.subject, organizationId: null, associationId: r.associationId };
  const [account] = await db
    .select({ id: serviceAccountsTable.id, clientId: serviceAccountsTable.clientId, scopes: serviceAccountsTable.scopes, disabledAt: serviceAccountsTable.disabledAt })
    .from(serviceAccountsTable)
    .where(eq(serviceAccountsTable.id, r.serviceAccountId));
  if (!account || account.disabledAt !== null) return null;
  const scopes = (account.scopes as ServiceAccountScope[]).filter((s) => r.scopes?.includes(s));
  return { role: r.role, subject: r.subject, organizationId: null, associationId: r.associationId, serviceAccount: { id: account.id, clientId: account.clientId, scopes } };
}

/** The condition that the claim of attempt `attempt` is still ours. */
const stillOurs = (job: ExportJobRow) => and(eq(exportJobsTable.id, job.id), eq(exportJobsTable.attempts, job.attempts), eq(exportJobsTable.status, 'RUNNING'));

/** The event both endings send: the job and its manifest, never rows. */
function completionPayload(job: ExportJobRow, outcome: { status: 'SUCCEEDED' | 'FAILED'; rows: number | null; bytes: number | null; sha256: string | null; errorCode: ExportErrorCode | null }) {
  const id = encodeGlobalId('ExportJob', job.id);
  return {
    exportJob: id,
    status: outcome.status,
    kind: job.kind,
    format: job.format,
    filter: job.filter,
    rows: outcome.rows,
    bytes: outcome.bytes,
    sha256: outcome.sha256,
    errorCode: outcome.errorCode,
    downloadPath: outcome.status === 'SUCCEEDED' ? `/exports/${id}` : null,
    manifestPath: outcome.status === 'SUCCEEDED' ? `/exports/${id}/manifest` : null,
  };
}

async function failJob(db: DbOrTx, job: ExportJobRow, errorCode: ExportErrorCode): Promise<boolean> {
  return runInTransaction(db, async (tx) => {
    const updated = await tx
      .update(exportJobsTable)
      .set({ status: 'FAILED', errorCode, finishedAt: sql`now()`, leaseExpiresAt: null, rowCount: null, byteSize: null, sha256: null })
      .where(stillOurs(job))
      .returning({ id: exportJobsTable.id });
    if (updated.length === 0) return false;
    await tx.delete(exportChunksTable).where(eq(exportChunksTable.jobId, job.id));
    await enqueueEvent(tx, {
      type: 'export_job.completed',
      entityType: 'ExportJob',
      entityId: job.id,
      associationId: job.associationId,
      payload: completionPayload(job, { status: 'FAILED', rows: null, bytes: null, sha256: null, errorCode }),
    });
    return true;
  });
}

/**
 * Writes the job's file and finishes it (SUCCEEDED with its manifest, or FAILED with a code). Throws ExportClaimEnded when the
 * claim is lost or `stopping()` turns true midway; other errors leave the job RUNNING for its lease to run out.
 */
export async function runExportJob(
  db: DbOrTx,
  job: ExportJobRow,
  options: { maxRows: number; leaseSeconds: number; stopping?: () => boolean; batchSize?: number },
): Promise<'SUCCEEDED' | 'FAILED'> {
  const fail = async (code: ExportErrorCode): Promise<'FAILED'> => {
    if (!(await failJob(db, job, code))) throw new ExportClaimEnded();
    return 'FAILED';
  };
  if (job.attempts > EXPORT_MAX_ATTEMPTS) return fail('INTERNAL');
  const viewer = await requesterViewer(db, job);
  const source: ExportSource | { status: number } | null = viewer && exportSource(db, viewer, job.kind, job.filter);
  if (!viewer || !source || 'status' in source) return fail('REQUESTER_NOT_ALLOWED');
  const batchSize = options.batchSize ?? EXPORT_BATCH_SIZE;
  const columns = source.columns as readonly Column<unknown>[];
  const line = job.format === 'CSV' ? (row: unknown) => csvRow(columns, row) : (row: unknown) => jsonLine(columns, row);
  /** Extends the lease and runs `write` in one transaction, only while the claim is still ours. */
  const whileOurs = (write: (tx: DbOrTx) => Promise<unknown>) =>
    runInTransaction(db, async (tx) => {
      const held = await tx
        .update(exportJobsTable)
        .set({ leaseExpiresAt: sql`now() + make_interval(secs => ${options.leaseSeconds})` })
        .where(stillOurs(job))
        .returning({ id: exportJobsTable.id });
      if (held.length === 0) throw new ExportClaimEnded();
      await write(tx);
    });
  // The earlier attempt's chunks (a resumed job) go: the file starts again.
  await whileOurs((tx) => tx.delete(exportChunksTable).where(eq(exportChunksTable.jobId, job.id)));

  const hash = createHash('sha256');
  let seq = 0;
  let rows = 0;
  let bytes = 0;
  let pending = job.format === 'CSV' ? BOM + headerRow(columns) : '';
  let after = 0;
  for (;;) {
    if (options.stopping?.()) throw new ExportClaimEnded();
    const batch = await source.batch(after, batchSize);
    rows += batch.length;
    if (rows > options.maxRows) return fail('ROW_LIMIT_EXCEEDED');
    for (const row of batch) pending += line(row);
    const last = batch.length < batchSize;
    if (pending.length > 0) {
      const data = Buffer.from(pending, 'utf8');
      pending = '';
      hash.update(data);
      bytes += data.length;
      seq += 1;
      const chunkSeq = seq;
      await whileOurs((tx) => tx.insert(exportChunksTable).values({ jobId: job.id, seq: chunkSeq, data }));
    }
    if (last) break;
    after = source.idOf(batch[batch.length - 1]);
  }
  const sha256 = hash.digest('hex');
  const finished = await runInTransaction(db, async (tx) => {
    const updated = await tx
      .update(exportJobsTable)
      .set({ status: 'SUCCEEDED', rowCount: rows, byteSize: bytes, sha256, errorCode: null, finishedAt: sql`now()`, leaseExpiresAt: null })
      .where(stillOurs(job))
      .returning({ id: exportJobsTable.id });
    if (updated.length === 0) return false;
    // The export is a read of the data by the requester: the regulator's and service accounts' are on the read audit.
    await recordDataAccess(tx, viewer, { resource: `export:${source.name}`, details: { ...source.details, exportJob: job.id, format: job.format, rows } });
    await enqueueEvent(tx, {
      type: 'export_job.completed',
      entityType: 'ExportJob',
      entityId: job.id,
      associationId: job.associationId,
      payload: completionPayload(job, { status: 'SUCCEEDED', rows, bytes, sha256, errorCode: null }),
    });
    return true;
  });
  if (!finished) throw new ExportClaimEnded();
  return 'SUCCEEDED';
}

export function startExportWorker(options: ExportWorkerOptions): ExportWorker {
  const { db } = options;
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_EXPORT_LEASE_SECONDS;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = options.logger.child({ component: 'exports', workerId });
  async function round(): Promise<number> {
    let finished = 0;
    while (!poller.stopping) {
      const job = await claimExportJob(db, workerId, leaseSeconds);
      if (!job) break;
      try {
        const status = await runExportJob(db, job, { maxRows: options.maxRows, leaseSeconds, stopping: () => poller.stopping });
        finished += 1;
        log.info({ exportJob: job.id, kind: job.kind, format: job.format, attempt: job.attempts, status }, 'export job finished');
      } catch (error) {
        if (error instanceof ExportClaimEnded) {
          if (poller.stopping) {
            // Handed back: the lease ends now, so another instance (or this one after a restart) resumes it at once.
            await db.update(exportJobsTable).set({ leaseExpiresAt: sql`now()` }).where(stillOurs(job));
            log.info({ exportJob: job.id }, 'export job handed back at shutdown');
          } else log.warn({ exportJob: job.id }, 'export job claim lost to another worker');
        } else {
          // The database went away or a bug: the lease runs out and a later claim retries (EXPORT_MAX_ATTEMPTS in all).
          log.error({ err: error, exportJob: job.id, attempt: job.attempts }, 'export job failed unexpectedly; it will be retried');
          break;
        }
      }
    }
    return finished;
  }

  const poller = startPoller(round, {
    nextDelayMs: () => options.pollIntervalMs,
    onError: (error) => log.error({ err: error }, 'export round failed'),
  });
  return { workerId, runOnce: poller.runOnce, stop: poller.stop };
}
