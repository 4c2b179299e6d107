// The HTTP layer: routes of the contract on node:http, with Apollo serving /graphql.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { printSchema, type GraphQLSchema } from 'graphql';
import { ruruHTML } from 'ruru/server';
import { getStaticFile } from 'ruru/static';
import type { IssuerKeys } from '../auth/keys.js';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Context, Locale } from '../graphql/context.js';
import type { Logger } from '../logger.js';
import { createFormatError } from './format-error.js';
import { defaultDocumentLimits, documentLimitRules } from './limits.js';
import { rateLimiterFromConfig, type RateLimiter } from '../rate-limit/rate-limiter.js';
import { rateLimitPlugin } from '../rate-limit/rate-limit.plugin.js';
import { handleTokenRequest } from './oauth.js';
import { AuthenticationError, viewerFromAuthorization } from './viewer.js';

export const MAX_QUERY_TOKENS = 5000;
const RURU_STATIC = '/ruru-static/';

export interface AppDeps {
  config: Config;
  logger: Logger;
  database: Database;
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  /** The built-in issuer's keys, published at /.well-known/jwks.json (absent with an external issuer). */
  issuerKeys?: IssuerKeys;
  /** Per-principal cost budgets; built from config (in memory, or Redis with REDIS_URL) when not given. */
  rateLimiter?: RateLimiter;
}

export interface App {
  server: Server;
  apollo: ApolloServer<Context>;
  /** Stop accepting, let in-flight requests finish, then close the database. */
  shutdown(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function graphqlError(res: ServerResponse, status: number, code: string, message: string) {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

/** Reads the body, refusing more than `limit` bytes with 413 before buffering it. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
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
        reject(new HttpError(413, 'PAYLOAD_TOO_LARGE', 'Request body is too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** English only when the client prefers it over Chinese; Chinese is the default. */
export function localeFrom(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
      return { tag: tag ?? '', q: q ? Number(q[1]) : 1, index };
    })
    .filter((l) => l.q > 0 && (l.tag.startsWith('en') || l.tag.startsWith('zh')))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.tag.startsWith('en') ? 'en' : 'zh';
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger, database, schema } = deps;
  const sdl = printSchema(schema);
  const explorerHtml = ruruHTML({ endpoint: '/graphql', staticPath: RURU_STATIC });
  let shuttingDown = false;
  const rateLimiter = deps.rateLimiter ?? rateLimiterFromConfig(config, logger);
  /** Anonymous callers are charged by IP, everyone else by token subject. */
  const ipPrincipal = (req: IncomingMessage) => `ip:${req.socket.remoteAddress ?? 'unknown'}`;

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    validationRules: documentLimitRules(defaultDocumentLimits),
    formatError: createFormatError(logger),
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled(), rateLimitPlugin(rateLimiter)],
  });
  await apollo.start();

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (!origin) return {};
    const allowed = config.CORS_ORIGINS.includes('*') || config.CORS_ORIGINS.includes(origin);
    return allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, cors: Record<string, string>) {
    const method = (req.method ?? 'GET').toUpperCase();
    const accept = req.headers.accept ?? '';
    if (method === 'GET' && !url.search && accept.includes('text/html')) {
      if (!config.introspection) {
        graphqlError(res, 404, 'NOT_FOUND', 'The explorer is disabled');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...cors });
      res.end(explorerHtml);
      return;
    }
    if (method !== 'GET' && method !== 'POST') {
      sendJson(res, 405, { errors: [{ message: 'Method not allowed', extensions: { code: 'BAD_REQUEST' } }] }, { allow: 'GET, POST, OPTIONS' });
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
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const viewer = await viewerFromAuthorization(req.headers.authorization, deps.verifier, database.db);
    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
    const context: Context = {
      viewer,
      db: database.db,
      locale: localeFrom(req.headers['accept-language']),
      logger: logger.child({ requestId }),
      requestId,
      principal: viewer.role === 'ANONYMOUS' ? ipPrincipal(req) : `sub:${viewer.subject}`,
    };
    const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context });
    const outHeaders: Record<string, string> = { ...cors };
    for (const [key, value] of response.headers) outHeaders[key] = value;
    res.statusCode = response.status ?? 200;
    for (const [key, value] of Object.entries(outHeaders)) res.setHeader(key, value);
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && /^[\w.-]{1,64}$/.test(incomingId) ? incomingId : randomUUID();
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cors = corsHeaders(req);
    const started = process.hrtime.bigint();
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type, authorization, accept-language, apollo-require-preflight, x-apollo-operation-name, x-request-id',
          'access-control-max-age': '600',
        });
        res.end();
        return;
      }
      switch (url.pathname) {
        case '/graphql':
          await handleGraphQL(req, res, url, requestId, cors);
          return;
        case '/healthz':
          sendJson(res, 200, { status: 'ok' });
          return;
        case '/readyz': {
          const ready = !shuttingDown && (await database.isReady());
          sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable' });
          return;
        }
        case '/schema.graphql':
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...cors });
          res.end(sdl);
          return;
        case '/oauth/token': {
          if (!deps.issuerKeys) break;
          const out = await handleTokenRequest(
            {
              method: (req.method ?? 'GET').toUpperCase(),
              contentType: req.headers['content-type'],
              authorization: req.headers.authorization,
              readBody: (limit) => readBody(req, Math.min(limit, config.BODY_LIMIT_BYTES)),
              principal: ipPrincipal(req),
            },
            { db: database.db, config, logger: logger.child({ requestId }), issuerKeys: deps.issuerKeys, limiter: rateLimiter },
          );
          sendJson(res, out.status, out.body, { ...out.headers, ...cors });
          return;
        }
        case '/.well-known/jwks.json':
          if (!deps.issuerKeys) break;
          sendJson(res, 200, { keys: [deps.issuerKeys.publicJwk] }, { 'cache-control': 'public, max-age=300', ...cors });
          return;
      }
      if (url.pathname.startsWith(RURU_STATIC) && config.introspection) {
        const file = await getStaticFile({ staticPath: RURU_STATIC, urlPath: url.pathname, acceptEncoding: req.headers['accept-encoding'], disallowDevAssets: true });
        if (file) {
          res.writeHead(200, file.headers);
          res.end(file.content);
          return;
        }
      }
      sendJson(res, 404, { error: 'not_found' });
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
      } else if (error instanceof AuthenticationError) {
        graphqlError(
          res,
          error.status,
          error.status === 401 ? 'UNAUTHENTICATED' : 'SERVICE_UNAVAILABLE',
          error.status === 401 ? 'Invalid or expired token' : 'Authentication is temporarily unavailable',
        );
      } else if (error instanceof HttpError) {
        graphqlError(res, error.status, error.code, error.message);
      } else {
        logger.error({ err: error, requestId }, 'request failed');
        graphqlError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      }
    } finally {
      logger.info(
        { requestId, method: req.method, path: url.pathname, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
    }
  }

  const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
    void handle(req, res);
  });

  return {
    server,
    apollo,
    async shutdown() {
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), 20_000);
      await closed;
      clearTimeout(deadline);
      await apollo.stop();
      if (!deps.rateLimiter) await rateLimiter.close();
      await database.close();
    },
  };
}
