// GET /reports/suggestion-forwardings/{SuggestionForwarding global id}.html: the consolidated forwarding letter
// (汇总报告) of one batch (SuggestionForwarding.letterUrl), printable.
//
// Authorized like the forwarding itself (mayReadForwardingLetter): only a request carrying the bearer token of the
// forwarding association's staff or of the regulator (a service account only with suggestions:read) gets it; to
// anyone else — another association, a member, an anonymous browser — it is 404, exactly like a batch that does not
// exist. A bad or expired token is 401, as everywhere. Never cached.
import type { ViewerResolver } from '../../auth/authenticate.js';
import type { Db } from '../../db/client.js';
import { parseGlobalIdOf } from '../../global-id.js';
import { FORWARDING_LETTER_PATH, renderForwardingLetterHtml } from '../../suggestions/suggestions.letter.js';
import { findForwardingLetter } from '../../suggestions/suggestions.service.js';
import { sendError, type Route } from '../http.js';

export { FORWARDING_LETTER_PREFIX } from '../../suggestions/suggestions.letter.js';

export function forwardingLetterRoute(deps: { db: Db; resolveViewer: ViewerResolver }): Route {
  return async (req, res, url, _requestId, cors) => {
    if ((req.method ?? 'GET').toUpperCase() !== 'GET') {
      sendError(res, 405, 'BAD_REQUEST', 'Method not allowed', { 'cache-control': 'no-store', allow: 'GET', ...cors });
      return;
    }
    const viewer = await deps.resolveViewer(req.headers.authorization);
    const match = FORWARDING_LETTER_PATH.exec(url.pathname);
    const batchId = match ? parseGlobalIdOf(match[1]!, 'SuggestionForwarding') : null;
    const letter = await findForwardingLetter(deps.db, viewer, batchId);
    if (!letter) {
      sendError(res, 404, 'NOT_FOUND', 'Not found', { 'cache-control': 'no-store', ...cors });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'private, no-store',
      // Everything is inline: no script runs, nothing loads from elsewhere.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      'x-robots-tag': 'noindex',
      ...cors,
    });
    res.end(renderForwardingLetterHtml(letter));
  };
}
