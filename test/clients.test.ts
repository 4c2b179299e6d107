import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogTable } from '../src/audit/audit.table.js';
import { createTestApp, creditCodeOf, type TestApp } from './support/harness.js';
import { serviceAccountsTable } from '../src/clients/clients.table.js';
import { clientToken, newServiceAccount, requestToken, staffActor, staffToken } from './support/integration.js';

let t: TestApp;
let association: string;
beforeAll(async () => {
  t = await createTestApp();
  association = await t.token('association');
});
afterAll(async () => {
  await t?.close();
});

const CREATE = `mutation($input: CreateServiceAccountInput!) {
  createServiceAccount(input: $input) {
    clientSecret
    serviceAccount { id clientId name role scopes owner disabled activeSecrets { createdAt expiresAt } }
    userErrors { field code message }
  }
}`;
const ROTATE = `mutation($input: RotateServiceAccountSecretInput!) {
  rotateServiceAccountSecret(input: $input) { clientSecret previousSecretExpiresAt serviceAccount { activeSecrets { expiresAt } } userErrors { field code } }
}`;
const DISABLE = `mutation($id: ID!) { disableServiceAccount(input: { id: $id }) { serviceAccount { disabled disabledAt } userErrors { field code } } }`;
const LIST = `query($first: Int, $after: String) { serviceAccounts(first: $first, after: $after) { totalCount edges { node { clientId name } } pageInfo { hasNextPage endCursor } } }`;

async function auditActions(entityId: number) {
  const rows = await t.database.db
    .select({ action: auditLogTable.action, after: auditLogTable.after })
    .from(auditLogTable)
    .where(and(eq(auditLogTable.entityType, 'ServiceAccount'), eq(auditLogTable.entityId, entityId)))
    .orderBy(auditLogTable.id);
  return rows;
}

