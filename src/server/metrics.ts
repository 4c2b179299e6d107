// Prometheus metrics (issue 21): every request, counted where its one log line is written (so the known-query fast path
// and Apollo's path alike), known-query hits and misses, the database pool, and the webhook queue. Served by a separate
// listener (METRICS_PORT on METRICS_HOST, loopback by default), never on the API's own port.
import { createServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import type { Logger } from '../logger.js';
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
}

export interface Metrics {
  registry: Registry;
  observeRequest(r: RequestObservation): void;
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
  return {
    registry,
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
