// How answers leave the HTTP layer: JSON bodies, `{"errors":[{message,extensions:{code}}]}` refusals, the mapping of
// a thrown error to its answer, bounded body reading and CORS. Every route writes through these.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthenticationError, type ViewerResolver } from '../auth/authenticate.js';
import type { Viewer } from '../auth/viewer.js';
import { isTransientDatabaseError } from '../db/errors.js';
import type { Logger } from '../logger.js';
import { localeOfRequest, localizeMessage } from './error-language.js';
import { activeTraceId } from '../tracing.js';
import { RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE_MESSAGE } from './format-error.js';

/** One route: what it needs of the request, and the CORS headers the app computed for it. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, cors: Record<string, string>) => Promise<void> | void;

/** A refusal a route throws; `answerThrown` writes it as a GraphQL-style error with its status and code. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The error shape GraphQL clients already parse, for answers outside GraphQL too (CSV exports, transport refusals).
 * `message` is the English wording; the answer is in the language the request asks for (src/server/error-language.ts).
 */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  // With tracing on, the request's trace id (extensions.traceId), as GraphQL errors carry it; off, there is none.
  const traceId = activeTraceId();
  sendJson(res, status, { errors: [{ message: localizeMessage(message, code, localeOfRequest(res.req)), extensions: traceId ? { code, traceId } : { code } }] }, headers);
}

/**
 * The answer to an error a route threw: a bad token 401 (or 503 when the keys cannot be fetched), an HttpError as it
 * says, the database away 503 with Retry-After, anything else a masked 500. After the headers left, the connection is
 * cut so the client sees a broken answer rather than a complete-looking one.
 */
/**
 * The preamble of the GET-only download routes that need a token (CSV reports, export files): 405 for another method,
 * 401 with `WWW-Authenticate: Bearer` without a token. Returns the viewer, or null once the refusal is sent.
 */
export async function authenticatedGet(req: IncomingMessage, res: ServerResponse, resolveViewer: ViewerResolver, cors: Record<string, string>): Promise<Viewer | null> {
  const noStore = { 'cache-control': 'no-store' };
  if ((req.method ?? 'GET').toUpperCase() !== 'GET') {
    sendError(res, 405, 'BAD_REQUEST', 'Method not allowed', { ...noStore, allow: 'GET', ...cors });
    return null;
  }
  const viewer = await resolveViewer(req.headers.authorization);
  if (viewer.role === 'ANONYMOUS') {
    sendError(res, 401, 'UNAUTHENTICATED', 'Authentication required: send Authorization: Bearer <token>', { ...noStore, 'www-authenticate': 'Bearer', ...cors });
    return null;
  }
  return viewer;
}

export function answerThrown(res: ServerResponse, error: unknown, logger: Logger, requestId: string): string {
  if (res.headersSent) {
    res.destroy();
    return 'CONNECTION_CUT';
  } else if (error instanceof AuthenticationError) {
    // RFC 6750 §3: a refused bearer token names the scheme and the reason.
    if (error.status === 401) res.setHeader('www-authenticate', 'Bearer error="invalid_token"');
    sendError(
      res,
      error.status,
      error.status === 401 ? 'UNAUTHENTICATED' : 'SERVICE_UNAVAILABLE',
      error.status === 401 ? 'Invalid or expired token' : 'Authentication is temporarily unavailable',
    );
    return error.status === 401 ? 'UNAUTHENTICATED' : 'SERVICE_UNAVAILABLE';
  } else if (error instanceof HttpError) {
    if (error.status === 413) res.setHeader('connection', 'close');
    sendError(res, error.status, error.code, error.message, error.headers);
    return error.code;
  } else if (isTransientDatabaseError(error)) {
    // The database is away or busy before GraphQL even ran (e.g. the viewer's organization lookup).
    logger.warn({ err: error, requestId }, 'database unavailable');
    res.setHeader('retry-after', RETRY_AFTER_SECONDS);
    sendError(res, 503, 'SERVICE_UNAVAILABLE', SERVICE_UNAVAILABLE_MESSAGE);
    return 'SERVICE_UNAVAILABLE';
  } else {
    logger.error({ err: error, requestId }, 'request failed');
    sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    return 'INTERNAL_SERVER_ERROR';
  }
}

/** Reads the body, refusing more than `limit` bytes with 413 before buffering it. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Discard the rest (bounded by the request timeout) so the 413 reaches the client; the answer closes the connection.
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** How deep a request's JSON (body, or the `variables`/`extensions` of a GET) may nest: far beyond any real input. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests objects and arrays more than `max` deep, by one pass over its characters (brackets inside
 * strings do not count). Checked before parsing: a deeper document would overflow the stack of anything that walks
 * it recursively (JSON.stringify in the cost cache, input coercion).
 */
export function jsonNestsDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** CORS headers for the request's Origin: echoed when allowed ('*' allows any), always `Vary: Origin` when one was sent. */
export function corsHeaders(req: IncomingMessage, allowedOrigins: readonly string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  const allowed = allowedOrigins.includes('*') || allowedOrigins.includes(origin);
  return allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
}
