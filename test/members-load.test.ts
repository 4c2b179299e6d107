// Organizations by id come from a plain select for a few ids and from one JSON array for more: the same rows either way.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/client.js';
import { findOrganizationByCreditCode, loadOrganizationsByIds } from '../src/members/members.service.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('loadOrganizationsByIds', () => {
  it('answers the same organizations, in id order, whether asked for a few or many', async () => {
    // A listed company has a stock code and an exchange; every seeded organization has a member-since date.
    const ids = rowsOf<{ id: number }>(await t.database.db.execute(sql`select id from organizations order by kind = 'LISTED_COMPANY' desc, id desc limit 12`)).map((r) => r.id);
    const many = await loadOrganizationsByIds(t.database.db, ids);
    expect(many.map((o) => o.id)).toEqual([...ids].sort((a, b) => a - b));
    for (const id of ids.slice(0, 3)) {
      const [few] = await loadOrganizationsByIds(t.database.db, [id]);
      expect(few).toEqual(many.find((o) => o.id === id));
    }
    const few = await loadOrganizationsByIds(t.database.db, ids.slice(0, 4));
    expect(few).toEqual(many.filter((o) => ids.slice(0, 4).includes(o.id)));
    expect(many.some((o) => o.stockCode !== null && typeof o.memberSince === 'string')).toBe(true);
    expect(await findOrganizationByCreditCode(t.database.db, many[0]!.creditCode)).toEqual(many[0]);
  });
});
