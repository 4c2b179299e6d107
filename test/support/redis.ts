// Whether the Redis that shared-budget tests use answers; those tests skip with a message when it does not.
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers PING at `url` (the shared one by default) within half a second. */
export async function redisAnswers(url = REDIS_URL): Promise<boolean> {
  const client = new Redis(url, { connectTimeout: 500, commandTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
