// A member token's organization is looked up once and remembered by the app's viewer resolver for as long as a
// verified token, while service accounts and unknown organizations are checked on every request.
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenVerifier, VERIFIED_TOKEN_CACHE_MS } from '../src/auth/tokens.js';
import { countStatements } from '../src/db/instrumentation.js';
import { creditCodeCheckCharacter, isValidCreditCode } from '../src/members/identifiers.js';
import { createViewerResolver } from '../src/auth/authenticate.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const resolverFor = () => createViewerResolver(createTokenVerifier({ issuer: t.config.AUTH_ISSUER, audience: t.config.AUTH_AUDIENCE, keys: t.keys }), t.database.db);
const statementsOf = async (fn: () => Promise<unknown>) => (await countStatements(fn)).count;

describe('the viewer resolver remembers member organizations', () => {
  it('looks a firm up once, then answers the same viewer without a statement', async () => {
    const resolve = resolverFor();
    const header = `Bearer ${await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM'))}`;
    const first = await countStatements(() => resolve(header));
    expect(first.count).toBe(1);
    expect(first.result).toMatchObject({ role: 'FIRM', organizationId: expect.any(Number) });
    const again = await countStatements(() => resolve(header));
    expect(again.count).toBe(0);
    expect(again.result).toEqual(first.result);
  });

  it('looks again after the cache window, and sees a changed kind then', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const resolve = resolverFor();
    const code = await creditCodeOf(t, 'LISTED_COMPANY', 1);
    const header = `Bearer ${await t.token('listed_company', code)}`;
    await resolve(header);
    await t.database.db.execute(sql`update organizations set kind = 'FUND_MANAGER' where credit_code = ${code}`);
    try {
      // Within the window the remembered organization answers (as documented in SECURITY.md) …
      expect(await statementsOf(() => resolve(header))).toBe(0);
      vi.setSystemTime(Date.now() + VERIFIED_TOKEN_CACHE_MS + 1000);
      // … after it the token meets the organization as it is now: no longer a listed company.
      await expect(resolve(header)).rejects.toMatchObject({ status: 401 });
    } finally {
      await t.database.db.execute(sql`update organizations set kind = 'LISTED_COMPANY' where credit_code = ${code}`);
    }
  });

  it('does not remember a credit code that names no organization: it is looked up, and refused, every time', async () => {
    const resolve = resolverFor();
    const code = `91440300MA5FUTURE${creditCodeCheckCharacter('91440300MA5FUTURE')}`;
    expect(isValidCreditCode(code)).toBe(true);
    const header = `Bearer ${await t.token('firm', code)}`;
    for (let i = 0; i < 2; i++) {
      const outcome = await countStatements(() => resolve(header).then(() => 'accepted', (error: { status?: number }) => error.status));
      expect(outcome).toMatchObject({ result: 401, count: 1 });
    }
  });

  it('keeps one memory per resolver: a new app instance looks up for itself', async () => {
    const header = `Bearer ${await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM', 1))}`;
    await resolverFor()(header);
    expect(await statementsOf(() => resolverFor()(header))).toBe(1);
  });
});
