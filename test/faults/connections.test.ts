// Database connections killed while idle, during a read and inside a mutation's transaction, and a pool exhausted by
// slow requests: the client gets 503 SERVICE_UNAVAILABLE (never a 500, never a hang), nothing is half-written, no
// connection leaks, the process stays up and the next request succeeds. Real PostgreSQL only.
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from '../../src/db/errors.js';
import { createTestApp, type GqlResult, type TestApp } from '../support/harness.js';
import { appBackends, DATABASE_URL, NEEDS_POSTGRES, sideConnection, sideQuery, terminateAppBackends, timed } from '../support/faults.js';
import { waitFor } from '../support/wait.js';
import { cast, FORWARD, keyOf, REVIEW, sqlRows, suggestionIn, writes, type Cast } from '../support/suggestions.js';

if (!DATABASE_URL) console.warn(`test/faults/connections.test.ts skipped: ${NEEDS_POSTGRES}`);

const READ = '{ organizations(first: 3) { edges { node { name } } } }';
const LEAK = /select|insert|update|terminat|postgres|drizzle|pg_|stack|\bat\s/i;

function expectUnavailable(res: GqlResult) {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('1');
  expect(res.body.errors?.map((e) => e.extensions?.code)).toContain('SERVICE_UNAVAILABLE');
  expect(res.text).not.toMatch(LEAK);
}

async function expectReadOk(t: TestApp) {
  const res = await t.gql(READ);
  expect(res.status, res.text).toBe(200);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data.organizations.edges).toHaveLength(3);
}

