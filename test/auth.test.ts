import { execFile } from 'node:child_process';
import { generateKeyPairSync, createSign } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';

const run = promisify(execFile);
let t: TestApp;
let firmCode: string;
beforeAll(async () => {
  t = await createTestApp();
  firmCode = await creditCodeOf(t, 'SECURITIES_FIRM');
});
afterAll(async () => {
  await t?.close();
});

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const VIEWER = '{ viewer { role organization { creditCode } } }';

async function expect401(token: string) {
  const res = await t.gql(VIEWER, undefined, { token });
  expect(res.status).toBe(401);
  expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(res.body.data).toBeUndefined();
  expect(res.text).not.toMatch(/jose|JWS|JWT|stack|at .*\(/i);
}

describe('tokens', () => {
  it('no token is the anonymous viewer', async () => {
    const res = await t.gql(VIEWER);
    expect(res.body.data.viewer).toEqual({ role: 'ANONYMOUS', organization: null });
  });

  it('a valid token of each role is honoured; member tokens carry their organization', async () => {
    for (const role of ['association', 'regulator'] as const) {
      const res = await t.gql(VIEWER, undefined, { token: await t.token(role) });
      expect(res.body.data.viewer.role).toBe(role.toUpperCase());
    }
    const firm = await t.gql(VIEWER, undefined, { token: await t.token('firm', firmCode) });
    expect(firm.body.data.viewer).toEqual({ role: 'FIRM', organization: { creditCode: firmCode } });
    const listedCode = await creditCodeOf(t, 'LISTED_COMPANY');
    const listed = await t.gql(VIEWER, undefined, { token: await t.token('listed_company', listedCode) });
    expect(listed.body.data.viewer).toEqual({ role: 'LISTED_COMPANY', organization: { creditCode: listedCode } });
  });

  it('refuses alg "none"', async () => {
    const claims = { sub: 'x', role: 'regulator', iss: t.config.AUTH_ISSUER, aud: t.config.AUTH_AUDIENCE, exp: now() + 600 };
    await expect401(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`);
    await expect401(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.${b64('sig')}`);
  });

  it('refuses an expired token', async () => {
    await expect401(await t.token('regulator', undefined, -120));
  });

  async function signed(claims: Record<string, unknown>, options: { exp?: number | null; iss?: string; aud?: string } = {}) {
    let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: t.keys.kid }).setSubject('someone').setIssuer(options.iss ?? t.config.AUTH_ISSUER).setAudience(options.aud ?? t.config.AUTH_AUDIENCE).setIssuedAt();
    if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now() + 600);
    return jwt.sign(t.keys.privateKey);
  }

  it('refuses a token without exp', async () => {
    await expect401(await signed({ role: 'regulator' }, { exp: null }));
  });

  it('refuses a wrong issuer or audience', async () => {
    await expect401(await signed({ role: 'regulator' }, { iss: 'someone-else' }));
    await expect401(await signed({ role: 'regulator' }, { aud: 'another-api' }));
  });

  it('refuses a token signed by a foreign key, even with our kid', async () => {
    const foreign = await generateKeyPair('ES256');
    const token = await new SignJWT({ role: 'regulator' })
      .setProtectedHeader({ alg: 'ES256', kid: t.keys.kid })
      .setSubject('x').setIssuer(t.config.AUTH_ISSUER).setAudience(t.config.AUTH_AUDIENCE).setExpirationTime(now() + 600)
      .sign(foreign.privateKey);
    await expect401(token);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const head = b64({ alg: 'ES256', typ: 'JWT', kid: 'foreign' });
    const body = b64({ sub: 'x', role: 'regulator', iss: t.config.AUTH_ISSUER, aud: t.config.AUTH_AUDIENCE, exp: now() + 600 });
    const sig = createSign('SHA256').update(`${head}.${body}`).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    await expect401(`${head}.${body}.${sig}`);
  });

  it('refuses a payload edited after signing', async () => {
    const token = await t.token('firm', firmCode);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    payload.role = 'regulator';
    await expect401(`${h}.${b64(payload)}.${s}`);
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(t.keys.publicJwk));
    const token = await new SignJWT({ role: 'regulator' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(t.config.AUTH_ISSUER).setAudience(t.config.AUTH_AUDIENCE).setExpirationTime(now() + 600).sign(secret);
    await expect401(token);
  });

  it('refuses malformed headers and garbage', async () => {
    await expect401('a.b');
    await expect401('abc.def.ghi');
    for (const authorization of ['Bearer', 'Basic dXNlcjpwYXNz', 'Bearer a.b', 'bearer', 'Bearer  ']) {
      const res = await t.gql(VIEWER, undefined, { headers: { authorization } });
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses unknown roles, member tokens without org, and orgs that do not exist or are of the wrong kind', async () => {
    await expect401(await signed({ role: 'admin' }));
    await expect401(await signed({ role: 'firm' }));
    await expect401(await signed({ role: 'firm', org: '91440300MA5WC9CB19' }));
    await expect401(await t.token('listed_company', firmCode));
  });

  it('publishes the public key, and never the private part', async () => {
    const res = await fetch(`${t.url}/.well-known/jwks.json`);
    const jwks = (await res.json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].kid).toBe(t.keys.kid);
    expect(jwks.keys[0].d).toBeUndefined();
  });
});

describe('npm run token', () => {
  const tokenCli = (args: string[]) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], { env: { ...process.env, DATA_DIR: t.config.DATA_DIR, LOG_LEVEL: 'silent' } });

  it('prints exactly one JWT that the server honours', async () => {
    const { stdout } = await tokenCli(['--role', 'firm', '--org', firmCode, '--ttl', '15m']);
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const res = await t.gql(VIEWER, undefined, { token: stdout.trim() });
    expect(res.body.data.viewer).toEqual({ role: 'FIRM', organization: { creditCode: firmCode } });
    const payload = JSON.parse(Buffer.from(stdout.split('.')[1]!, 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('refuses bad arguments with a message and a non-zero exit', async () => {
    for (const args of [['--role', 'king'], ['--role', 'firm'], ['--role', 'firm', '--org', '91440300MA5WC9CB1A'], ['--role', 'regulator', '--ttl', 'forever'], ['--role', 'regulator', '--bogus']]) {
      await expect(tokenCli(args)).rejects.toMatchObject({ code: 2, stdout: '' });
    }
  });
});
