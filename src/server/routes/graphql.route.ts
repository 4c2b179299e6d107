// /graphql: the explorer page for browsers, then each request through the known-query path or Apollo; and
// /schema.graphql, the printed schema.
import type { ApolloServer } from '@apollo/server';
import { printSchema, type GraphQLSchema } from 'graphql';
import type { ViewerResolver } from '../../auth/authenticate.js';
import type { Config } from '../../config.js';
import type { Context } from '../../graphql/context.js';
import { respondWithApollo } from '../apollo.js';
import type { ContextFactory } from '../context.js';
import { HttpError, readBody, sendError, type Route } from '../http.js';
import type { KnownQueryPath } from '../known-query.js';
import { explorerPage } from './explorer.route.js';

export interface GraphQLRouteDeps {
  config: Config;
  apollo: ApolloServer<Context>;
  knownQueries: KnownQueryPath;
  resolveViewer: ViewerResolver;
  contextFor: ContextFactory;
}

export function graphqlRoute(deps: GraphQLRouteDeps): Route {
  const { config, apollo, knownQueries, resolveViewer, contextFor } = deps;
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
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, 'BAD_REQUEST', 'Request body is not valid JSON');
        }
      } else {
        body = text;
      }
    }
    const context = contextFor(req, requestId, await resolveViewer(req.headers.authorization));
    if (method === 'POST' && (await knownQueries.answer(req, res, body, context, cors))) return;
    await respondWithApollo(apollo, req, res, method, url.search, body, context, cors);
  };
}

export function schemaRoute(schema: GraphQLSchema): Route {
  const sdl = printSchema(schema);
  return (_req, res, _url, _requestId, cors) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...cors });
    res.end(sdl);
  };
}
