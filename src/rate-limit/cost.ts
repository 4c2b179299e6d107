// The cost of an operation, estimated from the document before it runs: roughly the number of objects it can return.
//
// Each object (non-leaf) field costs 1, leaf fields nothing, each item of a list 1 (a connection's edges 0), and a
// list multiplies its selection by its expected size:
// `first` or `last` on the field or its connection (default 20), the length of an `ids` list, or 10 for other lists.
// A field with an explicit Pothos `complexity` function is priced by it. Each mutation field adds 10, the whole
// operation 1; introspection costs a flat 10 per __schema.
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../db/page.js';

export const OPERATION_BASE_COST = 1;
export const MUTATION_FIELD_COST = 10;
export const DEFAULT_LIST_SIZE = 10;
export const INTROSPECTION_COST = 10;
const MAX_LIST_SIZE = 1000;

type Variables = Record<string, unknown>;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  /** Fragments being expanded (cycles are refused by validation; this keeps the walk finite regardless). */
  active: Set<string>;
  memo: Map<SelectionSetNode, Map<string, number>>;
}

function valueOf(node: ValueNode | undefined, variables: Variables): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.INT:
      return Number(node.value);
    case Kind.LIST:
      return node.values.map((v) => valueOf(v, variables));
    default:
      return undefined;
  }
}

function argument(node: FieldNode, name: string, variables: Variables): unknown {
  return valueOf(node.arguments?.find((a) => a.name.value === name)?.value, variables);
}

/**
 * The page size: `first` or `last` as requested (a backward page costs what a forward one does; both together are
 * refused, priced at the larger), clamped to what pagination allows, or the default page size when absent or malformed.
 */
function pageSize(node: FieldNode, variables: Variables): number {
  const sizes = ['first', 'last']
    .map((name) => argument(node, name, variables))
    .filter((size): size is number => typeof size === 'number' && Number.isFinite(size));
  if (sizes.length === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(0, Math.floor(Math.max(...sizes))));
}

type PothosComplexity = number | { field?: number; multiplier?: number } | ((args: unknown, ctx: unknown, field: unknown) => number | { field?: number; multiplier?: number });

function explicitComplexity(field: GraphQLField<unknown, unknown>, node: FieldNode, walk: Walk): { field: number; multiplier: number } | null {
  const complexity = field.extensions?.complexity as PothosComplexity | undefined;
  if (typeof complexity !== 'function') return null;
  try {
    const result = complexity(getArgumentValues(field, node, walk.variables), {}, field);
    if (typeof result === 'number') return { field: result, multiplier: 1 };
    return { field: result.field ?? 1, multiplier: result.multiplier ?? 1 };
  } catch {
    return null;
  }
}

/** Memoized per (selection set, type, page size): a fragment spread many times is priced once, so any document prices in linear time. */
function selectionCost(set: SelectionSetNode, parent: GraphQLNamedType, walk: Walk, connectionSize: number | undefined): number {
  const key = `${parent.name}|${connectionSize ?? ''}`;
  const known = walk.memo.get(set)?.get(key);
  if (known !== undefined) return known;
  const total = uncachedSelectionCost(set, parent, walk, connectionSize);
  if (!walk.memo.has(set)) walk.memo.set(set, new Map());
  walk.memo.get(set)!.set(key, total);
  return total;
}

function uncachedSelectionCost(set: SelectionSetNode, parent: GraphQLNamedType, walk: Walk, connectionSize: number | undefined): number {
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      total += fieldCost(selection, parent, walk, connectionSize);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) ?? parent : parent;
      total += selectionCost(selection.selectionSet, type, walk, connectionSize);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.active.has(name)) continue;
      walk.active.add(name);
      const type = walk.schema.getType(fragment.typeCondition.name.value) ?? parent;
      total += selectionCost(fragment.selectionSet, type, walk, connectionSize);
      walk.active.delete(name);
    }
  }
  return total;
}

