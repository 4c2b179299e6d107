// What the one log line of each request says beyond method, path, status and time (issue 21): the GraphQL operation's
// name, the principal (the token's subject, never the token), the error codes answered and, with
// LOG_STATEMENT_COUNTS=true, the SQL statements it ran. app.ts starts the fields and writes the line; the GraphQL route,
// the known-query path and Apollo's plugin (requestLogPlugin) fill them in, so both paths produce the same line.
import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Viewer } from '../auth/viewer.js';
import type { Context } from '../graphql/context.js';

export interface RequestLogFields {
  operation?: string;
  /** query, mutation or subscription: for the operation's span (not logged). */
  operationType?: string;
  principal?: string;
  errorCodes?: string[];
  statements?: number;
}

/**
 * The fields ride on the response and on the request's context under a symbol only this module holds (Apollo hands its
 * plugins a shallow copy of the context, which keeps own symbol-keyed properties; the fields object itself is shared).
 */
const fieldsKey = Symbol('request log fields');
type Carrier = { [fieldsKey]?: RequestLogFields };

export function startRequestLog(res: ServerResponse): RequestLogFields {
  const fields: RequestLogFields = {};
  (res as Carrier)[fieldsKey] = fields;
  return fields;
}

/** The fields of the request `target` (a response or a context) belongs to; undefined outside a logged request. */
export function requestLogOf(target: object): RequestLogFields | undefined {
  return (target as Carrier)[fieldsKey];
}

/** Who the request acted as, for the log: the token's subject, or "anonymous". */
export function principalForLog(viewer: Viewer): string {
  return viewer.role === 'ANONYMOUS' ? 'anonymous' : viewer.subject;
}

/** Ties a GraphQL request's context to its response's log fields, with the principal. */
export function noteGraphQLRequest(res: ServerResponse, context: Context): void {
  const fields = requestLogOf(res);
  if (!fields) return;
  fields.principal = principalForLog(context.viewer);
  (context as Carrier)[fieldsKey] = fields;
}

export function noteErrorCodes(fields: RequestLogFields | undefined, codes: Iterable<string>): void {
  if (!fields) return;
  const all = new Set(fields.errorCodes);
  for (const code of codes) all.add(code);
  if (all.size > 0) fields.errorCodes = [...all];
}

function codesOf(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return (errors ?? []).map((error) => (typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR'));
}

/** Apollo's side: the operation it resolved (or the name the request gave) and the codes of the errors it answers. */
export function requestLogPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const fields = requestLogOf(contextValue);
      if (!fields) return;
      if (request.operationName) fields.operation = request.operationName;
      return {
        async didResolveOperation({ operationName, operation }) {
          if (operationName) fields.operation = operationName;
          if (operation) fields.operationType = operation.operation;
        },
        async willSendResponse({ response }) {
          if (response.body.kind === 'single') noteErrorCodes(fields, codesOf(response.body.singleResult.errors));
          else noteErrorCodes(fields, codesOf(response.body.initialResult.errors));
        },
      };
    },
  };
}
