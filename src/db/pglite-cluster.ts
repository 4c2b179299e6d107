// A fresh embedded cluster made once by the build, so that the first start of a new DATA_DIR unpacks it instead of
// running initdb.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fromProjectRoot } from '../project-root.js';

/** The installed PGlite's version: a cluster made by another version is not used. */
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** Where the build leaves the cluster: under dist/, named by the PGlite version that made it. */
export function pgliteClusterFile(): string {
  return fromProjectRoot('dist', `pglite-cluster-${pgliteVersion()}.tar.gz`);
}

/**
 * Runs initdb once (in memory) and writes the empty cluster as a gzipped tarball (about 4.5 MB). initdb is most of a
 * fresh embedded database's first start: about 5 s of the 10 s on a 2-core machine, against about 1.5 s to unpack the
 * tarball. The tarball is what PGlite itself makes and unpacks when it runs initdb for a directory on disk.
 */
export async function writePgliteCluster(file = pgliteClusterFile()): Promise<string> {
  const pglite = await PGlite.create();
  try {
    const tarball = await pglite.dumpDataDir('gzip');
    writeFileSync(`${file}.tmp`, Buffer.from(await tarball.arrayBuffer()));
    renameSync(`${file}.tmp`, file);
    return file;
  } finally {
    await pglite.close();
  }
}

/**
 * The build's cluster for a directory that holds no database yet (no PG_VERSION), else undefined: an existing database
 * opens as it is, and without a cluster of this PGlite version (`npm run dev`, a build before this one) PGlite runs
 * initdb as before.
 */
export function pgliteClusterFor(dir: string): Blob | undefined {
  if (existsSync(join(dir, 'PG_VERSION'))) return undefined;
  const file = pgliteClusterFile();
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
}
