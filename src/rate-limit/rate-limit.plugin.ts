// Apollo plugin: prices each operation before it runs, charges the principal's budget, reports extensions.cost,
// and answers HTTP 429 RATE_LIMITED with Retry-After when the budget is spent.
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Context } from '../graphql/context.js';
import { cachedOperationCost, findOperation } from './cost.js';
import type { Charge, RateLimiter } from './rate-limiter.js';

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
 * for the plugin and for the known-query path of src/server/app.ts.
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
  if (!limiter.enabled || !principal) return report;
  if (requested > limiter.limit) {
    throw new GraphQLError(`Query cost ${requested} exceeds the budget of ${limiter.limit} points per ${limiter.windowSeconds} s; ask for fewer rows`, {
      extensions: { code: 'BAD_USER_INPUT', cost: report, http: { status: 400 } },
    });
  }
  const charge: Charge = await limiter.charge(principal, requested);
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

/** The answer's extensions with the cost report, as every response carries it. */
export function withCost(extensions: Record<string, unknown> | undefined, report: CostReport): Record<string, unknown> {
  return { ...extensions, cost: report };
}

export function rateLimitPlugin(limiter: RateLimiter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let report: CostReport | undefined;
      return {
        async didResolveOperation(rc) {
          // Already charged by the known-query path, which ran the operation and left Apollo the errors to format.
          const ahead = rc.contextValue.executedAhead;
          if (ahead) {
            report = ahead.cost;
            return;
          }
          const operation = rc.operation ?? findOperation(rc.document, rc.operationName);
          if (!operation) return;
          try {
            report = await chargeOperation(limiter, rc.schema, rc.document, operation, rc.request.variables ?? {}, rc.contextValue.principal);
          } catch (refusal) {
            // A refusal still reports the price; anything else thrown is Apollo's to answer as it is.
            if (refusal instanceof GraphQLError) report = refusal.extensions.cost as CostReport | undefined;
            throw refusal;
          }
        },
        async willSendResponse(rc) {
          if (!report || rc.response.body.kind !== 'single') return;
          const result = rc.response.body.singleResult;
          result.extensions = withCost(result.extensions, report);
        },
      };
    },
  };
}
