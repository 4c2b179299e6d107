// Execution through graphql-jit: each operation is compiled once into JavaScript that resolves its fields directly,
// instead of graphql-js walking the document and checking types at every field of every object. Apollo still parses,
// validates (our limits included), runs the plugins and formats errors; only execution is swapped, through Apollo's
// gateway hook, which hands over the document it validated.
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, getVariableValues, GraphQLError, printSchema, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Compiled operations kept at once; the least recently used is dropped past that. */
export const MAX_COMPILED_OPERATIONS = 1000;

type Compiled = CompiledQuery | ExecutionResult;

/**
 * Compiles per (document, operation name), memoised with a bounded LRU: Apollo's query hash names the document text.
 * A document graphql-jit cannot compile is executed by graphql-js instead, so an unusual document still gets an answer.
 */
export function createJitExecutor(schema: GraphQLSchema, maxCompiled = MAX_COMPILED_OPERATIONS): GatewayExecutor {
  const compiled = new Map<string, Compiled>();
  return async (request) => {
    // The operation the client named (Apollo's own operationName is null when it names none in the document, and
    // compiling without a name would pick the document's only operation).
    const operationName = request.request.operationName;
    if (!request.operation) {
      // No such operation: graphql-js answers the error Apollo turns into OPERATION_RESOLUTION_FAILURE; nothing runs.
      return execute({ schema, document: request.document, contextValue: request.context, variableValues: request.request.variables, operationName });
    }
    const key = `${operationName ?? ''}\n${request.queryHash}`;
    let query = compiled.get(key);
    if (query) {
      compiled.delete(key);
    } else {
      try {
        query = compileQuery(schema, request.document, operationName, { disablingCapturingStackErrors: true });
      } catch {
        query = undefined;
      }
      if (!query || !isCompiledQuery(query)) {
        return execute({ schema, document: request.document, contextValue: request.context, variableValues: request.request.variables, operationName });
      }
      if (compiled.size >= maxCompiled) compiled.delete(compiled.keys().next().value!);
    }
    compiled.set(key, query);
    const variables = request.request.variables ?? {};
    const result = await (query as CompiledQuery).query(undefined, request.context, variables);
    if (!('data' in result) && result.errors?.length) {
      // Variables that do not coerce: no resolver ran. Answer graphql-js's errors, which Apollo recognises as
      // BAD_USER_INPUT (400) and whose wording partners already see.
      const coerced = getVariableValues(schema, request.operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
      if (coerced.errors) return { errors: coerced.errors };
    }
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
}

/**
 * graphql-jit's errors are its own GraphQLError look-alike: `extensions` may be undefined (Apollo reads its `code`)
 * and its fields are not graphql-js's. Rebuilt as graphql-js errors, they format like any other: same message,
 * locations, path, extensions and original error (formatError masks by the original error).
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  const rebuilt = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  if (error.locations) (rebuilt as { locations?: unknown }).locations = error.locations;
  return rebuilt;
}

/** The executor as Apollo's gateway: one fixed schema, never updated. */
export function jitGateway(schema: GraphQLSchema): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    load: async () => ({ executor: createJitExecutor(schema) }),
    stop: async () => {},
  };
}
