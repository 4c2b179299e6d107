import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceAccountSecretsTable } from '../src/clients/clients.table.js';
import { disableServiceAccount, rotateServiceAccountSecret } from '../src/clients/clients.service.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { associationActor, clientToken, newServiceAccount, requestToken } from './support/integration.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const VIEWER = '{ viewer { role organization { name } } }';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('POST /oauth/token (client credentials)', () => {
  it('issues a short-lived Bearer JWT for valid credentials, with no-store caching', async () => {
    const account = await newServiceAccount(t, { scopes: ['reports:read', 'ratings:read'] });
    const res = await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'reports:read ratings:read' });
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({
      sub: `client:${account.clientId}`,
      role: 'regulator',
      scope: 'reports:read ratings:read',
      iss: t.config.AUTH_ISSUER,
      aud: t.config.AUTH_AUDIENCE,
    });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3600);
  });

  it('accepts HTTP Basic client authentication', async () => {
    const account = await newServiceAccount(t);
    const res = await requestToken(t, { grant_type: 'client_credentials' }, { authorization: basic(account.clientId, account.clientSecret) });
    expect(res.status).toBe(200);
    expect(decodeJwt(res.body.access_token).sub).toBe(`client:${account.clientId}`);
  });

  it('refuses a wrong secret with 401 invalid_client (and a Basic challenge when Basic was used)', async () => {
    const account = await newServiceAccount(t);
    const wrong = `mgs_${'A'.repeat(43)}`;
    const form = await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId, client_secret: wrong });
    expect(form.status).toBe(401);
    expect(form.body.error).toBe('invalid_client');
    expect(form.body.access_token).toBeUndefined();
    const viaBasic = await requestToken(t, { grant_type: 'client_credentials' }, { authorization: basic(account.clientId, wrong) });
    expect(viaBasic.status).toBe(401);
    expect(viaBasic.body.error).toBe('invalid_client');
    expect(viaBasic.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('refuses an unknown client exactly like a wrong secret', async () => {
    const account = await newServiceAccount(t);
    const unknown = await requestToken(t, { grant_type: 'client_credentials', client_id: 'mgc_000000000000000000000000', client_secret: account.clientSecret });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    const garbage = await requestToken(t, { grant_type: 'client_credentials', client_id: "x' or 1=1 --", client_secret: 'nope' });
    expect(garbage.status).toBe(401);
    expect(garbage.body.error).toBe('invalid_client');
  });

  it('refuses a disabled client', async () => {
    const account = await newServiceAccount(t);
    await disableServiceAccount(t.database.db, associationActor, account.id);
    const res = await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('answers a wrong grant type with 400 unsupported_grant_type', async () => {
    const account = await newServiceAccount(t);
    for (const grant_type of ['password', 'authorization_code', 'refresh_token']) {
      const res = await requestToken(t, { grant_type, client_id: account.clientId, client_secret: account.clientSecret });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('unsupported_grant_type');
    }
  });

  it('answers missing or repeated parameters, a second auth method and a wrong content type with 400 invalid_request', async () => {
    const account = await newServiceAccount(t);
    expect((await requestToken(t, { client_id: account.clientId, client_secret: account.clientSecret })).body.error).toBe('invalid_request');
    expect((await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId })).body.error).toBe('invalid_request');
    expect((await requestToken(t, { grant_type: 'client_credentials', client_secret: account.clientSecret })).body.error).toBe('invalid_request');
    const both = await requestToken(
      t,
      { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret },
      { authorization: basic(account.clientId, account.clientSecret) },
    );
    expect([both.status, both.body.error]).toEqual([400, 'invalid_request']);
    const repeated = await fetch(`${t.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${account.clientId}&client_id=${account.clientId}&client_secret=${account.clientSecret}`,
    });
    expect(repeated.status).toBe(400);
    const json = await fetch(`${t.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as any).error).toBe('invalid_request');
    const get = await fetch(`${t.url}/oauth/token`);
    expect(get.status).toBe(405);
    const huge = await fetch(`${t.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${account.clientId}&client_secret=${'x'.repeat(20_000)}`,
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as any).error).toBe('invalid_request');
  });

  it('narrows the token to requested scopes, and refuses scopes the client does not hold', async () => {
    const account = await newServiceAccount(t, { scopes: ['reports:read', 'ratings:read'] });
    const narrowed = await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret, scope: 'reports:read' });
    expect(narrowed.status).toBe(200);
    expect(decodeJwt(narrowed.body.access_token).scope).toBe('reports:read');
    const widened = await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret, scope: 'webhooks:manage' });
    expect([widened.status, widened.body.error]).toEqual([400, 'invalid_scope']);
  });

  it('keeps a rotated-out secret working during the overlap, and refuses it after', async () => {
    const account = await newServiceAccount(t);
    const rotated = await rotateServiceAccountSecret(t.database.db, associationActor, account.id);
    expect(rotated.clientSecret).not.toBe(account.clientSecret);
    const overlapEnd = rotated.previousSecretExpiresAt!.getTime();
    expect(overlapEnd - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    expect(overlapEnd - Date.now()).toBeLessThanOrEqual(24 * 3600 * 1000);
    const form = (secret: string) => ({ grant_type: 'client_credentials', client_id: account.clientId, client_secret: secret });
    expect((await requestToken(t, form(account.clientSecret))).status).toBe(200);
    expect((await requestToken(t, form(rotated.clientSecret))).status).toBe(200);
    // The overlap has passed (moved into the past rather than waited for).
    await t.database.db
      .update(serviceAccountSecretsTable)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(and(eq(serviceAccountSecretsTable.serviceAccountId, account.id), isNotNull(serviceAccountSecretsTable.expiresAt)));
    const old = await requestToken(t, form(account.clientSecret));
    expect([old.status, old.body.error]).toEqual([401, 'invalid_client']);
    expect((await requestToken(t, form(rotated.clientSecret))).status).toBe(200);
  });

  it('a second rotation ends the first overlap at once, so at most two secrets work', async () => {
    const account = await newServiceAccount(t);
    const second = await rotateServiceAccountSecret(t.database.db, associationActor, account.id);
    const third = await rotateServiceAccountSecret(t.database.db, associationActor, account.id, { overlapSeconds: 600 });
    const form = (secret: string) => ({ grant_type: 'client_credentials', client_id: account.clientId, client_secret: secret });
    expect((await requestToken(t, form(account.clientSecret))).status).toBe(401);
    expect((await requestToken(t, form(second.clientSecret))).status).toBe(200);
    expect((await requestToken(t, form(third.clientSecret))).status).toBe(200);
  });

  it('rotating with overlapSeconds 0 revokes the tokens issued with the old secret at once; the new secret\'s tokens work', async () => {
    const account = await newServiceAccount(t);
    const before = await clientToken(t, account.clientId, account.clientSecret);
    expect(decodeJwt(before).sid).toEqual(expect.any(Number));
    const first = await t.gql(VIEWER, undefined, { token: before });
    expect(first.status, first.text).toBe(200);
    const rotated = await rotateServiceAccountSecret(t.database.db, associationActor, account.id, { overlapSeconds: 0 });
    const refused = await t.gql(VIEWER, undefined, { token: before });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const after = await clientToken(t, account.clientId, rotated.clientSecret);
    expect((await t.gql(VIEWER, undefined, { token: after })).status).toBe(200);
  });

  it('with an overlap, the old secret\'s tokens work until it ends and not after', async () => {
    const account = await newServiceAccount(t);
    const before = await clientToken(t, account.clientId, account.clientSecret);
    await rotateServiceAccountSecret(t.database.db, associationActor, account.id, { overlapSeconds: 600 });
    expect((await t.gql(VIEWER, undefined, { token: before })).status).toBe(200);
    // The overlap has passed (moved into the past rather than waited for).
    await t.database.db
      .update(serviceAccountSecretsTable)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(and(eq(serviceAccountSecretsTable.serviceAccountId, account.id), isNotNull(serviceAccountSecretsTable.expiresAt)));
    expect((await t.gql(VIEWER, undefined, { token: before })).status).toBe(401);
  });

  it('stores only scrypt hashes of secrets', async () => {
    const account = await newServiceAccount(t);
    const rows = await t.database.db.select().from(serviceAccountSecretsTable).where(eq(serviceAccountSecretsTable.serviceAccountId, account.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(rows[0]!.hash).not.toContain(account.clientSecret.slice(4));
  });
});

describe('GET /.well-known/oauth-authorization-server (RFC 8414)', () => {
  it('describes the built-in issuer: its token endpoint (which works), key set, grant, client authentication and scopes', async () => {
    const res = await fetch(`${t.url}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const metadata = (await res.json()) as Record<string, any>;
    expect(metadata).toMatchObject({
      issuer: t.config.AUTH_ISSUER,
      token_endpoint: `${t.url}/oauth/token`,
      jwks_uri: `${t.url}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: [],
    });
    expect(metadata.scopes_supported).toContain('contacts:read');
    const jwks = await fetch(metadata.jwks_uri);
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    const account = await newServiceAccount(t);
    const token = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(account.clientId, account.clientSecret) },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
  });
});

describe('service account tokens at /graphql', () => {
  it('are honoured as their role: a regulator client is a REGULATOR viewer', async () => {
    const regulator = await newServiceAccount(t, { role: 'regulator' });
    const res = await t.gql(VIEWER, undefined, { token: await clientToken(t, regulator.clientId, regulator.clientSecret) });
    expect(res.status).toBe(200);
    expect(res.body.data.viewer).toEqual({ role: 'REGULATOR', organization: null });
    const association = await newServiceAccount(t, { role: 'association' });
    const res2 = await t.gql(VIEWER, undefined, { token: await clientToken(t, association.clientId, association.clientSecret) });
    expect(res2.body.data.viewer.role).toBe('ASSOCIATION');
  });

  it('are refused (401 UNAUTHENTICATED) once the account is disabled, though not expired', async () => {
    const account = await newServiceAccount(t);
    const token = await clientToken(t, account.clientId, account.clientSecret);
    expect((await t.gql(VIEWER, undefined, { token })).body.data.viewer.role).toBe('REGULATOR');
    await disableServiceAccount(t.database.db, associationActor, account.id);
    const res = await t.gql(VIEWER, undefined, { token });
    expect(res.status).toBe(401);
    expect(res.body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
    expect(res.body.data).toBeUndefined();
  });

  it('a "client:" subject naming no account is refused, even when signed by our issuer', async () => {
    const { signAccessToken } = await import('../src/auth/tokens.js');
    const forged = await signAccessToken(t.keys, { issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE }, { sub: 'client:mgc_ffffffffffffffffffffffff', role: 'regulator' }, 600);
    expect((await t.gql(VIEWER, undefined, { token: forged })).status).toBe(401);
  });
});
