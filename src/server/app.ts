// The HTTP layer: routes of the contract on node:http, with Apollo serving /graphql.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { ruruHTML } from 'ruru/server';
import { getStaticFile } from 'ruru/static';
import type { IssuerKeys } from '../auth/keys.js';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Context, Locale } from '../graphql/context.js';
import type { Logger } from '../logger.js';
import { createFormatError, databaseUnavailablePlugin, RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE_MESSAGE } from './format-error.js';
import { isTransientDatabaseError } from '../db/errors.js';
import { documentLimitRules, documentLimitsFromConfig, supportedOperationRule } from './limits.js';
import { rateLimiterFromConfig, type RateLimiter } from '../rate-limit/rate-limiter.js';
import { chargeOperation, withCost, type CostReport } from '../rate-limit/charge.js';
import { rateLimitPlugin } from '../rate-limit/rate-limit.plugin.js';
import { handleTokenRequest } from './oauth.js';
import { handleCsvExport } from '../reports/reports.csv.js';
import { AuthenticationError, createViewerResolver } from '../auth/authenticate.js';
import { createJitEngine, jitGateway } from '../graphql/executor.js';

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
  /**
   * Graceful stop: /readyz answers 503 at once; the server keeps serving for SHUTDOWN_DRAIN_DELAY_MS (so load balancers
   * notice), then stops accepting and lets in-flight requests finish. Connections still open SHUTDOWN_TIMEOUT_MS after
   * the call are cut (`forced`). `alsoFinish` (the webhook worker stopping) settles before the database closes.
   */
  shutdown(options?: { alsoFinish?: Promise<unknown> }): Promise<{ forced: boolean }>;
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

