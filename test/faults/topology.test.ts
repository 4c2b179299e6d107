// The production topology for real (issue 21): two API processes behind haproxy, PgBouncer in transaction mode in
// front of PostgreSQL, one Redis (scripts/topology/topology.ts). Bounded loopback load proves that the rate-limit
// budget is one budget, an idempotency key is honoured across instances, each webhook event is delivered once, and a
// rolling restart of each instance under load loses no request and no acknowledged write.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIssuerKeys } from '../../src/auth/keys.js';
import { signAccessToken, type AccessClaims } from '../../src/auth/tokens.js';
import { configureDatabaseForPooler, startTopology, topologyToolsMissing, type Topology } from '../../scripts/topology/topology.js';
import { createDatabaseFromTemplate, DATABASE_URL, NEEDS_POSTGRES, sideQuery } from '../support/faults.js';
import { REDIS_URL, redisAnswers } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const missing = topologyToolsMissing();
const redis = DATABASE_URL ? await redisAnswers() : false;
const skip = !DATABASE_URL || missing.length > 0 || !redis;
if (!DATABASE_URL) console.warn(`test/faults/topology.test.ts skipped: ${NEEDS_POSTGRES}`);
else if (missing.length) console.warn(`test/faults/topology.test.ts skipped: ${missing.join(' and ')} not installed (apt-get install haproxy pgbouncer)`);
else if (!redis) console.warn(`test/faults/topology.test.ts skipped: Redis is not reachable at ${REDIS_URL} (.ci/run starts it)`);

/** Per-principal budget of every instance (cheap reads cost about 10 points; see the budget test). */
const POINTS = 3000;
const SUBMIT = `mutation($input: SubmitSuggestionInput!) { submitSuggestion(input: $input) { suggestion { id } userErrors { code message } } }`;
const READ = '{ organizations(first: 5) { edges { node { id name } } } }';

