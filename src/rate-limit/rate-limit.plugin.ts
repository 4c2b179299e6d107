// Apollo plugin: prices each operation before it runs, charges the principal's budget, reports extensions.cost,
// and answers HTTP 429 RATE_LIMITED with Retry-After when the budget is spent.
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
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

export function rateLimitPlugin(limiter: RateLimiter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let report: CostReport | undefined;
      return {
        async didResolveOperation(rc) {
          const operation = rc.operation ?? findOperation(rc.document, rc.operationName);
          if (!operation) return;
          const requested = cachedOperationCost(rc.schema, rc.document, operation, rc.request.variables ?? {});
          report = { requested, limit: limiter.limit, remaining: null, windowSeconds: limiter.windowSeconds };
          const principal = rc.contextValue.principal;
          if (!limiter.enabled || !principal) return;
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
        },
        async willSendResponse(rc) {
          if (!report || rc.response.body.kind !== 'single') return;
          const result = rc.response.body.singleResult;
          result.extensions = { ...result.extensions, cost: report };
        },
      };
    },
  };
}
