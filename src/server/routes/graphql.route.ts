// /graphql: the explorer page for browsers, then each request through the known-query path or Apollo; and
// /schema.graphql, the printed schema.
import type { ApolloServer } from '@apollo/server';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { ViewerResolver } from '../../auth/authenticate.js';
import type { Viewer } from '../../auth/viewer.js';
import { DOCUMENT_ID_FORMAT, findTrustedDocument } from '../../clients/trusted-documents.service.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import type { Context } from '../../graphql/context.js';
import { chargeBudget } from '../../rate-limit/charge.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import { respondWithApollo } from '../apollo.js';
import type { ContextFactory } from '../context.js';
import { HttpError, jsonNestsDeeperThan, MAX_JSON_DEPTH, readBody, sendError, type Route } from '../http.js';
import type { KnownQueryPath } from '../known-query.js';
import { noteGraphQLRequest, requestLogOf } from '../request-log.js';
import { explorerPage } from './explorer.route.js';
import { endWithError, otelContext, otelTrace, SpanKind, type Tracing } from '../../tracing.js';

export interface GraphQLRouteDeps {
  config: Config;
  apollo: ApolloServer<Context>;
  knownQueries: KnownQueryPath;
  resolveViewer: ViewerResolver;
  contextFor: ContextFactory;
  /** Where trusted documents are looked up (src/clients/trusted-documents.service.ts). */
  db: Db;
  limiter?: RateLimiter;
  /** On: each operation gets a span under the request's (src/tracing.ts). */
  tracing?: Tracing;
}

/** What a malformed request (not JSON, nested too deep) costs: refused before any work, yet not free to repeat. */
export const MALFORMED_REQUEST_COST = 1;

/** The POST body or GET parameter naming a trusted document to run (docs/TRUSTED-DOCUMENTS.md). */
export const DOCUMENT_ID_PARAMETER = 'documentId';

