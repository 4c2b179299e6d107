// Per-principal budgets of query cost: a token bucket per principal, in memory or in Redis (shared by every instance).
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { openRedis, type RedisClient, type RedisSettings } from './redis.js';

export interface Charge {
  allowed: boolean;
  /** Points left in the bucket after this charge (whole points, rounded down). */
  remaining: number;
  /** When refused: seconds until the bucket holds enough for this cost. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** False when RATE_LIMIT_POINTS is 0: nothing is charged. */
  readonly enabled: boolean;
  /** Bucket size: the most one principal may spend in one window. */
  readonly limit: number;
  readonly windowSeconds: number;
  /** Takes `cost` points from the principal's bucket, or refuses and takes nothing. */
  charge(principal: string, cost: number): Promise<Charge>;
  close(): Promise<void>;
}

interface BucketSettings {
  capacity: number;
  /** Refill rate: the whole capacity over the window. */
  pointsPerMs: number;
}

function settingsOf(limit: number, windowSeconds: number): BucketSettings {
  return { capacity: limit, pointsPerMs: limit / (windowSeconds * 1000) };
}

function outcome(allowed: boolean, tokens: number, cost: number, s: BucketSettings): Charge {
  return {
    allowed,
    remaining: Math.max(0, Math.floor(tokens)),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((cost - tokens) / s.pointsPerMs / 1000)),
  };
}

const MAX_MEMORY_BUCKETS = 50_000;

/** Buckets of one process. A principal whose bucket has refilled is forgotten, so the map stays small. */
export class MemoryBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly s: BucketSettings, private readonly now: () => number = Date.now) {}

  charge(principal: string, cost: number): Charge {
    const now = this.now();
    const bucket = this.buckets.get(principal);
    let tokens = bucket ? Math.min(this.s.capacity, bucket.tokens + (now - bucket.at) * this.s.pointsPerMs) : this.s.capacity;
    const allowed = tokens >= cost;
    if (allowed) tokens -= cost;
    this.buckets.set(principal, { tokens, at: now });
    if (this.buckets.size > MAX_MEMORY_BUCKETS) this.sweep(now);
    return outcome(allowed, tokens, cost, this.s);
  }

  private sweep(now: number) {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.s.pointsPerMs >= this.s.capacity) this.buckets.delete(key);
    }
  }
}

/**
 * One atomic step of the bucket in Redis, timed by the Redis server's clock so instances with skewed clocks agree.
 * Returns {allowed, tokens as text (Lua numbers are truncated to integers on the wire), retry ms}.
 */
const TOKEN_BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / per_ms) + 1000)
return {allowed, tostring(tokens)}
`;

export const REDIS_KEY_PREFIX = 'mg:rate:';

class RedisBuckets {
  private warnedAt = 0;
  constructor(
    private readonly client: RedisClient,
    private readonly s: BucketSettings,
    private readonly fallback: MemoryBuckets,
    private readonly logger: Logger,
  ) {}

  async charge(principal: string, cost: number): Promise<Charge> {
    try {
      const reply = (await this.client.eval(
        TOKEN_BUCKET_SCRIPT,
        1,
        `${REDIS_KEY_PREFIX}${principal}`,
        String(this.s.capacity),
        String(this.s.pointsPerMs),
        String(cost),
      )) as [number, string];
      return outcome(reply[0] === 1, Number(reply[1]), cost, this.s);
    } catch (error) {
      // Redis down: keep limiting, per instance, rather than refuse every request or limit nothing.
      if (Date.now() - this.warnedAt > 60_000) {
        this.warnedAt = Date.now();
        this.logger.warn({ err: error }, 'rate limiter: Redis unavailable, using per-instance budgets');
      }
      return this.fallback.charge(principal, cost);
    }
  }
}

export interface RateLimiterOptions {
  limit: number;
  windowSeconds: number;
  /** Budgets in this Redis (shared by every instance); in memory when absent. */
  redis?: RedisSettings;
  logger: Logger;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const s = settingsOf(options.limit, options.windowSeconds);
  const memory = new MemoryBuckets(s);
  const client = options.redis && options.limit > 0 ? openRedis(options.redis) : undefined;
  const store = client ? new RedisBuckets(client, s, memory, options.logger) : undefined;
  return {
    enabled: options.limit > 0,
    limit: options.limit,
    windowSeconds: options.windowSeconds,
    async charge(principal, cost) {
      if (options.limit <= 0) return { allowed: true, remaining: 0, retryAfterSeconds: 0 };
      return store ? store.charge(principal, cost) : memory.charge(principal, cost);
    },
    async close() {
      client?.disconnect();
    },
  };
}

export function rateLimiterFromConfig(config: Config, logger: Logger): RateLimiter {
  return createRateLimiter({
    limit: config.RATE_LIMIT_POINTS,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    redis: config.REDIS_URL
      ? {
          url: config.REDIS_URL,
          caFile: config.REDIS_CA_FILE,
          sentinels: config.REDIS_SENTINELS,
          sentinelPrimary: config.REDIS_SENTINEL_PRIMARY,
          cluster: config.REDIS_CLUSTER,
          commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
        }
      : undefined,
    logger,
  });
}
