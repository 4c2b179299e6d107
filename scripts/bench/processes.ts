// The benchmark's servers in processes of their own (issue 25), for PostgreSQL: the API as `npm start` runs it and the
// honest floor (scripts/bench/floor-server.mjs). Each has its own event loop, heap and JIT, as in production, and the
// load generator is a third process: nothing measured shares a thread with the harness.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isStale } from '../start.mjs';
import type { Config } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  /** SIGTERM, then waits for the exit; harmless twice. */
  stop(): Promise<void>;
}

/** `npm start` builds dist/ when it is missing or older than the sources; so does the benchmark, once, before it spawns. */
export function buildIfStale(): void {
  if (!isStale(ROOT)) return;
  console.log('dist/ is missing or older than the sources: building it (tsc -p tsconfig.build.json), as `npm start` would');
  const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));
  const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (status !== 0) throw new Error('the build failed (errors above): the API cannot run as `npm start` runs it');
}

/** A port free right now (the kernel's pick); the API takes it as PORT, since at LOG_LEVEL=warn it does not log the one it bound. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Forwards a child's output, prefixed, so its warnings and a failed start are seen; keeps the tail for error messages. */
function forward(child: ChildProcess, name: string, onLine?: (line: string) => void): () => string {
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (onLine?.(line)) continue;
        tail.push(line);
        if (tail.length > 20) tail.shift();
        console.error(`  [${name}] ${line}`);
      }
    });
  }
  return () => tail.join('\n');
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping = false;
  return () => {
    if (!stopping) child.kill('SIGTERM');
    stopping = true;
    return exited;
  };
}

function exitedEarly(child: ChildProcess, name: string, tail: () => string): Promise<never> {
  return new Promise((_, reject) => child.once('exit', (code, signal) => reject(new Error(`${name} exited before it was ready (${signal ?? `code ${code}`}):\n${tail()}`))));
}

/**
 * The API as `npm start` runs it: `node scripts/start.mjs` (the compiled dist/src/main.js, source maps on) with
 * NODE_ENV=production, on the bench's throwaway database (already migrated and seeded: start-up only migrates, which
 * finds nothing to do, and seeds only an embedded database) and its DATA_DIR, whose issuer keys the harness signs tokens
 * with. The settings are the in-process bench app's (scripts/bench/databases.ts): a rate budget the benchmark never
 * exhausts, long keep-alive, no drain delay. No workers: the in-process app never ran them. LOG_LEVEL=warn: production's
 * `info` writes a line per request, which the floor does not, and which the in-process runs never paid either.
 */
export async function startApiProcess(config: Config): Promise<ServerProcess> {
  buildIfStale();
  const port = await freePort();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: config.DATABASE_URL,
      DATA_DIR: config.DATA_DIR,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_POINTS: String(config.RATE_LIMIT_POINTS),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String(config.HTTP_KEEP_ALIVE_TIMEOUT_MS),
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      WEBHOOK_WORKER: 'false',
      EXPORT_WORKER: 'false',
      METRICS_PORT: '',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    },
  });
  const tail = forward(child, 'api');
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitForReady(`${url}/readyz`, 120_000), exitedEarly(child, 'the API (npm start)', tail)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** Polls until the URL answers 200 (the API answers 503 "starting" until its database is open). */
async function waitForReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
}

/** The honest floor in its own process, plain `node` (no loader); its pool holds as many connections as the benchmark opens. */
export async function startFloorProcess(options: { databaseUrl: string; connections: number; keepAliveTimeoutMs: number; firmCreditCode?: string }): Promise<ServerProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./floor-server.mjs', import.meta.url))], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      FLOOR_DATABASE_URL: options.databaseUrl,
      FLOOR_CONNECTIONS: String(options.connections),
      FLOOR_KEEP_ALIVE_TIMEOUT_MS: String(options.keepAliveTimeoutMs),
      FLOOR_FIRM_CREDIT_CODE: options.firmCreditCode ?? '',
    },
  });
  let announced: (port: number) => void;
  const port = new Promise<number>((resolve) => (announced = resolve));
  const tail = forward(child, 'floor', (line) => {
    const match = /^\{"port":(\d+)\}$/.exec(line);
    if (match) announced(Number(match[1]));
    return match !== null;
  });
  const stop = stopper(child);
  try {
    const url = `http://127.0.0.1:${await Promise.race([port, exitedEarly(child, 'the floor server', tail)])}`;
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
