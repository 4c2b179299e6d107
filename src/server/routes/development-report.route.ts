// GET /reports/development/{year}.html[?association=SZLCA]: the development report's page (DevelopmentReport.htmlUrl).
//
// Authorized like the graph (developmentReportScope): a PUBLISHED report is public, so a plain browser link works
// without a token; an EMBARGOED (or DRAFT) report is served only to a request carrying the bearer token of a viewer who
// may read it (its association's staff, the regulator) and is 404 — exactly like a report that does not exist — to
// anyone else. A bad or expired token is 401, as everywhere. Non-public pages are never cached.
import { ASSOCIATION_IDS, type AssociationCode } from '../../associations/associations.table.js';
import type { ViewerResolver } from '../../auth/authenticate.js';
import type { Db } from '../../db/client.js';
import { renderDevelopmentReportHtml } from '../../statistics/statistics.html.js';
import { findDevelopmentReport } from '../../statistics/statistics.reports.js';
import { sendError, type Route } from '../http.js';

export const DEVELOPMENT_REPORT_PREFIX = '/reports/development/';
const PATH = /^\/reports\/development\/(\d{4})\.html$/;

export function developmentReportRoute(deps: { db: Db; resolveViewer: ViewerResolver }): Route {
  return async (req, res, url, _requestId, cors) => {
    if ((req.method ?? 'GET').toUpperCase() !== 'GET') {
      sendError(res, 405, 'BAD_REQUEST', 'Method not allowed', { 'cache-control': 'no-store', allow: 'GET', ...cors });
      return;
    }
    const viewer = await deps.resolveViewer(req.headers.authorization);
    const match = PATH.exec(url.pathname);
    const code = (url.searchParams.get('association') ?? 'SZSA') as AssociationCode;
    const associationId = Object.hasOwn(ASSOCIATION_IDS, code) ? ASSOCIATION_IDS[code] : undefined;
    const report = match && associationId !== undefined ? await findDevelopmentReport(deps.db, viewer, associationId, Number(match[1])) : null;
    if (!report) {
      sendError(res, 404, 'NOT_FOUND', 'Not found', { 'cache-control': 'no-store', ...cors });
      return;
    }
    const html = renderDevelopmentReportHtml(report);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': report.status === 'PUBLISHED' ? 'public, max-age=300' : 'private, no-store',
      // Everything is inline: no script runs, nothing loads from elsewhere.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      ...(report.status === 'PUBLISHED' ? {} : { 'x-robots-tag': 'noindex' }),
      ...cors,
    });
    res.end(html);
  };
}
