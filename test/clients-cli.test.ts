import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { signAccessToken } from '../src/auth/tokens.js';
import { serviceAccountsTable } from '../src/clients/clients.table.js';
import { createTestApp } from './support/harness.js';

const run = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const dirs: string[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The environment of a child process: the test's settings, never the suite's DATABASE_URL unless asked for. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return { ...env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...extra };
}

async function client(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(TSX, ['scripts/client.ts', ...args], { env: childEnv(env), timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function parseCredentials(stdout: string) {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.trimEnd().split('\n')).toHaveLength(1);
  const credentials = JSON.parse(stdout) as { client_id: string; client_secret: string };
  expect(Object.keys(credentials)).toEqual(['client_id', 'client_secret']);
  expect(credentials.client_id).toMatch(/^mgc_[0-9a-f]{24}$/);
  expect(credentials.client_secret).toMatch(/^mgs_[A-Za-z0-9_-]{43}$/);
  return credentials;
}

async function tokenStatus(port: number, credentials: { client_id: string; client_secret: string }) {
  const res = await fetch(`http://127.0.0.1:${port}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...credentials }).toString(),
  });
  return res.status;
}

async function waitReady(port: number, child: ChildProcess) {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not become ready');
}

describe('npm run client -- create', () => {
  it('without a server, opens the embedded database itself; with the server running, goes through it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mg-cli-'));
    dirs.push(dataDir);
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', WEBHOOK_WORKER: 'false' };

    // 1. No server: a fresh embedded database is migrated and seeded by the command itself.
    const direct = await client(['create', '--name', '证监局监管数据系统', '--role', 'regulator', '--scopes', 'reports:read,ratings:read', '--owner', '信息中心'], env);
    expect(direct.code).toBe(0);
    const first = parseCredentials(direct.stdout);

    // 2. The real server on the same DATA_DIR and PORT holds the database now.
    const server = spawn(TSX, ['src/main.ts'], { env: childEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(server);
    await waitReady(port, server);
    expect(await tokenStatus(port, first)).toBe(200);

    // 3. With the server running, the command goes through it (the embedded database admits one process).
    const viaServer = await client(['create', '--name', 'Association reporting', '--role', 'association'], env);
    expect(viaServer.stderr).toBe('');
    expect(viaServer.code).toBe(0);
    const second = parseCredentials(viaServer.stdout);
    expect(second.client_id).not.toBe(first.client_id);
    expect(await tokenStatus(port, second)).toBe(200);

    const keys = await loadOrCreateIssuerKeys(dataDir);
    const association = await signAccessToken(keys, { issuer: 'member-graph', audience: 'member-graph-api' }, { sub: 'test:association', role: 'association' }, 60);
    const list = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${association}` },
      body: JSON.stringify({ query: '{ serviceAccounts(first: 10) { edges { node { clientId name role scopes owner } } } }' }),
    });
    const accounts = ((await list.json()) as any).data.serviceAccounts.edges.map((e: any) => e.node);
    expect(accounts).toEqual([
      { clientId: first.client_id, name: '证监局监管数据系统', role: 'REGULATOR', scopes: ['reports:read', 'ratings:read'], owner: '信息中心' },
      { clientId: second.client_id, name: 'Association reporting', role: 'ASSOCIATION', scopes: ['reports:read', 'ratings:read', 'suggestions:read'], owner: null },
    ]);

    // An association account of another association (--association): its staff list it, the securities association's do not.
    const listedAssociation = await client(['create', '--name', 'SZLCA reporting', '--role', 'association', '--association', 'SZLCA'], env);
    expect(listedAssociation.stderr).toBe('');
    const third = parseCredentials(listedAssociation.stdout);
    const szlca = await signAccessToken(keys, { issuer: 'member-graph', audience: 'member-graph-api' }, { sub: 'test:association:szlca', role: 'association', assoc: 'SZLCA' }, 60);
    const listOf = async (token: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ serviceAccounts(first: 10) { edges { node { clientId } } } }' }),
      });
      return ((await res.json()) as any).data.serviceAccounts.edges.map((e: any) => e.node.clientId);
    };
    expect(await listOf(szlca)).toEqual([third.client_id]);
    expect(await listOf(association)).toEqual([first.client_id, second.client_id]);

    // Trusted documents (docs/TRUSTED-DOCUMENTS.md): a manifest file uploaded through the server, then directly.
    const text = 'query Ping { __typename }';
    const documentId = `sha256:${createHash('sha256').update(text).digest('hex')}`;
    const invalidFile = join(dataDir, 'invalid.json');
    writeFileSync(invalidFile, JSON.stringify([text, '{ noSuchField }']));
    const invalid = await client(['documents', '--client-id', first.client_id, '--file', invalidFile], env);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/Document 2 \(sha256:[0-9a-f]{64}\) does not validate against the schema/);
    const manifestFile = join(dataDir, 'persisted-documents.json');
    writeFileSync(manifestFile, JSON.stringify({ anyKey: text }));
    const uploaded = await client(['documents', '--client-id', first.client_id, '--file', manifestFile], env);
    expect(uploaded.stderr).toBe('');
    expect(JSON.parse(uploaded.stdout)).toEqual({ version: 1, document_ids: [documentId] });
    expect((await client(['documents', '--client-id', first.client_id, '--file', manifestFile, '--association', 'SZLCA'], env)).stderr).toMatch(/no service account/);

    // 4. Mistakes: a message on stderr, nothing on stdout, a non-zero exit; nothing is created.
    for (const args of [
      ['create', '--name', 'x', '--role', 'association', '--association', 'CSRC'],
      ['create', '--name', 'x', '--role', 'regulator', '--association', 'SZLCA'],
      ['create', '--name', 'x', '--role', 'firm'],
      ['create', '--role', 'regulator'],
      ['create', '--name', 'x', '--role', 'regulator', '--scopes', 'admin:all'],
      ['delete', '--name', 'x'],
    ]) {
      const bad = await client(args, env);
      expect(bad.code, args.join(' ')).not.toBe(0);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toMatch(/^client: /);
    }
    const tooLong = await client(['create', '--name', 'x'.repeat(101), '--role', 'regulator'], env);
    expect(tooLong.code).not.toBe(0);
    expect(tooLong.stdout).toBe('');
    expect(tooLong.stderr).toMatch(/name must be at most 100 characters/);

    server.kill('SIGTERM');
    const exitCode = await new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    expect(exitCode).toBe(0);

    // Without the server, the command opens the database itself: the next version.
    const direct2 = await client(['documents', '--client-id', first.client_id, '--file', manifestFile], env);
    expect(direct2.stderr).toBe('');
    expect(JSON.parse(direct2.stdout)).toEqual({ version: 2, document_ids: [documentId] });
  }, 300_000);

  it.skipIf(!process.env.DATABASE_URL)('with DATABASE_URL, writes to PostgreSQL directly', async () => {
    const t = await createTestApp();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'mg-cli-'));
      dirs.push(dataDir);
      const env = { DATA_DIR: dataDir, PORT: String(await freePort()), DATABASE_URL: t.config.DATABASE_URL! };
      const res = await client(['create', '--name', 'Direct to PostgreSQL', '--role', 'regulator'], env);
      expect(res.stderr).toBe('');
      const credentials = parseCredentials(res.stdout);
      const [row] = await t.database.db.select().from(serviceAccountsTable).where(eq(serviceAccountsTable.clientId, credentials.client_id));
      expect(row).toMatchObject({ name: 'Direct to PostgreSQL', role: 'regulator', associationId: null, disabledAt: null });
      const listed = parseCredentials((await client(['create', '--name', 'SZLCA direct', '--role', 'association', '--association', 'SZLCA'], env)).stdout);
      const [szlca] = await t.database.db.select().from(serviceAccountsTable).where(eq(serviceAccountsTable.clientId, listed.client_id));
      expect(szlca).toMatchObject({ role: 'association', associationId: 2 });
    } finally {
      await t.close();
    }
  }, 120_000);
});
