// GET /reports/branch-ratings.csv?year=YYYY and GET /reports/suggestions.csv?from=YYYY-MM-DD&to=YYYY-MM-DD: the HTTP
// side of the exports of src/reports/reports.csv.ts (who asks, what it costs, the read record, streaming).
import type { ServerResponse } from 'node:http';
import type { ViewerResolver } from '../../auth/authenticate.js';
import { recordDataAccess } from '../../data-access/data-access.service.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import { chargeBudget } from '../../rate-limit/charge.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import { CSV_EXPORT_COST, planCsvExport } from '../../reports/reports.csv.js';
import { authenticatedGet, sendError, type Route } from '../http.js';

export interface CsvRouteDeps {
  db: Db;
  resolveViewer: ViewerResolver;
  logger: Logger;
  /** Charged CSV_EXPORT_COST per export when enabled. */
  limiter?: RateLimiter;
}

/** Refusals are never cached: they depend on the token and the budget of the moment. */
const NO_STORE = { 'cache-control': 'no-store' };

/** `attachment` with an ASCII file name and its UTF-8 form (RFC 6266 / RFC 8187). */
function contentDisposition(fileName: string, fileNameZh: string): string {
  return `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(fileNameZh)}`;
}

/**
 * Resolves true once the response can take more, false when the client has gone away: waiting for 'drain' is
 * what keeps a slow reader from making the server buffer the whole export.
 */
export function writer(res: ServerResponse): (chunk: string | Buffer) => Promise<boolean> {
  return (chunk) => {
    if (res.destroyed) return Promise.resolve(false);
    if (res.write(chunk)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve(!res.destroyed);
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
}

/**
 * 401 without a token (a bad token throws AuthenticationError for the app to answer), 403 for viewers who may not
 * read the export, 400 for bad parameters, 429 over budget; otherwise 200 and the file.
 */
export function csvRoute(deps: CsvRouteDeps): Route {
  return async (req, res, url, requestId, cors) => {
    const viewer = await authenticatedGet(req, res, deps.resolveViewer, cors);
    if (!viewer) return;
    const plan = planCsvExport(deps.db, viewer, url);
    if ('status' in plan) {
      sendError(res, plan.status, plan.code, plan.message, { ...NO_STORE, ...cors });
      return;
    }
    const charge = await chargeBudget(deps.limiter, `sub:${viewer.subject}`, CSV_EXPORT_COST, 'cap');
    if (typeof charge === 'object' && !charge.allowed) {
      sendError(res, 429, 'RATE_LIMITED', `Rate limit exceeded: an export costs ${CSV_EXPORT_COST} points; retry in ${charge.retryAfterSeconds} s`, {
        ...NO_STORE,
        'retry-after': String(charge.retryAfterSeconds),
        ...cors,
      });
      return;
    }
    // Recorded before the first row leaves, so an export cut short is on the record too.
    await recordDataAccess(deps.db, viewer, { resource: plan.resource, details: plan.details });

    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': contentDisposition(plan.fileName, plan.fileNameZh),
      'cache-control': 'no-store',
      ...(Object.keys(cors).length > 0 ? { 'access-control-expose-headers': 'content-disposition', ...cors } : {}),
    });
    const write = writer(res);
    try {
      if (!(await write(plan.head))) return;
      await plan.rows(write);
      if (!res.destroyed) res.end();
    } catch (error) {
      // Headers are gone: the client sees a truncated (not a complete-looking) file, because the chunked body never ends.
      deps.logger.error({ err: error, requestId, export: plan.resource }, 'CSV export failed midway');
      res.destroy();
    }
  };
}
