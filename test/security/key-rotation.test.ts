// Rotating the built-in issuer's key (docs/OPERATIONS.md): the next key is first only trusted (keys/verify/), then
// signs while the previous one is still trusted, then the previous one is removed and its tokens are refused.
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIssuerKeys, type IssuerKeys } from '../../src/auth/keys.js';
import { createTokenVerifier, signAccessToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger } from '../../src/logger.js';
import { createApp } from '../../src/server/app.js';
import { createTestApp, type TestApp } from '../support/harness.js';

const settings = { issuer: 'member-graph', audience: 'member-graph-api' };
const sign = (keys: IssuerKeys) => signAccessToken(keys, settings, { sub: 'test:regulator', role: 'regulator' }, 600);
const verifies = async (keys: IssuerKeys, token: string) =>
  createTokenVerifier({ ...settings, keys }).verify(token).then(
    () => true,
    () => false,
  );

let current: string;
let next: string;
beforeAll(() => {
  current = mkdtempSync(join(tmpdir(), 'mg-keys-current-'));
  next = mkdtempSync(join(tmpdir(), 'mg-keys-next-'));
});
afterAll(() => {
  rmSync(current, { recursive: true, force: true });
  rmSync(next, { recursive: true, force: true });
});

describe('issuer key rotation', () => {
  it('add the next key, switch signing to it, then remove the previous one', async () => {
    const before = await loadOrCreateIssuerKeys(current);
    const nextKeys = await loadOrCreateIssuerKeys(next); // generating a key: any empty DATA_DIR does it
    const oldToken = await sign(before);
    expect(before.verificationJwks).toHaveLength(1);

    // 1. Trust the next key everywhere first: a token it signs verifies; the current key still signs.
    mkdirSync(join(current, 'keys', 'verify'), { recursive: true });
    copyFileSync(join(next, 'keys', 'issuer-private.jwk.json'), join(current, 'keys', 'verify', 'next.jwk.json'));
    const phase1 = await loadOrCreateIssuerKeys(current);
    expect(phase1.kid).toBe(before.kid);
    expect(phase1.verificationJwks!.map((k) => k.kid)).toEqual([before.kid, nextKeys.kid]);
    expect(phase1.verificationJwks!.every((k) => k.d === undefined)).toBe(true);
    expect(await verifies(phase1, await sign(nextKeys))).toBe(true);
    expect(await verifies(phase1, oldToken)).toBe(true);

    // 2. Switch: the next key signs, the previous one is kept for verification until its tokens expire.
    renameSync(join(current, 'keys', 'issuer-private.jwk.json'), join(current, 'keys', 'verify', 'previous.jwk.json'));
    renameSync(join(current, 'keys', 'verify', 'next.jwk.json'), join(current, 'keys', 'issuer-private.jwk.json'));
    const phase2 = await loadOrCreateIssuerKeys(current);
    expect(phase2.kid).toBe(nextKeys.kid);
    expect(phase2.verificationJwks!.map((k) => k.kid)).toEqual([nextKeys.kid, before.kid]);
    expect(await verifies(phase2, oldToken)).toBe(true);
    expect(await verifies(phase2, await sign(phase2))).toBe(true);

    // 3. After the longest token lifetime, remove the previous key: its tokens are refused.
    rmSync(join(current, 'keys', 'verify', 'previous.jwk.json'));
    const phase3 = await loadOrCreateIssuerKeys(current);
    expect(phase3.verificationJwks!.map((k) => k.kid)).toEqual([nextKeys.kid]);
    expect(await verifies(phase3, oldToken)).toBe(false);
  });

  it('refuses to start with a verification key that is not ES256', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-keys-bad-'));
    try {
      mkdirSync(join(dir, 'keys', 'verify'), { recursive: true });
      writeFileSync(join(dir, 'keys', 'verify', 'hmac.jwk.json'), JSON.stringify({ kty: 'oct', k: 'c2VjcmV0' }));
      await expect(loadOrCreateIssuerKeys(dir)).rejects.toThrow(/not an EC P-256/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('issuer key rotation over HTTP', () => {
  let t: TestApp;
  let app: Awaited<ReturnType<typeof createApp>>;
  let url: string;
  let keys: IssuerKeys;
  beforeAll(async () => {
    t = await createTestApp();
    // The test app's keys plus a next key in keys/verify/, loaded as a restarted instance would.
    const nextKeys = await loadOrCreateIssuerKeys(next);
    mkdirSync(join(t.config.DATA_DIR, 'keys', 'verify'), { recursive: true });
    writeFileSync(join(t.config.DATA_DIR, 'keys', 'verify', 'next.jwk.json'), JSON.stringify(nextKeys.publicJwk));
    keys = await loadOrCreateIssuerKeys(t.config.DATA_DIR);
    const config = loadConfig({ DATA_DIR: t.config.DATA_DIR, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const verifier = createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys });
    app = await createApp({ config, logger: createLogger('silent'), database: t.database, schema, verifier, issuerKeys: keys });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => app?.server.close(resolve));
    await app?.apollo.stop();
    await t?.close();
  });

  it('/.well-known/jwks.json publishes both keys (public parts only) during the overlap, and both keys sign accepted tokens', async () => {
    const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; d?: string; alg: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(keys.verificationJwks!.map((k) => k.kid));
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys.every((k) => k.d === undefined && k.alg === 'ES256')).toBe(true);
    const nextKeys = await loadOrCreateIssuerKeys(next);
    for (const signer of [keys, nextKeys]) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await sign(signer)}` },
        body: JSON.stringify({ query: '{ viewer { role } }' }),
      });
      expect(((await res.json()) as { data: { viewer: { role: string } } }).data.viewer.role).toBe('REGULATOR');
    }
  });
});
