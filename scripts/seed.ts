// npm run db:seed [-- --scale N]: migrates, then loads the demo data into an empty database (embedded or DATABASE_URL).
// With --scale N (N > 1) it then makes the demo N times its size for performance work (src/seed/scale.ts), once.
import { parseArgs } from 'node:util';
import { count } from 'drizzle-orm';
import { isEmpty } from '../src/bootstrap.js';
import { loadConfig } from '../src/config.js';
import { databaseOptionsFromConfig, openDatabase, type Db } from '../src/db/client.js';
import { branchesTable, organizationsTable } from '../src/members/members.table.js';
import { branchRatingsTable } from '../src/ratings/ratings.table.js';
import { seedAll } from '../src/seed/seed-all.js';
import { MAX_SCALE_FACTOR, scaleDemoData } from '../src/seed/scale.js';

const USAGE = `usage: npm run db:seed [-- --scale N]   (N an integer from 1 to ${MAX_SCALE_FACTOR}; 1 is the demo itself)`;

function fail(message: string): never {
  console.error(`db:seed: ${message}\n${USAGE}`);
  process.exit(1);
}

function scaleArgument(): number {
  let scale: string;
  try {
    scale = parseArgs({ options: { scale: { type: 'string', default: '1' } }, strict: true }).values.scale!;
  } catch (error) {
    fail((error as Error).message);
  }
  if (!/^[1-9][0-9]*$/.test(scale) || Number(scale) > MAX_SCALE_FACTOR) fail(`--scale must be an integer from 1 to ${MAX_SCALE_FACTOR}, not "${scale}"`);
  return Number(scale);
}

async function sizes(db: Db): Promise<Record<string, number>> {
  const [[organizations], [branches], [branchRatings]] = await Promise.all([
    db.select({ n: count() }).from(organizationsTable),
    db.select({ n: count() }).from(branchesTable),
    db.select({ n: count() }).from(branchRatingsTable),
  ]);
  return { organizations: organizations!.n, branches: branches!.n, branchRatings: branchRatings!.n };
}

const scale = scaleArgument();
const config = loadConfig();
// A batch job, not a request: a large --scale may run longer than the statement timeout requests get.
const options = databaseOptionsFromConfig(config);
// The embedded database admits one process (the DATA_DIR lock): with a server running on it, this stops with one line.
const database = await openDatabase({ ...options, timeouts: { ...options.timeouts, statementMs: 0 } }).catch((error: unknown) => {
  console.error(`db:seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
try {
  await database.migrate();
  if (await isEmpty(database)) {
    const counts = await database.db.transaction((tx) => seedAll(tx));
    console.log(`demo data loaded (${database.driver}): ${JSON.stringify(counts)}`);
  } else if (scale === 1) {
    console.log('the database already has data; demo data not loaded');
  }
  if (scale > 1) {
    // scaleDemoData refuses a database scaled already (its copies' credit codes give it away).
    const added = await scaleDemoData(database.db, scale);
    console.log(`demo data scaled ×${scale} (${database.driver}): added ${JSON.stringify(added)}; now ${JSON.stringify(await sizes(database.db))}`);
  }
} catch (error) {
  console.error(`db:seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