describe.skipIf(!DATABASE_URL)('connections killed', () => {
  let t: TestApp;
  let c: Cast;
  let url: string;
  let side: pg.Client;
  beforeAll(async () => {
    t = await createTestApp({ DB_POOL_SIZE: '4', DB_CONNECT_TIMEOUT_MS: '2000', DB_LOCK_TIMEOUT_MS: '20000' });
    c = await cast(t);
    url = t.config.DATABASE_URL!;
    side = await sideConnection(url);
  });
  afterEach(async () => {
    await side.query('rollback'); // a failed test must not leave its locks to the next one
  });
  afterAll(async () => {
    await side?.end();
    await t?.close();
  });

  it('while idle: the pool drops the dead connections and the next request succeeds on a new one', async () => {
    await Promise.all([expectReadOk(t), expectReadOk(t), expectReadOk(t)]);
    const stats = t.database.poolStats!;
    expect(stats().idle).toBeGreaterThan(0);
    expect(await terminateAppBackends(url)).toBeGreaterThan(0);
    await waitFor('the pool to drop its killed connections', () => stats().total === 0);
    await expectReadOk(t);
    expect((await appBackends(url)).length).toBeGreaterThan(0);
  });

  it('during a read: that request answers 503 SERVICE_UNAVAILABLE, masked; the next read succeeds', async () => {
    await side.query('begin');
    await side.query('lock table organizations in access exclusive mode');
    const pending = t.gql(READ);
    const reader = await waitFor('the read to wait on the lock', () => appBackends(url, "wait_event_type = 'Lock'").then((r) => r[0]));
    await terminateAppBackends(url, `pid = ${reader!.pid}`);
    expectUnavailable(await pending);
    await side.query('rollback');
    await expectReadOk(t);
  });

  it('inside a mutation transaction, after it wrote several rows: none of them stays; retrying succeeds with the next reference number', async () => {
    const ids = [await suggestionIn(t, c, 'ACCEPTED'), await suggestionIn(t, c, 'ACCEPTED')];
    const before = await writes(t);
    // Hold the audit chain's head: forwardSuggestions blocks at its audit insert, after the counter, batch, status and event writes.
    await side.query('begin');
    await side.query('select * from audit_chain_head for update');
    const pending = t.gql(FORWARD, { ids, recipient: 'SZSE' }, { token: c.tokens.association });
    const writer = await waitFor('the forward to block at its audit insert', () => appBackends(url, "wait_event_type = 'Lock'").then((r) => r[0]));
    const held = await sideQuery(
      url,
      `select c.relname from pg_locks l join pg_class c on c.oid = l.relation
       where l.pid = $1 and l.mode = 'RowExclusiveLock' and c.relkind = 'r' order by 1`,
      [writer!.pid],
    );
    expect(held.map((r) => r.relname)).toEqual(expect.arrayContaining(['suggestion_events', 'suggestion_forward_batches', 'suggestion_reference_counters', 'suggestions']));

    await terminateAppBackends(url, `pid = ${writer!.pid}`);
    expectUnavailable(await pending);
    await side.query('rollback');
    expect(await writes(t)).toEqual(before);
    const statuses = await sqlRows<any>(t, sql`select status from suggestions where id in (${keyOf(ids[0]!)}, ${keyOf(ids[1]!)})`);
    expect(statuses.map((s) => s.status)).toEqual(['ACCEPTED', 'ACCEPTED']);

    const retry = await t.gql(FORWARD, { ids, recipient: 'SZSE' }, { token: c.tokens.association });
    expect(retry.body.data.forwardSuggestions.userErrors).toEqual([]);
    const after = await writes(t);
    expect(after).toMatchObject({ batches: (before.batches as number) + 1, counters: (before.counters as number) + 1, audit: (before.audit as number) + 1 });
  });

  it('between two statements of a transaction (connection idle in it): the transaction fails as transient, the process stays up', async () => {
    const before = await writes(t);
    const error = await t.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into audit_log (actor_sub, actor_role, action, entity_type) values ('test', 'ASSOCIATION', 'test.half', 'Test')`);
        const [{ pid }] = ((await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { rows: { pid: number }[] }).rows;
        await sideQuery(url, 'select pg_terminate_backend($1)', [pid]);
        await waitFor('the backend to go', () => sideQuery(url, 'select 1 from pg_stat_activity where pid = $1', [pid]).then((r) => r.length === 0));
        await tx.execute(sql`insert into audit_log (actor_sub, actor_role, action, entity_type) values ('test', 'ASSOCIATION', 'test.half', 'Test')`);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isTransientDatabaseError(error)).toBe(true);
    expect(await writes(t)).toEqual(before);
    await expectReadOk(t);
  });
});

describe.skipIf(!DATABASE_URL)('pool exhaustion under concurrent slow requests', () => {
  const POOL = 2;
  let t: TestApp;
  let c: Cast;
  let url: string;
  let side: pg.Client;
  beforeAll(async () => {
    t = await createTestApp({ DB_POOL_SIZE: String(POOL), DB_CONNECT_TIMEOUT_MS: '500', DB_LOCK_TIMEOUT_MS: '20000' });
    c = await cast(t);
    url = t.config.DATABASE_URL!;
    side = await sideConnection(url);
  });
  afterAll(async () => {
    await side?.end();
    await t?.close();
  });

  it('requests beyond the pool fail fast with 503; the slow ones finish; no connection leaks; then all is fine', async () => {
    const ids = [await suggestionIn(t, c, 'SUBMITTED'), await suggestionIn(t, c, 'SUBMITTED')];
    // Slow requests: reviews that wait on row locks held here.
    await side.query('begin');
    await side.query('select id from suggestions where id = any($1) for update', [ids.map(keyOf)]);
    const requests = Array.from({ length: 8 }, (_, i) => timed(() => t.gql(REVIEW, { id: ids[i % 2], decision: 'ACCEPT' }, { token: c.tokens.association })));
    const settled: Awaited<(typeof requests)[number]>[] = [];
    requests.forEach((r) => r.then((v) => settled.push(v)));
    await waitFor('the requests beyond the pool to fail', () => settled.length === 8 - POOL, 15_000);
    for (const r of settled) {
      expectUnavailable(r.value!);
      expect(r.ms).toBeLessThan(10_000); // failed on the connection wait (500 ms), not on the 20 s lock wait
    }
    expect((await appBackends(url, "wait_event_type = 'Lock'")).length).toBe(POOL);

    await side.query('rollback');
    const all = await Promise.all(requests);
    const finished = all.filter((r) => r.value?.status === 200);
    expect(finished).toHaveLength(POOL);
    for (const r of finished) expect(r.value!.body.errors).toBeUndefined();

    await waitFor('every connection back in the pool', () => t.database.poolStats!().idle === t.database.poolStats!().total);
    expect(t.database.poolStats!()).toMatchObject({ waiting: 0 });
    expect(t.database.poolStats!().total).toBeLessThanOrEqual(POOL);
    expect(await appBackends(url, "state like 'idle in transaction%' or state = 'active'")).toEqual([]);
    await Promise.all(Array.from({ length: 6 }, () => expectReadOk(t)));
  });
});
