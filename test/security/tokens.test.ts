// Forged, stale and malformed tokens: every one is HTTP 401 UNAUTHENTICATED (never anonymous, never a 500), the
// mutation it carried writes nothing, the answer names no library or reason, and the server keeps answering.
import { createSign, generateKeyPairSync } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableServiceAccount } from '../../src/clients/clients.service.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { associationActor, clientToken, newServiceAccount } from '../support/integration.js';
import { b64, expectEachTestWritesNothing, expectRefused, expectStillUp, post } from './support.js';

let t: TestApp;
let firmCode: string;

beforeAll(async () => {
  t = await createTestApp();
  firmCode = await creditCodeOf(t, 'SECURITIES_FIRM');
});
afterAll(async () => {
  await t?.close();
});
const guard = expectEachTestWritesNothing(() => t);

const now = () => Math.floor(Date.now() / 1000);
// What a forged token tries to do: write as a firm (or read as the regulator).
const SUBMIT = 'mutation { submitSuggestion(input: { topic: OTHER, title: "伪造令牌", body: "不应写入" }) { suggestion { id } userErrors { code } } }';

async function refusedWith(authorization: string) {
  const res = await post(t, JSON.stringify({ query: SUBMIT }), { 'content-type': 'application/json', authorization });
  expectRefused(res, 401, 'UNAUTHENTICATED');
  expect(res.body.data).toBeUndefined();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors![0]!.message).toBe('令牌无效或已过期');
  // RFC 6750 §3: the refusal names the scheme and the reason.
  expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  return res;
}
const bearer = (token: string) => refusedWith(`Bearer ${token}`);

function claims(extra: Record<string, unknown> = {}) {
  return { sub: 'forger', role: 'firm', org: firmCode, iss: t.config.AUTH_ISSUER, aud: t.config.AUTH_AUDIENCE, iat: now(), exp: now() + 600, ...extra };
}

/** Signs with the issuer's real key, so only the claim under test is wrong. */
async function signedByIssuer(payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: t.keys.kid, typ: 'JWT', ...header }).sign(t.keys.privateKey);
}

describe('tokens: each forgery is 401 UNAUTHENTICATED and writes nothing', () => {
  it('alg "none" with an empty signature', async () => {
    await bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`);
  });

  it('alg "none" with a made-up signature', async () => {
    await bearer(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.${b64('signature')}`);
  });

  it('an expired token (beyond the 30 s clock tolerance)', async () => {
    await bearer(await t.token('firm', firmCode, -120));
  });

  it('a token without exp', async () => {
    const { exp: _exp, ...rest } = claims();
    await bearer(await signedByIssuer(rest));
  });

  it('a token not valid yet (nbf in the future)', async () => {
    await bearer(await signedByIssuer(claims({ nbf: now() + 3600 })));
  });

  it('a wrong issuer', async () => {
    await bearer(await signedByIssuer(claims({ iss: 'https://evil.example' })));
  });

  it('a wrong audience', async () => {
    await bearer(await signedByIssuer(claims({ aud: 'another-api' })));
  });

  it('signed by an unknown key that claims our kid', async () => {
    const foreign = await generateKeyPair('ES256');
    await bearer(await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid: t.keys.kid }).sign(foreign.privateKey));
  });

  it('signed by an unknown key under an unknown kid', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const head = b64({ alg: 'ES256', typ: 'JWT', kid: 'someone-elses-key' });
    const body = b64(claims());
    const sig = createSign('SHA256').update(`${head}.${body}`).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    await bearer(`${head}.${body}.${sig}`);
  });

  it('malformed: "Bearer a.b"', async () => {
    await refusedWith('Bearer a.b');
  });

  it('malformed: three parts of garbage, a bare "Bearer", another scheme', async () => {
    await bearer('abc.def.ghi');
    await refusedWith('Bearer');
    await refusedWith('Basic dXNlcjpwYXNz');
    await refusedWith(`bearer ${await t.token('firm', firmCode)}x`);
  });

  it('a payload edited after signing (firm → regulator)', async () => {
    const [head, payload, sig] = (await t.token('firm', firmCode)).split('.');
    const edited = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'regulator' };
    await bearer(`${head}.${b64(edited)}.${sig}`);
  });

  it('HS256 signed with the public key as the secret (algorithm confusion)', async () => {
    for (const secret of [JSON.stringify(t.keys.publicJwk), t.keys.publicJwk.x!]) {
      await bearer(await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: t.keys.kid }).sign(new TextEncoder().encode(secret)));
    }
  });

  it('a firm token naming an organization that does not exist, and a firm token for a listed company', async () => {
    await bearer(await signedByIssuer(claims({ org: '91440300MA5WC9CB19' })));
    await bearer(await t.token('listed_company', firmCode));
  });

  it('an org claim that is a credit code only after trimming or normalizing (leading space, lowercase, full-width)', async () => {
    await bearer(await signedByIssuer(claims({ org: ` ${firmCode}` })));
    await bearer(await signedByIssuer(claims({ org: `${firmCode}\n` })));
    await bearer(await signedByIssuer(claims({ org: firmCode.toLowerCase() })));
    await bearer(await signedByIssuer(claims({ org: firmCode.replace(/[0-9]/, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0)) })));
  });

  it('an unknown role, or a role claim of the wrong type', async () => {
    await bearer(await signedByIssuer(claims({ role: 'admin' })));
    await bearer(await signedByIssuer(claims({ role: ['regulator'] })));
  });

  it('an association claim (assoc) that is unknown, of the wrong type, or on a role other than association', async () => {
    const staff = (assoc: unknown) => claims({ role: 'association', org: undefined, assoc });
    await bearer(await signedByIssuer(staff('SZXX')));
    await bearer(await signedByIssuer(staff('szlca')));
    await bearer(await signedByIssuer(staff(['SZLCA'])));
    await bearer(await signedByIssuer(staff(2)));
    await bearer(await signedByIssuer(claims({ assoc: 'SZLCA' })));
    await bearer(await signedByIssuer(claims({ role: 'regulator', org: undefined, assoc: 'SZSA' })));
  });

  it('a payload edited after signing (association SZSA → SZLCA)', async () => {
    const [head, payload, sig] = (await t.token('association', undefined, 600, { association: 'SZSA' })).split('.');
    const edited = { ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), assoc: 'SZLCA' };
    await bearer(`${head}.${b64(edited)}.${sig}`);
  });

  it('a service account token after the account is disabled', async () => {
    const account = await newServiceAccount(t, { scopes: ['reports:read'] });
    const token = await clientToken(t, account.clientId, account.clientSecret);
    await disableServiceAccount(t.database.db, associationActor, account.id);
    await guard.acceptWrites();
    await bearer(token);
  });
});

describe('tokens: an unreachable key set is 503, not 401 and not anonymous', () => {
  let external: TestApp;
  beforeAll(async () => {
    external = await createTestApp({ AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json' });
  });
  afterAll(async () => {
    await external?.close();
  });

  it('any bearer token is 503 SERVICE_UNAVAILABLE while the issuer cannot be reached', async () => {
    const res = await post(external, JSON.stringify({ query: SUBMIT }), { 'content-type': 'application/json', authorization: `Bearer ${await t.token('regulator')}` });
    expectRefused(res, 503, 'SERVICE_UNAVAILABLE');
    expect(res.body.data).toBeUndefined();
    await expectStillUp(external);
  });
});