export function graphqlRoute(deps: GraphQLRouteDeps): Route {
  const { config, apollo, knownQueries, resolveViewer, contextFor, db, limiter, tracing } = deps;
  /**
   * Charges the caller for a request refused before any work (malformed, or a trusted-document refusal), then refuses
   * it: `status` (400 by default) with `code`, or 429 when the budget is spent.
   */
  const refuseCharged = async (req: Parameters<Route>[0], requestId: string, code: string, message: string, status = 400, viewer?: Viewer): Promise<never> => {
    const { principal } = contextFor(req, requestId, viewer ?? (await resolveViewer(req.headers.authorization)));
    const charge = await chargeBudget(limiter, principal, MALFORMED_REQUEST_COST, 'cap');
    if (typeof charge === 'object' && !charge.allowed) throw new HttpError(429, 'RATE_LIMITED', `Rate limit exceeded; retry in ${charge.retryAfterSeconds} s`, { 'retry-after': String(charge.retryAfterSeconds) });
    throw new HttpError(status, code, message);
  };
  const refuseMalformed = (req: Parameters<Route>[0], requestId: string, code: string, message: string) => refuseCharged(req, requestId, code, message);
  const tooDeep = `Request JSON is nested more than ${MAX_JSON_DEPTH} levels deep`;
  const explorerHtml = explorerPage();
  return async (req, res, url, requestId, cors) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const accept = req.headers.accept ?? '';
    if (method === 'GET' && !url.search && accept.includes('text/html')) {
      if (!config.introspection) {
        sendError(res, 404, 'NOT_FOUND', 'The explorer is disabled');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...cors });
      res.end(explorerHtml);
      return;
    }
    if (method !== 'GET' && method !== 'POST') {
      sendError(res, 405, 'BAD_REQUEST', 'Method not allowed', { allow: 'GET, POST, OPTIONS' });
      return;
    }
    let body: unknown;
    if (method === 'POST') {
      const text = await readBody(req, config.BODY_LIMIT_BYTES);
      const contentType = req.headers['content-type'] ?? '';
      if (/^application\/(graphql-response\+)?json\b/i.test(contentType)) {
        if (jsonNestsDeeperThan(text)) await refuseMalformed(req, requestId, 'JSON_TOO_DEEP', tooDeep);
        try {
          body = JSON.parse(text);
        } catch {
          await refuseMalformed(req, requestId, 'BAD_REQUEST', 'Request body is not valid JSON');
        }
      } else {
        body = text;
      }
    } else if (['variables', 'extensions'].some((name) => jsonNestsDeeperThan(url.searchParams.get(name) ?? ''))) {
      await refuseMalformed(req, requestId, 'JSON_TOO_DEEP', tooDeep);
    }
    let viewer = await resolveViewer(req.headers.authorization);
    let search = url.search;
    // Trusted documents (docs/TRUSTED-DOCUMENTS.md): an id in place of the query text, resolved against the caller's
    // active manifest, then run like the text itself (GET and CSRF rules, limits, prices); a pinned account sends nothing else.
    const sent = documentIdSent(method, body, url);
    if (sent !== undefined) {
      if (sent.alsoQuery) await refuseCharged(req, requestId, 'BAD_REQUEST', 'Send either query or documentId, not both', 400, viewer);
      if (typeof sent.id !== 'string' || !DOCUMENT_ID_FORMAT.test(sent.id)) {
        await refuseCharged(req, requestId, 'BAD_REQUEST', 'documentId must be "sha256:" followed by 64 lowercase hexadecimal digits', 400, viewer);
      }
      const documentId = sent.id as string;
      const text = await findTrustedDocument(db, viewer, documentId);
      if (text === null) {
        await refuseCharged(
          req,
          requestId,
          'TRUSTED_DOCUMENT_NOT_FOUND',
          viewer.serviceAccount
            ? `No document ${documentId} in this service account's active trusted-document manifest`
            : 'Trusted documents are registered per service account; send the query text instead',
          400,
          viewer,
        );
      }
      if (method === 'POST') {
        const { [DOCUMENT_ID_PARAMETER]: _id, ...rest } = body as Record<string, unknown>;
        body = { ...rest, query: text };
      } else {
        const params = new URLSearchParams(url.search);
        params.delete(DOCUMENT_ID_PARAMETER);
        params.set('query', text!);
        search = `?${params}`;
      }
      viewer = { ...viewer, documentId };
    } else if (viewer.serviceAccount?.trustedDocumentsOnly) {
      await refuseCharged(
        req,
        requestId,
        'TRUSTED_DOCUMENTS_ONLY',
        'This service account runs trusted documents only: send the documentId of a document in its active manifest instead of a query',
        403,
        viewer,
      );
    }
    const context = contextFor(req, requestId, viewer);
    noteGraphQLRequest(res, context);
    const run = async () => {
      if (method === 'POST' && (await knownQueries.answer(req, res, body, context, cors))) return;
      await respondWithApollo(apollo, req, res, method, search, body, context, cors);
    };
    if (!tracing) return run();
    // The operation's span, whichever path answers it: named once the path knows the operation (the request log's
    // fields, filled by the known-query path and Apollo's plugin); its variables are never recorded.
    const parent = otelContext.active();
    const span = tracing.tracer.startSpan('graphql', { kind: SpanKind.INTERNAL }, parent);
    const named = () => {
      const fields = requestLogOf(res);
      const name = fields?.operation?.slice(0, 100);
      const type = fields?.operationType;
      if (type) span.setAttribute('graphql.operation.type', type);
      if (name) span.setAttribute('graphql.operation.name', name);
      if (type || name) span.updateName([type ?? 'graphql', name].filter(Boolean).join(' '));
      if (fields?.errorCodes?.length) span.setAttribute('member_graph.error_codes', fields.errorCodes);
    };
    try {
      await otelContext.with(otelTrace.setSpan(parent, span), run);
    } catch (error) {
      named();
      endWithError(span, error);
      throw error;
    }
    named();
    span.end();
  };
}

/**
 * The document id a request sends, if any: a POST JSON object's `documentId` member or a GET's `documentId` parameter
 * (any value: the caller checks it), and whether a query text came with it.
 */
function documentIdSent(method: string, body: unknown, url: URL): { id: unknown; alsoQuery: boolean } | undefined {
  if (method === 'POST') {
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !(DOCUMENT_ID_PARAMETER in body)) return undefined;
    const b = body as Record<string, unknown>;
    return { id: b[DOCUMENT_ID_PARAMETER], alsoQuery: b.query !== undefined };
  }
  if (!url.searchParams.has(DOCUMENT_ID_PARAMETER)) return undefined;
  return { id: url.searchParams.get(DOCUMENT_ID_PARAMETER), alsoQuery: url.searchParams.has('query') };
}

export function schemaRoute(schema: GraphQLSchema): Route {
  const sdl = printSchema(schema);
  return (_req, res, _url, _requestId, cors) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...cors });
    res.end(sdl);
  };
}
