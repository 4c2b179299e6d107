// Helpers of the fault tests (test/faults/): fresh PostgreSQL databases from the run's template, a side connection
// that holds locks and kills the app's backends, a throwaway PostgreSQL cluster, and small waiting helpers.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';

export const DATABASE_URL = process.env.DATABASE_URL;
export const NEEDS_POSTGRES = 'fault tests need PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them';

/** The application's connections carry this name (src/db/client.ts); the helpers' own connections another. */
export const APP_NAME = 'member-graph';
const SIDE_NAME = 'member-graph-fault-test';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh database created from the run's migrated, seeded template; `drop` removes it (forcing out connections). */
export async function createDatabaseFromTemplate(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const template = inject('postgresTemplate');
  if (!DATABASE_URL || !template) throw new Error(NEEDS_POSTGRES);
  const name = `${template}_f${randomBytes(5).toString('hex')}`;
  const admin = withDatabase(DATABASE_URL, 'postgres');
  await sideQuery(admin, `create database ${name} template ${template}`);
  return {
    url: withDatabase(DATABASE_URL, name),
    name,
    drop: () => sideQuery(admin, `drop database if exists ${name} with (force)`).then(() => {}),
  };
}

/** One statement on a short-lived side connection. */
export async function sideQuery<T extends pg.QueryResultRow = any>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, application_name: SIDE_NAME });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A long-lived side connection, e.g. to hold a lock inside an open transaction. */
export async function sideConnection(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: SIDE_NAME });
  client.on('error', () => {});
  await client.connect();
  return client;
}

export function databaseNameOf(url: string): string {
  return new URL(url).pathname.slice(1);
}

/** The app's backends on this database (never another test file's: they use other databases). */
export async function appBackends(url: string, where = 'true'): Promise<{ pid: number; state: string; wait_event_type: string | null; query: string }[]> {
  return sideQuery(
    url,
    `select pid, state, wait_event_type, query from pg_stat_activity
     where application_name = $1 and datname = $2 and pid <> pg_backend_pid() and (${where})`,
    [APP_NAME, databaseNameOf(url)],
  );
}

/** pg_terminate_backend on the app's backends of this database; returns how many were killed. */
export async function terminateAppBackends(url: string, where = 'true'): Promise<number> {
  const rows = await sideQuery(
    url,
    `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
     where application_name = $1 and datname = $2 and pid <> pg_backend_pid() and (${where})`,
    [APP_NAME, databaseNameOf(url)],
  );
  return rows[0].n;
}


/** A free TCP port on 127.0.0.1 (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Times a request; never throws (a network error is status 0). */
export async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = Date.now();
  try {
    const value = await run();
    return { ms: Date.now() - started, value };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

// ---------------------------------------------------------------- a throwaway PostgreSQL cluster

/** The directory of PostgreSQL's server binaries (initdb, pg_ctl), newest version first; null when absent. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

export interface ThrowawayCluster {
  url: string;
  port: number;
  start(): Promise<void>;
  /** pg_ctl stop -m fast: connections are terminated, new ones refused. */
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * initdb into a temporary directory and a server on its own port on 127.0.0.1 (trust authentication, no fsync):
 * nothing else is disturbed. initdb refuses to run as root, so as root it runs as the `postgres` user.
 * Returns a reason string instead when that is impossible here.
 */
export async function createThrowawayCluster(): Promise<ThrowawayCluster | string> {
  const bin = postgresBinDir();
  if (!bin) return 'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin';
  const asRoot = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) return 'running as root and there is no postgres user to run initdb as';
    uid = Number(id.stdout.trim());
    gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  }
  const dir = mkdtempSync(join(tmpdir(), 'mg-cluster-'));
  if (asRoot) chownSync(dir, uid!, gid!);
  const data = join(dir, 'data');
  // Asynchronous, so the API under test keeps serving while PostgreSQL stops and starts.
  const run = async (args: string[]) => {
    const [cmd, ...rest] = args;
    const full = asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, cmd!), ...rest] : [join(bin, cmd!), ...rest];
    await promisify(execFile)(full[0]!, full.slice(1), { cwd: dir, timeout: 60_000 });
  };
  try {
    await run(['initdb', '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `initdb failed: ${(error as { stderr?: string }).stderr?.trim() || String(error)}`;
  }
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=40`;
  const cluster: ThrowawayCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: () => run(['pg_ctl', '-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']),
    stop: () => run(['pg_ctl', '-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']),
    destroy: async () => {
      await run(['pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {}); // already stopped
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    return `the throwaway cluster did not start: ${String(error)}`;
  }
  return cluster;
}
