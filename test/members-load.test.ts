// Organizations by id come from a plain select by key for one id, by a key list for a few and from one JSON array for
// more: the same rows every way;
// node and nodes read only the columns their selection needs.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymousViewer } from '../src/auth/viewer.js';
import { rowsOf } from '../src/db/sql/index.js';
import { encodeGlobalId } from '../src/global-id.js';
import { findOrganizationByCreditCode, loadOrganizationsByIds } from '../src/members/members.reads.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('loadOrganizationsByIds', () => {
  it('answers the same organizations, in id order, whether asked for one, a few or many', async () => {
    // A listed company has a stock code and an exchange; every seeded organization has a member-since date.
    const ids = rowsOf<{ id: number }>(await t.database.db.execute(sql`select id from organizations order by kind = 'LISTED_COMPANY' desc, id desc limit 12`)).map((r) => r.id);
    const many = await loadOrganizationsByIds(t.database.db, ids);
    expect(many.map((o) => o.id)).toEqual([...ids].sort((a, b) => a - b));
    for (const id of ids.slice(0, 3)) {
      const [few] = await loadOrganizationsByIds(t.database.db, [id]);
      expect(few).toEqual(many.find((o) => o.id === id));
    }
    expect(await loadOrganizationsByIds(t.database.db, [2_000_000_000])).toEqual([]);
    const few = await loadOrganizationsByIds(t.database.db, ids.slice(0, 4));
    expect(few).toEqual(many.filter((o) => ids.slice(0, 4).includes(o.id)));
    expect(many.some((o) => o.stockCode !== null && typeof o.memberSince === 'string')).toBe(true);
    expect(await findOrganizationByCreditCode(t.database.db, many[0]!.creditCode)).toEqual(many[0]);
  });
});

describe('node and nodes read only the columns of their selection', () => {
  it('one organization by id: one statement, the selected columns, the same answer as with every field', async () => {
    const [org] = rowsOf<{ id: number }>(await t.database.db.execute(sql`select id from organizations where stock_code is not null order by id limit 1`));
    const id = encodeGlobalId('Organization', org!.id);
    const narrow = await t.countedExecute('query($id: ID!) { node(id: $id) { ... on Organization { id name stockCode } } }', { id }, anonymousViewer);
    expect(narrow.count).toBe(1);
    expect(narrow.statements[0]).toMatch(/"stock_exchange"/);
    expect(narrow.statements[0]).not.toMatch(/"address"|"member_since"|"credit_code"/);
    const wide = await t.countedExecute(
      'query($id: ID!) { node(id: $id) { ... on Organization { id name stockCode creditCode address memberSince } ... on Branch { firm { id } } } }',
      { id },
      anonymousViewer,
    );
    expect(wide.statements[0]).toMatch(/"address"/);
    expect(wide.body.data.node).toMatchObject(narrow.body.data.node);
    // Two selections in one request: each reads its own columns, and both answer.
    const both = await t.countedExecute('query($id: ID!) { a: node(id: $id) { ... on Organization { name } } b: nodes(ids: [$id]) { ... on Organization { creditCode } } }', { id }, anonymousViewer);
    expect(both.body.data).toEqual({ a: { name: narrow.body.data.node.name }, b: [{ creditCode: wide.body.data.node.creditCode }] });
  });
});
