// The server as an operator runs it (node --import tsx/esm src/main.ts, what npm start runs): one writer per embedded
// database, a busy port refused before anything slow, and a shutdown that finishes within SHUTDOWN_TIMEOUT_MS whatever
// the state of stdout (issue 21). Plus the DATA_DIR lock in-process. Embedded database only: the lock is PGlite's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, constants } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../src/db/data-dir-lock.js';
import { sleep, waitFor } from './support/wait.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A pid that certainly belongs to no live process: a child that has already exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  return pid!;
}

function baseEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, WEBHOOK_WORKER: 'false', LOG_LEVEL: 'info', NODE_ENV: 'production', ...extra };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  return env;
}

interface Started {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

function spawnServer(env: NodeJS.ProcessEnv, stdio: Parameters<typeof spawn>[2]['stdio'] = ['ignore', 'pipe', 'pipe']): Started {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], { env, stdio });
  children.push(child);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, exit };
}

/** The port from the "listening" log line of a server whose stdout we read. */
function portFromStdout(started: Started): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    started.child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /"port":(\d+)[^\n]*member-graph listening/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    void started.exit.then(({ code }) => reject(new Error(`the server exited (${code}) before listening: ${text}`)));
  });
}

/** Runs the entry point to its end and returns its exit code and stderr. */
async function runToExit(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const started = spawnServer(env);
  let stderr = '';
  let stdout = '';
  started.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  started.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  const { code } = await started.exit;
  clearTimeout(timer);
  return { code, stderr, stdout };
}

describe('the DATA_DIR lock, in process', () => {
  it('is taken with this pid, refused while held (also to this process), released on release()', () => {
    const dir = tempDir('mg-lock-');
    const lock = lockDataDir(dir);
    const record = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(record).toMatchObject({ pid: process.pid, host: hostname() });
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir).release();
  });

  it('a live holder (another process) keeps it: the error names the directory and the pid', () => {
    const dir = tempDir('mg-lock-');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, startedAt: Date.now(), host: hostname(), nonce: 'other' }));
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`${dir}.*pid ${process.ppid}`));
    // Nothing was changed: the holder's lock is still there, untouched.
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).nonce).toBe('other');
  });

  it('a stale lock (its pid is dead) is taken over; a lock of another host never is', () => {
    const dir = tempDir('mg-lock-');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), startedAt: Date.now() - 60_000, host: hostname(), nonce: 'crashed' }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();

    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), startedAt: Date.now(), host: `not-${hostname()}`, nonce: 'elsewhere' }));
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
  });

  it('an empty or garbled lock (a crash before the record reached the disk) is taken over', () => {
    for (const content of ['', '{"pi']) {
      const dir = tempDir('mg-lock-');
      writeFileSync(join(dir, LOCK_FILE), content);
      const lock = lockDataDir(dir);
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
      lock.release();
      expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    }
  });

  // Start times come from /proc (Linux); elsewhere a live pid always counts as the holder.
  it.skipIf(!existsSync('/proc/self/stat'))('a pid reused by a process started after the lock was written is not the holder', () => {
    const dir = tempDir('mg-lock-');
    // process.ppid is alive, but started long after this (made-up) lock was written: a pid reused after a crash.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, startedAt: Date.UTC(2000, 0, 1), host: hostname(), nonce: 'reused' }));
    const lock = lockDataDir(dir);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
});

describe('the DATA_DIR lock, raced by several processes', () => {
  /** `n` processes that all try to take the lock of `dir` at the same moment; how many got it. */
  async function race(dir: string, n: number): Promise<string[]> {
    const script = join(tempDir('mg-race-'), 'race.mjs');
    writeFileSync(
      script,
      `import { lockDataDir } from ${JSON.stringify(join(process.cwd(), 'src/db/data-dir-lock.ts'))};
const at = Number(process.env.START_AT);
while (Date.now() < at) {}
try {
  const lock = lockDataDir(process.env.DIR);
  process.stdout.write('won');
  setTimeout(() => lock.release(), 3000);
} catch (error) {
  process.stdout.write(error.name === 'DataDirLockedError' ? 'lost' : 'error: ' + error.message);
}
`,
    );
    const startAt = String(Date.now() + 6000);
    const runs = Array.from({ length: n }, () =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx/esm', script], { env: { ...process.env, DIR: dir, START_AT: startAt }, stdio: ['ignore', 'pipe', 'inherit'] });
        children.push(child);
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        child.on('exit', () => resolve(out));
      }),
    );
    return Promise.all(runs);
  }

  it('exactly one of four wins, on a fresh directory and over a stale lock', async () => {
    const fresh = await race(tempDir('mg-race-dir-'), 4);
    expect(fresh.filter((r) => r === 'won')).toHaveLength(1);
    expect(fresh.filter((r) => r === 'lost')).toHaveLength(3);

    const staleDir = tempDir('mg-race-dir-');
    writeFileSync(join(staleDir, LOCK_FILE), JSON.stringify({ pid: deadPid(), startedAt: Date.now() - 60_000, host: hostname(), nonce: 'crashed' }));
    const overStale = await race(staleDir, 4);
    expect(overStale.filter((r) => r === 'won')).toHaveLength(1);
    expect(overStale.filter((r) => r === 'lost')).toHaveLength(3);
  }, 60_000);
});

