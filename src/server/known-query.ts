// The known-query path: a repeated operation answered without Apollo's request pipeline, exactly as Apollo answers it
// (docs/ARCHITECTURE.md, step 3; docs/PERFORMANCE.md). Everything it shares with Apollo passes through this module.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Context } from '../graphql/context.js';
import type { JitEngine, KnownQuery } from '../graphql/executor.js';
import { planJsonAnswer, type JsonAnswerPlan } from '../graphql/json-answer.js';
import { chargeOperation, rateLimitHeaders, withCost, type CostReport } from '../rate-limit/charge.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import { requestLogOf } from './request-log.js';

/**
 * What the path did with the POSTs to /graphql it was offered (GET never is), per app. Every such request counts once:
 * `hits` answered here; `handedToApollo` run here, but with errors, so Apollo formats the result it is handed (the
 * operation does not run again); `misses` left to Apollo altogether (another body, content type or Accept header, a
 * text Apollo has not validated and run yet, or a refused charge).
 */
export interface KnownQueryStats {
  hits: number;
  /** Of the hits, those answered by one statement (src/graphql/json-answer.ts) instead of the resolvers. */
  statementAnswers: number;
  misses: number;
  handedToApollo: number;
}

export interface KnownQueryPath {
  /** Live counts; read them, do not write them. */
  readonly stats: Readonly<KnownQueryStats>;
  /** Answers the request and returns true, or returns false for Apollo to answer it (see `answerKnownQuery`). */
  answer(req: IncomingMessage, res: ServerResponse, body: unknown, context: Context, cors: Record<string, string>): Promise<boolean>;
}

interface HandOff {
  result: ExecutionResult;
  cost: CostReport;
}

/**
 * The hand-off to Apollo rides on the request's context under a symbol only this module holds, so no other code can
 * read or set it and `Context` has no field for it. Not a WeakMap keyed by the context: Apollo hands its plugins and
 * executor a shallow copy of the context value (`cloneObject`, Object.assign), which keeps own symbol-keyed
 * properties but is a different key.
 */
const handOff = Symbol('known-query hand-off');
type Carrier = { [handOff]?: HandOff };

/** For the executor: the result the path already computed for this request, which Apollo must format, not run again. */
export function resultRunAhead(context: object): ExecutionResult | undefined {
  return (context as Carrier)[handOff]?.result;
}

/** For the rate-limit plugin: the price the path already charged for this request, to report and not charge again. */
export function costChargedAhead(context: object): CostReport | undefined {
  return (context as Carrier)[handOff]?.cost;
}

/** A POST body of a query, its variables and operation name only (no extensions, no persisted query). */
function isPlainQueryBody(body: unknown): body is { query: string; variables?: Record<string, unknown> | null; operationName?: string | null } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  for (const key in b) if (key !== 'query' && key !== 'variables' && key !== 'operationName') return false;
  const { variables, operationName } = b;
  return (
    typeof b.query === 'string' &&
    (variables === undefined || variables === null || (typeof variables === 'object' && !Array.isArray(variables))) &&
    (operationName === undefined || operationName === null || typeof operationName === 'string')
  );
}

export function createKnownQueryPath(engine: JitEngine, schema: GraphQLSchema, rateLimiter: RateLimiter): KnownQueryPath {
  const stats: KnownQueryStats = { hits: 0, statementAnswers: 0, misses: 0, handedToApollo: 0 };
  // Each known operation's one-statement plan (src/graphql/json-answer.ts), or null when it has none: made once.
  const plans = new WeakMap<KnownQuery, JsonAnswerPlan | null>();
  const planOf = (known: KnownQuery) => {
    let plan = plans.get(known);
    if (plan === undefined) plans.set(known, (plan = planJsonAnswer(schema, known.document, known.operation)));
    return plan;
  };

  /**
   * A POST of an operation (query or mutation) Apollo has already validated and run in this process (the same text and
   * operation name; `engine.known`) is priced and charged by the same rule as the rate-limit plugin (chargeOperation),
   * run by its compiled code, and answered as Apollo answers it: 200, application/json,
   * `{"data":…,"extensions":{"cost":…}}`. Apollo's request pipeline (hashing, plugins, context objects) cost more than
   * the whole of a lookup by key (docs/PERFORMANCE.md). Anything else stays Apollo's: other bodies, content types or
   * Accept headers, a refused charge (which took nothing from the budget), and answers with errors, whose result and
   * cost Apollo is handed to format, so the operation never runs twice. True when it answered.
   */
  async function answerKnownQuery(req: IncomingMessage, res: ServerResponse, body: unknown, context: Context, cors: Record<string, string>): Promise<boolean> {
    if (!isPlainQueryBody(body) || !/^application\/json\s*(?:;|$)/i.test(req.headers['content-type'] ?? '')) return miss();
    const accept = req.headers.accept;
    if (accept !== undefined && accept !== '*/*' && !/^application\/json\s*$/i.test(accept)) return miss();
    const known = engine.known(body.query, body.operationName ?? undefined);
    if (!known) return miss();
    const variables = body.variables ?? {};
    let cost: CostReport;
    try {
      cost = await chargeOperation(rateLimiter, schema, known.document, known.operation, variables, context.principal);
    } catch {
      return miss();
    }
    // A whole answer from one statement, when the operation has a plan and these arguments fit it: its `data` as the
    // database wrote it, the same bytes the resolvers' answer would have.
    const plan = planOf(known);
    if (plan) {
      let data: string | undefined;
      try {
        data = await plan.run(context, variables);
      } catch {
        // The resolvers answer instead, and report the failure as they do.
        data = undefined;
      }
      if (data !== undefined) {
        send(res, cors, cost, `{"data":${data},"extensions":${JSON.stringify(withCost(undefined, cost))}}\n`, known, body.operationName);
        stats.hits++;
        stats.statementAnswers++;
        return true;
      }
    }
    let result: ExecutionResult;
    try {
      result = await known.compiled.query(undefined, context, variables);
    } catch (error) {
      // Resolver errors come back in the result; this is the compiled code itself failing. Apollo answers it (masked).
      result = { data: null, errors: [new GraphQLError('Unexpected error', { originalError: error instanceof Error ? error : new Error(String(error)) })] };
    }
    if (result.errors) {
      (context as Carrier)[handOff] = { result, cost };
      stats.handedToApollo++;
      return false;
    }
    // Apollo's bytes, not the app's JSON writer: the same body with its trailing newline, the same headers.
    send(res, cors, cost, `${JSON.stringify({ data: result.data, extensions: withCost(result.extensions, cost) })}\n`, known, body.operationName);
    stats.hits++;
    return true;
  }

  function send(res: ServerResponse, cors: Record<string, string>, cost: CostReport, text: string, known: KnownQuery, operationName: string | null | undefined): void {
    res.writeHead(200, { ...cors, ...rateLimitHeaders(cost), 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    const logFields = requestLogOf(res);
    if (logFields) {
      logFields.operation = known.operation.name?.value ?? operationName ?? undefined;
      logFields.operationType = known.operation.operation;
    }
  }

  function miss(): false {
    stats.misses++;
    return false;
  }

  return { stats, answer: answerKnownQuery };
}
