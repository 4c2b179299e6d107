// The only reader of process.env: parsed once with zod, every problem reported at once.
import { z } from 'zod';
import { isIP } from 'node:net';

/** OTEL_TRACES_SAMPLER values honoured (src/tracing.ts builds them). */
export const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

/** Defaults of the database timeouts (also used where a database is opened without a Config). */
export const databaseTimeoutDefaults = { statementMs: 15_000, lockMs: 5_000, idleInTransactionMs: 10_000, connectMs: 5_000 } as const;

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** A WEBHOOK_ALLOWED_HOSTS entry: a host name, an IPv4 or IPv6 address, or one with a prefix length (parsed by the webhooks). */
function isAllowListEntry(entry: string): boolean {
  const [address, bits, extra] = entry.replace(/\.$/, '').split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address.replace(/^\[|\]$/g, ''));
  if (bits !== undefined) return family !== 0 && /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
  return family !== 0 || /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i.test(address);
}

const fields = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./.data'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    AUTH_ISSUER: z.string().min(1).default('member-graph'),
    AUTH_AUDIENCE: z.string().min(1).default('member-graph-api'),
    AUTH_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
      .pipe(z.array(z.union([z.literal('*'), z.url()]))),
    GRAPHQL_INTROSPECTION: bool.optional(),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50_000_000).default(1_000_000),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** Hot statements as named statements, parsed once per connection; false behind a pooler that cannot keep them. */
    DB_NAMED_STATEMENTS: bool.default(true),
    /** Server-side caps per connection (PostgreSQL; 0 turns one off). See docs/OPERATIONS.md, "Database timeouts". */
    DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(databaseTimeoutDefaults.statementMs),
    DB_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(databaseTimeoutDefaults.lockMs),
    DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(databaseTimeoutDefaults.idleInTransactionMs),
    /** How long a request waits for a connection (new or from the busy pool) before answering 503. */
    DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(databaseTimeoutDefaults.connectMs),
    /**
     * On SIGTERM: readiness turns 503 at once; the server keeps serving this long (load balancers notice), then drains.
     * Default: 10 s in production (a load balancer checking every 2 s and needing 3 failures, haproxy's defaults, takes
     * 6 s to notice), at most half of SHUTDOWN_TIMEOUT_MS; 0 in development and test, where nothing is in front.
     */
    SHUTDOWN_DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(600_000).optional(),
    /** Deadline from SIGTERM: connections still open then are cut and the process exits 1 (at most 1 s later). */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(25_000),
    /**
     * How long the read audit (dataAccessLog) is kept: at least six months, the retention the Cybersecurity Law (网络安全法,
     * art. 21) sets for network logs. Older entries are purged once a day by every instance.
     */
    DATA_ACCESS_RETENTION_DAYS: z.coerce.number().int().min(183).max(3650).default(183),
    /** Prometheus metrics at GET /metrics on this port (a listener of its own); unset: not served. */
    METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
    /** The metrics listener's address: loopback by default, so only this machine (a local Prometheus or agent) scrapes it. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Lifetime of tokens issued at POST /oauth/token (RFC 6749 client credentials); at most one hour. */
    OAUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(3600),
    /** Query-cost budget per principal (token subject, or client IP when anonymous) and window; 0 turns limits off. */
    RATE_LIMIT_POINTS: z.coerce.number().int().min(0).max(100_000_000).default(10_000),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    /** redis:// or rediss:// — budgets shared by every instance; in memory when unset. */
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'must start with redis:// or rediss://')
      .optional(),
    /** PEM file of the CA that signed the Redis server's certificate (rediss://); the system's CAs when unset. */
    REDIS_CA_FILE: z.string().min(1).optional(),
    /** Redis Sentinel: "host:port,host:port"; REDIS_URL then gives the password and database, the sentinels the primary. */
    REDIS_SENTINELS: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').map((h) => h.trim()).filter(Boolean) : undefined))
      .pipe(z.array(z.string().regex(/^[^\s:]+(:\d{1,5})?$/, 'each sentinel must be host or host:port')).optional()),
    /** The primary's name the sentinels know (their `sentinel monitor <name> …`). */
    REDIS_SENTINEL_PRIMARY: z.string().min(1).default('mymaster'),
    /** REDIS_URL names a node of a Redis Cluster (the budget keys are single keys, so any slot works). */
    REDIS_CLUSTER: bool.default(false),
    /** A rate-limit command waits at most this long on Redis before the request is charged per instance instead. */
    REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(500),
    /** The webhook delivery worker: on by default; turn it off on instances that should not deliver. */
    WEBHOOK_WORKER: bool.default(true),
    WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(12),
    WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0.01).max(86_400).default(30),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /**
     * Webhook destinations on loopback, private, link-local … addresses that are allowed all the same: comma-separated
     * host names, IP addresses and CIDRs ("receiver.internal,10.20.0.0/16"). Empty (the default): none.
     * docs/SECURITY.md, "Webhook destinations".
     */
    WEBHOOK_ALLOWED_HOSTS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((h) => h.trim()).filter(Boolean))
      .pipe(z.array(z.string().refine(isAllowListEntry, { message: 'each entry must be a host name, an IP address or a CIDR' }))),
    /** The export worker (docs/EXPORTS.md): on by default; turn it off on instances that should not run exports. */
    EXPORT_WORKER: bool.default(true),
    EXPORT_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
    /** Export jobs one principal (token subject) may have waiting or running at once; more is LIMIT_EXCEEDED. */
    EXPORT_MAX_ACTIVE_JOBS: z.coerce.number().int().min(1).max(100).default(3),
    /** Rows one export may hold; a job with more fails with ROW_LIMIT_EXCEEDED and keeps no file. */
    EXPORT_MAX_ROWS: z.coerce.number().int().min(1).max(50_000_000).default(1_000_000),
    // Live updates (GraphQL subscriptions over SSE at /graphql/stream; docs/LIVE-UPDATES.md).
    /** Open streams one principal (token subject) may hold at once in one process; one more is refused (429 TOO_MANY_STREAMS). */
    LIVE_STREAMS_PER_PRINCIPAL: z.coerce.number().int().min(1).max(1000).default(5),
    /** How often the one poller of the process reads the status changes other processes made (one statement per interval, only while streams are open). */
    LIVE_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
    /** How often an open stream re-checks its principal (a disabled account, a revoked secret) and its object, events or not. */
    LIVE_RECHECK_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
    /** A training session's live reach is recomputed at most once per this interval, however many streams follow it. */
    LIVE_REACH_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
    // Document limits (docs/SECURITY.md): checked before anything executes; over a limit is HTTP 400.
    QUERY_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(12),
    QUERY_MAX_ALIASES: z.coerce.number().int().min(0).max(10_000).default(30),
    QUERY_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(10_000).default(20),
    /** Fields selected, counted after fragments are expanded (a fragment spread twice counts twice). */
    QUERY_MAX_BREADTH: z.coerce.number().int().min(10).max(100_000).default(300),
    QUERY_MAX_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(5000),
    /** Pothos complexity: each field 1, each list × 10 (or its own estimate). */
    QUERY_MAX_COMPLEXITY: z.coerce.number().int().min(10).max(10_000_000).default(20_000),
    // Node's HTTP server against slow or oversized clients.
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(200).max(600_000).default(10_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
    MAX_HEADER_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(16_384),
    /**
     * Count the SQL statements of each request and put the count in its log line (`statements`). Off by default: the
     * count follows the request through its promises (AsyncLocalStorage), which costs about 7 % more time per request on
     * Node 20 (docs/OPERATIONS.md, "Request log").
     */
    LOG_STATEMENT_COUNTS: bool.default(false),
    /**
     * Tracing (docs/OPERATIONS.md, "Tracing"): spans are exported over OTLP/HTTP to this endpoint (`<endpoint>/v1/traces`)
     * when it is set; unset, tracing is off and costs nothing. OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, the full traces URL,
     * wins over it. The OpenTelemetry environment-variable conventions.
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    /** true turns tracing off even with an endpoint set. */
    OTEL_SDK_DISABLED: bool.default(false),
    /** The service.name resource attribute of every span. */
    OTEL_SERVICE_NAME: z.string().min(1).max(200).default('member-graph'),
    /** Which traces are recorded: parentbased_always_on (the default) follows the caller's sampled flag and records the rest. */
    OTEL_TRACES_SAMPLER: z.enum(SAMPLERS).default('parentbased_always_on'),
    /** The ratio of the *traceidratio samplers, 0 to 1. */
    OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
    /** Proxies (load balancers) in front of the server whose X-Forwarded-For is trusted; anonymous budgets are per client IP. */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(0),
  });

/** Every setting this file reads; .env.example lists each (test/config.test.ts checks). */
export const CONFIG_KEYS = Object.keys(fields.shape) as (keyof typeof fields.shape)[];

const schema = fields
  .refine((c) => c.HTTP_HEADERS_TIMEOUT_MS <= c.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS',
  })
  .transform((c) => ({
    ...c,
    introspection: c.GRAPHQL_INTROSPECTION ?? c.NODE_ENV !== 'production',
    SHUTDOWN_DRAIN_DELAY_MS: c.SHUTDOWN_DRAIN_DELAY_MS ?? defaultDrainDelayMs(c.NODE_ENV, c.SHUTDOWN_TIMEOUT_MS),
  }));

/** SHUTDOWN_DRAIN_DELAY_MS when unset: see its comment above. */
export function defaultDrainDelayMs(nodeEnv: string, shutdownTimeoutMs: number): number {
  return nodeEnv === 'production' ? Math.min(PRODUCTION_DRAIN_DELAY_MS, Math.floor(shutdownTimeoutMs / 2)) : 0;
}
export const PRODUCTION_DRAIN_DELAY_MS = 10_000;

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws one ConfigError naming every bad variable. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return result.data;
}
