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

/**
 * The columns to select for the requested fields: `always` plus each field's columns from `byField`. A field missing
 * from `byField` (a new field nobody mapped yet) selects `all`, so a forgotten mapping costs speed, never correctness.
 */
export function columnsFor<C extends Record<string, unknown>>(
  all: C,
  byField: Readonly<Record<string, readonly (keyof C)[]>>,
  always: readonly (keyof C)[],
  fields: ReadonlySet<string>,
): Partial<C> {
  const keys = new Set<keyof C>(always);
  for (const field of fields) {
    if (field === '__typename') continue;
    const columns = byField[field];
    if (!columns) return all;
    for (const c of columns) keys.add(c);
  }
  return Object.fromEntries([...keys].map((k) => [k, all[k]])) as Partial<C>;
}
