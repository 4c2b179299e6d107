// Builds one migrated, seeded template per run: a PGlite data-dir dump, or a PostgreSQL template database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { seedAll } from '../../src/seed/seed-all.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string | null;
  }
}

export function adminUrl(databaseUrl: string, database = 'postgres') {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'mg-template-'));
  const databaseUrl = process.env.DATABASE_URL;
  let template: string | null = null;
  if (databaseUrl) {
    template = `mg_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl(databaseUrl) });
    await admin.connect();
    await admin.query(`drop database if exists ${template}`);
    await admin.query(`create database ${template}`);
    await admin.end();
    const database = await openDatabase({ databaseUrl: adminUrl(databaseUrl, template), dataDir: dir, poolSize: 2 });
    await database.migrate();
    await database.db.transaction((tx) => seedAll(tx));
    await database.close();
  } else {
    const pglite = await PGlite.create();
    const database = await openDatabase({ dataDir: dir, pglite });
    await database.migrate();
    await database.db.transaction((tx) => seedAll(tx));
    const dump = await pglite.dumpDataDir('none');
    writeFileSync(join(dir, 'template.tar'), Buffer.from(await dump.arrayBuffer()));
    await database.close();
  }
  project.provide('pgliteTemplate', join(dir, 'template.tar'));
  project.provide('postgresTemplate', template);

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (databaseUrl && template) {
      const admin = new pg.Client({ connectionString: adminUrl(databaseUrl) });
      await admin.connect();
      const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [`${template}_f%`]);
      for (const row of rows) await admin.query(`drop database if exists ${row.datname} with (force)`);
      await admin.query(`drop database if exists ${template} with (force)`);
      await admin.end();
    }
  };
}
