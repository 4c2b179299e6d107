// SIGTERM under load, on the real server process (node --import tsx/esm src/main.ts, as npm start runs it): readiness turns 503 at once,
// in-flight requests complete and commit, the process exits 0; past SHUTDOWN_TIMEOUT_MS it exits 1 without committing.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateIssuerKeys } from '../../src/auth/keys.js';
import { signAccessToken } from '../../src/auth/tokens.js';
import { createDatabaseFromTemplate, DATABASE_URL, NEEDS_POSTGRES, appBackends, sideConnection, sideQuery } from '../support/faults.js';
import { sleep, waitFor } from '../support/wait.js';
import { REVIEW, SUBMIT, keyOf, newInput } from '../support/suggestions.js';

if (!DATABASE_URL) console.warn(`test/faults/shutdown.test.ts skipped: ${NEEDS_POSTGRES}`);

interface Server {
  url: string;
  child: ChildProcess;
  exit: Promise<number | null>;
  token(role: 'association' | 'firm', org?: string): Promise<string>;
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; body: any }>;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function startServer(databaseUrl: string, env: Record<string, string>): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mg-sigterm-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const keys = await loadOrCreateIssuerKeys(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, WEBHOOK_WORKER: 'false', LOG_LEVEL: 'info', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanup.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (typeof entry.msg === 'string' && entry.msg.startsWith('member-graph listening')) resolve(entry.port);
      } catch {
        // not a log line
      }
    });
    child.stderr!.on('data', () => {});
    exit.then((code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    exit,
    token: (role, org) => signAccessToken(keys, { issuer: 'member-graph', audience: 'member-graph-api' }, { sub: `sigterm:${role}:${org ?? ''}`, role, org }, 600),
    async gql(query, variables, token) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: await res.json() };
    },
  };
}

/** Three suggestions submitted through the server, and a side transaction holding their row locks. */
async function blockedSuggestions(server: Server, databaseUrl: string): Promise<{ ids: string[]; side: pg.Client; association: string }> {
  const [firm] = await sideQuery(databaseUrl, `select credit_code from organizations where kind = 'SECURITIES_FIRM' order by id limit 1`);
  const firmToken = await server.token('firm', firm.credit_code);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await server.gql(SUBMIT, { input: newInput() }, firmToken);
    ids.push(res.body.data.submitSuggestion.suggestion.id);
  }
  const side = await sideConnection(databaseUrl);
  cleanup.push(() => side.end());
  await side.query('begin');
  await side.query('select id from suggestions where id = any($1) for update', [ids.map(keyOf)]);
  return { ids, side, association: await server.token('association') };
}

async function statusesOf(databaseUrl: string, ids: string[]): Promise<string[]> {
  const rows = await sideQuery(databaseUrl, 'select status from suggestions where id = any($1) order by id', [ids.map(keyOf)]);
  return rows.map((r) => r.status);
}

describe.skipIf(!DATABASE_URL)('SIGTERM under load', () => {
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await drop?.();
  });

  it('readiness 503 at once, the server still serves during the drain delay, in-flight requests complete and commit, exit 0', async () => {
    const db = await createDatabaseFromTemplate();
    drop = db.drop;
    const server = await startServer(db.url, { SHUTDOWN_DRAIN_DELAY_MS: '1000', SHUTDOWN_TIMEOUT_MS: '20000' });
    const { ids, side, association } = await blockedSuggestions(server, db.url);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    const inFlight = ids.map((id) => server.gql(REVIEW, { id, decision: 'ACCEPT' }, association));
    await waitFor('three reviews waiting on their locks', async () => (await appBackends(db.url, "wait_event_type = 'Lock'")).length === 3);

    server.child.kill('SIGTERM');
    await waitFor('readiness to turn 503', async () => (await fetch(`${server.url}/readyz`)).status === 503, 2_000, 10);
    // During the drain delay a request that still arrives is served.
    expect((await server.gql('{ organizations(first: 1) { edges { node { name } } } }')).status).toBe(200);
    // After it, the server has stopped accepting but waits for the requests in flight.
    await waitFor('the listener to close', () => fetch(`${server.url}/readyz`).then(() => false, () => true), 10_000);
    await sleep(300);
    expect(server.child.exitCode).toBeNull();

    await side.query('rollback');
    const answers = await Promise.all(inFlight);
    for (const a of answers) expect(a.body.data.reviewSuggestion).toMatchObject({ suggestion: { status: 'ACCEPTED' }, userErrors: [] });
    expect(await server.exit).toBe(0);
    expect(await statusesOf(db.url, ids)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED']);
  }, 60_000);

  it('a request still running at SHUTDOWN_TIMEOUT_MS is cut, its transaction rolls back, and the process exits 1', async () => {
    const db = await createDatabaseFromTemplate();
    drop = db.drop;
    const server = await startServer(db.url, { SHUTDOWN_TIMEOUT_MS: '1500', DB_LOCK_TIMEOUT_MS: '60000', DB_STATEMENT_TIMEOUT_MS: '60000' });
    const { ids, side, association } = await blockedSuggestions(server, db.url);
    const stuck = server.gql(REVIEW, { id: ids[0], decision: 'ACCEPT' }, association).then(
      () => 'answered',
      () => 'cut',
    );
    await waitFor('the review waiting on its lock', async () => (await appBackends(db.url, "wait_event_type = 'Lock'")).length === 1);
    server.child.kill('SIGTERM');
    expect(await stuck).toBe('cut');
    expect(await server.exit).toBe(1);
    await side.query('rollback');
    expect(await statusesOf(db.url, ids)).toEqual(['SUBMITTED', 'SUBMITTED', 'SUBMITTED']);
  }, 60_000);
});
