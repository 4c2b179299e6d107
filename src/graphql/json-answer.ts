// Whole answers in one statement: a query whose every field has a SQL rendering (the directory's and the ratings'
// nested lists, docs/PERFORMANCE.md "One statement per answer") is compiled once into a statement that returns the
// `data` of the answer as JSON text, byte for byte what graphql-jit and JSON.stringify would write. The HTTP layer
// (src/server/known-query.ts) sends that text as it comes; no field is resolved in JavaScript. Anything else — a
// field without a rendering, a fragment, a directive, an argument the rendering does not take, a value the pagination
// helper refuses — is answered by the resolvers and their batched loaders, as before: this path only ever answers what
// they would answer, never an error.
//
// Domains register how their types and fields read (registerJsonObject, registerJsonRelation), beside their resolvers,
// with the visibility rules of the one authorization place (src/auth/policy.ts) and the read audit in the statement.
//
// The statement nests the lists as a hand-written one would: each list of the query is a subquery of its level's rows
// for one parent row (`parent`, `rn` the position among the parent's items, then the row's columns), read by index
// like the loaders' statements, its items' JSON text aggregated in list order (string_agg of concatenated text: the
// exact bytes JSON.stringify writes, which json_build_object's spacing is not). Measured against json_agg nesting with
// the same global IDs, on the scaled database: no slower (docs/PERFORMANCE.md).
import { sql, type SQL } from 'drizzle-orm';
import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { isBackward, type PageRequest } from '../db/page.js';
import { preparedStatement } from '../db/sql/index.js';
import { decodeGlobalId } from '../global-id.js';
import type { Context } from './context.js';
import { pageRequest } from './pagination.js';

/** A leaf field's value as SQL over the level's row (`row` is the level's alias): rendered with to_json. */
export type JsonLeaf = (row: SQL) => SQL;

/** A leaf that is a column of the level's row as it is (`cast` e.g. 'float8' for a numeric shown as a Float). */
export function jsonColumn(name: string, cast?: 'float8'): JsonLeaf {
  return (row) => (cast ? sql`${row}.${sql.identifier(name)}::float8` : sql`${row}.${sql.identifier(name)}`);
}

/** How a type's fields read: its leaves, over the row its relations' levels give. */
export interface JsonObjectSpec {
  leaves: Readonly<Record<string, JsonLeaf>>;
  /**
   * The row's columns (SQL names) each field reads: the loaders' own field → column map, as rowColumnsOf gives it. A
   * level selects only its selection's columns; a leaf without an entry leaves the query to the resolvers.
   */
  columns: Readonly<Record<string, readonly string[]>>;
  /**
   * For `node(id)`: the row of this key (an integer placeholder) with the type's columns, when every viewer may see
   * every row of the type (the directory); absent for types whose rows are filtered by viewer, which node(id) then
   * leaves to the resolvers.
   */
  byId?: (id: SQL, columns: readonly string[]) => SQL;
}

/** Placeholders of one level's values, named apart from other levels'. */
export type Placeholder = (name: string) => SQL;

/** What a relation's level reads, for a viewer and the field's arguments: the statement's shape and its values. */
export interface JsonLevel {
  /**
   * The level's rows: `parent` (integer key of the parent row; 0 at the root), `rn` (1-based position among the
   * parent's items, in list order; a plain list with `order` gives none), and the type's columns with `id` its integer
   * key. `parents` is a relation of the parent rows' keys (`id`). A connection's level reads, per parent, the rows
   * with keys above `placeholder('after')::integer`, ascending, `placeholder('limit')::integer + 1` of them (the page
   * and one more). `columns` are the ones the selection's leaves read: the row needs no other (a narrow row is cheaper
   * to number, sort and aggregate).
   */
  rows(parents: SQL, placeholder: Placeholder, columns: readonly string[]): SQL;
  /**
   * A plain list's item order over the level's row (`row`), for rows that give no `rn`: numbering each parent's items
   * with a window is a sort of its own, and on the ratings' level it was about a quarter of the nested answer's time.
   */
  order?: (row: SQL) => SQL;
  /** Values for this level's placeholders. */
  values: Record<string, unknown>;
  /** What the text of `rows` (and `alongside`) depends on besides the query: a few fixed choices, e.g. visibility. */
  shape: string;
  /**
   * A data-modifying statement run with the read (the read audit), given the level's parents (every parent on its
   * page, as a relation of keys `id`) and the placeholder of this level; its own placeholders are its own (not per
   * level), so at most one level of a statement may have one.
   */
  alongside?: { sql(parents: SQL, placeholder: Placeholder): SQL; values: Record<string, unknown> };
}

