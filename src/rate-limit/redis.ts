// The Redis connection of the shared rate-limit budgets, through ioredis (a maintained client: TLS with a custom CA,
// Sentinel, Cluster, reconnection). Set up so that a request never waits long on Redis: a command fails after
// REDIS_COMMAND_TIMEOUT_MS, or at once while the connection is down, and the limiter then falls back to per-instance
// budgets (docs/OPERATIONS.md, "Redis").
import { readFileSync } from 'node:fs';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface RedisSettings {
  /** redis:// or rediss:// (TLS). With sentinels: the password and database for the primary; the host is ignored. */
  url: string;
  /** PEM file of the CA that signed the server's certificate (rediss://). */
  caFile?: string;
  /** "host:port,host:port": connect through Redis Sentinel to the primary named `sentinelPrimary`. */
  sentinels?: string[];
  sentinelPrimary?: string;
  /** The URL names one node of a Redis Cluster. */
  cluster?: boolean;
  commandTimeoutMs: number;
}

export type RedisClient = Redis | Cluster;

/** ioredis options for these settings (exported for the tests: TLS, Sentinel and Cluster are not run here). */
export function redisOptions(settings: RedisSettings): RedisOptions {
  const url = new URL(settings.url);
  const tls = url.protocol === 'rediss:' ? { servername: url.hostname, ...(settings.caFile ? { ca: readFileSync(settings.caFile) } : {}) } : undefined;
  const database = url.pathname.replace(/^\//, '');
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(database ? { db: Number(database) } : {}),
    ...(tls ? { tls } : {}),
    ...(settings.sentinels?.length
      ? {
          sentinels: settings.sentinels.map((entry) => {
            const [host, port] = entry.split(':');
            return { host: host!, port: Number(port ?? 26379) };
          }),
          name: settings.sentinelPrimary ?? 'mymaster',
          ...(tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
        }
      : { host: url.hostname || '127.0.0.1', port: Number(url.port || 6379) }),
    connectTimeout: Math.max(settings.commandTimeoutMs, 500),
    commandTimeout: settings.commandTimeoutMs,
    // A command sent while the connection is down fails instead of waiting for a reconnection: the limiter falls back.
    maxRetriesPerRequest: 0,
    // Reconnect in the background, at most every 5 s.
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 6), 5000),
    lazyConnect: false,
  };
}

export function openRedis(settings: RedisSettings): RedisClient {
  const options = redisOptions(settings);
  const client = settings.cluster
    ? new Cluster([{ host: options.host!, port: options.port! }], { redisOptions: options, clusterRetryStrategy: options.retryStrategy } satisfies ClusterOptions)
    : new Redis(options);
  // Connection errors surface as failing commands, which the limiter reports (once a minute) and survives.
  client.on('error', () => {});
  return client;
}
