// npm run -s client -- create --name NAME --role association|regulator [--association SZSA|SZLCA] [--scopes a,b] [--owner X]
// Registers a service account and prints {"client_id": "…", "client_secret": "…"} as one line on stdout, nothing else.
// npm run -s client -- documents --client-id mgc_… --file manifest.json [--association SZSA|SZLCA]
// Uploads a new version of the account's trusted-document manifest (docs/TRUSTED-DOCUMENTS.md) as the staff of
// --association (default SZSA, who manage the bureau's accounts); the file is a JSON array of document texts, or an
// object whose values are the texts (a persisted-documents file); prints {"version": n, "document_ids": […]}.
// An association account belongs to --association (default SZSA); a regulator account to no association (it is
// registered as the securities association's staff, who manage the bureau's accounts).
// An embedded database admits one process (the DATA_DIR lock, src/db/data-dir-lock.ts): when a server answers on
// 127.0.0.1:$PORT it goes through that server (signing a short-lived association token with the issuer key files under
// DATA_DIR; a server still starting answers 503 and is waited for); otherwise it opens the database, and stops with one
// line if another process holds it.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { signAccessToken } from '../src/auth/tokens.js';
import { associationCodes, type Viewer } from '../src/auth/viewer.js';
import { ASSOCIATION_IDS, type AssociationCode } from '../src/associations/associations.table.js';
import { prepareDatabase } from '../src/bootstrap.js';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { createServiceAccount, serviceAccountRoles } from '../src/clients/clients.service.js';
import { serviceAccountsTable } from '../src/clients/clients.table.js';
import { documentIdOf, uploadTrustedDocumentManifest } from '../src/clients/trusted-documents.service.js';
import { serviceAccountScopes } from '../src/clients/scopes.js';
import { ConfigError, loadConfig, type Config } from '../src/config.js';
import { DomainError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';

const USAGE = `usage: npm run -s client -- create --name NAME --role ${serviceAccountRoles.join('|')} [--association ${associationCodes.join('|')}] [--scopes ${serviceAccountScopes.join(',')}] [--owner OWNER]
       npm run -s client -- documents --client-id CLIENT_ID --file MANIFEST.json [--association ${associationCodes.join('|')}]
  --association  create: the association an association account belongs to (default SZSA); not with --role regulator
                 documents: the association whose staff manage the account (default SZSA)`;

// Only the final line belongs on stdout: anything a library prints goes to stderr instead.
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
console.log = console.error;
console.info = console.error;

function fail(message: string, code = 1): never {
  process.stderr.write(`client: ${message}\n`);
  process.exit(code);
}

interface CreateInput {
  name: string;
  role: string;
  /** The association whose staff the command acts as: the account's own for role association, SZSA for regulator. */
  association: AssociationCode;
  scopes: string[] | null;
  owner: string | null;
}

/** "up": a server answers on the port; "down": nothing listens. A server that is starting is waited for. */
async function serverState(port: number): Promise<'up' | 'down'> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return 'up';
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'ECONNREFUSED' || code === 'EADDRNOTAVAIL') return 'down';
    }
    // Answering but not ready (migrating, or PGlite still starting): it holds the database, so wait for it.
    if (Date.now() > deadline) fail(`a server on port ${port} is not ready; try again when /readyz answers 200`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const MUTATION = `mutation($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) { clientSecret serviceAccount { clientId } userErrors { field message code } }
}`;

async function createThroughServer(config: Config, input: CreateInput): Promise<{ clientId: string; clientSecret: string }> {
  const keys = await loadOrCreateIssuerKeys(config.DATA_DIR);
  const token = await signAccessToken(
    keys,
    { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    { sub: `association:cli:${userInfo().username}`, role: 'association', assoc: input.association },
    60,
  );
  const res = await fetch(`http://127.0.0.1:${config.PORT}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-language': 'en' },
    body: JSON.stringify({
      query: MUTATION,
      variables: { input: { name: input.name, role: input.role.toUpperCase(), scopes: input.scopes, owner: input.owner } },
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json().catch(() => ({}))) as {
    data?: { createServiceAccount?: { clientSecret: string | null; serviceAccount: { clientId: string } | null; userErrors: { message: string }[] } };
    errors?: { message: string }[];
  };
  if (res.status === 401) fail(`the server on port ${config.PORT} refused the token: is it running with the same DATA_DIR (${config.DATA_DIR})?`);
  const payload = body.data?.createServiceAccount;
  if (!payload) fail(`the server answered ${res.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  if (payload.userErrors.length > 0) fail(payload.userErrors.map((e) => e.message).join('; '));
  return { clientId: payload.serviceAccount!.clientId, clientSecret: payload.clientSecret! };
}

async function createDirectly(config: Config, input: CreateInput): Promise<{ clientId: string; clientSecret: string }> {
  const database = await prepareDatabase(config, createLogger('silent'));
  try {
    const actor: Viewer = {
      role: 'ASSOCIATION',
      subject: `association:cli:${userInfo().username}`,
      organizationId: null,
      associationId: ASSOCIATION_IDS[input.association],
    };
    const issued = await createServiceAccount(database.db, actor, input);
    return { clientId: issued.serviceAccount.clientId, clientSecret: issued.clientSecret };
  } catch (error) {
    if (error instanceof DomainError) fail(error.errors.map((e) => e.message.en).join('; '));
    throw error;
  } finally {
    await database.close();
  }
}

/** The document texts of a manifest file: a JSON array of strings, or an object whose values are strings. */
function manifestTexts(file: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read ${file} as JSON: ${(error as Error).message}`, 2);
  }
  const texts = Array.isArray(parsed) ? parsed : typeof parsed === 'object' && parsed !== null ? Object.values(parsed) : null;
  if (!texts || !texts.every((d): d is string => typeof d === 'string')) fail(`${file} must hold a JSON array of document texts, or an object whose values are document texts`, 2);
  return texts;
}

interface Uploaded {
  version: number;
  documentIds: string[];
}

const UPLOAD = `mutation($input: UploadTrustedDocumentManifestInput!) {
  uploadTrustedDocumentManifest(input: $input) { trustedDocumentManifest { version documents { documentId } } userErrors { field message } }
}`;
const ACCOUNTS = `query($after: String) { serviceAccounts(first: 100, after: $after) { edges { node { id clientId } } pageInfo { hasNextPage endCursor } } }`;

async function staffFetch(config: Config, association: AssociationCode, query: string, variables: Record<string, unknown>): Promise<any> {
  const keys = await loadOrCreateIssuerKeys(config.DATA_DIR);
  const token = await signAccessToken(
    keys,
    { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE },
    { sub: `association:cli:${userInfo().username}`, role: 'association', assoc: association },
    60,
  );
  const res = await fetch(`http://127.0.0.1:${config.PORT}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'accept-language': 'en' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status === 401) fail(`the server on port ${config.PORT} refused the token: is it running with the same DATA_DIR (${config.DATA_DIR})?`);
  const body = (await res.json().catch(() => ({}))) as { data?: any; errors?: { message: string }[] };
  if (!body.data || body.errors) fail(`the server answered ${res.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  return body.data;
}

async function uploadThroughServer(config: Config, association: AssociationCode, clientId: string, documents: string[]): Promise<Uploaded> {
  let id: string | undefined;
  for (let after: string | null = null; id === undefined; ) {
    const page: any = (await staffFetch(config, association, ACCOUNTS, { after })).serviceAccounts;
    id = page.edges.find((e: any) => e.node.clientId === clientId)?.node.id;
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  if (id === undefined) fail(`no service account ${clientId} managed by the staff of ${association}`);
  const payload = (await staffFetch(config, association, UPLOAD, { input: { serviceAccountId: id, documents } })).uploadTrustedDocumentManifest;
  if (payload.userErrors.length > 0) fail(payload.userErrors.map((e: { message: string }) => e.message).join('; '));
  return { version: payload.trustedDocumentManifest.version, documentIds: payload.trustedDocumentManifest.documents.map((d: { documentId: string }) => d.documentId) };
}

async function uploadDirectly(config: Config, association: AssociationCode, clientId: string, documents: string[]): Promise<Uploaded> {
  const database = await prepareDatabase(config, createLogger('silent'));
  try {
    const actor: Viewer = { role: 'ASSOCIATION', subject: `association:cli:${userInfo().username}`, organizationId: null, associationId: ASSOCIATION_IDS[association] };
    const [account] = await database.db.select({ id: serviceAccountsTable.id }).from(serviceAccountsTable).where(eq(serviceAccountsTable.clientId, clientId));
    if (!account) fail(`no service account ${clientId}`);
    // Loaded only here: building the schema is not needed by `create` or by an upload through the server.
    const { schema } = await import('../src/graphql/schema.js');
    const manifest = await uploadTrustedDocumentManifest(database.db, actor, schema, { serviceAccountId: account.id, documents });
    const ids = [...new Set(documents.map((d) => documentIdOf(d)))].sort();
    return { version: manifest.version, documentIds: ids };
  } catch (error) {
    if (error instanceof DomainError) fail(error.errors.map((e) => e.message.en).join('; '));
    throw error;
  } finally {
    await database.close();
  }
}

async function documentsCommand(values: Record<string, string | undefined>) {
  if (!values['client-id']) fail(`--client-id is required\n${USAGE}`, 2);
  if (!values.file) fail(`--file is required\n${USAGE}`, 2);
  if (values.association !== undefined && !(associationCodes as readonly string[]).includes(values.association)) {
    fail(`--association must be one of ${associationCodes.join(', ')}\n${USAGE}`, 2);
  }
  const association = (values.association ?? 'SZSA') as AssociationCode;
  const documents = manifestTexts(values.file);
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error), 2);
  }
  const viaServer = !config.DATABASE_URL && (await serverState(config.PORT)) === 'up';
  const uploaded = viaServer
    ? await uploadThroughServer(config, association, values['client-id'], documents)
    : await uploadDirectly(config, association, values['client-id'], documents);
  const line = `{"version": ${uploaded.version}, "document_ids": ${JSON.stringify([...uploaded.documentIds].sort())}}\n`;
  await new Promise<void>((resolve) => writeStdout(line, () => resolve()));
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        role: { type: 'string' },
        association: { type: 'string' },
        scopes: { type: 'string' },
        owner: { type: 'string' },
        'client-id': { type: 'string' },
        file: { type: 'string' },
      },
      strict: true,
    });
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 1 && positionals[0] === 'documents') return documentsCommand(values);
  if (positionals.length !== 1 || positionals[0] !== 'create') fail(USAGE, 2);
  if (!values.name) fail(`--name is required\n${USAGE}`, 2);
  if (!values.role || !(serviceAccountRoles as readonly string[]).includes(values.role)) fail(`--role must be one of ${serviceAccountRoles.join(', ')}`, 2);
  if (values.association !== undefined && !(associationCodes as readonly string[]).includes(values.association)) {
    fail(`--association must be one of ${associationCodes.join(', ')}\n${USAGE}`, 2);
  }
  if (values.association !== undefined && values.role !== 'association') fail(`--association applies to --role association only\n${USAGE}`, 2);
  const association = (values.association ?? 'SZSA') as AssociationCode;
  const scopes = values.scopes === undefined ? null : values.scopes.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (scopes ?? []).filter((s) => !(serviceAccountScopes as readonly string[]).includes(s));
  if (unknown.length > 0) fail(`unknown scopes: ${unknown.join(', ')} (known: ${serviceAccountScopes.join(', ')})`, 2);
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error), 2);
  }
  const input: CreateInput = { name: values.name, role: values.role, association, scopes, owner: values.owner ?? null };
  // PostgreSQL admits many processes: go direct. The embedded database: through the server when one holds it.
  const viaServer = !config.DATABASE_URL && (await serverState(config.PORT)) === 'up';
  const created = viaServer ? await createThroughServer(config, input) : await createDirectly(config, input);
  const line = `{"client_id": ${JSON.stringify(created.clientId)}, "client_secret": ${JSON.stringify(created.clientSecret)}}\n`;
  await new Promise<void>((resolve) => writeStdout(line, () => resolve()));
}

main().then(
  () => process.exit(0),
  (error) => fail(error instanceof Error ? error.message : String(error)),
);
