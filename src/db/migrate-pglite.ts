// Applies the committed migrations to the embedded database, one migration file per round trip.
import type { PGlite } from '@electric-sql/pglite';
import { readMigrationFiles } from 'drizzle-orm/migrator';

/**
 * The bookkeeping is drizzle's own (drizzle.__drizzle_migrations: hash and folder time of each applied migration, the
 * newest compared with the folder), so either migrator takes over from the other. The difference is the round trips:
 * drizzle sends each statement of a file on its own, and on PGlite each of those ~450 statements costs a few
 * milliseconds of protocol; here a file's statements go as one simple query. This runs at the first start of every
 * embedded database, where it saves most of a second. drizzle-kit ends each statement with `;`; the added `;` lines
 * only guard a hand-written file whose last line is a comment.
 */
export async function migratePglite(pglite: PGlite, migrationsFolder: string): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  await pglite.transaction(async (tx) => {
    await tx.exec(`
      create schema if not exists drizzle;
      create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`);
    const { rows } = await tx.query<{ createdAt: string | null }>(
      'select created_at as "createdAt" from drizzle.__drizzle_migrations order by created_at desc limit 1',
    );
    const last = rows[0] ? Number(rows[0].createdAt) : undefined;
    for (const migration of migrations) {
      if (last !== undefined && last >= migration.folderMillis) continue;
      await tx.exec(migration.sql.join('\n;\n'));
      await tx.query('insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)', [migration.hash, migration.folderMillis]);
    }
  });
}
