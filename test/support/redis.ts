// Whether the Redis that shared-budget tests use answers; those tests skip with a message when it does not.
import { RespClient } from '../../src/rate-limit/resp-client.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisAnswers(): Promise<boolean> {
  const client = new RespClient(REDIS_URL, 500);
  try {
    return (await client.command(['PING'])) === 'PONG';
  } catch {
    return false;
  } finally {
    client.close();
  }
}
