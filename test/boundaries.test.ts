// The layers of src/ and the directions imports may take between them, checked on every run (in the manner of a
// package-boundaries test): a lower layer never imports an upper one, and no module imports itself back in a cycle.
// docs/ARCHITECTURE.md explains the layers; change both together.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

type Layer = 'kernel' | 'tables' | 'db' | 'policy' | 'domain' | 'auth' | 'graphql' | 'server' | 'composition';

/**
 * Which layer a file of src/ belongs to; the first rule that matches decides. Paths are relative to src/, with `/`.
 * - kernel: configuration, errors, text, time, logging, tracing, ingestion counters, the global-ID codec and the seeded PRNG; used by every layer.
 * - tables: the drizzle table definitions of every domain (`*.table.ts`), collected by db/schema.ts.
 * - db: the driver, the fast-SQL seam (db/sql), transactions, pages.
 * - policy: the viewer and every "may this viewer see or do X" rule (auth/policy.ts, auth/viewer.ts), with the
 *   service-account scopes they read.
 * - domain: services, reads, seeds and the rules of each domain; the webhook worker; the CSV rows of reports.
 * - auth: authentication (tokens, keys, turning a request's credentials into a viewer), which calls domain reads.
 * - graphql: the builder, shared GraphQL types and every domain's `*.schema.ts`.
 * - server: HTTP, routes, Apollo and its plugins, rate limits and pricing.
 * - composition: main.ts and bootstrap.ts, which build everything, and the demo-data loaders that seed every domain.
 */
const layerRules: [RegExp, Layer][] = [
  [/^(config|errors|text|time|logger|global-id|project-root|tracing|ingestion|poller)\.ts$/, 'kernel'],
  [/^seed\/prng\.ts$/, 'kernel'],
  [/\.table\.ts$/, 'tables'],
  [/^db\//, 'db'],
  [/^auth\/(policy|viewer)\.ts$/, 'policy'],
  [/^clients\/scopes\.ts$/, 'policy'],
  [/^auth\//, 'auth'],
  [/^graphql\//, 'graphql'],
  [/\.schema\.ts$/, 'graphql'],
  [/^(server|rate-limit)\//, 'server'],
  [/^(main|bootstrap)\.ts$/, 'composition'],
  [/^seed\//, 'composition'],
  [/^[a-z-]+\/[^/]+\.ts$/, 'domain'],
];

/** The layers each layer may import (besides itself). The one list of allowed directions. */
const allowed: Record<Layer, readonly Layer[]> = {
  kernel: [],
  tables: ['kernel'],
  db: ['kernel', 'tables'],
  policy: ['kernel', 'tables', 'db'],
  domain: ['kernel', 'tables', 'db', 'policy'],
  auth: ['kernel', 'tables', 'db', 'policy', 'domain'],
  graphql: ['kernel', 'tables', 'db', 'policy', 'domain'],
  server: ['kernel', 'tables', 'db', 'policy', 'domain', 'auth', 'graphql'],
  composition: ['kernel', 'tables', 'db', 'policy', 'domain', 'auth', 'graphql', 'server'],
};

function layerOf(file: string): Layer {
  const rule = layerRules.find(([pattern]) => pattern.test(file));
  if (!rule) throw new Error(`src/${file} belongs to no layer: add it to layerRules`);
  return rule[1];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(src, path).split('\\').join('/')] : [];
  });
}

interface Import {
  target: string;
  /** False for `import type` / `export type`: erased at run time, so it cannot make a cycle of module evaluation. */
  runtime: boolean;
}

const importPattern = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
const dynamicImportPattern = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(join(src, file), 'utf8');
  const resolveTarget = (specifier: string) => relative(src, resolve(dirname(join(src, file)), specifier.replace(/\.js$/, '.ts'))).split('\\').join('/');
  const found: Import[] = [];
  for (const m of text.matchAll(importPattern)) {
    // `import { type A, type B } from` is erased too when every name is a type.
    const names = /\{([^}]*)\}/.exec(m[0])?.[1];
    const allTypes = names !== undefined && names.split(',').every((n) => n.trim() === '' || n.trim().startsWith('type '));
    found.push({ target: resolveTarget(m[3]!), runtime: !m[2] && !allTypes });
  }
  for (const m of text.matchAll(dynamicImportPattern)) found.push({ target: resolveTarget(m[1]!), runtime: true });
  return found;
}

const files = sourceFiles(src);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Strongly connected components of the run-time import graph with more than one module (Tarjan). */
function importCycles(): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string) => {
    indexOf.set(file, index);
    low.set(file, index++);
    stack.push(file);
    onStack.add(file);
    for (const { target, runtime } of graph.get(file) ?? []) {
      if (!runtime || !graph.has(target)) continue;
      if (!indexOf.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, indexOf.get(target)!));
      }
    }
    if (low.get(file) === indexOf.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of files) if (!indexOf.has(file)) visit(file);
  return cycles;
}

/**
 * Cycles between domain folders (members, ratings, reports, …): a folder's files, all imports counted, type-only too.
 * Domains depend on each other in one direction (reports read ratings and suggestions, never the reverse).
 */
function folderCycles(): string[][] {
  const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : null);
  const edges = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = folderOf(file);
    if (!from || ['db', 'graphql', 'server', 'auth', 'seed'].includes(from)) continue;
    for (const { target } of imports) {
      const to = folderOf(target);
      if (!to || to === from || ['db', 'graphql', 'server', 'auth', 'seed'].includes(to)) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  const cycles: string[][] = [];
  const reaches = (start: string, goal: string, seen = new Set<string>()): boolean =>
    [...(edges.get(start) ?? [])].some((next) => next === goal || (!seen.has(next) && (seen.add(next), reaches(next, goal, seen))));
  for (const [from, tos] of edges) for (const to of tos) if (from < to && reaches(to, from)) cycles.push([from, to]);
  return cycles;
}

describe('layer boundaries of src/', () => {
  it('puts every source file in a layer', () => {
    expect(() => files.forEach(layerOf)).not.toThrow();
    expect(files.length).toBeGreaterThan(50);
  });

  it('imports only in the allowed directions (db and domain code never import graphql/ or server/)', () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      for (const { target } of imports) {
        if (!graph.has(target)) {
          violations.push(`${file} imports ${target}, which does not exist`);
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !allowed[from].includes(to)) violations.push(`${file} (${from}) imports ${target} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycles between modules', () => {
    expect(importCycles()).toEqual([]);
  });

  it('has no cycles between domain folders', () => {
    expect(folderCycles()).toEqual([]);
  });

  it('finds what it is meant to find: a graphql import from a service and a cycle are reported', () => {
    // The checker itself must not be one that cannot fail.
    expect(layerOf('ratings/ratings.service.ts')).toBe('domain');
    expect(allowed.domain.includes(layerOf('graphql/pagination.ts'))).toBe(false);
    expect(allowed.db.includes(layerOf('server/app.ts'))).toBe(false);
    const saved = new Map(graph);
    try {
      graph.set('a/a.ts', [{ target: 'b/b.ts', runtime: true }]);
      graph.set('b/b.ts', [{ target: 'a/a.ts', runtime: true }]);
      files.push('a/a.ts', 'b/b.ts');
      expect(importCycles()).toContainEqual(['a/a.ts', 'b/b.ts']);
    } finally {
      files.splice(files.indexOf('a/a.ts'), 2);
      graph.clear();
      for (const [k, v] of saved) graph.set(k, v);
    }
  });
});
