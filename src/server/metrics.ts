// Prometheus metrics (issue 21): every request, counted where its one log line is written (so the known-query fast path
// and Apollo's path alike), statements per request (when counted), rate-limit refusals, known-query hits and misses, the
// database pool, the webhook queue and delivery attempts, and the ingestion counters (src/ingestion.ts). Served by a separate
// listener (METRICS_PORT on METRICS_HOST, loopback by default), never on the API's own port.
import { createServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import type { Logger } from '../logger.js';
import { ingestionCounts } from '../ingestion.js';
import type { KnownQueryStats } from './known-query.js';

/** Operation names are the client's to choose: beyond this many distinct ones, the rest count as "other". */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface RequestObservation {
  method: string;
  route: string;
  status: number;
  seconds: number;
  operation?: string;
  errorCodes?: readonly string[];
  /** SQL statements the request ran, when counted (LOG_STATEMENT_COUNTS=true or tracing on); absent otherwise. */
  statements?: number;
}

/** What one webhook delivery attempt came to (src/webhooks/webhooks.worker.ts). */
export type DeliveryOutcome = 'succeeded' | 'retry' | 'failed';

export interface Metrics {
  registry: Registry;
  observeRequest(r: RequestObservation): void;
  /** One webhook delivery attempt: delivered, failed with another attempt to come, or failed for good. */
  observeDelivery(outcome: DeliveryOutcome): void;
}

export function createMetrics(deps: { database: Database; knownQueries: () => Readonly<KnownQueryStats>; routes: readonly string[] }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'member_graph_' });
  const knownRoutes = new Set(deps.routes);
  const operations = new Set<string>();
  const requests = new Counter({
    name: 'member_graph_http_requests_total',
    help: 'HTTP requests by method, route, status, GraphQL operation name and error code (none when it succeeded)',
    labelNames: ['method', 'route', 'status', 'operation', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'member_graph_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Counter({
    name: 'member_graph_known_queries_total',
    help: 'POSTs to /graphql by what the known-query path did: answered (hit), passed to Apollo (miss), or ran and handed its errors to Apollo',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const stats = deps.knownQueries();
      this.reset();
      this.inc({ outcome: 'hit' }, stats.hits);
      this.inc({ outcome: 'miss' }, stats.misses);
      this.inc({ outcome: 'handed_to_apollo' }, stats.handedToApollo);
    },
  });
  new Counter({
    name: 'member_graph_one_statement_answers_total',
    help: 'Known-query hits whose whole answer came from one statement (src/graphql/json-answer.ts) instead of the resolvers',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(deps.knownQueries().statementAnswers);
    },
  });
  new Gauge({
    name: 'member_graph_db_pool_connections',
    help: 'node-postgres pool connections by state (PostgreSQL only): total, idle, and requests waiting for one',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const pool = deps.database.poolStats?.();
      if (!pool) return;
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  new Gauge({
    name: 'member_graph_webhook_deliveries',
    help: 'Webhook deliveries by status (PENDING is the queue; read at each scrape)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        const rows = rowsOf<{ status: string; n: number }>(await deps.database.db.execute(sql`select status, count(*)::int as n from webhook_deliveries group by status`));
        this.reset();
        for (const r of rows) this.set({ status: r.status }, Number(r.n));
      } catch {
        // The database away: the gauge keeps its last values; the request metrics still answer.
      }
    },
  });
  const statements = new Histogram({
    name: 'member_graph_http_request_statements',
    help: 'SQL statements per request by route; observed only while statements are counted (LOG_STATEMENT_COUNTS=true or tracing on)',
    labelNames: ['route'],
    buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'member_graph_rate_limit_refusals_total',
    help: 'Requests refused with RATE_LIMITED (429, their budget spent) by route',
    labelNames: ['route'],
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'member_graph_webhook_delivery_attempts_total',
    help: 'Webhook delivery attempts by outcome: succeeded, retry (failed, another attempt scheduled) or failed (the last attempt failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  for (const outcome of ['succeeded', 'retry', 'failed'] as const) deliveries.inc({ outcome }, 0);
  new Counter({
    name: 'member_graph_training_view_events_total',
    help: 'Lines posted to /training/view-events by outcome: accepted (stored), duplicate (already stored), rejected',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const counts = ingestionCounts.trainingViewEvents;
      this.reset();
      this.inc({ outcome: 'accepted' }, counts.accepted);
      this.inc({ outcome: 'duplicate' }, counts.duplicate);
      this.inc({ outcome: 'rejected' }, counts.rejected);
    },
  });
  new Counter({
    name: 'member_graph_statistics_returns_total',
    help: 'Statistics returns saved (saveStatisticsReturn) and submitted (submitStatisticsReturn) without an error, by this process',
    labelNames: ['action'],
    registers: [registry],
    collect() {
      const counts = ingestionCounts.statisticsReturns;
      this.reset();
      this.inc({ action: 'saved' }, counts.saved);
      this.inc({ action: 'submitted' }, counts.submitted);
    },
  });
  return {
    registry,
    observeDelivery(outcome) {
      deliveries.inc({ outcome });
    },
    observeRequest(r) {
      const route = knownRoutes.has(r.route) ? r.route : r.route.startsWith('/reports/') ? '/reports/*' : 'other';
      let operation = r.operation && OPERATION_NAME.test(r.operation) ? r.operation : r.operation ? 'other' : '';
      if (operation && operation !== 'other' && !operations.has(operation)) {
        if (operations.size >= MAX_OPERATION_NAMES) operation = 'other';
        else operations.add(operation);
      }
      const codes = r.errorCodes && r.errorCodes.length > 0 ? r.errorCodes : [''];
      for (const code of codes) requests.inc({ method: r.method, route, status: String(r.status), operation, code });
      duration.observe({ route }, r.seconds);
      if (r.statements !== undefined) statements.observe({ route }, r.statements);
      if (r.errorCodes?.includes('RATE_LIMITED')) refusals.inc({ route });
    },
  };
}

/** The /metrics listener: its own port (METRICS_PORT) on METRICS_HOST (loopback by default). */
export function startMetricsServer(metrics: Metrics, options: { port: number; host: string; logger: Logger }): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('metrics unavailable\n');
      },
    );
  });
  return new Promise((resolve) => {
    // A busy metrics port must not take the API down: it is logged, and the API serves on without /metrics.
    server.once('error', (error) => {
      options.logger.error({ err: error, port: options.port }, 'metrics listener failed; serving without /metrics');
      resolve(server);
    });
    server.listen(options.port, options.host, () => resolve(server));
  });
}