/** A POST body of a query, its variables and operation name only (no extensions, no persisted query). */
function isPlainQueryBody(body: unknown): body is { query: string; variables?: Record<string, unknown> | null; operationName?: string | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  for (const key in b) if (key !== 'query' && key !== 'variables' && key !== 'operationName') return false;
  const { variables, operationName } = b;
  return (
    typeof b.query === 'string' &&
    (variables === undefined || variables === null || (typeof variables === 'object' && !Array.isArray(variables))) &&
    (operationName === undefined || operationName === null || typeof operationName === 'string')
  );
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

/**
 * The client's address. Behind `hops` trusted proxies (load balancers) it is the address the outermost trusted proxy
 * saw: the hops-th entry from the right of X-Forwarded-For. Entries further left are the client's own claim and are
 * never used; with no trusted proxy (the default) the header is ignored.
 */
export function clientAddress(req: IncomingMessage, hops: number): string | undefined {
  if (hops > 0) {
    const header = req.headers['x-forwarded-for'];
    const chain = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((a) => a.trim()).filter(Boolean);
    const seen = chain[chain.length - hops];
    if (seen && /^[\da-fA-F.:]{2,45}$/.test(seen)) return seen;
  }
  return req.socket.remoteAddress;
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
  const limits = documentLimitsFromConfig(config);
  const complexityLimit = { complexity: limits.maxComplexity, depth: limits.maxDepth, breadth: limits.maxBreadth };
  /** Anonymous callers are charged by IP, everyone else by token subject. */
  const resolveViewer = createViewerResolver(deps.verifier, database.db);
  const ipPrincipal = (req: IncomingMessage) => `ip:${clientAddress(req, config.TRUST_PROXY_HOPS) ?? 'unknown'}`;

  const engine = createJitEngine(schema);
  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(schema, engine),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // main.ts owns shutdown (drain, then stop); Apollo's own SIGTERM handler would stop it while requests still arrive.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [supportedOperationRule, ...documentLimitRules(limits)],
    formatError: createFormatError(logger),
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled(), rateLimitPlugin(rateLimiter), databaseUnavailablePlugin()],
  });
  await apollo.start();

  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (!origin) return {};
    const allowed = config.CORS_ORIGINS.includes('*') || config.CORS_ORIGINS.includes(origin);
    return allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : { vary: 'Origin' };
  }

  /**
   * The known-query path. A POST of an operation (query or mutation) Apollo has already validated and run in this
   * process (the same text and operation name; `engine.known`) is priced and charged by the same rule as the
   * rate-limit plugin (chargeOperation), run by its compiled code, and answered as Apollo answers it: 200,
   * application/json, `{"data":…,"extensions":{"cost":…}}`. Apollo's request pipeline (hashing, plugins, context
   * objects) cost more than the whole of a lookup by key (docs/PERFORMANCE.md). Anything else stays Apollo's: other
   * bodies, content types or Accept headers, GET, a refused charge (which took nothing from the budget), and answers
   * with errors, whose result Apollo receives to format (`executedAhead`), so the operation never runs twice. True when
   * it answered.
   */
  async function answerKnownQuery(req: IncomingMessage, res: ServerResponse, body: unknown, context: Context, cors: Record<string, string>): Promise<boolean> {
    if (!isPlainQueryBody(body) || !/^application\/json\s*(?:;|$)/i.test(req.headers['content-type'] ?? '')) return false;
    const accept = req.headers.accept;
    if (accept !== undefined && accept !== '*/*' && !/^application\/json\s*$/i.test(accept)) return false;
    const known = engine.known(body.query, body.operationName ?? undefined);
    if (!known) return false;
    const variables = body.variables ?? {};
    let cost: CostReport;
    try {
      cost = await chargeOperation(rateLimiter, schema, known.document, known.operation, variables, context.principal);
    } catch {
      return false;
    }
    let result: ExecutionResult;
    try {
      result = await known.compiled.query(undefined, context, variables);
    } catch (error) {
      // Resolver errors come back in the result; this is the compiled code itself failing. Apollo answers it (masked).
      result = { data: null, errors: [new GraphQLError('Unexpected error', { originalError: error instanceof Error ? error : new Error(String(error)) })] };
    }
    if (result.errors) {
      context.executedAhead = { result, cost };
      return false;
    }
    const text = `${JSON.stringify({ data: result.data, extensions: withCost(result.extensions, cost) })}\n`;
    res.writeHead(200, { ...cors, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return true;
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
    const viewer = await resolveViewer(req.headers.authorization);
    let requestLogger: Logger | undefined;
    const context: Context = {
      viewer,
      db: database.db,
      locale: localeFrom(req.headers['accept-language']),
      // Made when a resolver first logs: most requests log nothing of their own.
      get logger() {
        return (requestLogger ??= logger.child({ requestId }));
      },
      requestId,
      principal: viewer.role === 'ANONYMOUS' ? ipPrincipal(req) : `sub:${viewer.subject}`,
      complexityLimit,
    };
    if (method === 'POST' && (await answerKnownQuery(req, res, body, context, cors))) return;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search: url.search, body };
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
    // While draining, clients reconnect (to another instance) instead of reusing this connection.
    if (shuttingDown) res.setHeader('connection', 'close');
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
        case '/reports/branch-ratings.csv':
        case '/reports/suggestions.csv':
          await handleCsvExport(req, res, url, { db: database.db, resolveViewer, logger: logger.child({ requestId }), limiter: rateLimiter, headers: cors });
          return;
        case '/.well-known/jwks.json':
          if (!deps.issuerKeys) break;
          sendJson(res, 200, { keys: deps.issuerKeys.verificationJwks ?? [deps.issuerKeys.publicJwk] }, { 'cache-control': 'public, max-age=300', ...cors });
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
        if (error.status === 413) res.setHeader('connection', 'close');
        graphqlError(res, error.status, error.code, error.message);
      } else if (isTransientDatabaseError(error)) {
        // The database is away or busy before GraphQL even ran (e.g. the viewer's organization lookup).
        logger.warn({ err: error, requestId }, 'database unavailable');
        res.setHeader('retry-after', RETRY_AFTER_SECONDS);
        graphqlError(res, 503, 'SERVICE_UNAVAILABLE', SERVICE_UNAVAILABLE_MESSAGE);
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

  // Slow clients: headers must arrive within HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS
  // (Node answers 408 and closes); Node checks those deadlines every connectionsCheckingInterval. Larger headers get 431.
  const server = createServer(
    {
      maxHeaderSize: config.MAX_HEADER_BYTES,
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 4))),
    },
    (req, res) => {
      void handle(req, res);
    },
  );

  return {
    server,
    apollo,
    async shutdown(options = {}) {
      const deadlineAt = Date.now() + config.SHUTDOWN_TIMEOUT_MS;
      shuttingDown = true;
      if (config.SHUTDOWN_DRAIN_DELAY_MS > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(config.SHUTDOWN_DRAIN_DELAY_MS, config.SHUTDOWN_TIMEOUT_MS)));
      let forced = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => {
        forced = true;
        server.closeAllConnections();
      }, Math.max(0, deadlineAt - Date.now()));
      await closed;
      clearTimeout(deadline);
      await options.alsoFinish?.catch(() => {});
      await apollo.stop();
      if (!deps.rateLimiter) await rateLimiter.close();
      await database.close();
      return { forced };
    },
  };
}
