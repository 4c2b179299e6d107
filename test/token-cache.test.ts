// The verifier remembers tokens it has verified (by their exact text), for a minute at most and never past expiry.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadOrCreateIssuerKeys } from '../src/auth/keys.js';
import { createTokenVerifier, signAccessToken, VERIFIED_TOKEN_CACHE_MS } from '../src/auth/tokens.js';

const settings = { issuer: 'https://issuer.test', audience: 'member-graph-test' };

async function verifierAndKeys() {
  const keys = await loadOrCreateIssuerKeys(mkdtempSync(join(tmpdir(), 'mg-token-cache-')));
  return { keys, verifier: createTokenVerifier({ ...settings, keys }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('verified tokens are remembered, within limits', () => {
  it('a token verified once answers the same claims again', async () => {
    const { keys, verifier } = await verifierAndKeys();
    const token = await signAccessToken(keys, settings, { sub: 'alice', role: 'regulator' }, 600);
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toEqual(first);
    expect(first).toMatchObject({ sub: 'alice', role: 'regulator' });
  });

  it('a remembered token is refused once it has expired (the memory never outlives exp plus the clock tolerance)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { keys, verifier } = await verifierAndKeys();
    const token = await signAccessToken(keys, settings, { sub: 'bob', role: 'association' }, 5);
    await verifier.verify(token);
    vi.setSystemTime(Date.now() + 36_000);
    await expect(verifier.verify(token)).rejects.toThrow(/Invalid or expired/);
  });

  it('after the cache window the token is verified afresh, and a cache belongs to its verifier', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { keys, verifier } = await verifierAndKeys();
    const token = await signAccessToken(keys, settings, { sub: 'carol', role: 'regulator' }, 3600);
    await verifier.verify(token);
    vi.setSystemTime(Date.now() + VERIFIED_TOKEN_CACHE_MS + 1_000);
    // Another issuer's verifier never saw this token: a remembered token is tied to the verifier that checked it.
    const { verifier: stranger } = await verifierAndKeys();
    await expect(stranger.verify(token)).rejects.toThrow(/Invalid or expired/);
    expect(await verifier.verify(token)).toMatchObject({ sub: 'carol' });
  });

  it('a tampered copy of a remembered token is still refused', async () => {
    const { keys, verifier } = await verifierAndKeys();
    const token = await signAccessToken(keys, settings, { sub: 'dave', role: 'regulator' }, 600);
    await verifier.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'association' })).toString('base64url');
    await expect(verifier.verify(`${header}.${forged}.${signature}`)).rejects.toThrow(/Invalid or expired/);
  });
});
