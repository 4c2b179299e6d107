// GET /exports/{id} and GET /exports/{id}/manifest: the file of a finished export job (src/exports) and its manifest.
//
// Authorized like the graph (exportJobScope): a bearer token of a viewer who may see the job; no token is 401, a job
// that does not exist or that the viewer may not see 404 alike, one not finished 409. The file is streamed from its
// chunks with its SHA-256 as Repr-Digest (RFC 9530), Digest (RFC 3230) and the ETag; If-None-Match with it is 304.
import type { ViewerResolver } from '../../auth/authenticate.js';
import { recordDataAccess } from '../../data-access/data-access.service.js';
import type { Db } from '../../db/client.js';
import { CHUNKS_PER_READ, EXPORT_EXTENSIONS, EXPORT_MEDIA_TYPES, findExportJob, readExportChunks } from '../../exports/exports.service.js';
import type { ExportJobRow } from '../../exports/exports.table.js';
import { encodeGlobalId, parseGlobalIdOf } from '../../global-id.js';
import type { Logger } from '../../logger.js';
import { authenticatedGet, sendError, sendJson, type Route } from '../http.js';
import { writer } from './csv.route.js';

export const EXPORTS_PREFIX = '/exports/';
const PATH = /^\/exports\/([A-Za-z0-9_-]{1,64})(\/manifest)?$/;
const NO_STORE = { 'cache-control': 'no-store' };

/** The manifest of a finished job, as GET /exports/{id}/manifest answers it. */
export function exportManifest(job: ExportJobRow) {
  const id = encodeGlobalId('ExportJob', job.id);
  return {
    exportJob: id,
    kind: job.kind,
    format: job.format,
    filter: job.filter,
    rows: job.rowCount,
    bytes: job.byteSize,
    sha256: job.sha256,
    createdAt: job.finishedAt?.toISOString() ?? null,
    requestedAt: job.createdAt.toISOString(),
    download: `${EXPORTS_PREFIX}${id}`,
  };
}

export function exportsRoute(deps: { db: Db; resolveViewer: ViewerResolver; logger: Logger }): Route {
  return async (req, res, url, requestId, cors) => {
    const viewer = await authenticatedGet(req, res, deps.resolveViewer, cors);
    if (!viewer) return;
    const match = PATH.exec(url.pathname);
    const id = match ? parseGlobalIdOf(match[1]!, 'ExportJob') : null;
    const job = id === null || id > 2_147_483_647 ? null : await findExportJob(deps.db, viewer, id);
    if (!job) {
      sendError(res, 404, 'NOT_FOUND', 'Not found', { ...NO_STORE, ...cors });
      return;
    }
    if (job.status !== 'SUCCEEDED') {
      sendError(res, 409, 'NOT_READY', `The export job is ${job.status}: the file exists once it has SUCCEEDED`, { ...NO_STORE, ...cors });
      return;
    }
    if (match![2]) {
      sendJson(res, 200, exportManifest(job), { ...NO_STORE, ...cors });
      return;
    }
    const etag = `"${job.sha256}"`;
    const digest = Buffer.from(job.sha256!, 'hex').toString('base64');
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}`)) {
      res.writeHead(304, { etag, 'cache-control': 'private, no-store', ...cors });
      res.end();
      return;
    }
    // A download is a read of the rows: the regulator's and service accounts' are on the read audit.
    await recordDataAccess(deps.db, viewer, { resource: 'export-file', details: { exportJob: job.id, kind: job.kind, rows: job.rowCount } });
    const fileName = `export-${job.kind.toLowerCase().replace('_', '-')}-${job.id}.${EXPORT_EXTENSIONS[job.format]}`;
    res.writeHead(200, {
      'content-type': EXPORT_MEDIA_TYPES[job.format],
      'content-length': String(job.byteSize),
      'content-disposition': `attachment; filename="${fileName}"`,
      etag,
      'repr-digest': `sha-256=:${digest}:`,
      digest: `sha-256=${digest}`,
      'cache-control': 'private, no-store',
      ...(Object.keys(cors).length > 0 ? { 'access-control-expose-headers': 'content-disposition, etag, repr-digest, digest', ...cors } : {}),
    });
    const write = writer(res);
    try {
      for (let after = 0; ; ) {
        const chunks = await readExportChunks(deps.db, job.id, after);
        for (const c of chunks) if (!(await write(c.data))) return;
        if (chunks.length < CHUNKS_PER_READ) break;
        after = chunks[chunks.length - 1]!.seq;
      }
      if (!res.destroyed) res.end();
    } catch (error) {
      // Headers are gone: the client sees a cut (not a complete-looking) file; Content-Length and the digest tell too.
      deps.logger.error({ err: error, requestId, exportJob: job.id }, 'export download failed midway');
      res.destroy();
    }
  };
}
