// POST /training/view-events: the video platform's view records as NDJSON (src/training/training.ingest.ts). The body
// is parsed line by line as it arrives (a line is held only until its newline; an over-long line is skipped, not
// buffered); at most MAX_VIEW_EVENT_BYTES and MAX_VIEW_EVENT_LINES per request, else 413 with a clear error.
import type { IncomingMessage } from 'node:http';
import type { ViewerResolver } from '../../auth/authenticate.js';
import { viewEventIngestScope } from '../../auth/policy.js';
import type { Db } from '../../db/client.js';
import type { Logger } from '../../logger.js';
import {
  ingestViewEvents,
  isRejected,
  MAX_VIEW_EVENT_BYTES,
  MAX_VIEW_EVENT_LINE_BYTES,
  MAX_VIEW_EVENT_LINES,
  parseViewEventLine,
  type RejectedLine,
  type ViewEventRow,
} from '../../training/training.ingest.js';
import { HttpError, sendError, sendJson, type Route } from '../http.js';
import { ingestionCounts } from '../../ingestion.js';

export const VIEW_EVENTS_PATH = '/training/view-events';

export interface TrainingRouteDeps {
  db: Db;
  resolveViewer: ViewerResolver;
  logger: Logger;
}

const NO_STORE = { 'cache-control': 'no-store' };
const NDJSON = /^application\/(x-ndjson|jsonl|x-jsonlines)\s*(;|$)/i;

/** Reads the body line by line, validating each; refuses (413) past the byte or line limit. */
async function parseBody(req: IncomingMessage): Promise<{ rows: ViewEventRow[]; rejected: RejectedLine[] }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_VIEW_EVENT_BYTES) {
    req.resume();
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is too large: at most ${MAX_VIEW_EVENT_BYTES} bytes per request`);
  }
  const rows: ViewEventRow[] = [];
  const rejected: RejectedLine[] = [];
  const now = Date.now();
  let line = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let total = 0;
  const finishLine = () => {
    line += 1;
    if (line > MAX_VIEW_EVENT_LINES) {
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Too many lines: at most ${MAX_VIEW_EVENT_LINES} events per request; send the rest in another request`);
    }
    if (tooLong) {
      rejected.push({ line, reason: `line longer than ${MAX_VIEW_EVENT_LINE_BYTES} bytes` });
    } else {
      const text = Buffer.concat(pending, pendingBytes).toString('utf8').replace(/\r$/, '');
      const parsed = parseViewEventLine(text, line, now);
      if (parsed) (isRejected(parsed) ? rejected : rows).push(parsed as never);
    }
    pending = [];
    pendingBytes = 0;
    tooLong = false;
  };
  const onChunk = (chunk: Buffer) => {
    total += chunk.length;
    if (total > MAX_VIEW_EVENT_BYTES) {
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `Request body is too large: at most ${MAX_VIEW_EVENT_BYTES} bytes per request`);
    }
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline !== -1; newline = chunk.indexOf(10, start)) {
      if (!tooLong) {
        pending.push(chunk.subarray(start, newline));
        pendingBytes += newline - start;
        if (pendingBytes > MAX_VIEW_EVENT_LINE_BYTES) tooLong = true;
      }
      finishLine();
      start = newline + 1;
    }
    if (start < chunk.length && !tooLong) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_VIEW_EVENT_LINE_BYTES) {
        tooLong = true;
        pending = [];
      }
    }
  };
  // Listeners, not an async iterator: on a refusal the rest of the body is drained (bounded by the request timeout)
  // so the 413 reaches the client, as readBody does.
  await new Promise<void>((resolve, reject) => {
    const data = (chunk: Buffer) => {
      try {
        onChunk(chunk);
      } catch (error) {
        req.off('data', data);
        req.resume();
        reject(error);
      }
    };
    req.on('data', data);
    req.on('end', () => resolve());
    req.on('error', reject);
  });
  if (pendingBytes > 0 || tooLong) finishLine();
  return { rows, rejected };
}

/**
 * 401 without a token, 403 unless a service account holding training:write, 405 for other methods, 415 for another
 * content type, 413 past the limits; otherwise 200 `{"accepted","duplicates","rejected":[{"line","reason"}]}`.
 */
export function trainingViewEventsRoute(deps: TrainingRouteDeps): Route {
  return async (req, res, _url, _requestId, cors) => {
    if ((req.method ?? 'GET').toUpperCase() !== 'POST') {
      sendError(res, 405, 'BAD_REQUEST', 'Method not allowed: use POST', { ...NO_STORE, allow: 'POST', ...cors });
      return;
    }
    const viewer = await deps.resolveViewer(req.headers.authorization);
    if (viewer.role === 'ANONYMOUS') {
      req.resume();
      sendError(res, 401, 'UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <token> of a service account', { ...NO_STORE, 'www-authenticate': 'Bearer', ...cors });
      return;
    }
    const scope = viewEventIngestScope(viewer);
    if (!scope) {
      req.resume();
      sendError(res, 403, 'FORBIDDEN', 'Forbidden: a service account holding training:write only', { ...NO_STORE, ...cors });
      return;
    }
    if (!NDJSON.test(req.headers['content-type'] ?? '')) {
      req.resume();
      sendError(res, 415, 'BAD_REQUEST', 'Content-Type must be application/x-ndjson (one JSON object per line)', { ...NO_STORE, ...cors });
      return;
    }
    const { rows, rejected } = await parseBody(req);
    const result = await ingestViewEvents(deps.db, scope, rows);
    const all = [...rejected, ...result.rejected].sort((a, b) => a.line - b.line);
    const counts = ingestionCounts.trainingViewEvents;
    counts.accepted += result.accepted;
    counts.duplicate += result.duplicates;
    counts.rejected += all.length;
    sendJson(res, 200, { accepted: result.accepted, duplicates: result.duplicates, rejected: all }, { ...NO_STORE, ...cors });
  };
}
