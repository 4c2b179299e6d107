// Taking points from a principal's budget: the one rule behind GraphQL operations (priced from their document),
// token requests and CSV exports (a fixed price each). Callers only word the refusal in their own protocol.
import { HeaderMap } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { cachedOperationCost } from './cost.js';
import type { Charge, RateLimiter } from './rate-limiter.js';

/**
 * What charging `cost` came to: the limiter's Charge (allowed or refused; a refusal takes nothing), 'free' when
 * nothing is charged (limits off, no limiter or no principal), or 'over-budget' when the price exceeds the whole
 * budget under `overBudget: 'refuse'` (refused without touching the bucket). Strings rather than objects for the two
 * fixed outcomes, so charging allocates nothing beyond the limiter's own answer.
 */
export type BudgetCharge = Charge | 'free' | 'over-budget';

/**
 * Charges `cost` to `principal`. `overBudget` says what a price above the whole budget means: 'refuse' for operations,
 * whose price the caller chose (ask for fewer rows); 'cap' for fixed-price requests, charged at most the whole budget
 * so that even a tiny configured budget admits one of them per window.
 */
export async function chargeBudget(limiter: RateLimiter | undefined, principal: string | undefined, cost: number, overBudget: 'refuse' | 'cap'): Promise<BudgetCharge> {
  if (!limiter?.enabled || !principal) return 'free';
  if (cost > limiter.limit) {
    if (overBudget === 'refuse') return 'over-budget';
    cost = limiter.limit;
  }
  return limiter.charge(principal, cost);
}

export interface CostReport {
  /** Estimated cost of this operation (charged when limits are on and the request has a principal). */
  requested: number;
  /** Budget per window, and what is left of it after this operation. */
  limit: number;
  remaining: number | null;
  windowSeconds: number;
}

/**
 * Prices an operation and charges the principal's budget: the cost report, or the refusal as a GraphQLError (400 over
 * the whole budget, 429 RATE_LIMITED with Retry-After when spent; a refusal takes nothing from the budget). One rule
 * for the rate-limit plugin and for the known-query path (src/server/known-query.ts).
 */
export async function chargeOperation(
  limiter: RateLimiter,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  principal: string | undefined,
): Promise<CostReport> {
  const requested = cachedOperationCost(schema, document, operation, variables);
  const report: CostReport = { requested, limit: limiter.limit, remaining: null, windowSeconds: limiter.windowSeconds };
  const charge = await chargeBudget(limiter, principal, requested, 'refuse');
  if (charge === 'free') return report;
  if (charge === 'over-budget') {
    throw new GraphQLError(`Query cost ${requested} exceeds the budget of ${limiter.limit} points per ${limiter.windowSeconds} s; ask for fewer rows`, {
      extensions: { code: 'BAD_USER_INPUT', cost: report, http: { status: 400 } },
    });
  }
  report.remaining = charge.remaining;
  if (!charge.allowed) {
    throw new GraphQLError(`Rate limit exceeded: this query costs ${requested} points; retry in ${charge.retryAfterSeconds} s`, {
      extensions: {
        code: 'RATE_LIMITED',
        cost: report,
        http: { status: 429, headers: new HeaderMap([['retry-after', String(charge.retryAfterSeconds)]]) },
      },
    });
  }
  return report;
}

/**
 * The RateLimit-Policy and RateLimit headers (IETF draft-ietf-httpapi-ratelimit-headers) beside extensions.cost: the
 * policy's quota and window, and what is left with the seconds until the budget is whole again (the bucket refills
 * evenly over the window). None when nothing was charged (limits off, or a request without a principal).
 */
export function rateLimitHeaders(report: CostReport): Record<string, string> {
  if (report.remaining === null) return {};
  const remaining = Math.max(0, Math.floor(report.remaining));
  const secondsToFull = Math.ceil(((report.limit - remaining) / report.limit) * report.windowSeconds);
  return {
    'ratelimit-policy': `"budget";q=${report.limit};w=${report.windowSeconds}`,
    ratelimit: `"budget";r=${remaining};t=${secondsToFull}`,
  };
}

/** The answer's extensions with the cost report, as every response carries it. */
export function withCost(extensions: Record<string, unknown> | undefined, report: CostReport): Record<string, unknown> {
  return { ...extensions, cost: report };
}
