// The production topology on one machine: API instances behind haproxy, PgBouncer (transaction pooling) in front of
// PostgreSQL, one Redis. Used by `npm run topology` (to try it by hand) and by test/faults/topology.test.ts (CI).
// docs/OPERATIONS.md, "Several instances", describes the same topology; deploy/ has it as a compose file.
//
// Loopback only: every listener binds 127.0.0.1 on a free port. The database must exist, be migrated and seeded: the
// instances start through PgBouncer, and migrations are never run through it (docs/OPERATIONS.md, "PgBouncer").
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface TopologyOptions {
  /** Direct PostgreSQL URL of a migrated, seeded database; the instances reach it through PgBouncer only. */
  databaseUrl: string;
  redisUrl?: string;
  /** How many API instances (2). */
  instances?: number;
  /** Extra environment of every instance (rate limits, webhook settings …). */
  env?: Record<string, string>;
  /** Working directory for configuration, logs and the shared DATA_DIR (the issuer keys); a fresh temp dir by default. */
  dir?: string;
}

export interface Instance {
  name: string;
  port: number;
  /** The instance itself, bypassing the load balancer. */
  url: string;
  process: ChildProcess;
  log: string;
}

export interface Topology {
  /** The load balancer: what clients use. */
  url: string;
  pgbouncerUrl: string;
  /** Shared by the instances: the issuer keys live in DATA_DIR/keys. */
  dataDir: string;
  dir: string;
  instances: Instance[];
  /** Rolling restart of one instance: SIGTERM (it drains while haproxy takes it out), wait for its exit, start it again, wait until haproxy routes to it. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** Whether haproxy and pgbouncer are installed (Debian: `apt-get install haproxy pgbouncer`). */
export function topologyToolsMissing(): string[] {
  return ['haproxy', 'pgbouncer'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`]).status !== 0);
}

function toolPath(tool: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  return found || `/usr/sbin/${tool}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`topology: timed out waiting for ${what}`);
    await sleep(100);
  }
}

const answers = (url: string, status = 200) => async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === status;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

function pgbouncerIni(dir: string, port: number, databaseUrl: string): string {
  const u = new URL(databaseUrl);
  const target = [`host=${u.hostname}`, `port=${u.port || 5432}`, `dbname=${u.pathname.slice(1)}`, `user=${decodeURIComponent(u.username) || 'postgres'}`];
  if (u.password) target.push(`password=${decodeURIComponent(u.password)}`);
  return `; written by scripts/topology/topology.ts
[databases]
member_graph = ${target.join(' ')}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
; loopback test rig: no client authentication (the server connection uses the URL's user)
auth_type = any
pool_mode = transaction
default_pool_size = 20
max_client_conn = 200
; the instances send these as startup parameters; the database carries them instead (ALTER DATABASE … SET)
ignore_startup_parameters = statement_timeout,lock_timeout,idle_in_transaction_session_timeout,options,extra_float_digits
logfile = ${join(dir, 'pgbouncer.log')}
pidfile = ${join(dir, 'pgbouncer.pid')}
`;
}

function haproxyCfg(port: number, instances: { name: string; port: number }[]): string {
  return `# written by scripts/topology/topology.ts
global
  maxconn 512

defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  # A request whose connection failed before it reached an instance goes to the other one.
  retries 3
  option redispatch
  retry-on conn-failure empty-response

frontend api
  bind 127.0.0.1:${port}
  default_backend instances

backend instances
  balance roundrobin
  # Readiness answers 503 from the first moment of a drain (SHUTDOWN_DRAIN_DELAY_MS), so an instance leaves the
  # rotation (3 failed checks a second apart) before it stops listening (the instances drain for 5 s).
  option httpchk GET /readyz
  http-check expect status 200
  timeout check 2s
  default-server inter 1s fall 3 rise 2
  http-response set-header X-Served-By %s
${instances.map((i) => `  server ${i.name} 127.0.0.1:${i.port} check`).join('\n')}
`;
}

