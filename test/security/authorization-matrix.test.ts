// The authorization matrix, generated from ONE table (authorization-matrix.table.ts, with the domain parts of
// matrix/index.ts): every object type × every path
// × every principal, each asserting visible or hidden. Hidden answers are clean (null, absent, FORBIDDEN, 401/403),
// never an error of another kind, and never carry the object's own text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/harness.js';
import { buildWorld, matrix, principals, type World } from './authorization-matrix.table.js';
import { parts } from './matrix/index.js';
import { expectStillUp } from './support.js';

let t: TestApp;
let world: World;

beforeAll(async () => {
  t = await createTestApp();
  world = await buildWorld(t);
  for (const part of parts) world.parts[part.name] = await part.build(world);
}, 240_000);
afterAll(async () => {
  await world?.close();
  await t?.close();
});

const rows = [...matrix, ...parts.flatMap((part) => part.rows)];

const cases = rows.flatMap((row) =>
  row.probes.flatMap((probe) =>
    principals.map((principal) => ({
      object: row.object,
      path: probe.path,
      how: probe.how,
      principal,
      expected: (probe.seenBy ?? row.seenBy).includes(principal) ? ('visible' as const) : ('hidden' as const),
      row,
      probe,
    })),
  ),
);

describe('authorization matrix', () => {
  it('covers every principal on every row, with at least one list or lookup path per object', () => {
    for (const row of rows) expect(row.probes.some((p) => ['list', 'node', 'root', 'nested'].includes(p.path)), row.object).toBe(true);
    expect(new Set(cases.map((c) => c.principal)).size).toBe(principals.length);
  });

  it.for(cases)('$object · $path · $how · as $principal → $expected', async ({ row, probe, principal, expected }, { skip }) => {
    const reason = await probe.skip?.(world);
    if (reason) skip(reason);
    const { visible, text } = await probe.run(world, principal);
    expect(visible ? 'visible' : 'hidden').toBe(expected);
    if (expected === 'hidden' && row.marker) expect(text).not.toContain(row.marker(world));
  });

  it('the server still answers after the whole matrix', async () => {
    await expectStillUp(t);
  });
});
