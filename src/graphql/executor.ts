// Execution through graphql-jit: each operation is compiled once into JavaScript that resolves its fields directly,
// instead of graphql-js walking the document and checking types at every field of every object. Apollo still parses,
// validates (our limits included), runs the plugins and formats errors; only execution is swapped, through Apollo's
// gateway hook, which hands over the document it validated.
//
// The engine also remembers the operations Apollo has validated and executed, by their exact text, so that the HTTP
// layer can run a repeated one without Apollo's request pipeline (src/server/known-query.ts).
import type { GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getVariableValues,
  GraphQLError,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/** Compiled operations kept at once; the least recently used is dropped past that. */
export const MAX_COMPILED_OPERATIONS = 1000;
/** Query texts up to this length are remembered for the known-query path; longer ones always go through Apollo. */
export const MAX_KNOWN_QUERY_LENGTH = 4096;

/** An operation Apollo parsed, validated (our document limits included) and executed, compiled. */
export interface KnownQuery {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  compiled: CompiledQuery;
}

export interface JitEngine {
  executor: GatewayExecutor;
  /**
   * The known operation (query or mutation) for this exact text and operation name, or undefined: only documents that
   * passed Apollo's validation in this process, up to MAX_KNOWN_QUERY_LENGTH characters, the most recent
   * MAX_COMPILED_OPERATIONS of them. Validation depends on the document and the schema only, never on the viewer.
   */
  known(query: string, operationName: string | undefined): KnownQuery | undefined;
}

export interface JitEngineOptions {
  /** Compiled operations kept at once (MAX_COMPILED_OPERATIONS by default). */
  maxCompiled?: number;
  /**
   * The result of an operation already run for this request outside Apollo's pipeline, which Apollo is only to format
   * (src/server/known-query.ts); undefined for every other request.
   */
  resultRunAhead?: (context: object) => ExecutionResult | undefined;
}

const knownKey = (query: string, operationName: string | null | undefined) => `${operationName ?? ''}\n${query}`;

/** Keeps a bounded map in least-recently-used order: a hit moves the entry to the end; past `max` the oldest goes. */
function touch<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}

/**
 * Compiles per (document, operation name), memoised with a bounded LRU: Apollo's query hash names the document text.
 * A document graphql-jit cannot compile is executed by graphql-js instead, so an unusual document still gets an answer.
 */
export function createJitEngine(schema: GraphQLSchema, options: JitEngineOptions = {}): JitEngine {
  const { maxCompiled = MAX_COMPILED_OPERATIONS, resultRunAhead } = options;
  const compiled = new Map<string, CompiledQuery>();
  const knownQueries = new Map<string, KnownQuery>();
  const executor: GatewayExecutor = async (request) => {
    // The operation the client named (Apollo's own operationName is null when it names none in the document, and
    // compiling without a name would pick the document's only operation).
    const operationName = request.request.operationName;
    // The known-query path already ran this operation and hands Apollo the result to format: nothing runs twice.
    const ahead = resultRunAhead?.(request.context);
    if (ahead && request.operation) return finish(schema, request, ahead);
    if (!request.operation) {
      // No such operation: graphql-js answers the error Apollo turns into OPERATION_RESOLUTION_FAILURE; nothing runs.
      return execute({ schema, document: request.document, contextValue: request.context, variableValues: request.request.variables, operationName });
    }
    const key = `${operationName ?? ''}\n${request.queryHash}`;
    let query = compiled.get(key);
    if (!query) {
      let made: CompiledQuery | ExecutionResult | undefined;
      try {
        made = compileQuery(schema, request.document, operationName, { disablingCapturingStackErrors: true });
      } catch {
        made = undefined;
      }
      if (!made || !isCompiledQuery(made)) {
        return execute({ schema, document: request.document, contextValue: request.context, variableValues: request.request.variables, operationName });
      }
      query = made;
    }
    touch(compiled, key, query, maxCompiled);
    const source = request.source;
    if (source !== undefined && source.length <= MAX_KNOWN_QUERY_LENGTH) {
      touch(knownQueries, knownKey(source, operationName), { document: request.document, operation: request.operation, compiled: query }, maxCompiled);
    }
    const result = await query.query(undefined, request.context, request.request.variables ?? {});
    return finish(schema, request, result);
  };
  return {
    executor,
    known(query, operationName) {
      const key = knownKey(query, operationName);
      const known = knownQueries.get(key);
      if (known) touch(knownQueries, key, known, maxCompiled);
      return known;
    },
  };
}

/** A compiled query's result as Apollo should see it: graphql-js's errors for variables, graphql-js errors throughout. */
function finish(schema: GraphQLSchema, request: GatewayGraphQLRequestContext, result: ExecutionResult): ExecutionResult {
  if (!('data' in result) && result.errors?.length) {
    // Variables that do not coerce: no resolver ran. Answer graphql-js's errors, which Apollo recognises as
    // BAD_USER_INPUT (400) and whose wording partners already see.
    const coerced = getVariableValues(schema, request.operation!.variableDefinitions ?? [], request.request.variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
  }
  return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
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

/** The engine's executor as Apollo's gateway: one fixed schema, never updated. */
export function jitGateway(schema: GraphQLSchema, engine: JitEngine): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    load: async () => ({ executor: engine.executor }),
    stop: async () => {},
  };
}