/**
 * A list field with a SQL rendering: a `connection` (edges, pageInfo; forward pages by `first`/`after` over the rows'
 * integer key, ascending) or a plain `list`, of the named object type. `level` answers undefined when the arguments
 * ask for something the rendering does not do (the resolvers answer then).
 */
export interface JsonRelationSpec {
  kind: 'connection' | 'list';
  type: string;
  /** The argument names the rendering takes; any other argument given leaves the field to the resolvers. */
  args: readonly string[];
  level(input: { viewer: Viewer; db: DbOrTx; args: Record<string, unknown>; page: PageRequest | null }): JsonLevel | undefined;
  /** A connection's totalCount, when it can be counted apart from the page (keys of the parents → a count per parent). */
  totalCount?: (parentId: SQL) => SQL;
}

const objects = new Map<string, JsonObjectSpec>();
const relations = new Map<string, JsonRelationSpec>();

/** Registers the leaves of an object type (by GraphQL type name) that have a SQL rendering. */
export function registerJsonObject(typename: string, spec: JsonObjectSpec): void {
  objects.set(typename, spec);
}

/** Registers a list field (`Type.field`, `Query.field` at the root) with a SQL rendering. */
export function registerJsonRelation(coordinate: string, spec: JsonRelationSpec): void {
  relations.set(coordinate, spec);
}

// ---------------------------------------------------------------- plans

/** One list of the query: its field, rendering, the selection of its items and the lists below them. */
interface RelationPlan {
  index: number;
  responseKey: string;
  field: GraphQLField<unknown, unknown>;
  node: FieldNode;
  spec: JsonRelationSpec;
  itemType: GraphQLObjectType;
  /** The selection on the list itself (a connection's edges/pageInfo/totalCount; the items for a list). */
  selection: readonly Selected[];
  children: RelationPlan[];
}

type Selected =
  | { kind: 'typename'; key: string; typename: string }
  | { kind: 'leaf'; key: string; leaf: JsonLeaf; columns: readonly string[] }
  | { kind: 'relation'; key: string; relation: RelationPlan }
  | { kind: 'edges'; key: string; selection: readonly Selected[] }
  | { kind: 'cursor'; key: string }
  | { kind: 'node'; key: string; selection: readonly Selected[] }
  | { kind: 'pageInfo'; key: string; selection: readonly Selected[] }
  | { kind: 'pageInfoField'; key: string; name: 'hasNextPage' | 'hasPreviousPage' | 'startCursor' | 'endCursor' }
  | { kind: 'totalCount'; key: string };

export interface JsonAnswerPlan {
  /**
   * The answer's `data` as JSON text, or undefined when this request is the resolvers' to answer (variables that do
   * not coerce, arguments the renderings do not take or the pagination helper refuses).
   */
  run(ctx: Pick<Context, 'viewer' | 'db'>, variables: Record<string, unknown>): Promise<string | undefined>;
}

/** GraphQL names are [_A-Za-z][_0-9A-Za-z]*: safe inside a SQL string literal and a JSON string as they are. */
const text = (value: string) => sql.raw(`'${value}'`);

class NotCompilable extends Error {}

/**
 * The plan of a query operation whose one root field and everything below it have SQL renderings, or null. Made once
 * per validated document (the caller keeps it); the document is assumed valid for the schema.
 */
