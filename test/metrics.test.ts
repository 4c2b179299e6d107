// Prometheus metrics (issue 21): every request counted where its log line is written, so the known-query fast path and
// Apollo's path alike; known-query outcomes; the webhook queue; served on a listener of its own, loopback by default.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startMetricsServer } from '../src/server/metrics.js';
import { createTestApp, type TestApp } from './support/harness.js';

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
});
