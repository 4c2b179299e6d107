// The HTTP app: node:http with Apollo behind /graphql, composed from the routes of src/server/routes/; request ids,
// CORS preflight, dispatch, errors and graceful shutdown here, everything else in the modules it names.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { createViewerResolver } from '../auth/authenticate.js';
import type { IssuerKeys } from '../auth/keys.js';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Context } from '../graphql/context.js';
import { createJitEngine } from '../graphql/executor.js';
import type { Logger } from '../logger.js';
import { rateLimiterFromConfig, type RateLimiter } from '../rate-limit/rate-limiter.js';
import { CSV_PATHS } from '../reports/reports.csv.js';
import { createApollo } from './apollo.js';
import { createContextFactory } from './context.js';
import { answerThrown, corsHeaders, sendError, sendJson, type Route } from './http.js';
import { createKnownQueryPath, resultRunAhead, type KnownQueryStats } from './known-query.js';
import { createMetrics, type Metrics } from './metrics.js';
import { noteErrorCodes, startRequestLog, type RequestLogFields } from './request-log.js';
import { countRequestStatements } from '../db/instrumentation.js';
import { otelContext, otelTrace, SpanKind, SpanStatusCode, traceResponseHeader, type Tracing } from '../tracing.js';
import { csvRoute } from './routes/csv.route.js';
import { DEVELOPMENT_REPORT_PREFIX, developmentReportRoute } from './routes/development-report.route.js';
import { FORWARDING_LETTER_PREFIX, forwardingLetterRoute } from './routes/forwarding-letter.route.js';
import { RURU_STATIC, serveExplorerAsset } from './routes/explorer.route.js';
import { graphqlRoute, schemaRoute } from './routes/graphql.route.js';
import { healthRoute, readinessRoute } from './routes/health.route.js';
import { jwksRoute } from './routes/jwks.route.js';
import { oauthMetadataRoute } from './routes/oauth-metadata.route.js';
import { tokenRoute } from './routes/oauth.route.js';
import { trainingViewEventsRoute, VIEW_EVENTS_PATH } from './routes/training.route.js';
import { EXPORTS_PREFIX, exportsRoute } from './routes/exports.route.js';
import { createLiveStreams, STREAM_ENDS, STREAM_PATH, type LiveStreams } from './routes/stream.route.js';
import { LiveHub } from '../live/live.hub.js';

// Where tests and scripts have always imported them from.
export { clientAddress, localeFrom } from './context.js';

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
  /** Tracing when it is on (src/tracing.ts, tracingFromConfig); absent, no span is made and no header read or sent. */
  tracing?: Tracing;
  /**
   * A server from `createHttpServer`, already listening (main.ts binds the port before opening the database, so a busy
   * port fails at once); the app takes over its requests. A new, unbound one when absent.
   */
  server?: Server;
}

export interface App {
  server: Server;
  apollo: ApolloServer<Context>;
  /** What this app's known-query path did with the POSTs to /graphql (src/server/known-query.ts); live counts. */
  knownQueries: Readonly<KnownQueryStats>;
  /** Prometheus metrics of this app (src/server/metrics.ts); main.ts serves them on METRICS_PORT. */
  metrics: Metrics;
  /** The live-update streams of /graphql/stream (src/server/routes/stream.route.ts) and their hub (src/live/live.hub.ts). */
  live: { streams: LiveStreams; hub: LiveHub };
  /**
   * Graceful stop: /readyz answers 503 at once; the server keeps serving for SHUTDOWN_DRAIN_DELAY_MS (so load balancers
   * notice), then ends every live stream (its last event says the server shuts down; clients reconnect elsewhere) and
   * stops its poller, then stops accepting and lets in-flight requests finish. Connections still open SHUTDOWN_TIMEOUT_MS minus
   * shutdownCleanupMs after the call are cut (`forced`). `alsoFinish` (the webhook worker stopping) settles before the database closes.
   */
  shutdown(options?: { alsoFinish?: Promise<unknown> }): Promise<{ forced: boolean }>;
}

const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'content-type, authorization, accept-language, apollo-require-preflight, x-apollo-operation-name, x-request-id',
  'access-control-max-age': '600',
};

/**
 * The HTTP server with the app's protections against slow or oversized clients, answering 503 "starting" (and
 * /healthz 200) until createApp takes its requests over. Slow clients: headers must arrive within
 * HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS (Node answers 408 and closes); Node
 * checks those deadlines every connectionsCheckingInterval. Larger headers get 431.
 */