function fieldCost(node: FieldNode, parent: GraphQLNamedType, walk: Walk, connectionSize: number | undefined): number {
  const name = node.name.value;
  if (name === '__typename') return 0;
  if (name === '__schema') return INTROSPECTION_COST;
  if (name === '__type') return 1;
  // Interfaces and unions: the field is found on the concrete selection's type; unknown fields cost as objects.
  const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  if (!field) return node.selectionSet ? 1 : 0;
  const named = getNamedType(field.type);
  if (isLeafType(named)) return 0;
  const explicit = explicitComplexity(field, node, walk);
  const hasFirst = field.args.some((a) => a.name === 'first');
  let size = 1;
  if (isListType(getNullableType(field.type))) {
    const ids = argument(node, 'ids', walk.variables);
    if (hasFirst) size = pageSize(node, walk.variables);
    else if (Array.isArray(ids)) size = ids.length;
    else size = connectionSize ?? DEFAULT_LIST_SIZE;
  }
  if (explicit) size = explicit.multiplier;
  size = Math.min(MAX_LIST_SIZE, Math.max(0, size));
  // A connection (an object with `first` and `last`) hands its page size to its lists: edges and nodes.
  const childConnectionSize = hasFirst && !isListType(getNullableType(field.type)) ? pageSize(node, walk.variables) : undefined;
  const children = node.selectionSet ? selectionCost(node.selectionSet, named, walk, childConnectionSize) : 0;
  // Each item of a list is an object (1) plus its selection; a connection's edges are wrappers and add nothing themselves.
  const perItem = isListType(getNullableType(field.type)) && name !== 'edges' && !explicit ? 1 + children : children;
  return (explicit ? explicit.field : 1) + size * perItem;
}

export function findOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

/** The estimated cost of the selected operation with its variables. */
const MAX_CACHED_VARIABLES_LENGTH = 512;
const MAX_CACHED_COSTS_PER_OPERATION = 64;
const costCache = new WeakMap<OperationDefinitionNode, Map<string, number>>();

/**
 * operationCost, remembered per operation (Apollo hands out the same parsed document for the same query text) and
 * variables: clients repeat the same operations with the same few variables. The price reads numbers (`first`) and
 * list lengths (`ids`), never the text of a string, so unless some field prices itself with a function of its
 * arguments, strings are left out of the key: a submission's title, body and idempotency key change with every
 * request, its price does not. Large variables are priced afresh; each operation keeps at most a few dozen prices.
 */
export function cachedOperationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables = {}): number {
  const key = pricesStrings(schema) ? JSON.stringify(variables) : JSON.stringify(variables, (_, value) => (typeof value === 'string' ? '' : value));
  if (key.length > MAX_CACHED_VARIABLES_LENGTH) return operationCost(schema, document, operation, variables);
  let prices = costCache.get(operation);
  if (!prices) costCache.set(operation, (prices = new Map()));
  let cost = prices.get(key);
  if (cost === undefined) {
    cost = operationCost(schema, document, operation, variables);
    if (prices.size >= MAX_CACHED_COSTS_PER_OPERATION) prices.clear();
    prices.set(key, cost);
  }
  return cost;
}

/** Whether some field's price is a function of its arguments (which may read a string): then strings stay in the key. */
function pricesStrings(schema: GraphQLSchema): boolean {
  let answer = schemasPricingStrings.get(schema);
  if (answer === undefined) {
    answer = Object.values(schema.getTypeMap()).some(
      (type) => (isObjectType(type) || isInterfaceType(type)) && Object.values(type.getFields()).some((field) => typeof field.extensions?.complexity === 'function'),
    );
    schemasPricingStrings.set(schema, answer);
  }
  return answer;
}
const schemasPricingStrings = new WeakMap<GraphQLSchema, boolean>();

export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables = {}): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return OPERATION_BASE_COST;
  const walk: Walk = {
    schema,
    variables,
    fragments: new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    ),
    active: new Set(),
    memo: new Map(),
  };
  let cost = OPERATION_BASE_COST + selectionCost(operation.selectionSet, root, walk, undefined);
  if (operation.operation === 'mutation') {
    cost += MUTATION_FIELD_COST * operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith('__')).length;
  }
  return Math.ceil(cost);
}
