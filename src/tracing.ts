// OpenTelemetry tracing (issue 21; docs/OPERATIONS.md, "Tracing"). On only when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: then a tracer provider with a batch processor exporting over OTLP/HTTP, an
// AsyncLocalStorage context manager, and the W3C trace-context propagator. Off (the default) nothing here is built and
// callers pass `undefined` around: no provider, no context manager, no span object on any request.
//
// The spans are written by hand where the work happens (no auto-instrumentation): the HTTP server span and the GraphQL
// operation span in src/server, each SQL statement through openDatabase's statementObserver (src/db/client.ts), each
// webhook delivery in the worker. Variables and statement parameters never go into a span.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type ContextManager,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_DB_QUERY_TEXT, ATTR_DB_SYSTEM_NAME, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { SAMPLERS, type Config } from './config.js';

export const TRACER_NAME = 'member-graph';

export type SamplerName = (typeof SAMPLERS)[number];

export function samplerFor(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/**
 * The active context follows each request through its promises (Node's AsyncLocalStorage), so a statement's span
 * finds its request's span as parent. Registered only while tracing is on (the SDK has no Node context manager of its
 * own without @opentelemetry/context-async-hooks, which this project does not install).
 */
class AsyncLocalStorageContextManager implements ContextManager {
  private storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const manager = this;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => (target as (...a: unknown[]) => unknown).apply(this, args));
    } as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  keys: (carrier: Record<string, string | string[] | undefined>) => Object.keys(carrier),
  get: (carrier: Record<string, string | string[] | undefined>, key: string) => carrier[key],
};

/** What the request's statements are counted into while tracing is on (the request log's `statements`). */
const STATEMENT_TALLY = Symbol.for('member-graph.statement-tally');

/** Tracing while it is on; `undefined` everywhere when it is off. */
export interface Tracing {
  readonly tracer: Tracer;
  /**
   * The context of an incoming request: its W3C `traceparent`/`tracestate` continued when valid, a new root otherwise.
   * `tally.statements` counts the statements run inside it.
   */
  incoming(headers: Record<string, string | string[] | undefined>, tally?: { statements?: number }): Context;
  /** `traceparent` (and `tracestate`) for an outgoing request made inside `ctx`. */
  outgoingHeaders(ctx?: Context): Record<string, string>;
  /** One span per SQL statement, child of the active span (none outside one): for openDatabase's `statementObserver`. */
  statement<T>(text: string, run: () => Promise<T>): Promise<T>;
  /** Flushes the spans still batched, then stops; gives up after `timeoutMs`. Idempotent. */
  shutdown(timeoutMs: number): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  sampler: Sampler;
  /** Where spans go: the OTLP/HTTP exporter in production, an in-memory exporter in tests. */
  exporter: SpanExporter;
  /** Batch (the default; exported in the background) or simple (each span exported as it ends; tests). */
  processor?: 'batch' | 'simple';
  /** The processor itself, instead of one built around `exporter` (the benchmark's no-op exporting one). */
  spanProcessor?: SpanProcessor;
  /** Register the provider, context manager and propagator as OpenTelemetry's globals (default true). */
  registerGlobally?: boolean;
}

