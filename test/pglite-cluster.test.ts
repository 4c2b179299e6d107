// A fresh embedded DATA_DIR starts from the empty cluster the build made (src/db/pglite-cluster.ts) instead of initdb,
// and the migrations apply to it one file per round trip (src/db/migrate-pglite.ts) with drizzle's bookkeeping.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../src/db/client.js';
import { migratePglite } from '../src/db/migrate-pglite.js';
import { pgliteClusterFor, writePgliteCluster } from '../src/db/pglite-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the embedded cluster made by the build', () => {
  it('opens as the UTF-8, C-collated database initdb makes, takes the migrations, and is recorded as drizzle records them', async () => {
    const file = await writePgliteCluster(join(dir, 'cluster.tar.gz'));
    const pglite = await PGlite.create({ dataDir: join(dir, 'data'), loadDataDir: new Blob([readFileSync(file)]) });
    try {
      const { rows } = await pglite.query<{ encoding: string; collate: string }>(
        `select pg_encoding_to_char(encoding) as encoding, datcollate as collate from pg_database where datname = current_database()`,
      );
      expect(rows).toEqual([{ encoding: 'UTF8', collate: 'C' }]);
      await migratePglite(pglite, migrationsFolder);
      const applied = await pglite.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      // drizzle's own migrator, run after ours, finds nothing left to apply.
      await migrate(drizzle({ client: pglite }), { migrationsFolder });
      const after = await pglite.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(applied.rows[0]!.n).toBeGreaterThan(0);
      expect(after.rows[0]!.n).toBe(applied.rows[0]!.n);
      expect((await pglite.query(`select to_regclass('public.rating_score_lines') is not null as present`)).rows).toEqual([{ present: true }]);
    } finally {
      await pglite.close();
    }
  }, 120_000);

  it('is never offered for a directory that already holds a database', () => {
    const existing = join(dir, 'existing');
    mkdirSync(existing, { recursive: true });
    writeFileSync(join(existing, 'PG_VERSION'), '18\n');
    expect(pgliteClusterFor(existing)).toBeUndefined();
  });
});