export function createHttpServer(config: Config): Server {
  const server = createServer({
    maxHeaderSize: config.MAX_HEADER_BYTES,
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 4))),
  });
  server.on('request', answerStarting);
  return server;
}

/** Before the app is ready (migrating, seeding): the process is alive, nothing else is served yet. */
function answerStarting(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close');
  if (req.url === '/healthz') sendJson(res, 200, { status: 'ok' });
  else if (req.url === '/readyz') sendJson(res, 503, { status: 'starting' }, { 'retry-after': '1' });
  else sendError(res, 503, 'SERVICE_UNAVAILABLE', 'The server is starting; try again shortly', { 'retry-after': '1' });
}

/**
 * The part of SHUTDOWN_TIMEOUT_MS kept for closing up after connections are cut (the webhook worker, Apollo, the
 * database): in-flight requests are cut this long before the deadline, at which main.ts exits whatever is left.
 */
export function shutdownCleanupMs(config: Pick<Config, 'SHUTDOWN_TIMEOUT_MS'>): number {
  return Math.min(1_000, Math.floor(config.SHUTDOWN_TIMEOUT_MS / 4));
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger, database, schema } = deps;
  let shuttingDown = false;
  const rateLimiter = deps.rateLimiter ?? rateLimiterFromConfig(config, logger);
  const resolveViewer = createViewerResolver(deps.verifier, database.db);
  const engine = createJitEngine(schema, { resultRunAhead });
  const knownQueries = createKnownQueryPath(engine, schema, rateLimiter);
  const apollo = await createApollo({ config, logger, schema, engine, rateLimiter, tracing: deps.tracing });

  // Requests are counted where their log line is written, so both the known-query path and Apollo's are.
  const metrics = createMetrics({
    database,
    knownQueries: () => knownQueries.stats,
    routes: ['/graphql', STREAM_PATH, '/healthz', '/readyz', '/schema.graphql', '/oauth/token', '/.well-known/jwks.json', '/.well-known/oauth-authorization-server', '/training/view-events'],
  });
  const contextFor = createContextFactory({ config, logger, db: database.db });
  const hub = new LiveHub(database.db, { pollIntervalMs: config.LIVE_POLL_INTERVAL_MS, reachMinIntervalMs: config.LIVE_REACH_MIN_INTERVAL_MS, logger });
  const streams = createLiveStreams({ config, logger, schema, hub, resolveViewer, contextFor, limiter: rateLimiter, isShuttingDown: () => shuttingDown });
  const routes = new Map<string, Route>([
    ['/graphql', graphqlRoute({ config, apollo, knownQueries, resolveViewer, contextFor, db: database.db, limiter: rateLimiter, tracing: deps.tracing })],
    [STREAM_PATH, streams.route],
    ['/healthz', healthRoute],
    ['/readyz', readinessRoute(database, () => shuttingDown)],
    ['/schema.graphql', schemaRoute(schema)],
  ]);
  const csv = csvRoute({ db: database.db, resolveViewer, logger, limiter: rateLimiter });
  for (const path of CSV_PATHS) routes.set(path, csv);
  const developmentReport = developmentReportRoute({ db: database.db, resolveViewer });
  const exportFiles = exportsRoute({ db: database.db, resolveViewer, logger });
  const forwardingLetter = forwardingLetterRoute({ db: database.db, resolveViewer });
  routes.set(VIEW_EVENTS_PATH, trainingViewEventsRoute({ db: database.db, resolveViewer, logger }));
  if (deps.issuerKeys) {
    routes.set('/oauth/token', tokenRoute({ db: database.db, config, logger, issuerKeys: deps.issuerKeys, limiter: rateLimiter }));
    routes.set('/.well-known/jwks.json', jwksRoute(deps.issuerKeys));
    routes.set('/.well-known/oauth-authorization-server', oauthMetadataRoute(config));
  }

  const tracing = deps.tracing;
  /** The route's name for spans (a fixed set: never the raw path), or undefined for a path no route serves. */
  const routeName = (pathname: string): string | undefined =>
    routes.has(pathname) ? pathname : pathname.startsWith(DEVELOPMENT_REPORT_PREFIX) ? `${DEVELOPMENT_REPORT_PREFIX}*` : undefined;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const incomingId = req.headers['x-request-id'];
    const requestId = typeof incomingId === 'string' && /^[\w.-]{1,64}$/.test(incomingId) ? incomingId : randomUUID();
    res.setHeader('x-request-id', requestId);
    res.setHeader('x-content-type-options', 'nosniff');
    // While draining, clients reconnect (to another instance) instead of reusing this connection.
    if (shuttingDown) res.setHeader('connection', 'close');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const started = process.hrtime.bigint();
    const fields = startRequestLog(res);
    if (!tracing) {
      await serve(req, res, url, requestId, fields, started);
      return;
    }
    // The server span: the caller's trace continued (W3C traceparent/tracestate) or a new one; its statements counted
    // into the log fields through the context (no second AsyncLocalStorage).
    const method = req.method ?? 'GET';
    const route = routeName(url.pathname);
    const parent = tracing.incoming(req.headers, fields);
    const span = tracing.tracer.startSpan(
      route ? `${method} ${route}` : method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': url.pathname, 'url.scheme': 'http', ...(route ? { 'http.route': route } : {}) } },
      parent,
    );
    res.setHeader('traceresponse', traceResponseHeader(span));
    try {
      await otelContext.with(otelTrace.setSpan(parent, span), () => serve(req, res, url, requestId, fields, started));
    } finally {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (fields.errorCodes?.length) span.setAttribute('member_graph.error_codes', fields.errorCodes);
      if (fields.statements !== undefined) span.setAttribute('member_graph.statements', fields.statements);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string, fields: RequestLogFields, started: bigint) {
    const cors = corsHeaders(req, config.CORS_ORIGINS);
    try {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { ...cors, ...PREFLIGHT_HEADERS });
        res.end();
        return;
      }
      const route =
        routes.get(url.pathname) ??
        (url.pathname.startsWith(DEVELOPMENT_REPORT_PREFIX)
          ? developmentReport
          : url.pathname.startsWith(EXPORTS_PREFIX)
            ? exportFiles
            : url.pathname.startsWith(FORWARDING_LETTER_PREFIX)
              ? forwardingLetter
              : undefined);
      if (route) {
        // With tracing on, its statement spans count the statements already (Tracing.incoming's tally).
        if (config.LOG_STATEMENT_COUNTS && !tracing) await countRequestStatements(fields, async () => route(req, res, url, requestId, cors));
        else await route(req, res, url, requestId, cors);
        return;
      }
      if (url.pathname.startsWith(RURU_STATIC) && config.introspection && (await serveExplorerAsset(req, res, url))) return;
      sendJson(res, 404, { error: 'not_found' });
    } catch (error) {
      noteErrorCodes(fields, [answerThrown(res, error, logger, requestId)]);
    } finally {
      // One line per request (docs/OPERATIONS.md, "Request log"): the GraphQL operation, the principal (a subject, never
      // a token), the error codes and, with LOG_STATEMENT_COUNTS or tracing on, the statements; absent fields are left out.
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.observeRequest({
        method: req.method ?? 'GET',
        route: url.pathname,
        status: res.statusCode,
        seconds: ms / 1000,
        operation: fields.operation,
        errorCodes: fields.errorCodes,
        statements: fields.statements,
      });
      logger.info(
        {
          requestId,
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          ms,
          operation: fields.operation,
          principal: fields.principal,
          errorCodes: fields.errorCodes,
          statements: fields.statements,
        },
        'request',
      );
    }
  }

  const server = deps.server ?? createHttpServer(config);
  server.removeListener('request', answerStarting);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res);
  });

  return {
    server,
    apollo,
    knownQueries: knownQueries.stats,
    metrics,
    live: { streams, hub },
    async shutdown(options = {}) {
      // Connections still open here are cut; the rest of SHUTDOWN_TIMEOUT_MS is for closing up (shutdownCleanupMs).
      const deadlineAt = Date.now() + config.SHUTDOWN_TIMEOUT_MS - shutdownCleanupMs(config);
      shuttingDown = true;
      if (config.SHUTDOWN_DRAIN_DELAY_MS > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(config.SHUTDOWN_DRAIN_DELAY_MS, deadlineAt - Date.now()))));
      // Streams never finish by themselves: each ends now with a last event saying why, before the server stops accepting.
      await streams.closeAll(STREAM_ENDS.shutdown, deadlineAt - Date.now());
      await hub.stop();
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