export function planJsonAnswer(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): JsonAnswerPlan | null {
  if (operation.operation !== 'query' || operation.directives?.length) return null;
  if (document.definitions.length !== 1) return null;
  const queryType = schema.getQueryType()!;
  let index = 0;
  const relationsOf: RelationPlan[] = [];

  const fieldsOf = (set: SelectionSetNode): FieldNode[] => {
    const seen = new Set<string>();
    return set.selections.map((s) => {
      if (s.kind !== 'Field' || s.directives?.length) throw new NotCompilable();
      const key = s.alias?.value ?? s.name.value;
      // The same key twice would merge selections: the resolvers' business.
      if (seen.has(key)) throw new NotCompilable();
      seen.add(key);
      return s;
    });
  };

  const relationPlan = (parentType: GraphQLObjectType, node: FieldNode): RelationPlan => {
    const spec = relations.get(`${parentType.name}.${node.name.value}`);
    const field = parentType.getFields()[node.name.value];
    if (!spec || !field || !node.selectionSet) throw new NotCompilable();
    for (const arg of node.arguments ?? []) if (!spec.args.includes(arg.name.value)) throw new NotCompilable();
    const itemType = schema.getType(spec.type);
    if (!isObjectType(itemType)) throw new NotCompilable();
    const plan: RelationPlan = { index: index++, responseKey: node.alias?.value ?? node.name.value, field, node, spec, itemType, selection: [], children: [] };
    relationsOf.push(plan);
    const listType = getNamedType(field.type);
    plan.selection = spec.kind === 'list' ? objectSelection(itemType, node.selectionSet, plan) : connectionSelection(listType as GraphQLObjectType, node.selectionSet, plan);
    return plan;
  };

  const objectSelection = (type: GraphQLObjectType, set: SelectionSetNode, owner: RelationPlan): Selected[] =>
    fieldsOf(set).map((f) => {
      const key = f.alias?.value ?? f.name.value;
      if (f.name.value === '__typename') return { kind: 'typename', key, typename: type.name };
      const spec = objects.get(type.name);
      const leaf = spec?.leaves[f.name.value];
      if (leaf) {
        const columns = spec!.columns[f.name.value];
        if (f.arguments?.length || f.selectionSet || !columns) throw new NotCompilable();
        return { kind: 'leaf', key, leaf, columns };
      }
      const child = relationPlan(type, f);
      owner.children.push(child);
      return { kind: 'relation', key, relation: child };
    });

  const connectionSelection = (type: GraphQLObjectType, set: SelectionSetNode, owner: RelationPlan): Selected[] => {
    // One `edges` with one `node` at most: the items are rendered once per level.
    const once = (nodes: readonly FieldNode[], name: string) => {
      if (nodes.filter((n) => n.name.value === name).length > 1) throw new NotCompilable();
      return nodes;
    };
    return once(fieldsOf(set), 'edges').map((f): Selected => {
      const key = f.alias?.value ?? f.name.value;
      const name = f.name.value;
      if (name === '__typename') return { kind: 'typename', key, typename: type.name };
      if (f.arguments?.length) throw new NotCompilable();
      if (name === 'totalCount' && owner.spec.totalCount) return { kind: 'totalCount', key };
      if (name === 'pageInfo') {
        return {
          kind: 'pageInfo',
          key,
          selection: fieldsOf(f.selectionSet!).map((p): Selected => {
            const pKey = p.alias?.value ?? p.name.value;
            if (p.name.value === '__typename') return { kind: 'typename', key: pKey, typename: 'PageInfo' };
            if (p.name.value === 'hasNextPage' || p.name.value === 'hasPreviousPage' || p.name.value === 'startCursor' || p.name.value === 'endCursor') {
              return { kind: 'pageInfoField', key: pKey, name: p.name.value };
            }
            throw new NotCompilable();
          }),
        };
      }
      if (name === 'edges') {
        const edgeType = getNamedType(type.getFields().edges!.type) as GraphQLObjectType;
        return {
          kind: 'edges',
          key,
          selection: once(fieldsOf(f.selectionSet!), 'node').map((e): Selected => {
            const eKey = e.alias?.value ?? e.name.value;
            if (e.name.value === '__typename') return { kind: 'typename', key: eKey, typename: edgeType.name };
            if (e.name.value === 'cursor') return { kind: 'cursor', key: eKey };
            if (e.name.value === 'node') return { kind: 'node', key: eKey, selection: objectSelection(owner.itemType, e.selectionSet!, owner) };
            throw new NotCompilable();
          }),
        };
      }
      throw new NotCompilable();
    });
  };

  let root: RelationPlan;
  try {
    const fields = fieldsOf(operation.selectionSet);
    if (fields.length !== 1) return null;
    if (fields[0]!.name.value === 'node') return planNode(schema, operation, fields[0]!);
    root = relationPlan(queryType, fields[0]!);
  } catch (error) {
    if (error instanceof NotCompilable) return null;
    throw error;
  }
  if (!root) return null;
  const all = relationsOf;
  const statements = new Map<string, ReturnType<typeof preparedStatement<Record<string, unknown>>>>();

  return {
    async run(ctx, inputs) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], inputs, { maxErrors: 1 });
      if (coerced.errors) return undefined;
      const levels: JsonLevel[] = [];
      const pages: (PageRequest | null)[] = [];
      for (const relation of all) {
        let args: Record<string, unknown>;
        let page: PageRequest | null = null;
        try {
          args = getArgumentValues(relation.field as never, relation.node, coerced.coerced);
          if (relation.spec.kind === 'connection') page = pageRequest(args);
        } catch {
          return undefined;
        }
        if (page && (isBackward(page) || (page.beforeKey ?? null) !== null)) return undefined;
        const level = relation.spec.level({ viewer: ctx.viewer, db: ctx.db, args, page });
        if (!level) return undefined;
        levels.push(level);
        pages.push(page);
      }
      if (levels.filter((l) => l.alongside).length > 1) return undefined;
      const key = levels.map((l) => `${l.shape}${l.alongside ? '+' : ''}`).join('|');
      let statement = statements.get(key);
      if (!statement) statements.set(key, (statement = preparedStatement<Record<string, unknown>>(() => answerSql(root, levels))));
      const values: Record<string, unknown> = {};
      levels.forEach((level, i) => {
        for (const [name, value] of Object.entries(level.values)) values[`l${i}_${name}`] = value;
        Object.assign(values, level.alongside?.values);
        const page = pages[i];
        if (page) {
          values[`l${i}_after`] = page.afterKey ?? 0;
          values[`l${i}_hasAfter`] = page.afterKey !== null;
          values[`l${i}_limit`] = page.limit;
        }
      });
      const [row] = await statement<{ data: string }>(ctx.db, values);
      return row!.data;
    },
  };
}

