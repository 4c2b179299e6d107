// Trusted documents through HTTP (docs/TRUSTED-DOCUMENTS.md): manifests uploaded as versions and validated, documents
// run by id over POST and GET under the same rules as their text, accounts pinned to them, and who may do what.
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustedDocumentManifestsTable } from '../src/clients/clients.table.js';
import { dataAccessLogTable } from '../src/data-access/data-access.table.js';
import { encodeGlobalId } from '../src/global-id.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { clientToken, newServiceAccount, staffActor, staffToken } from './support/integration.js';

let t: TestApp;
let szsa: string;
beforeAll(async () => {
  t = await createTestApp();
  szsa = await t.token('association');
});
afterAll(async () => {
  await t?.close();
});

const idOf = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

const UPLOAD = `mutation Upload($input: UploadTrustedDocumentManifestInput!) {
  uploadTrustedDocumentManifest(input: $input) {
    trustedDocumentManifest { id version active documentCount createdBy documents { documentId body operationNames } }
    userErrors { field code message }
  }
}`;
const MANIFESTS = `query($serviceAccountId: ID, $first: Int) {
  trustedDocumentManifests(serviceAccountId: $serviceAccountId, first: $first) {
    totalCount
    edges { node { id version active documentCount documents { documentId } } }
  }
}`;
const PIN = `mutation($id: ID!, $on: Boolean!) {
  setServiceAccountTrustedDocumentsOnly(input: { id: $id, trustedDocumentsOnly: $on }) { serviceAccount { trustedDocumentsOnly } userErrors { field code } }
}`;
const RATINGS = 'query Ratings($year: Int!) { branchRatings(year: $year, first: 1) { totalCount } }';
const TYPENAME = 'query Name { __typename }';

interface Raw {
  status: number;
  body: any;
}

