// npm run db:migrate: applies the committed migrations to the configured database.
import { databaseOptionsFromConfig, openDatabase } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
// The embedded database admits one process (the DATA_DIR lock): with a server running on it, this stops with one line
// (the server migrates at every start anyway).
const database = await openDatabase(databaseOptionsFromConfig(config)).catch((error: unknown) => {
  console.error(`db:migrate: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
await database.migrate();
await database.close();
console.log(`migrations applied (${database.driver})`);
