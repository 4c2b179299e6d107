// Helpers for the regulator-integration tests: service accounts, client-credentials tokens, a local webhook receiver.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ASSOCIATION_IDS, type AssociationCode } from '../../src/associations/associations.table.js';
import { signAccessToken } from '../../src/auth/tokens.js';
import type { Viewer } from '../../src/auth/viewer.js';
import { createServiceAccount, type CreateServiceAccountInput } from '../../src/clients/clients.service.js';
import type { TestApp } from './harness.js';

export const associationActor: Viewer = { role: 'ASSOCIATION', subject: 'test:association:', organizationId: null };

/** Staff of the association with this code, in person. */
export function staffActor(code: AssociationCode): Viewer {
  return { role: 'ASSOCIATION', subject: `test:association:${code.toLowerCase()}`, organizationId: null, associationId: ASSOCIATION_IDS[code] };
}

/** A token of the staff of the association with this code (`t.token('association')` is the securities association's). */
export async function staffToken(t: TestApp, code: AssociationCode): Promise<string> {
  return signAccessToken(
    t.keys,
    { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE },
    { sub: `test:association:${code.toLowerCase()}`, role: 'association', assoc: code },
    600,
  );
}

/** A service account (the regulator's unless `role` says otherwise), registered by `actor` (the securities association's staff by default). */
export async function newServiceAccount(t: TestApp, input: Partial<CreateServiceAccountInput> = {}, actor: Viewer = associationActor) {
  const issued = await createServiceAccount(t.database.db, actor, { name: '证监局监管数据系统', role: 'regulator', ...input });
  return { id: issued.serviceAccount.id, clientId: issued.serviceAccount.clientId, clientSecret: issued.clientSecret, row: issued.serviceAccount };
}

export interface TokenAnswer {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

/** POST /oauth/token with a form body (and optional extra headers). */
export async function requestToken(t: TestApp, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const res = await fetch(`${t.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

export async function clientToken(t: TestApp, clientId: string, clientSecret: string): Promise<string> {
  const res = await requestToken(t, { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.access_token as string;
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver on 127.0.0.1, port 0. `respond` decides each answer's status (default 200). */
export async function startReceiver(respond: (req: ReceivedRequest, index: number) => number | Promise<number> = () => 200) {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      const status = await respond(entry, received.length - 1);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

