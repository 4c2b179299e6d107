import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/auth/tokens.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { REDIS_URL, redisAnswers } from './support/redis.js';


const reachable = await redisAnswers();
if (!reachable) console.warn(`Redis is not reachable at ${REDIS_URL}: skipping the shared-budget tests (set REDIS_URL to run them)`);

const SMALL = '{ organizations(first: 10) { edges { node { name } } } }'; // costs 13
const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

function tokenFor(t: TestApp, sub: string) {
  return signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub, role: 'regulator' }, 600);
}

describe.skipIf(!reachable)('budgets in Redis (REDIS_URL)', () => {
  it('are shared by two app instances: what one spends, the other cannot', async () => {
    const env = { REDIS_URL, RATE_LIMIT_POINTS: '40', RATE_LIMIT_WINDOW_SECONDS: '600' };
    const [a, b] = [await createTestApp(env), await createTestApp(env)];
    apps.push(a, b);
    // The same principal (token subject) at both instances; each instance verifies with its own issuer key.
    const sub = `redis-test:${randomUUID()}`;
    const [tokenA, tokenB] = [await tokenFor(a, sub), await tokenFor(b, sub)];
    expect((await a.gql(SMALL, undefined, { token: tokenA })).body).toMatchObject({ extensions: { cost: { remaining: 27 } } });
    expect((await b.gql(SMALL, undefined, { token: tokenB })).body).toMatchObject({ extensions: { cost: { remaining: 14 } } });
    expect((await a.gql(SMALL, undefined, { token: tokenA })).body).toMatchObject({ extensions: { cost: { remaining: 1 } } });
    const limited = await b.gql(SMALL, undefined, { token: tokenB });
    expect(limited.status).toBe(429);
    expect(limited.body.errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another principal is unaffected at either instance.
    const other = await tokenFor(b, `redis-test:${randomUUID()}`);
    expect((await b.gql(SMALL, undefined, { token: other })).status).toBe(200);
  });

  it('keeps limiting per instance when Redis cannot be reached', async () => {
    const t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_POINTS: '20' });
    apps.push(t);
    const token = await tokenFor(t, `redis-down:${randomUUID()}`);
    expect((await t.gql(SMALL, undefined, { token })).status).toBe(200);
    expect((await t.gql(SMALL, undefined, { token })).status).toBe(429);
  });
});
