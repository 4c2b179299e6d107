// The one place errors leave the server: known codes keep their message (minus schema hints), the rest are masked.
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { isTransientDatabaseError } from '../db/errors.js';
import type { Logger } from '../logger.js';
import { activeTraceId } from '../tracing.js';

const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** The headers that mark a GET as not cross-site (a browser sends them only after a CORS preflight). */
export const PREFLIGHT_HEADERS = ['x-requested-with', 'apollo-require-preflight', 'x-apollo-operation-name'] as const;

/**
 * Refusals worded by Apollo Server, in the project's own words and codes: they named the library, its options and
 * its headers, and one of them (a persisted query whose hash is not the query's) had no code and was logged as a crash.
 */
function ownWording(formatted: GraphQLFormattedError): { message: string; code: string } | null {
  if (formatted.extensions?.validationErrorCode === 'INTROSPECTION_DISABLED') {
    return { code: 'GRAPHQL_VALIDATION_FAILED', message: 'Introspection is turned off on this server; the schema is documented in the API reference' };
  }
  if (formatted.extensions?.code === 'BAD_REQUEST' && formatted.message.startsWith('This operation has been blocked as a potential Cross-Site Request Forgery')) {
    return {
      code: 'BAD_REQUEST',
      message: 'Refused as a possible cross-site request: send the header X-Requested-With (any value) with a GET query, or POST it with Content-Type: application/json',
    };
  }
  if (formatted.extensions?.code === 'PERSISTED_QUERY_NOT_SUPPORTED') {
    return {
      code: 'PERSISTED_QUERY_NOT_SUPPORTED',
      message: 'Automatic persisted queries are turned off on this server: send the query text, or a registered trusted document by documentId',
    };
  }
  return null;
}

/** graphql-js suggests field, type, enum and input names; none of that reaches a client. */
export function stripSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '').trim();
}

/**
 * Apollo's formatError: the project's wording (`formatErrorText`), and with tracing on the request's trace id in
 * `extensions.traceId`, so a client's report of an error leads to its trace.
 */
export function createFormatError(logger: Logger, options: { traceIds?: boolean } = {}) {
  const wordError = formatErrorText(logger);
  if (!options.traceIds) return wordError;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const out = wordError(formatted, error);
    const traceId = activeTraceId();
    return traceId ? { ...out, extensions: { ...out.extensions, traceId } } : out;
  };
}

function formatErrorText(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const own = ownWording(formatted);
    if (own) return { message: own.message, ...(formatted.locations ? { locations: formatted.locations } : {}), extensions: { code: own.code } };
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) {
      const extensions: Record<string, unknown> = { code };
      for (const key of ['limit', 'cost'] as const) {
        if (formatted.extensions?.[key] !== undefined) extensions[key] = formatted.extensions[key];
      }
      return {
        message: stripSuggestions(formatted.message),
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions,
      };
    }
    if (isTransientDatabaseError(error)) {
      // The database is away, busy or cut the statement short: nothing was committed; the client may retry.
      logger.warn({ err: (error as { originalError?: unknown })?.originalError ?? error, path: formatted.path }, 'database unavailable');
      return {
        message: SERVICE_UNAVAILABLE_MESSAGE,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      };
    }
    logger.error({ err: (error as { originalError?: unknown })?.originalError ?? error, path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

export const SERVICE_UNAVAILABLE_MESSAGE = 'Service temporarily unavailable, please retry';
/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = '1';

/** A request that failed because the database was unavailable answers HTTP 503 with Retry-After (see isTransientDatabaseError). */
export function databaseUnavailablePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors(ctx) {
          if (ctx.errors.some((e) => isTransientDatabaseError(e))) {
            ctx.response.http.status = 503;
            ctx.response.http.headers.set('retry-after', RETRY_AFTER_SECONDS);
          }
        },
      };
    },
  };
}