/**
 * `node(id)` with leaves only: the selection for the id's type is the node's own fields (`id`, `__typename`) and the
 * inline fragments on that type or on Node, in document order, rendered from the type's `byId` row; null when there
 * is no such row, as the resolvers answer. An id the resolvers would not look up (malformed, another type, too large)
 * is theirs to answer.
 */
function planNode(schema: GraphQLSchema, operation: OperationDefinitionNode, field: FieldNode): JsonAnswerPlan | null {
  if (field.directives?.length || !field.selectionSet || field.arguments?.length !== 1 || field.arguments[0]!.name.value !== 'id') return null;
  const queryType = schema.getQueryType()!;
  const nodeField = queryType.getFields().node;
  if (!nodeField) return null;
  const responseKey = field.alias?.value ?? field.name.value;
  /** The leaves asked for on `typename`, or null when the selection has anything else. */
  const selectionFor = (typename: string): Selected[] | null => {
    const spec = objects.get(typename);
    if (!spec?.byId) return null;
    const selected: Selected[] = [];
    const keys = new Set<string>();
    const add = (set: SelectionSetNode): boolean => {
      for (const s of set.selections) {
        if (s.directives?.length || s.kind === 'FragmentSpread') return false;
        if (s.kind === 'InlineFragment') {
          const on = s.typeCondition?.name.value;
          if (on === undefined || on === typename || on === 'Node') {
            if (!add(s.selectionSet)) return false;
          } else if (!isObjectType(schema.getType(on))) return false;
          continue;
        }
        const key = s.alias?.value ?? s.name.value;
        if (keys.has(key) || s.arguments?.length || s.selectionSet) return false;
        keys.add(key);
        if (s.name.value === '__typename') selected.push({ kind: 'typename', key, typename });
        else if (spec.leaves[s.name.value] && spec.columns[s.name.value]) {
          selected.push({ kind: 'leaf', key, leaf: spec.leaves[s.name.value]!, columns: spec.columns[s.name.value]! });
        } else return false;
      }
      return true;
    };
    return add(field.selectionSet!) ? selected : null;
  };
  const statements = new Map<string, ReturnType<typeof preparedStatement<{ id: number }>> | null>();
  return {
    async run(ctx, inputs) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], inputs, { maxErrors: 1 });
      if (coerced.errors) return undefined;
      let id: unknown;
      try {
        id = getArgumentValues(nodeField as never, field, coerced.coerced).id;
      } catch {
        return undefined;
      }
      const decoded = typeof id === 'string' ? decodeGlobalId(id) : null;
      const key = decoded ? Number(decoded.id) : NaN;
      if (!decoded || !(key <= MAX_KEY)) return undefined;
      let statement = statements.get(decoded.typename);
      if (statement === undefined) {
        const selection = selectionFor(decoded.typename);
        const byId = objects.get(decoded.typename)?.byId;
        statement =
          selection && byId
            ? preparedStatement<{ id: number }>(() => {
                const row = level(0);
                const value = sql`coalesce((select ${nodeText(selection, [], row)} from (${byId(sql`${sql.placeholder('id')}::integer`, columnsRead(selection))}) as ${row}), 'null')`;
                return sql`select ${objectText([{ key: responseKey, value }])} as data`;
              })
            : null;
        statements.set(decoded.typename, statement);
      }
      if (!statement) return undefined;
      const [row] = await statement<{ data: string }>(ctx.db, { id: key });
      return row!.data;
    },
  };
}

