// /graphql: the explorer page for browsers, then each request through the known-query path or Apollo; and
// /schema.graphql, the printed schema.
import type { ApolloServer } from '@apollo/server';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { ViewerResolver } from '../../auth/authenticate.js';
import type { Config } from '../../config.js';
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
  limiter?: RateLimiter;
  /** On: each operation gets a span under the request's (src/tracing.ts). */
  tracing?: Tracing;
}

/** What a malformed request (not JSON, nested too deep) costs: refused before any work, yet not free to repeat. */
export const MALFORMED_REQUEST_COST = 1;

export function graphqlRoute(deps: GraphQLRouteDeps): Route {
  const { config, apollo, knownQueries, resolveViewer, contextFor, limiter, tracing } = deps;
  /** Charges the caller for a malformed request, then refuses it: 400 with `code`, or 429 when the budget is spent. */
  const refuseMalformed = async (req: Parameters<Route>[0], requestId: string, code: string, message: string): Promise<never> => {
    const { principal } = contextFor(req, requestId, await resolveViewer(req.headers.authorization));
    const charge = await chargeBudget(limiter, principal, MALFORMED_REQUEST_COST, 'cap');
    if (typeof charge === 'object' && !charge.allowed) throw new HttpError(429, 'RATE_LIMITED', `Rate limit exceeded; retry in ${charge.retryAfterSeconds} s`, { 'retry-after': String(charge.retryAfterSeconds) });
    throw new HttpError(400, code, message);
  };
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
    const context = contextFor(req, requestId, await resolveViewer(req.headers.authorization));
    noteGraphQLRequest(res, context);
    const run = async () => {
      if (method === 'POST' && (await knownQueries.answer(req, res, body, context, cors))) return;
      await respondWithApollo(apollo, req, res, method, url.search, body, context, cors);
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

export function schemaRoute(schema: GraphQLSchema): Route {
  const sdl = printSchema(schema);
  return (_req, res, _url, _requestId, cors) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...cors });
    res.end(sdl);
  };
}
