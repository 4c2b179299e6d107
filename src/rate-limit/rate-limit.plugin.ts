// Apollo plugin: prices each operation before it runs, charges the principal's budget, reports extensions.cost,
// and answers HTTP 429 RATE_LIMITED with Retry-After when the budget is spent.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Context } from '../graphql/context.js';
import { chargeOperation, withCost, type CostReport } from './charge.js';
import { findOperation } from './cost.js';
import type { RateLimiter } from './rate-limiter.js';

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
