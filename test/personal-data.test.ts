// Personal data behind scopes and the read audit (issue 23, finding 1): contacts need contacts:read on a service
// account, reach systems masked, and every read of contacts or suggestions by the regulator or a system is recorded;
// the read audit is kept six months and purged after.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_DATA_ACCESS_RETENTION_DAYS, purgeDataAccessLog } from '../src/data-access/data-access.service.js';
import { loadConfig } from '../src/config.js';
import { maskEmail, maskPhone } from '../src/members/masking.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount } from './support/integration.js';

let t: TestApp;
let firmCode: string;
let orgId: string;
const PHONE = '13812345678';
const EMAIL = 'zhang.san@example.test';

beforeAll(async () => {
  t = await createTestApp();
  firmCode = await creditCodeOf(t, 'SECURITIES_FIRM');
  const org = await t.gql('query($c: String!) { organization(creditCode: $c) { id } }', { c: firmCode });
  orgId = org.body.data.organization.id;
  const added = await t.gql(
    'mutation($o: ID!, $p: String, $e: String) { addContact(input: { organizationId: $o, name: "张三", title: "合规负责人", phone: $p, email: $e }) { contact { id } userErrors { code } } }',
    { o: orgId, p: PHONE, e: EMAIL },
    { token: await t.token('association') },
  );
  expect(added.body.data.addContact.userErrors).toEqual([]);
});
afterAll(async () => {
  await t?.close();
});

const CONTACTS = 'query($c: String!) { organization(creditCode: $c) { contacts { name phone email } } }';
const contactsAs = async (token: string) => (await t.gql(CONTACTS, { c: firmCode }, { token })).body.data.organization.contacts as { name: string; phone: string | null; email: string | null }[] | null;
const logEntries = async (resource: string, actor: string) => {
  const res = (await t.database.db.execute(sql`select actor_sub, resource, details from data_access_log where resource = ${resource} and actor_sub = ${actor} order by id`)) as unknown as {
    rows: { actor_sub: string; resource: string; details: Record<string, unknown> }[];
  };
  return res.rows;
};

describe('contacts: personal information', () => {
  it('a service account without contacts:read sees no contacts (null), and nothing is recorded', async () => {
    const account = await newServiceAccount(t, { scopes: ['reports:read', 'ratings:read', 'suggestions:read'] });
    expect(await contactsAs(await clientToken(t, account.clientId, account.clientSecret))).toBeNull();
    expect(await logEntries('Organization.contacts', `client:${account.clientId}`)).toEqual([]);
  });

  it('with contacts:read it sees them with the phone and email masked, and the read is recorded', async () => {
    const account = await newServiceAccount(t, { scopes: ['contacts:read'] });
    const contacts = await contactsAs(await clientToken(t, account.clientId, account.clientSecret));
    expect(contacts).toContainEqual({ name: '张三', phone: '138****5678', email: 'z***@example.test' });
    const entries = await logEntries('Organization.contacts', `client:${account.clientId}`);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details).toMatchObject({ contacts: expect.any(Number) });
  });

  it('the regulator in person sees them in full, and the read is recorded under the token\'s subject', async () => {
    const token = await t.token('regulator');
    expect(await contactsAs(token)).toContainEqual({ name: '张三', phone: PHONE, email: EMAIL });
    const sub = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    expect(await logEntries('Organization.contacts', sub)).toHaveLength(1);
  });

  it('the organization itself and its association\'s staff see them in full, unrecorded (their own remit)', async () => {
    const firmToken = await t.token('firm', firmCode);
    expect(await contactsAs(firmToken)).toContainEqual({ name: '张三', phone: PHONE, email: EMAIL });
    expect(await contactsAs(await t.token('association'))).toContainEqual({ name: '张三', phone: PHONE, email: EMAIL });
    const firmSub = JSON.parse(Buffer.from(firmToken.split('.')[1]!, 'base64url').toString()).sub as string;
    expect(await logEntries('Organization.contacts', firmSub)).toEqual([]);
  });

  it('masks phone numbers and emails of any shape', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    // Separators stay where they were; the first three and last four digits show.
    expect(maskPhone('+86 138 1234 5678')).toBe('+86 1** **** 5678');
    expect(maskPhone('0755-83331234')).toBe('075*-****1234');
    expect(maskPhone('12345')).toBe('***45');
    expect(maskEmail('zhang.san@example.test')).toBe('z***@example.test');
    expect(maskEmail('张@例子.中国')).toBe('张***@例子.中国');
    expect(maskEmail('no-at-sign')).toBe('***');
  });
});

describe('suggestions read by the regulator or a system are recorded', () => {
  it('lists, node() and an organization\'s suggestions, once per page or batch', async () => {
    const submitted = await t.gql('mutation { submitSuggestion(input: { topic: OTHER, title: "审计测试", body: "正文" }) { suggestion { id } userErrors { code } } }', {}, { token: await t.token('firm', firmCode) });
    const id = submitted.body.data.submitSuggestion.suggestion.id as string;
    const account = await newServiceAccount(t, { scopes: ['suggestions:read'] });
    const token = await clientToken(t, account.clientId, account.clientSecret);
    expect((await t.gql('{ suggestions(first: 5) { edges { node { id } } } }', {}, { token })).body.data.suggestions.edges.length).toBeGreaterThan(0);
    expect((await t.gql('query($id: ID!) { node(id: $id) { id } }', { id }, { token })).body.data.node).toEqual({ id });
    const sub = `client:${account.clientId}`;
    expect((await logEntries('suggestions', sub)).length).toBe(1);
    expect((await logEntries('Suggestion', sub))[0]!.details).toMatchObject({ rows: 1 });
  });

  it('nothing is recorded for the submitting firm or its association\'s staff', async () => {
    const before = ((await t.database.db.execute(sql`select count(*)::int as n from data_access_log`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
    await t.gql('{ suggestions(first: 5) { edges { node { id } } } }', {}, { token: await t.token('firm', firmCode) });
    await t.gql('{ suggestions(first: 5) { edges { node { id } } } }', {}, { token: await t.token('association') });
    const after = ((await t.database.db.execute(sql`select count(*)::int as n from data_access_log`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
    expect(after).toBe(before);
  });
});

describe('read-audit retention', () => {
  it('purges entries older than the retention and keeps the rest; refuses less than six months', async () => {
    await t.database.db.execute(sql`insert into data_access_log (actor_sub, actor_role, resource, at) values
      ('regulator:old', 'REGULATOR', 'purge-test', now() - interval '200 days'),
      ('regulator:kept', 'REGULATOR', 'purge-test', now() - interval '100 days')`);
    expect(await purgeDataAccessLog(t.database.db, 183)).toBeGreaterThanOrEqual(1);
    const left = ((await t.database.db.execute(sql`select actor_sub from data_access_log where resource = 'purge-test'`)) as unknown as { rows: { actor_sub: string }[] }).rows;
    expect(left.map((r) => r.actor_sub)).toEqual(['regulator:kept']);
    await expect(purgeDataAccessLog(t.database.db, 30)).rejects.toThrow(/at least 183 days/);
    expect(MIN_DATA_ACCESS_RETENTION_DAYS).toBe(183);
    expect(() => loadConfig({ DATA_ACCESS_RETENTION_DAYS: '90' })).toThrow(/DATA_ACCESS_RETENTION_DAYS/);
    expect(loadConfig({}).DATA_ACCESS_RETENTION_DAYS).toBe(183);
  });
});
