// A fresh database per driver for the benchmark, prepared like the app's: PGlite in a temporary DATA_DIR, or a
// throwaway database on the PostgreSQL server, dropped afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isEmpty, prepareDatabase } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { statementCountingLogger, type StatementObserver } from '../../src/db/instrumentation.js';
import type { Logger } from '../../src/logger.js';
import { seedAll } from '../../src/seed/seed-all.js';

export type Driver = Database['driver'];

export interface BenchDatabase {
  config: Config;
  database: Database;
  /** Closes the database and removes it (temporary directory, or the throwaway database); harmless twice. */
  dispose(): Promise<void>;
}

const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

function urlOfDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdminClient<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlOfDatabase(serverUrl, 'postgres'), connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The PostgreSQL server to measure: DATABASE_URL's, else a local one when it answers. Undefined when there is none;
 * a DATABASE_URL that does not answer is an error (the caller asked for it).
 */
export async function findPostgresServer(): Promise<{ url?: string; reason?: string }> {
  const configured = loadConfig().DATABASE_URL;
  try {
    await withAdminClient(configured ?? LOCAL_POSTGRES, async (client) => client.query('select 1'));
    return { url: configured ?? LOCAL_POSTGRES };
  } catch (error) {
    const reason = `${configured ? 'DATABASE_URL' : '127.0.0.1:5432'} does not answer (${error instanceof Error ? error.message : String(error)})`;
    if (configured) throw new Error(reason);
    return { reason };
  }
}

/**
 * Opens a fresh database for one driver. The cost limits stay on, with a budget the benchmark never exhausts; idle
 * keep-alive connections live long enough to outlast the pauses between rounds.
 */
export async function openBenchDatabase(driver: Driver, logger: Logger, postgresServerUrl?: string, statementObserver?: StatementObserver): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mg-bench-'));
  const throwaway = `mg_bench_${process.pid}`;
  let databaseUrl: string | undefined;
  if (driver === 'postgres') {
    if (!postgresServerUrl) throw new Error('no PostgreSQL server to benchmark');
    await withAdminClient(postgresServerUrl, async (client) => {
      await client.query(`drop database if exists ${throwaway} with (force)`);
      await client.query(`create database ${throwaway}`);
    });
    databaseUrl = urlOfDatabase(postgresServerUrl, throwaway);
  }
  let database: Database | undefined;
  let disposed: Promise<void> | undefined;
  const dispose = () =>
    (disposed ??= (async () => {
      await database?.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (postgresServerUrl && databaseUrl) await withAdminClient(postgresServerUrl, (client) => client.query(`drop database if exists ${throwaway} with (force)`));
    })());
  try {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_POINTS: '100000000',
      WEBHOOK_WORKER: 'false',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '60000',
      // No load balancer in front: stop at once (NODE_ENV=production would otherwise drain 10 s at each shutdown).
      SHUTDOWN_DRAIN_DELAY_MS: '0',
    });
    database = await prepareDatabase(config, logger, { statementLogger: statementCountingLogger, ...(statementObserver ? { statementObserver } : {}) });
    // prepareDatabase seeds only the embedded database; a server's is seeded as `npm run db:seed` does it.
    if (await isEmpty(database)) await database.db.transaction((tx) => seedAll(tx));
    return { config, database, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}
