// npm run db:migrate: applies the committed migrations to the configured database.
import { openDatabase } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
await database.migrate();
await database.close();
console.log(`migrations applied (${database.driver})`);