async function postBody(body: unknown, token?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': 'en', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function getParams(params: Record<string, string>, token?: string, headers: Record<string, string> = { 'x-requested-with': 'test' }): Promise<Raw> {
  const res = await fetch(`${t.url}/graphql?${new URLSearchParams(params)}`, {
    headers: { 'accept-language': 'en', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { status: res.status, body: await res.json() };
}

const gid = (id: number) => encodeGlobalId('ServiceAccount', id);

/** A regulator account registered by SZSA staff, with `scopes`, and a token of it. */
async function account(scopes: string[]) {
  const created = await newServiceAccount(t, { scopes });
  return { ...created, gid: gid(created.id), token: await clientToken(t, created.clientId, created.clientSecret) };
}

async function upload(documents: string[], token: string, serviceAccountId?: string) {
  const res = await t.gql(UPLOAD, { input: { serviceAccountId, documents } }, { token, headers: { 'accept-language': 'en' } });
  return res.body.data?.uploadTrustedDocumentManifest ?? res.body;
}

describe('trusted documents', () => {
  it('staff upload a manifest; the account runs its documents by id over POST and GET, with variables; the read audit records the id', async () => {
    const client = await account(['ratings:read']);
    const uploaded = await upload([RATINGS, TYPENAME, TYPENAME], szsa, client.gid);
    expect(uploaded.userErrors).toEqual([]);
    expect(uploaded.trustedDocumentManifest).toMatchObject({ version: 1, active: true, documentCount: 2, createdBy: 'test:association:' });
    // Ids are computed by the server over the exact text; identical texts are stored once.
    expect(uploaded.trustedDocumentManifest.documents.map((d: any) => d.documentId).sort()).toEqual([idOf(RATINGS), idOf(TYPENAME)].sort());
    expect(uploaded.trustedDocumentManifest.documents.find((d: any) => d.documentId === idOf(RATINGS))).toMatchObject({ body: RATINGS, operationNames: ['Ratings'] });

    const byPost = await postBody({ documentId: idOf(RATINGS), variables: { year: 2025 }, operationName: 'Ratings' }, client.token);
    expect(byPost.status).toBe(200);
    expect(byPost.body.data.branchRatings.totalCount).toEqual(expect.any(Number));
    const again = await postBody({ documentId: idOf(RATINGS), variables: { year: 2025 } }, client.token);
    expect(again.body.data).toEqual(byPost.body.data);
    const byGet = await getParams({ documentId: idOf(RATINGS), variables: JSON.stringify({ year: 2025 }) }, client.token);
    expect(byGet.status).toBe(200);
    expect(byGet.body.data).toEqual(byPost.body.data);
    // A variable that does not coerce is the same error as with the text.
    const badVariable = await postBody({ documentId: idOf(RATINGS), variables: { year: 'x' } }, client.token);
    expect(badVariable.status).toBe(400);
    expect(badVariable.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const audited = await t.database.db
      .select({ documentId: dataAccessLogTable.documentId, resource: dataAccessLogTable.resource })
      .from(dataAccessLogTable)
      .where(and(eq(dataAccessLogTable.clientId, client.clientId), eq(dataAccessLogTable.resource, 'branchRatings')));
    expect(audited.length).toBeGreaterThanOrEqual(3);
    expect(audited.every((a) => a.documentId === idOf(RATINGS))).toBe(true);
    // The text itself (the account is not pinned) is recorded without a document id.
    await postBody({ query: RATINGS, variables: { year: 2024 } }, client.token);
    const [byText] = await t.database.db
      .select({ documentId: dataAccessLogTable.documentId })
      .from(dataAccessLogTable)
      .where(and(eq(dataAccessLogTable.clientId, client.clientId), eq(dataAccessLogTable.resource, 'branchRatings')))
      .orderBy(dataAccessLogTable.id)
      .limit(1)
      .offset(audited.length);
    expect(byText?.documentId).toBeNull();
  });

  it('unknown, malformed and doubled ids are clear 400s; people have no trusted documents', async () => {
    const client = await account(['ratings:read']);
    await upload([TYPENAME], szsa, client.gid);
    const unknown = await postBody({ documentId: idOf('{ __typename }') }, client.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ extensions: { code: 'TRUSTED_DOCUMENT_NOT_FOUND' } });
    expect(unknown.body.errors[0].message).toContain(idOf('{ __typename }'));
    const unknownGet = await getParams({ documentId: idOf('nope') }, client.token);
    expect(unknownGet.status).toBe(400);
    expect(unknownGet.body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    for (const documentId of ['sha256:ABC', 'md5:00', 42, null]) {
      const malformed = await postBody({ documentId }, client.token);
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    }
    const both = await postBody({ documentId: idOf(TYPENAME), query: TYPENAME }, client.token);
    expect(both.status).toBe(400);
    expect(both.body.errors[0].message).toMatch(/either query or documentId/);
    // Another account's document is unknown to this one; people run texts only.
    const other = await account(['ratings:read']);
    expect((await postBody({ documentId: idOf(TYPENAME) }, other.token)).body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    const person = await postBody({ documentId: idOf(TYPENAME) }, szsa);
    expect(person.status).toBe(400);
    expect(person.body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    expect((await postBody({ documentId: idOf(TYPENAME) })).body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
  });

  it('a pinned account is refused any query text (403 TRUSTED_DOCUMENTS_ONLY) but runs its documents; released, it sends texts again', async () => {
    const client = await account(['ratings:read']);
    await upload([TYPENAME], szsa, client.gid);
    expect((await postBody({ query: TYPENAME }, client.token)).status).toBe(200);
    const pinned = await t.gql(PIN, { id: client.gid, on: true }, { token: szsa });
    expect(pinned.body.data.setServiceAccountTrustedDocumentsOnly).toEqual({ serviceAccount: { trustedDocumentsOnly: true }, userErrors: [] });
    const refused = await postBody({ query: TYPENAME }, client.token);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0]).toMatchObject({ extensions: { code: 'TRUSTED_DOCUMENTS_ONLY' } });
    expect(refused.body.errors[0].message).toMatch(/documentId/);
    expect((await getParams({ query: TYPENAME }, client.token)).status).toBe(403);
    // Automatic persisted queries carry no document id either.
    expect((await postBody({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }, client.token)).status).toBe(403);
    const allowed = await postBody({ documentId: idOf(TYPENAME) }, client.token);
    expect(allowed).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
    await t.gql(PIN, { id: client.gid, on: false }, { token: szsa });
    expect((await postBody({ query: TYPENAME }, client.token)).status).toBe(200);
    // Only staff who manage the account pin it: another association's staff find no such account; the account cannot.
    const szlca = await staffToken(t, 'SZLCA');
    expect((await t.gql(PIN, { id: client.gid, on: true }, { token: szlca })).body.data.setServiceAccountTrustedDocumentsOnly.userErrors[0].code).toBe('NOT_FOUND');
    const self = await t.gql(PIN, { id: client.gid, on: true }, { token: client.token });
    expect(self.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('mutations by id obey the transport rules: POST runs them, GET is refused, a GET without a preflight header is refused', async () => {
    const client = await account(['documents:write']);
    // The account uploads its own manifest, which holds the upload mutation itself: a pinned account keeps a way to update it.
    const first = await upload([UPLOAD, TYPENAME], client.token);
    expect(first.userErrors).toEqual([]);
    expect(first.trustedDocumentManifest).toMatchObject({ version: 1, createdBy: `client:${client.clientId}` });
    await t.gql(PIN, { id: client.gid, on: true }, { token: szsa });
    const viaGet = await getParams({ documentId: idOf(UPLOAD), variables: JSON.stringify({ input: { documents: [TYPENAME] } }) }, client.token);
    expect(viaGet.status).toBe(405);
    const noPreflight = await getParams({ documentId: idOf(TYPENAME) }, client.token, {});
    expect(noPreflight.status).toBe(400);
    expect(noPreflight.body.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    const count = async () => (await t.database.db.select().from(trustedDocumentManifestsTable).where(eq(trustedDocumentManifestsTable.serviceAccountId, client.id))).length;
    expect(await count()).toBe(1);
    const viaPost = await postBody({ documentId: idOf(UPLOAD), variables: { input: { documents: [UPLOAD, RATINGS] } } }, client.token);
    expect(viaPost.status).toBe(200);
    expect(viaPost.body.data.uploadTrustedDocumentManifest.trustedDocumentManifest).toMatchObject({ version: 2, documentCount: 2 });
    expect(await count()).toBe(2);
    // A form POST (no JSON content type) is a possible cross-site request, whatever it names.
    const form = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${client.token}` },
      body: JSON.stringify({ documentId: idOf(UPLOAD) }),
    });
    expect(form.status).toBeGreaterThanOrEqual(400);
    expect(await count()).toBe(2);
  });

  it('a new version replaces the active set; old versions stay readable; an invalid document is named and nothing is stored', async () => {
    const client = await account(['ratings:read', 'documents:write']);
    await upload([TYPENAME], client.token);
    const second = await upload([RATINGS], client.token);
    expect(second.trustedDocumentManifest).toMatchObject({ version: 2, active: true });
    expect((await postBody({ documentId: idOf(TYPENAME) }, client.token)).body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    expect((await postBody({ documentId: idOf(RATINGS), variables: { year: 2025 } }, client.token)).status).toBe(200);
    const list = await t.gql(MANIFESTS, { first: 10 }, { token: client.token });
    const versions = list.body.data.trustedDocumentManifests.edges.map((e: any) => e.node);
    expect(versions.map((v: any) => [v.version, v.active])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(versions[1].documents).toEqual([{ documentId: idOf(TYPENAME) }]);
    const staffView = await t.gql(MANIFESTS, { serviceAccountId: client.gid, first: 10 }, { token: szsa });
    expect(staffView.body.data.trustedDocumentManifests.totalCount).toBe(2);

    const invalid = await upload([TYPENAME, '{ noSuchField }', 'query {', 'subscription S { x }'], client.token);
    expect(invalid.trustedDocumentManifest).toBeNull();
    expect(invalid.userErrors.map((e: any) => [e.field, e.code])).toEqual([
      [['input', 'documents', '1'], 'INVALID'],
      [['input', 'documents', '2'], 'INVALID'],
      [['input', 'documents', '3'], 'INVALID'],
    ]);
    expect(invalid.userErrors[0].message).toContain(`Document 2 (${idOf('{ noSuchField }')})`);
    expect(invalid.userErrors[0].message).toMatch(/Cannot query field "noSuchField"/);
    expect((await t.gql(MANIFESTS, { first: 10 }, { token: client.token })).body.data.trustedDocumentManifests.totalCount).toBe(2);
    const tooMany = await upload(Array.from({ length: 501 }, (_, i) => `query Q${i} { __typename }`), client.token);
    expect(tooMany.userErrors[0]).toMatchObject({ field: ['input', 'documents'], code: 'LIMIT_EXCEEDED' });
  });

  it('who may upload and read: the managing staff and the account with documents:write; not another association, not an account without the scope', async () => {
    const client = await account(['ratings:read']);
    await upload([TYPENAME], szsa, client.gid);
    const szlca = await staffToken(t, 'SZLCA');
    const foreign = await upload([RATINGS], szlca, client.gid);
    expect(foreign.userErrors).toEqual([expect.objectContaining({ field: ['input', 'serviceAccountId'], code: 'NOT_FOUND' })]);
    expect((await t.gql(MANIFESTS, { serviceAccountId: client.gid }, { token: szlca })).body.data.trustedDocumentManifests.totalCount).toBe(0);
    // Without documents:write the account neither uploads nor reads.
    const noScope = await t.gql(UPLOAD, { input: { documents: [TYPENAME] } }, { token: client.token });
    expect(noScope.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(MANIFESTS, {}, { token: client.token })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // With it, only its own manifests.
    const writer = await account(['documents:write']);
    expect((await upload([TYPENAME], writer.token, client.gid)).userErrors[0].code).toBe('NOT_FOUND');
    expect((await t.gql(MANIFESTS, { serviceAccountId: client.gid }, { token: writer.token })).body.data.trustedDocumentManifests.totalCount).toBe(0);
    // An association's own account: its association's staff manage it, SZSA's do not.
    const own = await newServiceAccount(t, { role: 'association', scopes: ['ratings:read'] }, staffActor('SZLCA'));
    expect((await upload([TYPENAME], szlca, gid(own.id))).userErrors).toEqual([]);
    expect((await upload([TYPENAME], szsa, gid(own.id))).userErrors[0].code).toBe('NOT_FOUND');
    // Members and the anonymous: FORBIDDEN; staff must name the account.
    expect((await t.gql(UPLOAD, { input: { documents: [TYPENAME] } })).body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(MANIFESTS, {}, { token: szsa })).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await upload([TYPENAME], szsa)).userErrors[0]).toMatchObject({ field: ['input', 'serviceAccountId'], code: 'REQUIRED' });
  });
});
