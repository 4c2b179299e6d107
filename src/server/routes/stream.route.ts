// /graphql/stream: GraphQL subscriptions as Server-Sent Events, the graphql-sse protocol in its "distinct connections"
// mode on HTTP/1 (one request, one subscription, one event stream; docs/LIVE-UPDATES.md). Here: the transport rules
// (methods, Accept, CSRF as on /graphql, body limits), the bearer token (the same as /graphql; streams need one), the
// cap of open streams per principal, the stream's end when its token expires, and every open stream of the app, so a
// shutdown ends them cleanly. What a subscription sends, and its authorization, is src/live/live.schema.ts.
import type { IncomingMessage } from 'node:http';
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { createHandler } from 'graphql-sse';
import { decodeJwt } from 'jose';
import { AuthenticationError, type ViewerResolver } from '../../auth/authenticate.js';
import type { Config } from '../../config.js';
import type { Context, LiveEnd, LiveStreamContext } from '../../graphql/context.js';
import type { LiveHub } from '../../live/live.hub.js';
import type { Logger } from '../../logger.js';
import { chargeBudget } from '../../rate-limit/charge.js';
import type { RateLimiter } from '../../rate-limit/rate-limiter.js';
import type { ContextFactory } from '../context.js';
import { createFormatError, PREFLIGHT_HEADERS } from '../format-error.js';
import { HttpError, jsonNestsDeeperThan, MAX_JSON_DEPTH, readBody, sendError, type Route } from '../http.js';
import { documentLimitRules, documentLimitsFromConfig, subscriptionsOnlyRule } from '../limits.js';
import { noteGraphQLRequest } from '../request-log.js';

export const STREAM_PATH = '/graphql/stream';

/** What opening a stream costs the principal's rate-limit budget (its events are bounded by the cap of open streams). */
export const STREAM_START_COST = 10;

