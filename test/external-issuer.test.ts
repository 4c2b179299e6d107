import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/harness.js';

let jwksServer: Server;
let external: Awaited<ReturnType<typeof generateKeyPair>>;
let t: TestApp;
let down: TestApp;

beforeAll(async () => {
  external = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(external.publicKey)), kid: 'ext-1', alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const port = (jwksServer.address() as AddressInfo).port;
  t = await createTestApp({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'member-graph' });
  // A port nobody listens on: the key set cannot be fetched.
  down = await createTestApp({ AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'member-graph' });
});
afterAll(async () => {
  await t?.close();
  await down?.close();
  jwksServer?.close();
});

const sign = (claims: Record<string, unknown>, kid = 'ext-1') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setSubject('idp-user-1')
    .setIssuer('https://idp.example')
    .setAudience('member-graph')
    .setExpirationTime('5m')
    .sign(external.privateKey);

describe('an external OIDC issuer through AUTH_JWKS_URL', () => {
  it('accepts tokens signed by the external issuer', async () => {
    const res = await t.gql('{ viewer { role } }', undefined, { token: await sign({ role: 'regulator' }) });
    expect(res.body.data.viewer.role).toBe('REGULATOR');
  });

  it('refuses tokens of the built-in issuer once an external issuer is configured', async () => {
    const res = await t.gql('{ viewer { role } }', undefined, { token: await t.token('regulator') });
    expect(res.status).toBe(401);
  });

  it('answers 503 SERVICE_UNAVAILABLE when the key set cannot be fetched, never anonymous', async () => {
    const res = await down.gql('{ viewer { role } }', undefined, { token: await sign({ role: 'regulator' }) });
    expect(res.status).toBe(503);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
  });
});

describe('readiness', () => {
  it('/readyz turns 503 when the database is gone', async () => {
    expect((await fetch(`${down.url}/readyz`)).status).toBe(200);
    await down.database.close();
    expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
  });
});
