// The embedded database has no autovacuum: it refreshes its planner statistics itself, every few minutes.
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, PGLITE_ANALYZE_INTERVAL_MS } from '../src/db/client.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('PGlite statistics', () => {
  it('are refreshed every PGLITE_ANALYZE_INTERVAL_MS, and no more once the database is closed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const pglite = await PGlite.create();
    const database = await openDatabase({ dataDir: '/nonexistent', pglite });
    await pglite.exec('create table facts (id int primary key); insert into facts select generate_series(1, 1000)');
    const tuples = async () => Number((await pglite.query<{ n: number }>(`select reltuples::int as n from pg_class where relname = 'facts'`)).rows[0]!.n);
    expect(await tuples()).toBeLessThan(1);
    vi.advanceTimersByTime(PGLITE_ANALYZE_INTERVAL_MS);
    await vi.waitFor(async () => expect(await tuples()).toBe(1000));
    await database.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