describe('the server process', () => {
  it('a busy port is one line and exit 1, before the database is opened or seeded', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const dataDir = tempDir('mg-port-');
      const { code, stderr, stdout } = await runToExit(baseEnv(dataDir, { PORT: String(port) }));
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`member-graph failed to start: port ${port} is already in use on 127.0.0.1 (another member-graph, or another program): stop it or set PORT`]);
      expect(stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
      expect(stdout).not.toMatch(/demo data/);
      expect(existsSync(join(dataDir, 'pglite'))).toBe(false);
    } finally {
      busy.close();
    }
  }, 60_000);

  const dataDir = tempDir('mg-process-');
  let first: Started;
  let firstPort: number;

  it('a second process on the same DATA_DIR exits 1 with one line naming the directory; the first keeps serving', async () => {
    // The production default drain: half of this SHUTDOWN_TIMEOUT_MS (1.5 s), as no SHUTDOWN_DRAIN_DELAY_MS is set.
    first = spawnServer(baseEnv(dataDir, { SHUTDOWN_TIMEOUT_MS: '3000' }));
    first.child.stderr!.resume();
    firstPort = await portFromStdout(first);
    const second = await runToExit(baseEnv(dataDir));
    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`member-graph failed to start: the embedded database in ${dataDir} is in use by another process (pid ${first.child.pid},`);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    expect((await fetch(`http://127.0.0.1:${firstPort}/readyz`)).status).toBe(200);
  }, 90_000);

  it('after ~50 requests, with its stdout and stderr pipes closed by the reader, SIGTERM: readiness 503 during the default drain, exit within SHUTDOWN_TIMEOUT_MS, the lock released', async () => {
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`http://127.0.0.1:${firstPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.status).toBe(200);
    }
    // The supervisor is gone: the read ends of both pipes are closed, every further write is EPIPE.
    first.child.stdout!.destroy();
    first.child.stderr!.destroy();
    await sleep(100);
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    // During the drain readiness answers 503 (not "connection refused"), so a load balancer notices.
    await waitFor('readiness 503 during the drain', async () => (await fetch(`http://127.0.0.1:${firstPort}/readyz`)).status === 503, 1000, 20);
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3000 + 2000));
    const outcome = await Promise.race([first.exit, timeout]);
    expect(outcome).not.toBe('hung');
    expect((outcome as { at: number }).at - signalled).toBeLessThan(3000 + 1500);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  }, 30_000);

  it('a stale lock left by a crash is taken over; a stdout pipe that is full and never read cannot keep it from stopping', async () => {
    writeFileSync(join(dataDir, LOCK_FILE), `${JSON.stringify({ pid: deadPid(), startedAt: Date.now() - 3_600_000, host: hostname(), nonce: 'crashed' })}\n`);
    // A FIFO whose reader (this test) stops reading once the server listens: its writes fill the pipe and then wait.
    const fifo = join(tempDir('mg-fifo-'), 'stdout');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, 'w');
    const started = spawnServer(baseEnv(dataDir, { SHUTDOWN_TIMEOUT_MS: '3000', SHUTDOWN_DRAIN_DELAY_MS: '0' }), ['ignore', writer, writer]);
    closeSync(writer);
    try {
      let text = '';
      const buffer = Buffer.alloc(65_536);
      const port = await waitFor('the listening line', () => {
        try {
          const n = readSync(reader, buffer, 0, buffer.length, null);
          text += buffer.toString('utf8', 0, n);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        }
        const match = /"port":(\d+)[^\n]*member-graph listening/.exec(text);
        return match ? Number(match[1]) : undefined;
      }, 60_000, 50);
      expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).pid).toBe(started.child.pid);
      // From here on nobody reads. Each request logs its (long) path: 50 of them fill the 64 KiB pipe several times over.
      const long = `/${'x'.repeat(6000)}`;
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`http://127.0.0.1:${port}${long}`);
        expect(res.status).toBe(404);
      }
      const signalled = Date.now();
      started.child.kill('SIGTERM');
      const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3000 + 2000));
      const outcome = await Promise.race([started.exit, timeout]);
      expect(outcome).not.toBe('hung');
      expect((outcome as { at: number }).at - signalled).toBeLessThan(3000 + 1500);
    } finally {
      closeSync(reader);
    }
  }, 90_000);
});
