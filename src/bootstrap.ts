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
    if (database.driver === 'pglite') await database.db.execute(sql`analyze`);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
