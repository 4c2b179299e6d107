// npm run audit:verify: recomputes the audit log's hash chain in the configured database (DATABASE_URL, or the
// embedded one under DATA_DIR while no server holds it). Prints the head on success; exits 1 naming the first row
// that does not check out, 2 when it cannot run.
import { verifyAuditChain } from '../src/audit/audit.chain.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { databaseOptionsFromConfig, openDatabase } from '../src/db/client.js';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`audit:verify: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const database = await openDatabase(databaseOptionsFromConfig(config));
  try {
    if (!(await database.isReady())) {
      process.stderr.write('audit:verify: the database does not answer or is not migrated\n');
      return 2;
    }
    const report = await verifyAuditChain(database.db);
    if (report.ok) {
      process.stdout.write(`audit log intact: ${report.rows} rows, head seq ${report.headSeq}, head hash ${report.headHash}\n`);
      return 0;
    }
    const p = report.problem!;
    process.stdout.write(
      `audit log TAMPERED: ${p.id === null ? `at seq ${p.seq}` : `row id ${p.id} (seq ${p.seq})`}: ${p.reason}; ${report.rows} rows before it check out\n`,
    );
    return 1;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