/** The OTLP/HTTP traces URL from the settings: the signal-specific endpoint as given, or `<endpoint>/v1/traces`. */
export function otlpTracesUrl(config: Pick<Config, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>): string | undefined {
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

/** Tracing as configured: `undefined` (off, nothing built) unless an OTLP endpoint is set and OTEL_SDK_DISABLED is not. */
export function tracingFromConfig(config: Config, overrides: Partial<TracingOptions> = {}): Tracing | undefined {
  const url = otlpTracesUrl(config);
  if (config.OTEL_SDK_DISABLED || (!url && !overrides.exporter && !overrides.spanProcessor)) return undefined;
  return startTracing({
    serviceName: config.OTEL_SERVICE_NAME,
    sampler: samplerFor(config.OTEL_TRACES_SAMPLER, config.OTEL_TRACES_SAMPLER_ARG),
    // The exporter reads OTEL_EXPORTER_OTLP_HEADERS / _TIMEOUT / _COMPRESSION itself (docs/OPERATIONS.md, "Tracing").
    exporter: overrides.exporter ?? new OTLPTraceExporter({ url }),
    ...overrides,
  });
}

export function startTracing(options: TracingOptions): Tracing {
  const processor =
    options.spanProcessor ?? (options.processor === 'simple' ? new SimpleSpanProcessor(options.exporter) : new BatchSpanProcessor(options.exporter));
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    sampler: options.sampler,
    spanProcessors: [processor],
  });
  const contextManager = new AsyncLocalStorageContextManager();
  const global = options.registerGlobally ?? true;
  if (global) {
    // Tests start and stop tracing more than once in a process: whatever was registered before goes first.
    trace.disable();
    context.disable();
    propagation.disable();
    trace.setGlobalTracerProvider(provider);
    propagation.setGlobalPropagator(propagator);
  }
  // Spans find their parents through the active context: the global context manager, this one, while tracing is on.
  context.disable();
  context.setGlobalContextManager(contextManager);
  const tracer = provider.getTracer(TRACER_NAME);
  let stopping: Promise<void> | undefined;

  return {
    tracer,
    incoming(headers, tally) {
      const ctx = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      return tally ? ctx.setValue(STATEMENT_TALLY, tally) : ctx;
    },
    outgoingHeaders(ctx = context.active()) {
      const headers: Record<string, string> = {};
      propagator.inject(ctx, headers, { set: (carrier, key, value) => (carrier[key] = value) });
      return headers;
    },
    statement(text, run) {
      const parent = context.active();
      // Only inside a traced unit of work (a request, a delivery attempt): the purge timer, the worker's polling and
      // the benchmark's baseline queries make no root spans of their own.
      if (!trace.getSpan(parent)) return run();
      const tally = parent.getValue(STATEMENT_TALLY) as { statements?: number } | undefined;
      if (tally) tally.statements = (tally.statements ?? 0) + 1;
      // The statement's text with its $n placeholders: its parameters are never recorded.
      const span = tracer.startSpan(
        statementSpanName(text),
        { kind: SpanKind.CLIENT, attributes: { [ATTR_DB_SYSTEM_NAME]: 'postgresql', [ATTR_DB_QUERY_TEXT]: text } },
        parent,
      );
      return context.with(trace.setSpan(parent, span), run).then(
        (result) => {
          span.end();
          return result;
        },
        (error: unknown) => {
          endWithError(span, error);
          throw error;
        },
      );
    },
    shutdown(timeoutMs) {
      stopping ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, timeoutMs));
          timer.unref();
        });
        try {
          await Promise.race([provider.shutdown().catch(() => undefined), timeout]);
        } finally {
          clearTimeout(timer);
          context.disable();
          if (global) {
            trace.disable();
            propagation.disable();
          }
        }
      })();
      return stopping;
    },
  };
}

/** The span's name: the statement's first keyword ("SELECT", "INSERT", "BEGIN" …), never its values. */
export function statementSpanName(text: string): string {
  const keyword = /^\s*(?:\(\s*)?([A-Za-z]+)/.exec(text)?.[1];
  return keyword ? keyword.toUpperCase() : 'SQL';
}

/** Ends `span` as failed: its status says ERROR with the error's class name (messages may carry data; not recorded). */
export function endWithError(span: Span, error: unknown): void {
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown })?.code;
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof code === 'string' ? `${name} ${code}` : name });
  span.setAttribute('error.type', typeof code === 'string' ? code : name);
  span.end();
}

/** `traceresponse` (W3C Trace Context Level 2): the trace id and the server span's id, answered on every request. */
export function traceResponseHeader(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The trace id of the active span while tracing is on (for error `extensions.traceId`), else undefined. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  const id = span?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}

export { context as otelContext, trace as otelTrace, SpanKind, SpanStatusCode };
export type { Context as TraceContext, Span };
