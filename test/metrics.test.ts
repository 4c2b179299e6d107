// Prometheus metrics (issue 21): every request counted where its log line is written, so the known-query fast path and
// Apollo's path alike; known-query outcomes; the webhook queue; served on a listener of its own, loopback by default.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startMetricsServer } from '../src/server/metrics.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount } from './support/integration.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** The value of one sample line of the exposition text, or 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('metrics', () => {
  it('count each request by route, status, operation and error code, on the known-query path and Apollo\'s alike', async () => {
    const before = await t.app.metrics.registry.metrics();
    const hits = sample(before, 'member_graph_known_queries_total', { outcome: 'hit' });
    const query = 'query DirectoryPage { organizations(first: 3) { edges { node { id } } } }';
    for (let i = 0; i < 3; i++) expect((await t.gql(query)).status).toBe(200); // the first through Apollo, then known
    expect((await t.gql('query Broken { organizations(first: ) }')).status).toBe(400);
    const after = await t.app.metrics.registry.metrics();
    expect(sample(after, 'member_graph_http_requests_total', { route: '/graphql', status: '200', operation: 'DirectoryPage', code: '' }) - sample(before, 'member_graph_http_requests_total', { route: '/graphql', status: '200', operation: 'DirectoryPage', code: '' })).toBe(3);
    expect(sample(after, 'member_graph_known_queries_total', { outcome: 'hit' }) - hits).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'member_graph_http_requests_total', { route: '/graphql', status: '400', code: 'GRAPHQL_PARSE_FAILED' })).toBeGreaterThanOrEqual(1);
    expect(after).toContain('member_graph_http_request_duration_seconds_bucket{le="0.005",route="/graphql"}');
    expect(after).toMatch(/member_graph_webhook_deliveries|# HELP member_graph_webhook_deliveries/);
  });

  it('bound the operation label: a requested operation name that is not a GraphQL name counts as "other"', async () => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { __typename }', operationName: '随便 起的 名字 <script>' }),
    });
    expect(res.status).toBe(400);
    const text = await t.app.metrics.registry.metrics();
    expect(sample(text, 'member_graph_http_requests_total', { route: '/graphql', operation: 'other' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('随便');
  });

  it('are served on a listener of their own, loopback by default: /metrics 200, anything else 404', async () => {
    const server = await startMetricsServer(t.app.metrics, { port: 0, host: '127.0.0.1', logger: createLogger('silent') });
    try {
      const address = server.address() as AddressInfo;
      expect(address.address).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${address.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toContain('member_graph_http_requests_total');
      expect((await fetch(`http://127.0.0.1:${address.port}/graphql`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('count webhook delivery attempts by outcome, every outcome present from the start', async () => {
    const before = await t.app.metrics.registry.metrics();
    expect(before).toContain('member_graph_webhook_delivery_attempts_total{outcome="failed"} ');
    t.app.metrics.observeDelivery('succeeded');
    t.app.metrics.observeDelivery('retry');
    t.app.metrics.observeDelivery('retry');
    const after = await t.app.metrics.registry.metrics();
    const delta = (outcome: string) => sample(after, 'member_graph_webhook_delivery_attempts_total', { outcome }) - sample(before, 'member_graph_webhook_delivery_attempts_total', { outcome });
    expect([delta('succeeded'), delta('retry'), delta('failed')]).toEqual([1, 2, 0]);
  });

  it('count training view-event lines by outcome as the route answers them', async () => {
    const writer = await newServiceAccount(t, { role: 'association', name: '指标测试平台', scopes: ['training:write'] });
    const token = await clientToken(t, writer.clientId, writer.clientSecret);
    const before = await t.app.metrics.registry.metrics();
    const res = await fetch(`${t.url}/training/view-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
      body: 'not json\n{"also":"not an event"}\n',
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
    expect(answer.rejected).toHaveLength(2);
    const after = await t.app.metrics.registry.metrics();
    const delta = (outcome: string) => sample(after, 'member_graph_training_view_events_total', { outcome }) - sample(before, 'member_graph_training_view_events_total', { outcome });
    expect([delta('accepted'), delta('duplicate'), delta('rejected')]).toEqual([answer.accepted, answer.duplicates, 2]);
    expect(after).toContain('member_graph_statistics_returns_total{action="saved"}');
  });

  it('leave statements per request empty while statements are not counted (the default)', async () => {
    await t.gql('query { organizations(first: 2) { edges { node { id } } } }');
    const text = await t.app.metrics.registry.metrics();
    expect(sample(text, 'member_graph_http_request_statements_count', { route: '/graphql' })).toBe(0);
  });
});

describe('metrics with statements counted and a small budget', () => {
  let counted: TestApp;
  beforeAll(async () => {
    counted = await createTestApp({ LOG_STATEMENT_COUNTS: 'true', RATE_LIMIT_POINTS: '30', RATE_LIMIT_WINDOW_SECONDS: '3600' });
  });
  afterAll(async () => {
    await counted?.close();
  });

  it('observe the statements of each request, and count RATE_LIMITED refusals by route', async () => {
    const query = 'query Two { organizations(first: 2) { edges { node { id } } } }';
    const { count } = await counted.countedExecute(query, {}, { role: 'ANONYMOUS' } as never);
    expect(count).toBeGreaterThan(0);
    const first = await counted.gql(query);
    expect(first.status).toBe(200);
    let text = await counted.app.metrics.registry.metrics();
    expect(sample(text, 'member_graph_http_request_statements_count', { route: '/graphql' })).toBe(1);
    expect(sample(text, 'member_graph_http_request_statements_sum', { route: '/graphql' })).toBe(count);
    // Spend the budget: the refusals are counted once per refused request, whichever path refused it.
    let refused = 0;
    for (let i = 0; i < 40 && refused < 2; i++) if ((await counted.gql(query)).status === 429) refused++;
    expect(refused).toBe(2);
    text = await counted.app.metrics.registry.metrics();
    expect(sample(text, 'member_graph_rate_limit_refusals_total', { route: '/graphql' })).toBe(2);
  });
});