export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const missing = topologyToolsMissing();
  if (missing.length) throw new Error(`topology: ${missing.join(' and ')} not installed (Debian: apt-get install haproxy pgbouncer)`);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mg-topology-'));
  mkdirSync(dir, { recursive: true });
  // PgBouncer refuses to run as root: it then runs as nobody, which must read its configuration and write its log.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const children: ChildProcess[] = [];

  const bouncerPort = await freePort();
  writeFileSync(join(dir, 'pgbouncer.ini'), pgbouncerIni(dir, bouncerPort, options.databaseUrl), { mode: 0o644 });
  const bouncer = spawn(toolPath('pgbouncer'), [...(asRoot ? ['-u', 'nobody'] : []), join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  children.push(bouncer);
  const pgbouncerUrl = `postgres://postgres@127.0.0.1:${bouncerPort}/member_graph`;

  const instanceEnv = (port: number): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: pgbouncerUrl,
      // PgBouncer before 1.21 cannot keep named statements in transaction mode.
      DB_NAMED_STATEMENTS: 'false',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_DELAY_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '15000',
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      ...options.env,
    };
    if (!options.redisUrl) delete env.REDIS_URL;
    delete env.METRICS_PORT;
    return env;
  };

  const launch = (name: string, port: number): Instance => {
    const log = join(dir, `${name}.log`);
    const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], { cwd: ROOT, env: instanceEnv(port), stdio: ['ignore', 'pipe', 'pipe'] });
    const out = createWriteStream(log, { flags: 'a' });
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
    children.push(child);
    return { name, port, url: `http://127.0.0.1:${port}`, process: child, log };
  };

  const stop = async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const all = Promise.all(children.map(exited));
    const timer = setTimeout(() => children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')), 20_000);
    await all;
    clearTimeout(timer);
  };

  try {
    await waitUntil('PgBouncer', async () => {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: pgbouncerUrl, connectionTimeoutMillis: 1000 });
      await client.connect();
      await client.query('select 1');
      await client.end();
      return true;
    }, 15_000);

    const count = options.instances ?? 2;
    const instances: Instance[] = [];
    for (let i = 0; i < count; i++) instances.push(launch(String.fromCharCode(97 + i), await freePort()));
    // Keys: the first instance creates them in the shared DATA_DIR (exclusively; a racing one reads the winner's).
    await Promise.all(instances.map((i) => waitUntil(`instance ${i.name} ready (log: ${i.log})`, answers(`${i.url}/readyz`), 90_000)));

    const lbPort = await freePort();
    writeFileSync(join(dir, 'haproxy.cfg'), haproxyCfg(lbPort, instances));
    const haproxy = spawn(toolPath('haproxy'), ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', openSync(join(dir, 'haproxy.log'), 'a')] });
    children.push(haproxy);
    const url = `http://127.0.0.1:${lbPort}`;
    // Both instances in rotation: two readiness answers in a row from different servers.
    await waitUntil('haproxy routing to every instance', async () => {
      const served = new Set<string>();
      for (let i = 0; i < count * 2; i++) {
        const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) served.add(res.headers.get('x-served-by') ?? '');
      }
      return served.size === count;
    }, 30_000);

    const restart = async (index: number) => {
      const old = instances[index]!;
      old.process.kill('SIGTERM');
      await exited(old.process);
      const fresh = launch(old.name, old.port);
      instances[index] = fresh;
      await waitUntil(`instance ${fresh.name} ready again (log: ${fresh.log})`, answers(`${fresh.url}/readyz`), 90_000);
      // haproxy puts it back after `rise` good checks.
      await waitUntil(`haproxy routing to ${fresh.name} again`, async () => {
        for (let i = 0; i < count * 2; i++) {
          const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
          if (res.headers.get('x-served-by') === fresh.name) return true;
        }
        return false;
      }, 30_000);
    };

    return { url, pgbouncerUrl, dataDir, dir, instances, restart, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * What the instances would send as startup parameters, set on the database instead (PgBouncer ignores them): the
 * timeouts of docs/OPERATIONS.md and the plan cache mode. Runs on a direct connection.
 */
export async function configureDatabaseForPooler(databaseUrl: string): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const name = new URL(databaseUrl).pathname.slice(1);
    const quoted = `"${name.replaceAll('"', '""')}"`;
    for (const setting of [`statement_timeout = '15s'`, `lock_timeout = '5s'`, `idle_in_transaction_session_timeout = '10s'`, `plan_cache_mode = 'force_custom_plan'`]) {
      await client.query(`alter database ${quoted} set ${setting}`);
    }
  } finally {
    await client.end();
  }
}
