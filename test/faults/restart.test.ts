// PostgreSQL restarted under load, on a throwaway cluster this test creates (initdb into a temporary directory, its
// own port on 127.0.0.1): /readyz turns 503 while it is down, requests answer 503 SERVICE_UNAVAILABLE without
// hanging, and the same API process recovers by itself once PostgreSQL is back.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createTestApp, type TestApp } from '../support/harness.js';
import { createThrowawayCluster, DATABASE_URL, NEEDS_POSTGRES, sideQuery, type ThrowawayCluster } from '../support/faults.js';
import { sleep, waitFor } from '../support/wait.js';

const cluster: ThrowawayCluster | string = DATABASE_URL ? await createThrowawayCluster() : NEEDS_POSTGRES;
if (typeof cluster === 'string') console.warn(`test/faults/restart.test.ts skipped: ${cluster}`);
afterAll(async () => {
  if (typeof cluster !== 'string') await cluster.destroy();
});

const READ = '{ organizations(first: 3) { edges { node { name } } } }';
const CONNECT_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 3_000;
/** No request may take longer than its timeouts allow (plus scheduling slack on a busy machine). */
const LONGEST_ALLOWED_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 4_000;

interface Outcome {
  phase: 'up' | 'down' | 'back';
  status: number;
  code?: string;
  ms: number;
  error?: string;
}

describe.skipIf(typeof cluster === 'string')('PostgreSQL restarted under load', () => {
  const pgc = cluster as ThrowawayCluster;
  let t: TestApp;
  beforeAll(async () => {
    await sideQuery(pgc.url, 'create database mg');
    const url = pgc.url.replace(/\/postgres$/, '/mg');
    const setup = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
    await setup.migrate();
    await setup.db.execute(
      // A few organizations to read (the demo seed is not needed here).
      sql`insert into organizations (kind, name, credit_code) values
        ('SECURITIES_FIRM', '甲证券', '91440300000000001A'), ('SECURITIES_FIRM', '乙证券', '91440300000000002A'), ('SECURITIES_FIRM', '丙证券', '91440300000000003A')`,
    );
    await setup.close();
    t = await createTestApp({
      DATABASE_URL: url,
      DB_POOL_SIZE: '4',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('readiness 503 while down, every request answers (200 or 503) within its timeouts, and the pool recovers on its own', async () => {
    let phase: Outcome['phase'] = 'up';
    let running = true;
    const outcomes: Outcome[] = [];
    async function worker() {
      while (running) {
        const started = Date.now();
        const at = phase;
        try {
          // The abort only turns a hang into a failure of this test; it is far above every timeout.
          const res = await fetch(`${t.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: READ }),
            signal: AbortSignal.timeout(30_000),
          });
          const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
          outcomes.push({ phase: at, status: res.status, code: body.errors?.[0]?.extensions?.code, ms: Date.now() - started });
        } catch (error) {
          outcomes.push({ phase: at, status: 0, ms: Date.now() - started, error: String(error) });
        }
        await sleep(20);
      }
    }
    const readyz = async () => (await fetch(`${t.url}/readyz`, { signal: AbortSignal.timeout(30_000) })).status;
    const workers = Array.from({ length: 4 }, () => worker());

    await waitFor('some answers while up', () => outcomes.filter((o) => o.phase === 'up' && o.status === 200).length >= 8);
    expect(await readyz()).toBe(200);

    await pgc.stop();
    phase = 'down';
    await waitFor('readiness to turn 503', async () => (await readyz()) === 503);
    await waitFor('requests answered while down', () => outcomes.filter((o) => o.phase === 'down').length >= 8, 20_000);
    expect(await readyz()).toBe(503);

    await pgc.start();
    phase = 'back';
    await waitFor('readiness to come back', async () => (await readyz()) === 200, 30_000, 100);
    await waitFor('requests succeeding again', () => outcomes.filter((o) => o.phase === 'back' && o.status === 200).length >= 8, 20_000);
    running = false;
    await Promise.all(workers);

    const summary = (o: Outcome) => `${o.phase}:${o.status}:${o.code ?? ''}:${o.ms}ms${o.error ? `:${o.error}` : ''}`;
    const bad = outcomes.filter((o) => !(o.status === 200 || (o.status === 503 && o.code === 'SERVICE_UNAVAILABLE')));
    expect(bad.map(summary)).toEqual([]);
    expect(outcomes.filter((o) => o.ms > LONGEST_ALLOWED_MS).map(summary)).toEqual([]);
    expect(outcomes.filter((o) => o.phase === 'down' && o.status === 503).length).toBeGreaterThan(0);
    // The same process, the same pool: nothing was restarted but PostgreSQL.
    expect(t.database.poolStats!().total).toBeLessThanOrEqual(4);
  }, 120_000);
});
