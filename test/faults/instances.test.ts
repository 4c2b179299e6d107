// Two API instances on one PostgreSQL database and one Redis, as behind a load balancer: an idempotency key raced
// through both makes one suggestion, and the rate-limit budget is one budget whichever instance is asked.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../src/auth/tokens.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { createDatabaseFromTemplate, DATABASE_URL, NEEDS_POSTGRES } from '../support/faults.js';
import { keyOf, newInput, sqlRows, SUBMIT, writes } from '../support/suggestions.js';
import { REDIS_URL, redisAnswers } from '../support/redis.js';

const redis = DATABASE_URL ? await redisAnswers() : false;
if (!DATABASE_URL) console.warn(`test/faults/instances.test.ts skipped: ${NEEDS_POSTGRES}`);
else if (!redis) console.warn(`test/faults/instances.test.ts: Redis is not reachable at ${REDIS_URL}: the shared rate-limit case is skipped (.ci/run starts it)`);

describe.skipIf(!DATABASE_URL)('two API instances, one PostgreSQL, one Redis', () => {
  const apps: TestApp[] = [];
  let drop: () => Promise<void>;
  let url: string;
  beforeAll(async () => {
    ({ url, drop } = await createDatabaseFromTemplate());
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await drop?.();
  });
  async function pair(env: Record<string, string>): Promise<[TestApp, TestApp]> {
    const a = await createTestApp({ DATABASE_URL: url, ...env });
    const b = await createTestApp({ DATABASE_URL: url, ...env });
    apps.push(a, b);
    return [a, b];
  }

  it('one idempotency key raced through both instances: one suggestion, one audit entry, one event, one outbox event; every answer is it', async () => {
    const [a, b] = await pair(redis ? { REDIS_URL } : {});
    const org = await creditCodeOf(a, 'SECURITIES_FIRM', 0);
    // Each instance has its own issuer key; the same subject signs at both (one principal, one organization).
    const [tokenA, tokenB] = [await a.token('firm', org), await b.token('firm', org)];
    const input = newInput({ idempotencyKey: `two-instances-${randomUUID()}` });
    const before = await writes(a);
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).gql(SUBMIT, { input }, { token: i % 2 ? tokenA : tokenB })));
    for (const res of answers) expect(res.body.data?.submitSuggestion.userErrors, res.text).toEqual([]);
    const ids = new Set(answers.map((res) => res.body.data.submitSuggestion.suggestion.id));
    expect(ids.size).toBe(1);
    const rows = await sqlRows<any>(a, sql`select id from suggestions where idempotency_key = ${input.idempotencyKey}`);
    expect(rows.map((r) => r.id)).toEqual([keyOf([...ids][0]!)]);
    expect(await writes(b)).toMatchObject({
      suggestions: (before.suggestions as number) + 1,
      events: (before.events as number) + 1,
      audit: (before.audit as number) + 1,
      outbox: (before.outbox as number) + 1,
    });
  });

  it.skipIf(!redis)('the rate-limit budget is shared: what one instance spent, the other refuses', async () => {
    const [a, b] = await pair({ REDIS_URL, RATE_LIMIT_POINTS: '40', RATE_LIMIT_WINDOW_SECONDS: '600' });
    const sub = `two-instances:${randomUUID()}`;
    const sign = (t: TestApp) => signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub, role: 'regulator' }, 600);
    const [tokenA, tokenB] = [await sign(a), await sign(b)];
    const SMALL = '{ organizations(first: 10) { edges { node { name } } } }'; // costs 13
    expect((await a.gql(SMALL, undefined, { token: tokenA })).status).toBe(200);
    expect((await b.gql(SMALL, undefined, { token: tokenB })).status).toBe(200);
    expect((await a.gql(SMALL, undefined, { token: tokenA })).status).toBe(200);
    const limited = await b.gql(SMALL, undefined, { token: tokenB });
    expect(limited.status).toBe(429);
    expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect((await a.gql(SMALL, undefined, { token: tokenA })).status).toBe(429);
  });
});
