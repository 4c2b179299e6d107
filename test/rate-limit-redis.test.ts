import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../src/auth/tokens.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { REDIS_URL, redisAnswers } from './support/redis.js';
import { waitFor } from './support/wait.js';
import { freePort } from '../scripts/topology/topology.js';
import { redisOptions } from '../src/rate-limit/redis.js';


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

/** A Redis server of our own on a free port, to stop and start again. */
async function ownRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await waitFor('our Redis answering', () => redisAnswers(url), 10_000, 100);
  return child;
}

const redisServerInstalled = spawnSync('sh', ['-c', 'command -v redis-server']).status === 0;

describe.skipIf(!redisServerInstalled)('when Redis goes away and comes back (ioredis)', () => {
  it('requests are answered throughout: per-instance budgets while it is away, the shared one again once it is back', async () => {
    const port = await freePort();
    let server = await ownRedis(port);
    try {
      const env = { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_POINTS: '1000', RATE_LIMIT_WINDOW_SECONDS: '600', REDIS_COMMAND_TIMEOUT_MS: '300' };
      const t = await createTestApp(env);
      apps.push(t);
      const token = await tokenFor(t, `redis-away:${randomUUID()}`);
      const remaining = async () => {
        const res = await t.gql(SMALL, undefined, { token });
        expect(res.status).toBe(200);
        return (res.body as { extensions: { cost: { remaining: number } } }).extensions.cost.remaining;
      };
      expect(await remaining()).toBe(987);
      expect(await remaining()).toBe(974);
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      // Redis gone: answered at once from this instance's own bucket (a fresh one: Redis held the budget).
      const started = Date.now();
      expect(await remaining()).toBe(987);
      expect(Date.now() - started).toBeLessThan(5000);
      server = await ownRedis(port);
      // Back (empty: budgets are not persisted): ioredis reconnects by itself and the shared bucket is used again.
      await waitFor('the limiter back on Redis', async () => (await remaining()) === 987, 15_000, 200);
      expect(await remaining()).toBe(974);
    } finally {
      server.kill('SIGKILL');
    }
  });
});

describe('Redis connection options', () => {
  it('rediss:// with a CA file, credentials and a database; Sentinel; plain host and port', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-redis-ca-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const tls = redisOptions({ url: 'rediss://user:p%40ss@cache.internal:6380/2', caFile: ca, commandTimeoutMs: 500 });
    expect(tls).toMatchObject({ host: 'cache.internal', port: 6380, username: 'user', password: 'p@ss', db: 2, commandTimeout: 500, maxRetriesPerRequest: 0 });
    expect(String((tls.tls as { ca: Buffer }).ca)).toContain('BEGIN CERTIFICATE');
    const sentinel = redisOptions({ url: 'redis://:secret@ignored/0', sentinels: ['10.0.0.1:26379', '10.0.0.2'], sentinelPrimary: 'budgets', commandTimeoutMs: 500 });
    expect(sentinel).toMatchObject({ sentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }], name: 'budgets', password: 'secret' });
    expect(sentinel.host).toBeUndefined();
    expect(redisOptions({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: 500 })).toMatchObject({ host: '127.0.0.1', port: 6379 });
    expect(redisOptions({ url: 'redis://127.0.0.1:6379', commandTimeoutMs: 500 }).tls).toBeUndefined();
  });
});
