// npm run db:migrate: applies the committed migrations to the configured database.
import { databaseOptionsFromConfig, openDatabase } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig();
const database = await openDatabase(databaseOptionsFromConfig(config));
await database.migrate();
await database.close();
console.log(`migrations applied (${database.driver})`);
