// Document limits checked during validation, before anything executes: depth, breadth (fields after fragment
// expansion), aliases and directives. Tokens are capped by the parser (maxTokens), cost by the complexity plugin,
// page sizes by the pagination helper. Defaults and their config names: docs/SECURITY.md.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Config } from '../config.js';
import type { DocumentLimits } from '../graphql/limits.js';


export function documentLimitsFromConfig(config: Config): DocumentLimits {
  return {
    maxDepth: config.QUERY_MAX_DEPTH,
    maxAliases: config.QUERY_MAX_ALIASES,
    maxDirectives: config.QUERY_MAX_DIRECTIVES,
    maxBreadth: config.QUERY_MAX_BREADTH,
    maxTokens: config.QUERY_MAX_TOKENS,
    maxComplexity: config.QUERY_MAX_COMPLEXITY,
  };
}

function limitError(message: string, limit: string) {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit } });
}

interface Size {
  depth: number;
  breadth: number;
}

/**
 * Depth and breadth of a selection set with fragments expanded. Each fragment is measured once (memoized), so a
 * fragment spread many times, or fragments that each spread the next twice (2^n fields from n lines), cost linear
 * time to measure; breadth then grows past any limit and the document is refused. Cycles are reported by graphql-js
 * itself; here a spread back into a fragment being measured counts as empty, which keeps the walk finite.
 */
function measure(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, memo: Map<string, Size>, active: Set<string>): Size {
  if (!set) return { depth: 0, breadth: 0 };
  let depth = 0;
  let breadth = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const inner = measure(selection.selectionSet, fragments, memo, active);
      // Introspection meta fields (__typename, __schema) do not count towards depth; every field counts for breadth.
      if (!selection.name.value.startsWith('__')) depth = Math.max(depth, 1 + inner.depth);
      breadth += 1 + inner.breadth;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(selection.selectionSet, fragments, memo, active);
      depth = Math.max(depth, inner.depth);
      breadth += inner.breadth;
    } else {
      const name = selection.name.value;
      let size = memo.get(name);
      if (!size) {
        const fragment = fragments.get(name);
        if (!fragment || active.has(name)) continue;
        active.add(name);
        size = measure(fragment.selectionSet, fragments, memo, active);
        active.delete(name);
        memo.set(name, size);
      }
      depth = Math.max(depth, size.depth);
      breadth += size.breadth;
    }
  }
  return { depth, breadth };
}

/**
 * An operation type the schema has no root for (there is no Subscription) is a validation error; graphql-js would
 * otherwise accept the document and fail while executing it, which answers as an internal error.
 */
/** What /graphql answers a subscription: where it is served. */
export const SUBSCRIPTIONS_ELSEWHERE =
  'Subscriptions are not served at /graphql: open them as Server-Sent Events at /graphql/stream (the graphql-sse protocol, distinct connections mode; docs/LIVE-UPDATES.md)';

/** /graphql/stream serves subscriptions only: queries and mutations are refused there, pointing to /graphql. */
export function subscriptionsOnlyRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== 'subscription') {
        context.reportError(
          new GraphQLError(`/graphql/stream serves subscriptions only: send ${node.operation} operations to /graphql`, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        );
      }
    },
  };
}

export function supportedOperationRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === 'subscription') {
        // Subscriptions exist, but as Server-Sent Events of their own route (src/server/routes/stream.route.ts).
        context.reportError(new GraphQLError(`${SUBSCRIPTIONS_ELSEWHERE}`, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
      } else if (!context.getSchema().getRootType(node.operation)) {
        context.reportError(new GraphQLError(`This API has no ${node.operation} operations`, { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
      }
    },
  };
}

export function documentLimitRules(limits: DocumentLimits) {
  const sizeRule = (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const memo = new Map<string, Size>();
    return {
      OperationDefinition(node) {
        const size = measure(node.selectionSet, fragments, memo, new Set());
        if (size.depth > limits.maxDepth) {
          context.reportError(limitError(`Query is deeper than ${limits.maxDepth} levels`, 'depth'));
        }
        if (size.breadth > limits.maxBreadth) {
          context.reportError(limitError(`Query selects more than ${limits.maxBreadth} fields`, 'breadth'));
        }
      },
    };
  };
  const aliasRule = (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (node.alias && ++aliases > limits.maxAliases && !reported) {
          reported = true;
          context.reportError(limitError(`Query uses more than ${limits.maxAliases} aliases`, 'aliases'));
        }
      },
    };
  };
  const directiveRule = (context: ValidationContext): ASTVisitor => {
    let directives = 0;
    let reported = false;
    return {
      Directive() {
        if (++directives > limits.maxDirectives && !reported) {
          reported = true;
          context.reportError(limitError(`Query uses more than ${limits.maxDirectives} directives`, 'directives'));
        }
      },
    };
  };
  return [sizeRule, aliasRule, directiveRule];
}
