// Tracing (issue 21; docs/OPERATIONS.md, "Tracing"): off by default and then nothing of it is built or run; on, a span
// tree per request on both paths (HTTP server → GraphQL operation → SQL statements), W3C traceparent continued and
// answered (traceresponse), the trace id in error extensions, webhook deliveries traced and carrying traceparent, and
// OTLP/HTTP export to a receiver on loopback.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProxyTracer, ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { isNull, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { enqueueEvent } from '../src/outbox/outbox.service.js';
import { samplerFor, startTracing, statementSpanName, tracingFromConfig, type Tracing } from '../src/tracing.js';
import { webhookSubscriptionsTable } from '../src/webhooks/webhooks.table.js';
import { startWebhookWorker } from '../src/webhooks/webhooks.worker.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { startReceiver } from './support/integration.js';
import { waitFor } from './support/wait.js';

const DIRECTORY = 'query DirectoryPage($first: Int) { organizations(first: $first) { edges { node { id name } } } }';

/** Every span of one trace, by id, with its children. */
function treeOf(spans: ReadableSpan[], traceId: string) {
  const mine = spans.filter((s) => s.spanContext().traceId === traceId);
  const children = (parent: ReadableSpan) => mine.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
  return { spans: mine, children };
}

/** The trace once its server span has ended (the simple processor exports each span as it ends). */
async function settledTrace(exporter: InMemorySpanExporter, traceId: string) {
  return (await waitFor(`the request span of trace ${traceId}`, () => {
    const tree = treeOf(exporter.getFinishedSpans(), traceId);
    return tree.spans.some((s) => s.kind === SpanKind.SERVER) ? tree : null;
  }))!;
}

function traceIdOf(headers: Headers): string {
  const value = headers.get('traceresponse');
  expect(value).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  return value!.split('-')[1]!;
}

