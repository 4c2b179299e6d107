// Apollo plugin: prices each operation before it runs, charges the principal's budget, reports extensions.cost,
// and answers HTTP 429 RATE_LIMITED with Retry-After when the budget is spent.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Context } from '../graphql/context.js';
import { chargeOperation, rateLimitHeaders, withCost, type CostReport } from './charge.js';
import { findOperation } from './cost.js';
import type { RateLimiter } from './rate-limiter.js';

export interface RateLimitPluginOptions {
  /**
   * The price already charged for this request outside Apollo's pipeline (src/server/known-query.ts, which ran the
   * operation and hands Apollo its errors to format): reported, not charged again. Undefined for every other request.
   */
  costChargedAhead?: (context: Context) => CostReport | undefined;
}

export function rateLimitPlugin(limiter: RateLimiter, options: RateLimitPluginOptions = {}): ApolloServerPlugin<Context> {
  const { costChargedAhead } = options;
  return {
    async requestDidStart() {
      let report: CostReport | undefined;
      return {
        async didResolveOperation(rc) {
          const ahead = costChargedAhead?.(rc.contextValue);
          if (ahead) {
            report = ahead;
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
          for (const [name, value] of Object.entries(rateLimitHeaders(report))) rc.response.http.headers.set(name, value);
        },
      };
    },
  };
}
