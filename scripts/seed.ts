// npm run db:seed: migrates, then loads the demo data into an empty database (embedded or DATABASE_URL).
import { isEmpty } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { databaseOptionsFromConfig, openDatabase } from '../src/db/client.js';
import { seedAll } from '../src/seed/seed-all.js';

const config = loadConfig();
const database = await openDatabase(databaseOptionsFromConfig(config));
try {
  await database.migrate();
  if (!(await isEmpty(database))) {
    console.log('the database already has data; demo data not loaded');
  } else {
    const counts = await database.db.transaction((tx) => seedAll(tx));
    console.log(`demo data loaded (${database.driver}): ${JSON.stringify(counts)}`);
  }
} catch (error) {
  console.error(`db:seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
