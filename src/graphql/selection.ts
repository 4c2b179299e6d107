// What a query asks for below a field, so list reads can fetch only the columns the answer needs.
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * The field names asked for on the objects `path` levels below the resolving field (e.g. ['edges', 'node'] for a
 * connection's nodes), through fragments and inline fragments. Directives (@include/@skip) are ignored, which can only
 * add names: asking for more columns than needed is safe, fewer is not.
 */
export function requestedFields(info: GraphQLResolveInfo, path: readonly string[] = []): Set<string> {
  const names = new Set<string>();
  const collect = (set: SelectionSetNode | undefined, depth: number) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === 'InlineFragment') collect(s.selectionSet, depth);
      else if (s.kind === 'FragmentSpread') collect(info.fragments[s.name.value]?.selectionSet, depth);
      else if (depth === path.length) names.add(s.name.value);
      else if (s.name.value === path[depth]) collect(s.selectionSet, depth + 1);
    }
  };
  for (const node of info.fieldNodes) collect(node.selectionSet, 0);
  return names;
}

const selections = new WeakMap<object, Map<string, object>>();

/**
 * The columns to select for the requested fields: `always` plus each field's columns from `byField`. A field missing
 * from `byField` (a new field nobody mapped yet), or no field list at all, selects `all`: a forgotten mapping costs
 * speed, never correctness. The result is a subset of `all` typed as `all`: rows read with it carry only those keys.
 */
export function columnsFor<C extends Record<string, unknown>>(
  all: C,
  byField: Readonly<Record<string, readonly (keyof C)[]>>,
  always: readonly (keyof C)[],
  fields: ReadonlySet<string> | null,
): C {
  if (!fields) return all;
  const keys = new Set<keyof C>(always);
  for (const field of fields) {
    if (field === '__typename') continue;
    const columns = byField[field];
    if (!columns) return all;
    for (const c of columns) keys.add(c);
  }
  // The same selection gives the same object, so whatever is derived from it (the SQL select list) is made once.
  const ordered = Object.keys(all).filter((k) => keys.has(k));
  let cache = selections.get(all);
  if (!cache) selections.set(all, (cache = new Map()));
  const cacheKey = ordered.join(',');
  let chosen = cache.get(cacheKey);
  if (!chosen) cache.set(cacheKey, (chosen = Object.fromEntries(ordered.map((k) => [k, all[k]]))));
  return chosen as C;
}

/**
 * A field → columns map as columnsFor takes it (keys of `all`), as the SQL names of those columns: what a level of a
 * one-statement answer selects for each field (src/graphql/json-answer.ts), from the same map the loaders use.
 */
export function rowColumnsOf<C extends Record<string, { name: string }>>(
  all: C,
  byField: Readonly<Record<string, readonly (keyof C)[]>>,
): Record<string, string[]> {
  return Object.fromEntries(Object.entries(byField).map(([field, keys]) => [field, keys.map((k) => all[k]!.name)]));
}

const notes = new WeakMap<object, Map<string, { fields: Set<string>; seen: WeakSet<object> }>>();

/**
 * Records, for the request `ctx`, the fields a nested batch-loaded field asks for (`key` names the field, e.g.
 * 'Branch.ratings'), so its loader, which sees keys but no query, can select only their columns. Every path in the
 * request adds to the same set, so a batch never gets fewer columns than any of its callers needs. Call it in the
 * field's resolver, before the load; the items of one list share their field nodes, which are read once.
 */
export function noteRequestedFields(ctx: object, key: string, info: GraphQLResolveInfo, path: readonly string[] = []): void {
  let byKey = notes.get(ctx);
  if (!byKey) notes.set(ctx, (byKey = new Map()));
  let note = byKey.get(key);
  if (!note) byKey.set(key, (note = { fields: new Set(), seen: new WeakSet() }));
  if (note.seen.has(info.fieldNodes)) return;
  note.seen.add(info.fieldNodes);
  for (const f of requestedFields(info, path)) note.fields.add(f);
}

/** What noteRequestedFields gathered for `key` in this request; null when nothing was noted (select every column). */
export function notedFields(ctx: object, key: string): ReadonlySet<string> | null {
  return notes.get(ctx)?.get(key)?.fields ?? null;
}