/** Keys are PostgreSQL integers (as node(id) checks). */
const MAX_KEY = 2_147_483_647;

// ---------------------------------------------------------------- SQL

const level = (i: number) => sql`${sql.identifier(`l${i}`)}`;
const keys = (i: number) => sql`${sql.identifier(`k${i}`)}`;
const ph = (i: number): Placeholder => (name) => sql`${sql.placeholder(`l${i}_${name}`)}`;
/** base64url without padding, as encodeGlobalId and encodeCursor write it. */
const base64url = (value: SQL) => sql`translate(rtrim(encode(convert_to(${value}, 'UTF8'), 'base64'), '='), '+/', '-_')`;
const cursorOf = (id: SQL) => sql`to_json(${base64url(sql`'c1:' || ${id}::text`)})::text`;
/** A JSON object's text from its members (key and value text each), in order. */
function objectText(members: { key: string; value: SQL }[]): SQL {
  if (members.length === 0) return text('{}');
  const parts: SQL[] = [];
  members.forEach((m, i) => {
    parts.push(text(`${i === 0 ? '{' : ','}"${m.key}":`));
    parts.push(m.value);
  });
  parts.push(text('}'));
  return sql`(${sql.join(parts, sql` || `)})`;
}
const jsonValue = (value: SQL) => sql`coalesce(to_json(${value})::text, 'null')`;

/**
 * The statement: each list a subquery of its level's rows for one parent row (correlated, as a hand-written statement
 * nests them: every level reads its parent's rows by index), its items' text aggregated in list order. A level with a
 * read to record (alongside) gets the keys of the levels above it again in CTEs, for the entry's counts.
 */
function answerSql(root: RelationPlan, levels: JsonLevel[]): SQL {
  const data = objectText([{ key: root.responseKey, value: listText(root, levels, ROOT_PARENTS, sql`0`) }]);
  const audits = auditCtes(root, levels);
  return audits.length > 0 ? sql`with ${sql.join(audits, sql`, `)} select ${data} as data` : sql`select ${data} as data`;
}

const ROOT_PARENTS = sql`(select 0 as id)`;

/**
 * For the level with an `alongside` (the read audit): the keys of every level above it, as CTEs whose parents are the
 * keys of the level above on its page, then the data-modifying CTE given the parents of the recorded level.
 */
function auditCtes(root: RelationPlan, levels: JsonLevel[]): SQL[] {
  const path = (relation: RelationPlan): RelationPlan[] | undefined => {
    if (levels[relation.index]!.alongside) return [relation];
    for (const child of relation.children) {
      const below = path(child);
      if (below) return [relation, ...below];
    }
    return undefined;
  };
  const chain = path(root);
  if (!chain) return [];
  const ctes: SQL[] = [];
  let parents = ROOT_PARENTS;
  for (const relation of chain) {
    const i = relation.index;
    if (relation === chain.at(-1)) {
      ctes.push(sql`${sql.identifier(`audit${i}`)} as (${levels[i]!.alongside!.sql(parents, ph(i))})`);
      break;
    }
    ctes.push(sql`${keys(i)} as (${levels[i]!.rows(parents, ph(i), [])})`);
    const onPage = relation.spec.kind === 'connection' ? sql` where ${keys(i)}.rn <= ${ph(i)('limit')}::integer` : sql``;
    parents = sql`(select ${keys(i)}.id from ${keys(i)}${onPage})`;
  }
  return ctes;
}

