// Bulk export jobs (issue 22, docs/EXPORTS.md): every kind in both formats holds what the CSV routes hold, the file's
// SHA-256 is what the manifest and the download's headers say, jobs survive a restart, the completion event reaches
// the requester's association only, and the limits fail clearly.
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataAccessLogTable } from '../src/data-access/data-access.table.js';
import { claimExportJob, ExportClaimEnded, runExportJob, startExportWorker } from '../src/exports/exports.worker.js';
import { exportChunksTable, exportJobsTable } from '../src/exports/exports.table.js';
import { parseGlobalIdOf } from '../src/global-id.js';
import { createLogger } from '../src/logger.js';
import { outboxEventsTable } from '../src/outbox/outbox.table.js';
import { serviceAccountsTable } from '../src/clients/clients.table.js';
import { fanOutEvents } from '../src/webhooks/webhooks.worker.js';
import { webhookDeliveriesTable, webhookSubscriptionsTable } from '../src/webhooks/webhooks.table.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount, staffToken } from './support/integration.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const logger = createLogger('silent');

const START = `mutation($i: StartExportInput!) { startExport(input: $i) {
  exportJob { id kind format status year period from to requestedBy errorCode downloadUrl manifest { sha256 bytes rows format createdAt } }
  userErrors { code field } } }`;
const JOB = `query($id: ID!) { node(id: $id) { ... on ExportJob { id status errorCode downloadUrl manifest { sha256 bytes rows format createdAt } } } }`;

async function start(input: Record<string, unknown>, token = tokens.regulator!) {
  const res = await t.gql(START, { i: input }, { token });
  expect(res.body.errors, res.text).toBeUndefined();
  return res.body.data.startExport;
}

/** Runs every queued job with a fresh worker (as a new instance would after a restart). */
async function drain(maxRows = 1_000_000) {
  const worker = startExportWorker({ db: t.database.db, logger, pollIntervalMs: 60_000, maxRows });
  try {
    await worker.runOnce();
  } finally {
    await worker.stop();
  }
}

