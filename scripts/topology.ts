// npm run topology: the production topology on this machine, to try by hand — two API instances behind haproxy,
// PgBouncer in transaction mode in front of PostgreSQL, the Redis of REDIS_URL (docs/OPERATIONS.md, "Several instances").
// DATABASE_URL names the database directly; it is migrated (directly, never through PgBouncer) and, when empty, seeded
// with the demo data. Needs haproxy and pgbouncer (Debian: apt-get install haproxy pgbouncer). Ctrl-C stops it all.
import { isEmpty } from '../src/bootstrap.js';
import { databaseOptionsFromConfig, openDatabase } from '../src/db/client.js';
import { loadConfig } from '../src/config.js';
import { seedAll } from '../src/seed/seed-all.js';
import { configureDatabaseForPooler, startTopology } from './topology/topology.js';

const config = loadConfig();
if (!config.DATABASE_URL) {
  console.error('topology: set DATABASE_URL to a PostgreSQL database (e.g. postgres://postgres@127.0.0.1:5432/member_graph; createdb it first)');
  process.exit(1);
}
const database = await openDatabase(databaseOptionsFromConfig(config));
await database.migrate();
if (await isEmpty(database)) await database.db.transaction((tx) => seedAll(tx));
await database.close();
await configureDatabaseForPooler(config.DATABASE_URL);

const topology = await startTopology({ databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, instances: Number(process.env.INSTANCES ?? 2) });
console.log(`load balancer (haproxy): ${topology.url}/graphql`);
for (const i of topology.instances) console.log(`instance ${i.name}: ${i.url} (log ${i.log})`);
console.log(`PgBouncer: ${topology.pgbouncerUrl}   working directory: ${topology.dir}`);
if (!config.REDIS_URL) console.log('REDIS_URL is not set: each instance keeps its own rate-limit budget');
console.log('Ctrl-C stops everything');
const stop = async () => {
  await topology.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
