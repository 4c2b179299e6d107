// Shared start-up steps for the server and the scripts: open and migrate the database, seed an empty embedded one.
import { count, sql } from 'drizzle-orm';
import type { Config } from './config.js';
import { databaseOptionsFromConfig, openDatabase, type Database, type DatabaseOptions } from './db/client.js';
import type { Logger } from './logger.js';
import { organizationsTable } from './members/members.table.js';
import { seedAll } from './seed/seed-all.js';

export async function isEmpty(database: Database): Promise<boolean> {
  const [row] = await database.db.select({ n: count() }).from(organizationsTable);
  return (row?.n ?? 0) === 0;
}

/**
 * Statistics for the application's tables only: the catalogs keep the ones initdb gave them (the periodic analyze of
 * src/db/client.ts covers everything later), and analyzing them too was a quarter of a second of every first start.
 */
async function analyzeApplicationTables(database: Database): Promise<void> {
  const result = (await database.db.execute(
    sql`select string_agg(format('%I.%I', schemaname, tablename), ', ') as list from pg_tables where schemaname = 'public'`,
  )) as unknown as { rows: { list: string | null }[] };
  const list = result.rows[0]?.list;
  if (list) await database.db.execute(sql.raw(`analyze ${list}`));
}

/**
 * Opens the configured database and applies migrations; on a fresh embedded database, loads the demo data. The
 * embedded database then gets fresh planner statistics: PGlite has no autovacuum, and without statistics the planner
 * guesses table sizes and may hash a whole table where a few index lookups would do.
 */
export async function prepareDatabase(config: Config, logger: Logger, extra: Partial<DatabaseOptions> = {}): Promise<Database> {
  const database = await openDatabase({ ...databaseOptionsFromConfig(config), ...extra });
  try {
    await database.migrate();
    if (database.driver === 'pglite' && (await isEmpty(database))) {
      const counts = await database.db.transaction((tx) => seedAll(tx));
      logger.info(counts, 'loaded the demo data into the fresh embedded database');
    }
    if (database.driver === 'pglite') await analyzeApplicationTables(database);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
