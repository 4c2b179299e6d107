// Database timeouts (DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
// DB_CONNECT_TIMEOUT_MS): set on every connection, and each one, when hit, answers 503 SERVICE_UNAVAILABLE with
// nothing written, after which the next request succeeds.
import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTransientDatabaseError } from '../../src/db/errors.js';
import { creditCodeCheckCharacter } from '../../src/members/identifiers.js';
import { createTestApp, type GqlResult, type TestApp } from '../support/harness.js';
import { appBackends, DATABASE_URL, NEEDS_POSTGRES, sideConnection, timed } from '../support/faults.js';
import { sleep, waitFor } from '../support/wait.js';
import { cast, keyOf, REVIEW, sqlRows, suggestionIn, writes } from '../support/suggestions.js';

if (!DATABASE_URL) console.warn(`test/faults/timeouts.test.ts: the PostgreSQL cases are skipped: ${NEEDS_POSTGRES}`);

const READ = '{ organizations(first: 3) { edges { node { name } } } }';

function expectUnavailable(res: GqlResult) {
  expect(res.status).toBe(503);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  expect(res.text).not.toMatch(/timeout|cancel|lock|select|postgres/i);
}

async function show(t: TestApp, setting: string): Promise<string> {
  return (await sqlRows<Record<string, string>>(t, sql.raw(`show ${setting}`)))[0]![setting]!;
}

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
});
async function app(env: Record<string, string>) {
  const t = await createTestApp(env);
  apps.push(t);
  return t;
}

describe('the connection timeout (any database)', () => {
  // A server that accepts TCP connections and never answers: what a hung or black-holed database looks like.
  let blackhole: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    blackhole = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => blackhole.close(resolve));
  });

  it('a database that does not answer: /readyz 503 and requests 503 SERVICE_UNAVAILABLE after DB_CONNECT_TIMEOUT_MS, never a hang', async () => {
    const port = (blackhole.address() as { port: number }).port;
    const t = await app({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none`, DB_CONNECT_TIMEOUT_MS: '300' });
    const ready = await timed(() => fetch(`${t.url}/readyz`));
    expect(ready.value!.status).toBe(503);
    const read = await timed(() => t.gql(READ));
    expectUnavailable(read.value!);
    // A member token needs the organization looked up before GraphQL runs: that path answers 503 too.
    const member = await t.gql(READ, undefined, { token: await t.token('firm', `91440300MA5DA1B2C${creditCodeCheckCharacter('91440300MA5DA1B2C')}`) });
    expectUnavailable(member);
    expect(member.headers.get('retry-after')).toBe('1');
    expect(Math.max(ready.ms, read.ms)).toBeLessThan(10_000); // 300 ms each, generously bounded
  });
});

describe('on the embedded database', () => {
  it.skipIf(!!DATABASE_URL)('statement and lock timeouts are recorded; the idle-in-transaction timeout is not set (it would wedge PGlite)', async () => {
    const t = await app({ DB_STATEMENT_TIMEOUT_MS: '1234', DB_LOCK_TIMEOUT_MS: '567' });
    expect(await show(t, 'statement_timeout')).toBe('1234ms');
    expect(await show(t, 'lock_timeout')).toBe('567ms');
    expect(await show(t, 'idle_in_transaction_session_timeout')).toBe('0');
  });
});

describe.skipIf(!DATABASE_URL)('timeouts on PostgreSQL', () => {
  let side: pg.Client | undefined;
  afterEach(async () => {
    await side?.end();
    side = undefined;
  });

  it('every pooled connection carries the configured timeouts', async () => {
    const t = await app({ DB_STATEMENT_TIMEOUT_MS: '1234', DB_LOCK_TIMEOUT_MS: '567', DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '8901' });
    expect([await show(t, 'statement_timeout'), await show(t, 'lock_timeout'), await show(t, 'idle_in_transaction_session_timeout')]).toEqual([
      '1234ms',
      '567ms',
      '8901ms',
    ]);
  });

  it('statement timeout: a statement running too long is cancelled and the request answers 503; the next succeeds', async () => {
    const t = await app({ DB_STATEMENT_TIMEOUT_MS: '300', DB_LOCK_TIMEOUT_MS: '0' });
    const direct = await t.database.db.execute(sql`select pg_sleep(3)`).then(
      () => null,
      (e: any) => e,
    );
    expect(direct?.cause?.code).toBe('57014');
    expect(isTransientDatabaseError(direct)).toBe(true);
    // Through the API: a read stuck behind an exclusive lock (no lock timeout) runs into the statement timeout.
    side = await sideConnection(t.config.DATABASE_URL!);
    await side.query('begin');
    await side.query('lock table organizations in access exclusive mode');
    expectUnavailable(await t.gql(READ));
    await side.query('rollback');
    expect((await t.gql(READ)).status).toBe(200);
  });

  it('lock timeout: a mutation waiting too long for a row lock answers 503 and writes nothing; retried, it succeeds', async () => {
    const t = await app({ DB_LOCK_TIMEOUT_MS: '300' });
    const c = await cast(t);
    const id = await suggestionIn(t, c, 'SUBMITTED');
    side = await sideConnection(t.config.DATABASE_URL!);
    await side.query('begin');
    await side.query('select id from suggestions where id = $1 for update', [keyOf(id)]);
    const before = await writes(t);
    expectUnavailable(await t.gql(REVIEW, { id, decision: 'ACCEPT' }, { token: c.tokens.association }));
    expect(await writes(t)).toEqual(before);
    await side.query('rollback');
    const retry = await t.gql(REVIEW, { id, decision: 'ACCEPT' }, { token: c.tokens.association });
    expect(retry.body.data.reviewSuggestion).toMatchObject({ suggestion: { status: 'ACCEPTED' }, userErrors: [] });
  });

  it('idle-in-transaction timeout: a transaction left idle is ended by the server, its writes discarded; the pool recovers', async () => {
    const t = await app({ DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '300' });
    const before = await writes(t);
    const error = await t.database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into audit_log (actor_sub, actor_role, action, entity_type) values ('test', 'ASSOCIATION', 'test.idle', 'Test')`);
        await sleep(1_000);
        await tx.execute(sql`select 1`);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isTransientDatabaseError(error)).toBe(true);
    expect(await writes(t)).toEqual(before);
    await waitFor('no idle-in-transaction session left', async () => (await appBackends(t.config.DATABASE_URL!, "state like 'idle in transaction%'")).length === 0);
    expect((await t.gql(READ)).status).toBe(200);
  });
});
