// npm run load:ledger [-- --submissions 2000 --concurrency 16 --kill-every-ms 250 --keep]: the ledger-checked load run.
// On the PostgreSQL server of DATABASE_URL it creates a throwaway database (migrated, demo data), serves the API from
// this process on a free port, submits suggestions as several member organizations while killing the API's database
// connections every --kill-every-ms, retries what failed with the same idempotency keys, and reconciles the ledger
// against the database (scripts/ledger.ts). Prints the report as JSON; exits 1 when anything is lost, duplicated or
// half-applied, 2 when it cannot run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { createTokenVerifier, signAccessToken } from '../src/auth/tokens.js';
import { loadConfig } from '../src/config.js';
import { databaseOptionsFromConfig, openDatabase } from '../src/db/client.js';
import { schema } from '../src/graphql/schema.js';
import { createLogger } from '../src/logger.js';
import { seedAll } from '../src/seed/seed-all.js';
import { createApp } from '../src/server/app.js';
import { reconcile, runLedger, type Submitter } from './ledger.js';

const { values: args } = parseArgs({
  options: {
    submissions: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    'kill-every-ms': { type: 'string', default: '250' },
    organizations: { type: 'string', default: '8' },
    keep: { type: 'boolean', default: false },
  },
});

async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: url, application_name: 'member-graph-ledger' });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    process.stderr.write('load:ledger needs PostgreSQL: set DATABASE_URL (a server where it may create a throwaway database)\n');
    return 2;
  }
  const name = `mg_ledger_${randomBytes(4).toString('hex')}`;
  const admin = new URL(base);
  admin.pathname = '/postgres';
  const dbUrl = new URL(base);
  dbUrl.pathname = `/${name}`;
  await adminQuery(admin.toString(), `create database ${name}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mg-ledger-'));
  try {
    const config = loadConfig({ ...process.env, DATABASE_URL: dbUrl.toString(), DATA_DIR: dataDir, RATE_LIMIT_POINTS: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' });
    const database = await openDatabase(databaseOptionsFromConfig(config));
    await database.migrate();
    await database.db.transaction((tx) => seedAll(tx));
    const logger = createLogger(config.LOG_LEVEL);
    const keys = await loadOrCreateIssuerKeys(dataDir);
    const verifier = createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys });
    const app = await createApp({ config, logger, database, schema, verifier, issuerKeys: keys });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const orgs = (
      (await database.db.execute(sql`select id, kind, credit_code from organizations
        where kind in ('SECURITIES_FIRM', 'LISTED_COMPANY') and credit_code is not null order by id limit ${Number(args.organizations)}`)) as unknown as {
        rows: { id: number; kind: string; credit_code: string }[];
      }
    ).rows;
    const submitters: Submitter[] = await Promise.all(
      orgs.map(async (o) => ({
        organizationId: o.id,
        token: await signAccessToken(
          keys,
          { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
          { sub: `ledger:${o.credit_code}`, role: o.kind === 'LISTED_COMPANY' ? 'listed_company' : 'firm', org: o.credit_code },
          3600,
        ),
      })),
    );
    const runId = `ledger-${randomBytes(4).toString('hex')}`;
    const killEvery = Number(args['kill-every-ms']);
    const run = await runLedger(
      { url, submitters, db: database.db },
      {
        submissions: Number(args.submissions),
        concurrency: Number(args.concurrency),
        runId,
        faults:
          killEvery > 0
            ? {
                everyMs: killEvery,
                kill: async () =>
                  Number(
                    (
                      await adminQuery(
                        dbUrl.toString(),
                        `select count(pg_terminate_backend(pid)) as n from pg_stat_activity
                         where application_name = 'member-graph' and datname = current_database() and pid <> pg_backend_pid()`,
                      )
                    )[0].n,
                  ),
              }
            : undefined,
      },
    );
    const report = await reconcile(database.db, run, runId);
    await app.shutdown();
    const perSecond = Math.round((run.entries.length / run.ms) * 1000);
    process.stdout.write(
      `${JSON.stringify(
        {
          database: args.keep ? name : `${name} (dropped)`,
          submissions: run.entries.length,
          concurrency: Number(args.concurrency),
          attempts: run.attempts,
          failedAttempts: run.failedAttempts,
          failuresByKind: run.failuresByKind,
          connectionsKilled: run.kills,
          seconds: run.ms / 1000,
          submissionsPerSecond: perSecond,
          report,
        },
        null,
        2,
      )}\n`,
    );
    return report.ok ? 0 : 1;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (!args.keep) await adminQuery(admin.toString(), `drop database if exists ${name} with (force)`);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`load:ledger failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