describe.skipIf(skip)('two instances behind haproxy, PgBouncer (transaction mode), one Redis', () => {
  let topology: Topology;
  let db: { url: string; drop(): Promise<void> };
  let receiver: Server;
  let receiverUrl: string;
  const deliveries: { id: string; body: string }[] = [];
  let sign: (claims: AccessClaims) => Promise<string>;
  let firmCode: string;

  beforeAll(async () => {
    db = await createDatabaseFromTemplate();
    await configureDatabaseForPooler(db.url);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        deliveries.push({ id: String(req.headers['webhook-id']), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    topology = await startTopology({
      databaseUrl: db.url,
      redisUrl: REDIS_URL,
      env: {
        RATE_LIMIT_POINTS: String(POINTS),
        RATE_LIMIT_WINDOW_SECONDS: '600',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOK_POLL_INTERVAL_MS: '200',
        WEBHOOK_RETRY_BASE_SECONDS: '0.2',
      },
    });
    const keys = await loadOrCreateIssuerKeys(topology.dataDir);
    sign = (claims) => signAccessToken(keys, { issuer: 'member-graph', audience: 'member-graph-api' }, claims, 600);
    const res = await gql(READ.replace('first: 5', 'first: 1, filter: { kind: SECURITIES_FIRM }').replace('id name', 'creditCode'), undefined, await sign({ sub: `topology:${randomUUID()}`, role: 'regulator' }));
    firmCode = res.body.data.organizations.edges[0].node.creditCode;
  }, 180_000);

  afterAll(async () => {
    await topology?.stop();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
    await db?.drop();
  }, 60_000);

  async function gql(query: string, variables: unknown, token: string | undefined, url = topology.url) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = { text };
    }
    return { status: res.status, servedBy: res.headers.get('x-served-by'), body };
  }

  it('haproxy spreads requests over both instances, which reach PostgreSQL through PgBouncer', async () => {
    const token = await sign({ sub: `topology:${randomUUID()}`, role: 'regulator' });
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await gql(READ, undefined, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.errors).toBeUndefined();
      served.add(res.servedBy!);
    }
    expect([...served].sort()).toEqual(['a', 'b']);
    // The instances were given PgBouncer's address only: their sessions are PgBouncer's clients.
    const log = readFileSync(join(topology.dir, 'pgbouncer.log'), 'utf8');
    expect(log).toMatch(/login attempt: db=member_graph/);
  });

  it('the rate-limit budget is one budget: the instances together accept exactly what one would', async () => {
    const token = await sign({ sub: `topology:budget:${randomUUID()}`, role: 'regulator' });
    const query = '{ organizations(first: 20) { edges { node { name branches(first: 20) { edges { node { name } } } } } } }';
    const first = await gql(query, undefined, token);
    expect(first.status).toBe(200);
    const cost = first.body.extensions.cost.requested as number;
    expect(cost).toBeGreaterThan(POINTS / 20);
    const servedBy = new Set([first.servedBy]);
    let accepted = 1;
    for (let i = 0; i < 2 * Math.ceil(POINTS / cost) + 2; i++) {
      const res = await gql(query, undefined, token);
      if (res.status === 429) {
        expect(res.body.errors[0].extensions.code).toBe('RATE_LIMITED');
        continue;
      }
      expect(res.status).toBe(200);
      accepted += 1;
      servedBy.add(res.servedBy);
    }
    expect(servedBy.size).toBe(2);
    // Per-instance budgets would accept about twice as many.
    expect(accepted).toBeGreaterThanOrEqual(Math.floor(POINTS / cost));
    expect(accepted).toBeLessThanOrEqual(Math.floor(POINTS / cost) + 1);
  });

  it('an idempotency key raced through both instances makes one suggestion', async () => {
    const token = await sign({ sub: `topology:firm:${randomUUID()}`, role: 'firm', org: firmCode });
    const input = { topic: 'QIANHAI', title: `负载均衡测试 ${randomUUID()}`, body: '两实例幂等性测试正文', idempotencyKey: `topology-${randomUUID()}` };
    const answers = await Promise.all(Array.from({ length: 10 }, () => gql(SUBMIT, { input }, token)));
    expect(new Set(answers.map((a) => a.servedBy)).size).toBe(2);
    for (const a of answers) expect(a.body.data?.submitSuggestion.userErrors, JSON.stringify(a.body)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.data.submitSuggestion.suggestion.id)).size).toBe(1);
    const rows = await sideQuery<{ n: number }>(db.url, 'select count(*)::int as n from suggestions where idempotency_key = $1', [input.idempotencyKey]);
    expect(rows[0]!.n).toBe(1);
  });

  it('rolling restart under load: no request lost, every acknowledged write kept, each webhook event delivered once', async () => {
    const staff = await sign({ sub: `topology:staff:${randomUUID()}`, role: 'association', assoc: 'SZSA' });
    const created = await gql(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret userErrors { code message } } }`,
      { input: { url: receiverUrl, eventTypes: ['SUGGESTION_SUBMITTED'], description: 'topology test' } },
      staff,
    );
    expect(created.body.data?.createWebhookSubscription.userErrors, JSON.stringify(created.body)).toEqual([]);

    const workers = 6;
    const failures: string[] = [];
    const acknowledged: string[] = [];
    let requests = 0;
    let running = true;
    const servedBy = new Map<string, number>();
    const worker = async (n: number) => {
      let reader = '';
      let firm = '';
      for (let i = 0; running; i++) {
        // A fresh principal every 50 requests: the load stays inside each principal's rate-limit budget (POINTS).
        if (i % 50 === 0) {
          reader = await sign({ sub: `topology:load:${n}:${randomUUID()}`, role: 'regulator' });
          firm = await sign({ sub: `topology:load-firm:${n}:${randomUUID()}`, role: 'firm', org: firmCode });
        }
        const write = i % 3 === 0;
        const res = write
          ? await gql(SUBMIT, { input: { topic: 'QIANHAI', title: `滚动重启 ${n}-${i}`, body: '滚动重启期间提交的建议', idempotencyKey: `roll-${n}-${i}-${randomUUID()}` } }, firm)
          : await gql(READ, undefined, reader);
        requests += 1;
        servedBy.set(res.servedBy ?? '?', (servedBy.get(res.servedBy ?? '?') ?? 0) + 1);
        if (res.status !== 200 || res.body.errors || (write && res.body.data.submitSuggestion.userErrors.length)) {
          failures.push(`${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        } else if (write) acknowledged.push(res.body.data.submitSuggestion.suggestion.id);
      }
    };
    const load = Promise.all(Array.from({ length: workers }, (_, n) => worker(n)));
    try {
      await new Promise((r) => setTimeout(r, 1000));
      await topology.restart(0);
      await topology.restart(1);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      running = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(100);
    expect(servedBy.get('a')).toBeGreaterThan(0);
    expect(servedBy.get('b')).toBeGreaterThan(0);

    // Every acknowledged write is in the database.
    const keys = acknowledged.map((id) => Number(Buffer.from(id, 'base64url').toString('utf8').split(':')[1]));
    const found = await sideQuery<{ n: number }>(db.url, 'select count(*)::int as n from suggestions where id = any($1::int[])', [keys]);
    expect(found[0]!.n).toBe(acknowledged.length);

    // Each event to the subscription arrives once, from whichever instance's worker claimed it.
    await waitFor('every acknowledged suggestion delivered', () => acknowledged.every((id) => deliveries.some((d) => d.body.includes(`"${id}"`))), 60_000, 100);
    await new Promise((r) => setTimeout(r, 1500));
    const ids = deliveries.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of acknowledged) expect(deliveries.filter((d) => d.body.includes(`"${id}"`))).toHaveLength(1);
  }, 240_000);
});
