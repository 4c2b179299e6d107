// Apollo Server as this app runs it: graphql-jit as the executor, our validation rules and limits, error masking, the
// rate-limit plugin, and the bridge from node:http to Apollo's request and response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import type { Context } from '../graphql/context.js';
import { jitGateway, type JitEngine } from '../graphql/executor.js';
import type { Logger } from '../logger.js';
import { rateLimitPlugin } from '../rate-limit/rate-limit.plugin.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import { localizeErrorsJson } from './error-language.js';
import { createFormatError, databaseUnavailablePlugin, PREFLIGHT_HEADERS } from './format-error.js';
import { costChargedAhead } from './known-query.js';
import { documentLimitRules, documentLimitsFromConfig, supportedOperationRule } from './limits.js';
import { requestLogPlugin } from './request-log.js';
import type { Tracing } from '../tracing.js';

export interface ApolloDeps {
  config: Config;
  logger: Logger;
  schema: GraphQLSchema;
  /** Built with the known-query path's `resultRunAhead`, so a result handed over is formatted, not run again. */
  engine: JitEngine;
  rateLimiter: RateLimiter;
  /** On: errors carry extensions.traceId. */
  tracing?: Tracing;
}

/** A started Apollo Server. */
export async function createApollo(deps: ApolloDeps): Promise<ApolloServer<Context>> {
  const { config, logger, schema, engine, rateLimiter } = deps;
  const limits = documentLimitsFromConfig(config);
  const apollo = new ApolloServer<Context>({
    gateway: jitGateway(schema, engine),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries are off: their cache is per instance and anyone may register any hash in it. Machine
    // clients send registered trusted documents by id instead (docs/TRUSTED-DOCUMENTS.md); a request with
    // extensions.persistedQuery answers PERSISTED_QUERY_NOT_SUPPORTED (200, so APQ links fall back to the query text).
    persistedQueries: false,
    // main.ts owns shutdown (drain, then stop); Apollo's own SIGTERM handler would stop it while requests still arrive.
    stopOnTerminationSignals: false,
    csrfPrevention: { requestHeaders: [...PREFLIGHT_HEADERS] },
    hideSchemaDetailsFromClientErrors: true,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [supportedOperationRule, ...documentLimitRules(limits)],
    formatError: createFormatError(logger, { traceIds: deps.tracing !== undefined }),
    plugins: [
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      rateLimitPlugin(rateLimiter, { costChargedAhead }),
      databaseUnavailablePlugin(),
      requestLogPlugin(),
    ],
  });
  await apollo.start();
  return apollo;
}

/** Runs one request through Apollo's pipeline and writes its answer (status, headers, body or stream) with `cors`. */
export async function respondWithApollo(
  apollo: ApolloServer<Context>,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  search: string,
  body: unknown,
  context: Context,
  cors: Record<string, string>,
): Promise<void> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const httpGraphQLRequest: HTTPGraphQLRequest = { method, headers, search, body };
  const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context });
  const outHeaders: Record<string, string> = { ...cors };
  for (const [key, value] of response.headers) outHeaders[key] = value;
  res.statusCode = response.status ?? 200;
  for (const [key, value] of Object.entries(outHeaders)) res.setHeader(key, value);
  if (response.body.kind === 'complete') {
    // Top-level error messages in the request's language (formatError words them in English; codes unchanged).
    const text = localizeErrorsJson(response.body.string, context.locale);
    if (text !== response.body.string) res.removeHeader('content-length');
    res.end(text);
  } else {
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }
}