describe('tracing off (no OTLP endpoint, the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is not built: tracingFromConfig gives nothing, no provider or context manager is registered', () => {
    expect(tracingFromConfig(loadConfig({ NODE_ENV: 'test' }))).toBeUndefined();
    expect(tracingFromConfig(loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }))).toBeUndefined();
    // The API's global provider is still its no-op proxy, which hands out non-recording tracers.
    expect(trace.getTracer('probe')).toBeInstanceOf(ProxyTracer);
    context.with(ROOT_CONTEXT.setValue(Symbol('probe'), 1), () => expect(context.active()).toBe(ROOT_CONTEXT));
  });

  it('costs nothing on a request: no tracer asked for a span on either path, no header read or answered, no traceId', async () => {
    const startSpan = vi.spyOn(ProxyTracer.prototype, 'startSpan');
    const startActiveSpan = vi.spyOn(ProxyTracer.prototype, 'startActiveSpan');
    const getTracer = vi.spyOn(trace, 'getTracer');
    try {
      const hitsBefore = t.app.knownQueries.hits;
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      for (let i = 0; i < 3; i++) {
        const res = await t.gql(DIRECTORY, { first: 2 }, { headers: { traceparent } });
        expect(res.status).toBe(200);
        expect(res.headers.get('traceresponse')).toBeNull();
      }
      expect(t.app.knownQueries.hits - hitsBefore).toBeGreaterThanOrEqual(2);
      const broken = await t.gql('query Broken { organizations(first: ) }');
      expect(broken.body.errors![0]!.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
      expect(startSpan).not.toHaveBeenCalled();
      expect(startActiveSpan).not.toHaveBeenCalled();
      expect(getTracer).not.toHaveBeenCalled();
    } finally {
      startSpan.mockRestore();
      startActiveSpan.mockRestore();
      getTracer.mockRestore();
    }
  });
});

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let t: TestApp;
  beforeAll(async () => {
    tracing = startTracing({ serviceName: 'member-graph-test', sampler: samplerFor('parentbased_always_on', 1), exporter, processor: 'simple' });
    t = await createTestApp({}, { tracing });
  });
  afterEach(() => exporter.reset());
  afterAll(async () => {
    await t?.close();
    await tracing?.shutdown(1000);
  });

  /** Runs DIRECTORY and checks HTTP → operation → statements; returns the trace's spans. */
  async function directoryTrace(variables: Record<string, unknown>, headers: Record<string, string> = {}, text = DIRECTORY) {
    const res = await t.gql(text, variables, { headers });
    expect(res.body.errors).toBeUndefined();
    expect(res.status).toBe(200);
    const traceId = traceIdOf(res.headers);
    const { spans, children } = await settledTrace(exporter, traceId);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.name).toBe('POST /graphql');
    expect(server.attributes['http.route']).toBe('/graphql');
    expect(server.attributes['http.response.status_code']).toBe(200);
    expect(res.headers.get('traceresponse')).toBe(`00-${traceId}-${server.spanContext().spanId}-01`);
    const [operation, ...others] = children(server).filter((s) => s.name !== 'SELECT' && s.kind !== SpanKind.CLIENT);
    expect(others).toEqual([]);
    expect(operation!.name).toBe('query DirectoryPage');
    expect(operation!.attributes).toMatchObject({ 'graphql.operation.name': 'DirectoryPage', 'graphql.operation.type': 'query' });
    const statements = children(operation!).filter((s) => s.kind === SpanKind.CLIENT);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(s.attributes['db.system.name']).toBe('postgresql');
      expect(typeof s.attributes['db.query.text']).toBe('string');
      expect(s.name).toBe(statementSpanName(String(s.attributes['db.query.text'])));
    }
    // The request's statement count (log line, metrics) is the number of statement spans of its trace.
    const allStatements = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(server.attributes['member_graph.statements']).toBe(allStatements.length);
    return { res, traceId, server, operation: operation!, statements, spans };
  }

  it("traces Apollo's path and the known-query fast path alike: HTTP server → GraphQL operation → SQL statements", async () => {
    const text = `${DIRECTORY} # a text this app has not run: the first goes through Apollo`;
    const hits = t.app.knownQueries.hits;
    const apollo = await directoryTrace({ first: 4 }, {}, text);
    const fast = await directoryTrace({ first: 4 }, {}, text);
    expect(t.app.knownQueries.hits).toBe(hits + 1);
    // The same operation, the same statements, on either path.
    expect(fast.statements.map((s) => s.name)).toEqual(apollo.statements.map((s) => s.name));
    expect(apollo.traceId).not.toBe(fast.traceId);
  });

  it('never records variables or statement parameters', async () => {
    const secret = 'ZZ-secret-filter-91733';
    const res = await t.gql('query Search($q: String) { organizations(first: 2, filter: { search: $q }) { totalCount } }', { q: secret });
    const traceId = traceIdOf(res.headers);
    const { spans } = await settledTrace(exporter, traceId);
    expect(spans.some((s) => s.kind === SpanKind.CLIENT)).toBe(true);
    expect(JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]))).not.toContain(secret);
  });

  it("continues the caller's trace (traceparent, tracestate) and answers traceresponse with the server span", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const { server, res } = await directoryTrace({ first: 3 }, { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'vendor=opaque' });
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext?.spanId).toBe(parentId);
    expect(server.spanContext().traceState?.get('vendor')).toBe('opaque');
    expect(traceIdOf(res.headers)).toBe(traceId);
    // A malformed traceparent starts a new trace.
    const fresh = await t.gql(DIRECTORY, { first: 3 }, { headers: { traceparent: `00-${'0'.repeat(32)}-${parentId}-01` } });
    expect(traceIdOf(fresh.headers)).not.toBe('0'.repeat(32));
  });

  it('puts the trace id in the extensions of top-level errors, from Apollo and from the HTTP layer', async () => {
    const broken = await t.gql('query Broken { organizations(first: ) }');
    expect(broken.status).toBe(400);
    expect(broken.body.errors![0]!.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED', traceId: traceIdOf(broken.headers) });
    const notJson = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST', traceId: traceIdOf(notJson.headers) });
    const { spans } = await settledTrace(exporter, traceIdOf(broken.headers));
    expect(spans.find((s) => s.kind === SpanKind.SERVER)!.attributes['member_graph.error_codes']).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('traces each webhook delivery attempt and sends its traceparent to the receiver', async () => {
    const receiver = await startReceiver();
    const association = await t.token('association');
    const created = await t.gql(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { userErrors { code } } }`,
      { input: { url: receiver.url, eventTypes: ['SUGGESTION_SUBMITTED'], description: '追踪测试' } },
      { token: association },
    );
    expect(created.body.data.createWebhookSubscription.userErrors).toEqual([]);
    await enqueueEvent(t.database.db, { type: 'suggestion.submitted', entityType: 'Suggestion', entityId: 7, associationId: 1, payload: { status: 'SUBMITTED' } });
    const outcomes: string[] = [];
    const worker = startWebhookWorker({
      db: t.database.db,
      logger: createLogger('silent'),
      pollIntervalMs: 20,
      maxAttempts: 3,
      retryBaseSeconds: 0.05,
      timeoutMs: 2000,
      allowedHosts: t.config.WEBHOOK_ALLOWED_HOSTS,
      tracing,
      onAttempt: (outcome) => outcomes.push(outcome),
    });
    try {
      await waitFor('a delivery', () => receiver.received.length >= 1);
      const traceparent = receiver.received[0]!.headers.traceparent as string;
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const [, traceId, spanId] = traceparent.split('-');
      const span = (await waitFor('the delivery span', () => exporter.getFinishedSpans().find((s) => s.name === 'webhook deliver' && s.spanContext().spanId === spanId)))!;
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.attributes).toMatchObject({ 'http.response.status_code': 200, 'member_graph.webhook.outcome': 'succeeded', 'member_graph.webhook.event_type': 'suggestion.submitted' });
      // The attempt's bookkeeping statements are its children.
      const { children } = treeOf(exporter.getFinishedSpans(), traceId!);
      expect(children(span).some((s) => s.kind === SpanKind.CLIENT)).toBe(true);
      expect(outcomes).toContain('succeeded');
    } finally {
      await worker.stop();
      await receiver.close();
      await t.database.db.update(webhookSubscriptionsTable).set({ disabledAt: sql`now()` }).where(isNull(webhookSubscriptionsTable.disabledAt));
    }
  });
});

describe('samplers and export', () => {
  it('honours OTEL_TRACES_SAMPLER: always_off records nothing; parentbased_traceidratio at 0 follows a sampled parent', async () => {
    // Spans are read before shutdown: shutting an in-memory exporter down empties it.
    const exporter = new InMemorySpanExporter();
    const off = startTracing({ serviceName: 's', sampler: samplerFor('always_off', 1), exporter, processor: 'simple' });
    off.tracer.startSpan('dropped').end();
    off.tracer.startSpan('dropped too', {}, off.incoming({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).end();
    expect(exporter.getFinishedSpans()).toEqual([]);
    await off.shutdown(500);
    const kept = new InMemorySpanExporter();
    const ratio = startTracing({ serviceName: 's', sampler: samplerFor('parentbased_traceidratio', 0), exporter: kept, processor: 'simple' });
    ratio.tracer.startSpan('root, not sampled').end();
    const parent = ratio.incoming({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    ratio.tracer.startSpan('child of a sampled parent', {}, parent).end();
    const unsampledParent = ratio.incoming({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' });
    ratio.tracer.startSpan('child of an unsampled parent', {}, unsampledParent).end();
    expect(kept.getFinishedSpans().map((s) => s.name)).toEqual(['child of a sampled parent']);
    await ratio.shutdown(500);
    const on = new InMemorySpanExporter();
    const always = startTracing({ serviceName: 's', sampler: samplerFor('always_on', 1), exporter: on, processor: 'simple' });
    always.tracer.startSpan('kept', {}, unsampledParent).end();
    expect(on.getFinishedSpans().map((s) => s.name)).toEqual(['kept']);
    await always.shutdown(500);
    const config = loadConfig({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect([config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG]).toEqual(['parentbased_traceidratio', 0.25]);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER/);
    expect(() => loadConfig({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('exports over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (a receiver on loopback), flushed on shutdown', async () => {
    const bodies: { url: string; contentType: string; body: string }[] = [];
    const receiver = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as AddressInfo).port;
      const tracing = tracingFromConfig(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`, OTEL_SERVICE_NAME: 'mg-export-test', OTEL_TRACES_SAMPLER: 'always_on' }))!;
      expect(tracing).toBeDefined();
      tracing.tracer.startSpan('exported span').end();
      // The batch processor holds the span; shutdown flushes it, bounded by its timeout.
      await tracing.shutdown(5000);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.url).toBe('/v1/traces');
      expect(bodies[0]!.body).toContain('exported span');
      expect(bodies[0]!.body).toContain('mg-export-test');
      // After shutdown the globals are gone again.
      expect(trace.getTracer('probe')).toBeInstanceOf(ProxyTracer);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  }, 15_000);

  it('gives up flushing after its timeout when the endpoint does not answer', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const tracing = tracingFromConfig(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` }))!;
      tracing.tracer.startSpan('stuck').end();
      // The exporter's own timeout is 10 s: resolving within this test's 8 s means the 300 ms bound held.
      await tracing.shutdown(300);
      expect(trace.getTracer('probe')).toBeInstanceOf(ProxyTracer);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 8_000);
});
