// Document limits checked during validation, before anything executes: depth, aliases and directives.
// Tokens are capped by the parser (maxTokens) and cost by the complexity plugin; page sizes by the pagination helper.
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
}

export const defaultDocumentLimits: DocumentLimits = { maxDepth: 12, maxAliases: 30, maxDirectives: 20 };

function limitError(message: string, limit: string) {
  return new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit } });
}

/** Depth of the deepest selection, following fragment spreads (cycles are reported by graphql-js itself). */
function selectionDepth(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(deepest, 1 + selectionDepth(selection.selectionSet, fragments, seen));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, seen));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) continue;
      seen.add(name);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, seen));
      seen.delete(name);
    }
  }
  return deepest;
}

export function documentLimitRules(limits: DocumentLimits) {
  const depthRule = (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(
      context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    return {
      OperationDefinition(node) {
        if (selectionDepth(node.selectionSet, fragments, new Set()) > limits.maxDepth) {
          context.reportError(limitError(`Query is deeper than ${limits.maxDepth} levels`, 'depth'));
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
  return [depthRule, aliasRule, directiveRule];
}