/** The columns of a level's row its selection's leaves read (the lists below read their own rows). */
function columnsRead(selection: readonly Selected[]): string[] {
  const columns = new Set<string>();
  const walk = (items: readonly Selected[]) => {
    for (const s of items) {
      if (s.kind === 'leaf') for (const c of s.columns) columns.add(c);
      else if (s.kind === 'edges' || s.kind === 'node') walk(s.selection);
    }
  };
  walk(selection);
  return [...columns];
}

/** A list's value for one parent (`parents`, the one row's key as a relation; `parentId` that key). */
function listText(relation: RelationPlan, levels: JsonLevel[], parents: SQL, parentId: SQL): SQL {
  const i = relation.index;
  const row = level(i);
  const isConnection = relation.spec.kind === 'connection';
  const item = isConnection ? edgeText(relation, levels, row) : nodeText(relation.selection, levels, row);
  const onPage = isConnection ? sql` filter (where ${row}.rn <= ${ph(i)('limit')}::integer)` : sql``;
  const order = (!isConnection && levels[i]!.order?.(row)) || sql`${row}.rn`;
  const items = sql`'[' || coalesce(string_agg(${item}, ',' order by ${order})${onPage}, '') || ']'`;
  const from = sql` from (${levels[i]!.rows(parents, ph(i), columnsRead(relation.selection))}) as ${row}`;
  if (!isConnection) return sql`(select ${items}${from})`;
  const cursor = (id: SQL) => sql`coalesce(${cursorOf(id)}, 'null')`;
  const members = relation.selection.map((s) => {
    switch (s.kind) {
      case 'typename':
        return { key: s.key, value: text(`"${s.typename}"`) };
      case 'edges':
        return { key: s.key, value: items };
      case 'totalCount':
        return { key: s.key, value: jsonValue(relation.spec.totalCount!(parentId)) };
      case 'pageInfo':
        return {
          key: s.key,
          value: objectText(
            s.selection.map((p) => {
              if (p.kind === 'typename') return { key: p.key, value: text(`"${p.typename}"`) };
              if (p.kind !== 'pageInfoField') throw new Error('unreachable');
              switch (p.name satisfies 'hasNextPage' | 'hasPreviousPage' | 'startCursor' | 'endCursor') {
                case 'hasNextPage':
                  return { key: p.key, value: sql`(case when count(*) > ${ph(i)('limit')}::integer then 'true' else 'false' end)` };
                case 'hasPreviousPage':
                  return { key: p.key, value: sql`(case when ${ph(i)('hasAfter')}::boolean then 'true' else 'false' end)` };
                case 'startCursor':
                  return { key: p.key, value: cursor(sql`min(${row}.id)${onPage}`) };
                case 'endCursor':
                  return { key: p.key, value: cursor(sql`max(${row}.id)${onPage}`) };
              }
            }),
          ),
        };
      default:
        throw new Error('unreachable');
    }
  });
  return sql`(select ${objectText(members)}${from})`;
}

function edgeText(relation: RelationPlan, levels: JsonLevel[], row: SQL): SQL {
  const edges = relation.selection.find((s) => s.kind === 'edges');
  if (!edges || edges.kind !== 'edges') return text('{}');
  return objectText(
    edges.selection.map((e) => {
      if (e.kind === 'typename') return { key: e.key, value: text(`"${e.typename}"`) };
      if (e.kind === 'cursor') return { key: e.key, value: cursorOf(sql`${row}.id`) };
      if (e.kind === 'node') return { key: e.key, value: nodeText(e.selection, levels, row) };
      throw new Error('unreachable');
    }),
  );
}

function nodeText(selection: readonly Selected[], levels: JsonLevel[], row: SQL): SQL {
  return objectText(
    selection.map((s) => {
      if (s.kind === 'typename') return { key: s.key, value: text(`"${s.typename}"`) };
      if (s.kind === 'leaf') return { key: s.key, value: jsonValue(s.leaf(row)) };
      if (s.kind === 'relation') return { key: s.key, value: listText(s.relation, levels, sql`(select ${row}.id as id)`, sql`${row}.id`) };
      throw new Error('unreachable');
    }),
  );
}