/** Why streams end, in the words their last event carries. */
export const STREAM_ENDS = {
  expired: { code: 'UNAUTHENTICATED', message: 'The token expired: the stream ends; reconnect with a new token' },
  refused: { code: 'UNAUTHENTICATED', message: 'The token is no longer accepted (its service account was disabled or its secret revoked): the stream ends' },
  shutdown: { code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down: reconnect to continue' },
  closed: { code: 'CLIENT_CLOSED', message: 'The client closed the stream' },
} as const satisfies Record<string, LiveEnd>;

export interface StreamRouteDeps {
  config: Config;
  logger: Logger;
  schema: GraphQLSchema;
  hub: LiveHub;
  resolveViewer: ViewerResolver;
  contextFor: ContextFactory;
  limiter?: RateLimiter;
  isShuttingDown(): boolean;
}

/** The stream route of an app and its open streams. */
export interface LiveStreams {
  route: Route;
  /** Open streams now, in all and of one principal ("sub:…"). */
  count(principal?: string): number;
  /** Ends every open stream with `end` as its last event and waits (at most `timeoutMs`) until their answers finished. */
  closeAll(end: LiveEnd, timeoutMs: number): Promise<void>;
}

interface OpenStream {
  principal: string;
  controller: AbortController;
  finished: Promise<void>;
}

/** Each event of a stream runs in the fresh context its source read the object with (the viewer as the token resolves now). */
async function subscribeLive(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in (source as object))) return source as ExecutionResult;
  const events = (source as AsyncIterable<{ ctx?: Context }>)[Symbol.asyncIterator]();
  const mapped: AsyncGenerator<ExecutionResult> = {
    async next() {
      const step = await events.next();
      if (step.done) return { done: true, value: undefined };
      const value = await execute({ ...args, rootValue: step.value, contextValue: step.value.ctx ?? args.contextValue });
      return { done: false, value };
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
    async throw(error) {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncGenerator<ExecutionResult>;
  return mapped;
}

/** The token's expiry (ms since the epoch), read from the token resolveViewer has just verified. */
function expiryOf(authorization: string): number | null {
  try {
    const exp = decodeJwt(authorization.trim().slice('Bearer '.length)).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export function createLiveStreams(deps: StreamRouteDeps): LiveStreams {
  const { config, logger, schema, hub, resolveViewer, contextFor, limiter } = deps;
  const limits = documentLimitsFromConfig(config);
  const rules = [...specifiedRules, subscriptionsOnlyRule, ...documentLimitRules(limits)];
  const formatError = createFormatError(logger);
  const open = new Set<OpenStream>();

  const handler = createHandler<IncomingMessage, { ctx: Context }, Context & Record<PropertyKey, unknown>>({
    schema,
    validate: (s, document) => validate(s, document, rules),
    subscribe: subscribeLive,
    context: (req) => req.context.ctx as Context & Record<PropertyKey, unknown>,
    // Parsed here, with the token limit /graphql parses with; graphql-sse's own parse has none.
    onSubscribe: (req, params) => {
      let document: DocumentNode;
      try {
        document = parse(params.query, { maxTokens: limits.maxTokens });
      } catch (error) {
        const message = error instanceof GraphQLError ? error.message : 'The query could not be parsed';
        return [JSON.stringify({ errors: [{ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] }), { status: 400, statusText: 'Bad Request', headers: { 'content-type': 'application/json; charset=utf-8' } }];
      }
      return { schema, document, operationName: params.operationName, variableValues: params.variables, contextValue: req.context.ctx as Context & Record<PropertyKey, unknown> };
    },
    // Every answer's errors as /graphql words them: client codes kept, anything else masked.
    onNext: (_ctx, _req, result) => {
      if (!('errors' in result) || !result.errors?.length) return;
      return { ...result, errors: result.errors.map((e) => formatError(e instanceof GraphQLError ? e.toJSON() : (e as never), e)) } as never;
    },
  });

  const route: Route = async (req, res, url, requestId, cors) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') {
      // PUT and DELETE are graphql-sse's "single connection" mode, which this server does not offer.
      req.resume();
      sendError(res, 405, 'BAD_REQUEST', 'Method not allowed: open a stream with GET or POST (the graphql-sse distinct connections mode)', { allow: 'GET, POST, OPTIONS', ...cors });
      return;
    }
    if (!(req.headers.accept ?? '').split(',').some((type) => type.trim().split(';')[0]!.trim().toLowerCase() === 'text/event-stream')) {
      req.resume();
      sendError(res, 406, 'BAD_REQUEST', 'Send Accept: text/event-stream: /graphql/stream answers with Server-Sent Events only', cors);
      return;
    }
    // Cross-site requests, refused by the rule /graphql follows: a GET carries a header only a preflighted request can,
    // a POST a non-simple content type (JSON).
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (method === 'GET' ? !PREFLIGHT_HEADERS.some((h) => req.headers[h] !== undefined) : SIMPLE_CONTENT_TYPES.includes(contentType) || contentType === '') {
      req.resume();
      sendError(res, 400, 'BAD_REQUEST', 'Refused as a possible cross-site request: send the header X-Requested-With (any value) with a GET, or POST with Content-Type: application/json', cors);
      return;
    }
    if (method === 'POST' && contentType !== 'application/json') {
      req.resume();
      sendError(res, 415, 'BAD_REQUEST', 'Content-Type must be application/json', cors);
      return;
    }
    if (deps.isShuttingDown()) {
      req.resume();
      sendError(res, 503, 'SERVICE_UNAVAILABLE', STREAM_ENDS.shutdown.message, { 'retry-after': '1', ...cors });
      return;
    }
    let body: string | undefined;
    if (method === 'POST') {
      body = await readBody(req, config.BODY_LIMIT_BYTES);
      if (jsonNestsDeeperThan(body)) throw new HttpError(400, 'JSON_TOO_DEEP', `Request JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
    } else if (['variables', 'extensions'].some((name) => jsonNestsDeeperThan(url.searchParams.get(name) ?? ''))) {
      throw new HttpError(400, 'JSON_TOO_DEEP', `Request JSON is nested more than ${MAX_JSON_DEPTH} levels deep`);
    }

    const authorization = req.headers.authorization;
    const viewer = await resolveViewer(authorization);
    if (viewer.role === 'ANONYMOUS' || authorization === undefined) {
      sendError(res, 401, 'UNAUTHENTICATED', 'Live updates need a token: send Authorization: Bearer <token>', { 'www-authenticate': 'Bearer', ...cors });
      return;
    }
    const ctx = contextFor(req, requestId, viewer);
    noteGraphQLRequest(res, ctx);
    const principal = ctx.principal!;
    const expiresAt = expiryOf(authorization);
    if (expiresAt !== null && expiresAt <= Date.now()) throw new AuthenticationError(401);
    if (count(principal) >= config.LIVE_STREAMS_PER_PRINCIPAL) {
      sendError(
        res,
        429,
        'TOO_MANY_STREAMS',
        `At most ${config.LIVE_STREAMS_PER_PRINCIPAL} live streams may be open at once per principal (LIVE_STREAMS_PER_PRINCIPAL): close one first`,
        cors,
      );
      return;
    }
    const charge = await chargeBudget(limiter, principal, STREAM_START_COST, 'cap');
    if (typeof charge === 'object' && !charge.allowed) {
      sendError(res, 429, 'RATE_LIMITED', `Rate limit exceeded; retry in ${charge.retryAfterSeconds} s`, { 'retry-after': String(charge.retryAfterSeconds), ...cors });
      return;
    }

    const controller = new AbortController();
    let settle!: () => void;
    const stream: OpenStream = { principal, controller, finished: new Promise<void>((resolve) => (settle = resolve)) };
    open.add(stream);
    const end = (reason: LiveEnd) => {
      if (!controller.signal.aborted) controller.abort(reason);
    };
    // setTimeout takes at most 2^31-1 ms (about 24.8 days); no token lives that long.
    const expiry = expiresAt === null ? undefined : setTimeout(() => end(STREAM_ENDS.expired), Math.min(2_147_483_647, Math.max(0, expiresAt - Date.now())));
    const live: LiveStreamContext = {
      hub,
      signal: controller.signal,
      recheckMs: config.LIVE_RECHECK_INTERVAL_MS,
      reachMinIntervalMs: config.LIVE_REACH_MIN_INTERVAL_MS,
      async refresh() {
        if (expiresAt !== null && expiresAt <= Date.now()) return STREAM_ENDS.expired;
        try {
          const fresh = contextFor(req, requestId, await resolveViewer(authorization));
          fresh.live = live;
          return fresh;
        } catch (error) {
          if (error instanceof AuthenticationError && error.status === 401) return STREAM_ENDS.refused;
          throw error;
        }
      },
    };
    ctx.live = live;
    res.once('close', () => end(STREAM_ENDS.closed));
    try {
      const [answer, init] = await handler({
        method,
        url: req.url ?? STREAM_PATH,
        headers: {
          get(key: string) {
            // graphql-sse compares Accept with "text/event-stream" exactly; the check above accepted it.
            if (key === 'accept') return 'text/event-stream';
            const value = req.headers[key];
            return Array.isArray(value) ? value.join('\n') : value;
          },
        },
        body: body ?? null,
        raw: req,
        context: { ctx },
      });
      res.writeHead(init.status ?? 200, { ...(init.headers as Record<string, string>), 'x-accel-buffering': 'no', ...cors });
      if (!answer || typeof answer === 'string') {
        res.end(answer ?? undefined);
        return;
      }
      res.flushHeaders();
      const stopReading = () => void answer.return(undefined);
      res.once('close', stopReading);
      try {
        for await (const chunk of answer) {
          if (!res.writable) break;
          await new Promise<void>((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())));
        }
      } finally {
        res.off('close', stopReading);
      }
      res.end();
    } finally {
      clearTimeout(expiry);
      end(STREAM_ENDS.closed);
      open.delete(stream);
      settle();
    }
  };

  function count(principal?: string): number {
    if (principal === undefined) return open.size;
    let n = 0;
    for (const s of open) if (s.principal === principal) n += 1;
    return n;
  }

  return {
    route,
    count,
    async closeAll(reason, timeoutMs) {
      const streams = [...open];
      for (const s of streams) if (!s.controller.signal.aborted) s.controller.abort(reason);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(streams.map((s) => s.finished)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, timeoutMs));
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