describe('service accounts, managed by association staff', () => {
  it('createServiceAccount returns the secret once; the secret works at /oauth/token; the change is audited', async () => {
    const res = await t.gql(CREATE, { input: { name: ' 证监局非现场监管系统 ', role: 'REGULATOR', scopes: ['reports:read', 'webhooks:manage'], owner: '信息中心' } }, { token: association });
    const payload = res.body.data.createServiceAccount;
    expect(payload.userErrors).toEqual([]);
    expect(payload.clientSecret).toMatch(/^mgs_[A-Za-z0-9_-]{43}$/);
    expect(payload.serviceAccount).toMatchObject({
      name: '证监局非现场监管系统',
      role: 'REGULATOR',
      scopes: ['reports:read', 'webhooks:manage'],
      owner: '信息中心',
      disabled: false,
    });
    expect(payload.serviceAccount.clientId).toMatch(/^mgc_[0-9a-f]{24}$/);
    expect(payload.serviceAccount.activeSecrets).toHaveLength(1);
    expect(payload.serviceAccount.activeSecrets[0].expiresAt).toBeNull();
    const token = await requestToken(t, { grant_type: 'client_credentials', client_id: payload.serviceAccount.clientId, client_secret: payload.clientSecret });
    expect(token.status).toBe(200);

    const id = Number(Buffer.from(payload.serviceAccount.id, 'base64url').toString().split(':')[1]);
    const audit = await auditActions(id);
    expect(audit.map((a) => a.action)).toEqual(['service_account.create']);
    expect(JSON.stringify(audit)).not.toContain(payload.clientSecret);
    // The secret cannot be read back through the schema.
    const list = await t.gql(LIST, { first: 100 }, { token: association });
    expect(JSON.stringify(list.body)).not.toContain(payload.clientSecret);
  });

  it('defaults to the read scopes when none are named', async () => {
    const res = await t.gql(CREATE, { input: { name: 'Reporting', role: 'ASSOCIATION' } }, { token: association });
    expect(res.body.data.createServiceAccount.serviceAccount.scopes).toEqual(['reports:read', 'ratings:read', 'suggestions:read']);
  });

  it('reports bad input in userErrors and writes nothing', async () => {
    const before = (await t.gql(LIST, { first: 1 }, { token: association })).body.data.serviceAccounts.totalCount;
    const res = await t.gql(CREATE, { input: { name: '  ', role: 'REGULATOR', scopes: ['reports:read', 'admin:all'], owner: 'x'.repeat(101) } }, { token: association, headers: { 'accept-language': 'en' } });
    const errors = res.body.data.createServiceAccount.userErrors;
    expect(errors.map((e: any) => [e.field.join('.'), e.code]).sort()).toEqual([
      ['input.name', 'REQUIRED'],
      ['input.owner', 'TOO_LONG'],
      ['input.scopes', 'INVALID'],
    ]);
    expect(res.body.data.createServiceAccount.clientSecret).toBeNull();
    expect((await t.gql(LIST, { first: 1 }, { token: association })).body.data.serviceAccounts.totalCount).toBe(before);
  });

  it('rotateServiceAccountSecret issues a new secret; the old one works until the overlap ends; audited', async () => {
    const account = await newServiceAccount(t);
    const id = Buffer.from(`ServiceAccount:${account.id}`).toString('base64url');
    const res = await t.gql(ROTATE, { input: { id, overlapSeconds: 3600 } }, { token: association });
    const payload = res.body.data.rotateServiceAccountSecret;
    expect(payload.userErrors).toEqual([]);
    expect(payload.clientSecret).not.toBe(account.clientSecret);
    const overlap = new Date(payload.previousSecretExpiresAt).getTime() - Date.now();
    expect(overlap).toBeGreaterThan(3500 * 1000);
    expect(overlap).toBeLessThanOrEqual(3600 * 1000);
    expect(payload.serviceAccount.activeSecrets.map((s: any) => s.expiresAt === null)).toEqual([false, true]);
    expect((await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId, client_secret: account.clientSecret })).status).toBe(200);
    expect((await requestToken(t, { grant_type: 'client_credentials', client_id: account.clientId, client_secret: payload.clientSecret })).status).toBe(200);
    const bad = await t.gql(ROTATE, { input: { id, overlapSeconds: -1 } }, { token: association });
    expect(bad.body.data.rotateServiceAccountSecret.userErrors[0]).toMatchObject({ field: ['input', 'overlapSeconds'], code: 'INVALID' });
    expect((await auditActions(account.id)).map((a) => a.action)).toEqual(['service_account.create', 'service_account.rotate_secret']);
  });

  it('disableServiceAccount stops the account; disabling twice is INVALID_STATE; an unknown id is NOT_FOUND', async () => {
    const account = await newServiceAccount(t);
    const id = Buffer.from(`ServiceAccount:${account.id}`).toString('base64url');
    const res = await t.gql(DISABLE, { id }, { token: association });
    expect(res.body.data.disableServiceAccount.serviceAccount.disabled).toBe(true);
    expect(res.body.data.disableServiceAccount.serviceAccount.disabledAt).toBeTruthy();
    expect((await t.gql(DISABLE, { id }, { token: association })).body.data.disableServiceAccount.userErrors[0].code).toBe('INVALID_STATE');
    expect((await t.gql(DISABLE, { id: 'garbage' }, { token: association })).body.data.disableServiceAccount.userErrors[0].code).toBe('NOT_FOUND');
    expect((await t.gql(ROTATE, { input: { id } }, { token: association })).body.data.rotateServiceAccountSecret.userErrors[0].code).toBe('INVALID_STATE');
    expect((await auditActions(account.id)).map((a) => a.action)).toEqual(['service_account.create', 'service_account.disable']);
  });

  it('serviceAccounts pages in id order without repeats', async () => {
    for (let i = 0; i < 3; i++) await newServiceAccount(t, { name: `Paging ${i}` });
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let guard = 0; guard < 50; guard++) {
      const page: any = (await t.gql(LIST, { first: 2, after }, { token: association })).body.data.serviceAccounts;
      total = page.totalCount;
      seen.push(...page.edges.map((e: any) => e.node.clientId));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('no other role may list, read through node(), create, rotate or disable service accounts', async () => {
    const account = await newServiceAccount(t, { role: 'association' });
    const id = Buffer.from(`ServiceAccount:${account.id}`).toString('base64url');
    const firm = await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM'));
    const asClient = await clientToken(t, account.clientId, account.clientSecret);
    for (const token of [undefined, await t.token('regulator'), firm, asClient]) {
      const list = await t.gql(LIST, {}, { token });
      expect(list.body.data.serviceAccounts).toBeNull();
      expect(list.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
      const node = await t.gql(`query($id: ID!) { node(id: $id) { id ... on ServiceAccount { clientId } } }`, { id }, { token });
      expect(node.body.data.node).toBeNull();
      for (const [query, variables] of [
        [CREATE, { input: { name: 'x', role: 'REGULATOR' } }],
        [ROTATE, { input: { id } }],
        [DISABLE, { id }],
      ] as const) {
        const res = await t.gql(query, variables, { token });
        expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(res.body.data).toBeNull();
      }
    }
    expect((await auditActions(account.id)).map((a) => a.action)).toEqual(['service_account.create']);
  });
});

describe('service accounts of several associations', () => {
  const NODE = `query($id: ID!) { node(id: $id) { id ... on ServiceAccount { clientId } } }`;
  const gid = (id: number) => Buffer.from(`ServiceAccount:${id}`).toString('base64url');

  it('an association\'s staff create accounts of their association, and list and reach only theirs (the securities association also the regulator\'s)', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    const created = await t.gql(CREATE, { input: { name: '上市公司协会报送系统', role: 'ASSOCIATION' } }, { token: szlca });
    expect(created.body.data.createServiceAccount.userErrors).toEqual([]);
    const account = created.body.data.createServiceAccount.serviceAccount;
    const [row] = await t.database.db.select().from(serviceAccountsTable).where(eq(serviceAccountsTable.clientId, account.clientId));
    expect(row).toMatchObject({ role: 'association', associationId: 2 });
    const regulatorAccount = await newServiceAccount(t, { role: 'regulator' });
    const szsaAccount = await newServiceAccount(t, { role: 'association' });
    expect(szsaAccount.row.associationId).toBe(1);
    expect(regulatorAccount.row.associationId).toBeNull();

    const listAll = async (token: string) => {
      const res = await t.gql(LIST, { first: 100 }, { token });
      return { ids: res.body.data.serviceAccounts.edges.map((e: any) => e.node.clientId), total: res.body.data.serviceAccounts.totalCount };
    };
    const szlcaList = await listAll(szlca);
    expect(szlcaList.ids).toContain(account.clientId);
    expect(szlcaList.ids).not.toContain(szsaAccount.clientId);
    expect(szlcaList.ids).not.toContain(regulatorAccount.clientId);
    expect(szlcaList.total).toBe(szlcaList.ids.length);
    const szsaList = await listAll(association);
    expect(szsaList.ids).toEqual(expect.arrayContaining([szsaAccount.clientId, regulatorAccount.clientId]));
    expect(szsaList.ids).not.toContain(account.clientId);
    const rows = await t.database.db.select().from(serviceAccountsTable);
    expect(szlcaList.total).toBe(rows.filter((r) => r.associationId === 2).length);
    expect(szsaList.total).toBe(rows.filter((r) => r.associationId !== 2).length);

    // node(): another association's account looks like a missing one.
    expect((await t.gql(NODE, { id: account.id }, { token: association })).body.data.node).toBeNull();
    expect((await t.gql(NODE, { id: gid(szsaAccount.id) }, { token: szlca })).body.data.node).toBeNull();
    expect((await t.gql(NODE, { id: gid(regulatorAccount.id) }, { token: szlca })).body.data.node).toBeNull();
    expect((await t.gql(NODE, { id: account.id }, { token: szlca })).body.data.node).toEqual({ id: account.id, clientId: account.clientId });
  });

  it('rotating or disabling another association\'s account (or the regulator\'s, for another association) is NOT_FOUND, like a missing one; nothing changes', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    const szsaAccount = await newServiceAccount(t, { role: 'association' });
    const regulatorAccount = await newServiceAccount(t, { role: 'regulator' });
    const szlcaAccount = await newServiceAccount(t, { role: 'association' }, staffActor('SZLCA'));
    const missing = gid(999_999);
    for (const [token, account] of [
      [szlca, szsaAccount],
      [szlca, regulatorAccount],
      [association, szlcaAccount],
    ] as const) {
      for (const [query, variables, absentVariables, field] of [
        [ROTATE, { input: { id: gid(account.id) } }, { input: { id: missing } }, 'rotateServiceAccountSecret'],
        [DISABLE, { id: gid(account.id) }, { id: missing }, 'disableServiceAccount'],
      ] as const) {
        const res = await t.gql(query, variables, { token });
        const absent = await t.gql(query, absentVariables, { token });
        expect(res.body.data[field].userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
        // Hidden looks exactly like missing: the same data, errors and price (the budget left moves with time).
        expect({ data: res.body.data, errors: res.body.errors, requested: (res.body as any).extensions?.cost?.requested }).toEqual({
          data: absent.body.data,
          errors: absent.body.errors,
          requested: (absent.body as any).extensions?.cost?.requested,
        });
      }
      expect((await auditActions(account.id)).map((a) => a.action)).toEqual(['service_account.create']);
      const [row] = await t.database.db.select().from(serviceAccountsTable).where(eq(serviceAccountsTable.id, account.id));
      expect(row!.disabledAt).toBeNull();
    }
    // Their own staff can.
    expect((await t.gql(DISABLE, { id: gid(szlcaAccount.id) }, { token: szlca })).body.data.disableServiceAccount.userErrors).toEqual([]);
    expect((await t.gql(ROTATE, { input: { id: gid(regulatorAccount.id) } }, { token: association })).body.data.rotateServiceAccountSecret.userErrors).toEqual([]);
  });

  it('only the securities association\'s staff register the regulator\'s accounts; another association\'s get a userError and nothing is written', async () => {
    const szlca = await staffToken(t, 'SZLCA');
    const before = (await t.database.db.select().from(serviceAccountsTable)).length;
    const res = await t.gql(CREATE, { input: { name: '证监局系统', role: 'REGULATOR', scopes: ['ratings:read'] } }, { token: szlca, headers: { 'accept-language': 'en' } });
    expect(res.body.data.createServiceAccount).toEqual({
      clientSecret: null,
      serviceAccount: null,
      userErrors: [{ field: ['input', 'role'], code: 'INVALID', message: "The regulator's service accounts are registered by the staff of the securities association (SZSA)" }],
    });
    expect((await t.database.db.select().from(serviceAccountsTable)).length).toBe(before);
  });

  it('a token of an association\'s account acts for that association', async () => {
    const account = await newServiceAccount(t, { role: 'association', scopes: ['reports:read'] }, staffActor('SZLCA'));
    const token = await clientToken(t, account.clientId, account.clientSecret);
    // The read audit is the securities association's: another association's account is refused like any other role.
    const res = await t.gql('{ dataAccessLog(first: 1) { totalCount } }', {}, { token });
    expect(res.body.data.dataAccessLog).toBeNull();
    expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});