async function job(id: string, token = tokens.regulator!) {
  const res = await t.gql(JOB, { id }, { token });
  expect(res.body.errors, res.text).toBeUndefined();
  return res.body.data.node;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const download = (path: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${t.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });

beforeAll(async () => {
  t = await createTestApp();
  tokens.regulator = await t.token('regulator');
  tokens.szsa = await t.token('association');
  tokens.szlca = await staffToken(t, 'SZLCA');
  const all = await newServiceAccount(t, { role: 'regulator', scopes: ['reports:read', 'ratings:read', 'suggestions:read', 'training:read', 'statistics:read'] });
  tokens.saAll = await clientToken(t, all.clientId, all.clientSecret);
  tokens.saAllId = all.clientId;
});
afterAll(async () => {
  await t?.close();
});

const KINDS = [
  { kind: 'RATINGS', input: { year: 2025 }, csv: '/reports/branch-ratings.csv?year=2025' },
  { kind: 'SUGGESTIONS', input: { from: '2020-01-01', to: '2030-12-31' }, csv: '/reports/suggestions.csv?from=2020-01-01&to=2030-12-31' },
  { kind: 'TRAINING_HOURS', input: { year: 2026 }, csv: '/reports/training-hours.csv?year=2026' },
  { kind: 'STATISTICS', input: { period: '2026-10' }, csv: '/reports/statistics.csv?period=2026-10' },
] as const;

describe('export jobs: content and manifest', () => {
  it.each(KINDS)('$kind in CSV and JSONL holds exactly the rows of the CSV route, hashed as the manifest says', async ({ kind, input, csv }) => {
    const expected = Buffer.from(await (await download(csv, tokens.regulator)).arrayBuffer());
    const csvLines = expected.toString('utf8').replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    const header = csvLines[0]!.split(',');
    expect(csvLines.length, 'the seed has rows of this kind').toBeGreaterThan(1);

    const csvJob = await start({ kind, format: 'CSV', ...input });
    const jsonJob = await start({ kind, format: 'JSONL', ...input });
    expect(csvJob.userErrors).toEqual([]);
    expect(csvJob.exportJob).toMatchObject({ kind, format: 'CSV', status: 'QUEUED', manifest: null, downloadUrl: null });
    await drain();

    // CSV: byte for byte the CSV route's file (the same source, columns and formula guard).
    const done = await job(csvJob.exportJob.id);
    expect(done.status).toBe('SUCCEEDED');
    const body = Buffer.from(await (await download(done.downloadUrl, tokens.regulator)).arrayBuffer());
    expect(body.equals(expected)).toBe(true);
    expect(done.manifest).toMatchObject({ sha256: sha256(body), bytes: body.length, rows: csvLines.length - 1, format: 'CSV' });

    // JSON Lines: one object per row, keyed by the CSV's header, the same rows in the same order.
    const doneJson = await job(jsonJob.exportJob.id);
    const res = await download(doneJson.downloadUrl, tokens.regulator);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const jsonBody = Buffer.from(await res.arrayBuffer());
    expect(doneJson.manifest.sha256).toBe(sha256(jsonBody));
    expect(res.headers.get('repr-digest')).toBe(`sha-256=:${createHash('sha256').update(jsonBody).digest('base64')}:`);
    expect(res.headers.get('etag')).toBe(`"${doneJson.manifest.sha256}"`);
    const records = jsonBody.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(records).toHaveLength(csvLines.length - 1);
    expect(Object.keys(records[0])).toEqual(header);
    expect(records.map((r) => String(r[header[0]!]))).toEqual(csvLines.slice(1).map((l) => l.split(',')[0]));

    // The chunks stored are the file.
    const chunks = await t.database.db.select().from(exportChunksTable).where(eq(exportChunksTable.jobId, parseGlobalIdOf(jsonJob.exportJob.id, 'ExportJob')!)).orderBy(exportChunksTable.seq);
    expect(sha256(Buffer.concat(chunks.map((c) => c.data)))).toBe(doneJson.manifest.sha256);
  });

  it('the manifest route answers the sha256; If-None-Match with the ETag is 304; an unfinished job is 409', async () => {
    const started = await start({ kind: 'RATINGS', format: 'CSV', year: 2025 });
    const queued = await download(`/exports/${started.exportJob.id}`, tokens.regulator);
    expect(queued.status).toBe(409);
    await drain();
    const done = await job(started.exportJob.id);
    const manifest = await (await download(`${done.downloadUrl}/manifest`, tokens.regulator)).json();
    expect(manifest).toMatchObject({ exportJob: started.exportJob.id, kind: 'RATINGS', format: 'CSV', sha256: done.manifest.sha256, rows: done.manifest.rows, bytes: done.manifest.bytes, download: done.downloadUrl });
    const again = await download(done.downloadUrl, tokens.regulator, { 'if-none-match': `"${done.manifest.sha256}"` });
    expect(again.status).toBe(304);
    expect(await download(done.downloadUrl)).toHaveProperty('status', 401);
  });

  it('an empty export succeeds with the header only (CSV) or no bytes (JSONL)', async () => {
    const a = await start({ kind: 'RATINGS', format: 'JSONL', year: 2099 });
    await drain();
    const done = await job(a.exportJob.id);
    expect(done.manifest).toMatchObject({ rows: 0, bytes: 0, sha256: sha256(Buffer.alloc(0)) });
  });
});

describe('export jobs: restarts', () => {
  it('a RUNNING job whose lease expired (its instance died mid-file) is resumed by a new worker and completes', async () => {
    const started = await start({ kind: 'SUGGESTIONS', format: 'CSV', from: '2020-01-01', to: '2030-12-31' });
    const id = parseGlobalIdOf(started.exportJob.id, 'ExportJob')!;
    // The first instance claims it, writes part of the file, and dies: its lease runs out.
    const claimed = (await claimExportJob(t.database.db, 'dead-instance', 60))!;
    expect(claimed.id).toBe(id);
    await t.database.db.insert(exportChunksTable).values({ jobId: id, seq: 1, data: Buffer.from('partial garbage') });
    const again = await claimExportJob(t.database.db, 'too-early', 60);
    expect(again, 'a live lease is not taken').toBeNull();
    await t.database.db.update(exportJobsTable).set({ leaseExpiresAt: sql`now() - interval '1 second'` }).where(eq(exportJobsTable.id, id));
    await drain();
    const done = await job(started.exportJob.id);
    expect(done.status).toBe('SUCCEEDED');
    const body = Buffer.from(await (await download(done.downloadUrl, tokens.regulator)).arrayBuffer());
    expect(body.toString('utf8')).not.toContain('partial garbage');
    expect(sha256(body)).toBe(done.manifest.sha256);
    const [row] = await t.database.db.select().from(exportJobsTable).where(eq(exportJobsTable.id, id));
    expect(row!.attempts).toBe(2);
    // The dead instance's late write cannot land: its attempt is no longer the job's.
    await expect(runExportJob(t.database.db, claimed, { maxRows: 1_000_000, leaseSeconds: 60 })).rejects.toBeInstanceOf(ExportClaimEnded);
    await expect(runExportJob(t.database.db, claimed, { maxRows: 1, leaseSeconds: 60 })).rejects.toBeInstanceOf(ExportClaimEnded);
    expect((await job(started.exportJob.id)).manifest.sha256).toBe(done.manifest.sha256);
  });

  it('a job queued while no worker ran (before a restart) completes once a worker starts; a stopping worker hands its job back', async () => {
    const started = await start({ kind: 'RATINGS', format: 'JSONL', year: 2025 });
    expect((await job(started.exportJob.id)).status).toBe('QUEUED');
    // A worker that stops mid-job (SIGTERM) hands it back with its lease ended, for the next one to resume at once.
    const id = parseGlobalIdOf(started.exportJob.id, 'ExportJob')!;
    const claimed = (await claimExportJob(t.database.db, 'stopping-instance', 600))!;
    await expect(runExportJob(t.database.db, claimed, { maxRows: 1_000_000, leaseSeconds: 600, stopping: () => true })).rejects.toBeInstanceOf(ExportClaimEnded);
    await t.database.db.update(exportJobsTable).set({ leaseExpiresAt: sql`now()` }).where(eq(exportJobsTable.id, id));
    await drain();
    expect((await job(started.exportJob.id)).status).toBe('SUCCEEDED');
  });
});

describe('export jobs: completion event, read audit, limits', () => {
  it('export_job.completed is recorded and fans out to the requester association\'s subscriptions and the bureau\'s only', async () => {
    const sub = async (token: string) =>
      (
        await t.gql('mutation { createWebhookSubscription(input: { url: "https://receiver.example/hook", eventTypes: [EXPORT_JOB_COMPLETED] }) { webhookSubscription { id } userErrors { code } } }', {}, { token })
      ).body.data.createWebhookSubscription.webhookSubscription.id as string;
    const szsaSub = parseGlobalIdOf(await sub(tokens.szsa!), 'WebhookSubscription')!;
    const szlcaSub = parseGlobalIdOf(await sub(tokens.szlca!), 'WebhookSubscription')!;
    try {
      const started = await start({ kind: 'SUGGESTIONS', format: 'CSV', from: '2020-01-01', to: '2030-12-31' }, tokens.szsa);
      await drain();
      const id = parseGlobalIdOf(started.exportJob.id, 'ExportJob')!;
      const [event] = await t.database.db
        .select()
        .from(outboxEventsTable)
        .where(and(eq(outboxEventsTable.type, 'export_job.completed'), eq(outboxEventsTable.entityId, id)));
      const done = await job(started.exportJob.id, tokens.szsa);
      expect(event!.associationId).toBe(1);
      expect(event!.payload).toMatchObject({ exportJob: started.exportJob.id, status: 'SUCCEEDED', sha256: done.manifest.sha256, rows: done.manifest.rows, downloadPath: done.downloadUrl });
      while ((await fanOutEvents(t.database.db)) > 0);
      const deliveries = await t.database.db.select().from(webhookDeliveriesTable).where(eq(webhookDeliveriesTable.outboxEventId, event!.id));
      expect(deliveries.map((d) => d.subscriptionId)).toContain(szsaSub);
      expect(deliveries.map((d) => d.subscriptionId)).not.toContain(szlcaSub);
    } finally {
      await t.database.db.update(webhookSubscriptionsTable).set({ disabledAt: sql`now()` }).where(sql`${webhookSubscriptionsTable.disabledAt} is null`);
    }
  });

  it("the regulator's and a service account's exports are on the read audit; the association's staff's are not", async () => {
    const before = await t.database.db.select({ id: dataAccessLogTable.id }).from(dataAccessLogTable);
    const a = await start({ kind: 'STATISTICS', format: 'CSV', period: '2026-10' }, tokens.saAll);
    await start({ kind: 'STATISTICS', format: 'CSV', period: '2026-10' }, tokens.szsa);
    await drain();
    const entries = (await t.database.db.select().from(dataAccessLogTable)).filter((e) => !before.some((b) => b.id === e.id));
    expect(entries.map((e) => [e.resource, e.clientId])).toEqual([['export:statistics', tokens.saAllId]]);
    expect(entries[0]!.details).toMatchObject({ period: '2026-10', exportJob: parseGlobalIdOf(a.exportJob.id, 'ExportJob'), format: 'CSV' });
  });

  it('more rows than EXPORT_MAX_ROWS fail with ROW_LIMIT_EXCEEDED and keep no file', async () => {
    const started = await start({ kind: 'RATINGS', format: 'CSV', year: 2025 });
    await drain(1);
    const done = await job(started.exportJob.id);
    expect(done).toMatchObject({ status: 'FAILED', errorCode: 'ROW_LIMIT_EXCEEDED', manifest: null, downloadUrl: null });
    const chunks = await t.database.db.select().from(exportChunksTable).where(eq(exportChunksTable.jobId, parseGlobalIdOf(started.exportJob.id, 'ExportJob')!));
    expect(chunks).toEqual([]);
    expect((await download(`/exports/${started.exportJob.id}`, tokens.regulator)).status).toBe(409);
  });

  it('a principal with EXPORT_MAX_ACTIVE_JOBS jobs waiting gets LIMIT_EXCEEDED; others are unaffected', async () => {
    const token = await t.token('regulator', undefined, 600, {});
    const busy = await t.token('association', undefined, 600, { association: 'SZSA' });
    for (let i = 0; i < t.config.EXPORT_MAX_ACTIVE_JOBS; i++) expect((await start({ kind: 'RATINGS', format: 'CSV', year: 2025 }, busy)).userErrors).toEqual([]);
    const refused = await start({ kind: 'RATINGS', format: 'CSV', year: 2025 }, busy);
    expect(refused).toEqual({ exportJob: null, userErrors: [{ code: 'LIMIT_EXCEEDED', field: null }] });
    expect((await start({ kind: 'RATINGS', format: 'CSV', year: 2025 }, token)).userErrors).toEqual([]);
    await drain();
  });

  it('parameters that do not fit the kind are INVALID and write nothing', async () => {
    const [before] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(exportJobsTable);
    for (const input of [
      { kind: 'SUGGESTIONS', format: 'CSV' },
      { kind: 'SUGGESTIONS', format: 'CSV', from: '2026-03-02', to: '2026-03-01' },
      { kind: 'RATINGS', format: 'JSONL' },
      { kind: 'RATINGS', format: 'JSONL', year: 1999 },
      { kind: 'STATISTICS', format: 'CSV', period: '2026-13' },
      { kind: 'TRAINING_HOURS', format: 'CSV', period: '2026' },
    ]) {
      const res = await start(input);
      expect(res.exportJob, JSON.stringify(input)).toBeNull();
      expect(res.userErrors[0].code).toBe('INVALID');
    }
    const [after] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(exportJobsTable);
    expect(after!.n).toBe(before!.n);
  });

  it('a service account disabled (or losing the scope) before its job runs: the job fails with REQUESTER_NOT_ALLOWED', async () => {
    const sa = await newServiceAccount(t, { role: 'regulator', scopes: ['reports:read', 'ratings:read'] });
    const token = await clientToken(t, sa.clientId, sa.clientSecret);
    const started = await start({ kind: 'RATINGS', format: 'CSV', year: 2025 }, token);
    await t.database.db.update(serviceAccountsTable).set({ scopes: ['reports:read'] }).where(eq(serviceAccountsTable.clientId, sa.clientId));
    await drain();
    const [row] = await t.database.db.select().from(exportJobsTable).where(eq(exportJobsTable.id, parseGlobalIdOf(started.exportJob.id, 'ExportJob')!));
    expect(row).toMatchObject({ status: 'FAILED', errorCode: 'REQUESTER_NOT_ALLOWED' });
  });

  it('exportJobs lists the caller\'s jobs newest first, in a number of statements that does not grow with the page', async () => {
    const list = `query($first: Int) { exportJobs(first: $first) { totalCount edges { node { id kind status manifest { sha256 } downloadUrl } } } }`;
    const regulator = { role: 'REGULATOR' as const, subject: 'test:regulator:', organizationId: null };
    const one = await t.countedExecute(list, { first: 1 }, regulator);
    const many = await t.countedExecute(list, { first: 20 }, regulator);
    expect(many.body.data.exportJobs.edges.length).toBeGreaterThan(3);
    expect(many.count).toBe(one.count);
    const ids = many.body.data.exportJobs.edges.map((e: any) => parseGlobalIdOf(e.node.id, 'ExportJob'));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });
});
