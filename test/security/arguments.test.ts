// Hostile arguments: sizes, cursors, IDs, text, dates and codes out of every range answer with a clean code
// (BAD_USER_INPUT, a validation error, a userError, or simply nothing found), write nothing, leak nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/global-id.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { expectCodes, expectEachTestWritesNothing, expectNoLeak, expectRefused } from './support.js';

let t: TestApp;
let tokens: { firm: string; firmB: string; association: string };
let ids: { firmOrg: string; firmSuggestion: string; contact: string };

const ORGS = 'query($first: Int, $after: String) { organizations(first: $first, after: $after) { totalCount edges { node { id } } } }';
const SUBMIT = 'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { suggestion { id } userErrors { field code } } }';

beforeAll(async () => {
  t = await createTestApp();
  const firmCode = await creditCodeOf(t, 'SECURITIES_FIRM', 0);
  tokens = {
    firm: await t.token('firm', firmCode),
    firmB: await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM', 1)),
    association: await t.token('association'),
  };
  const firm = await t.gql(`query($c: String!) { organization(creditCode: $c) { id contacts { id } } }`, { c: firmCode }, { token: tokens.firm });
  const submitted = await t.gql(SUBMIT, { i: { topic: 'QIANHAI', title: '参数测试用建议', body: '正文' } }, { token: tokens.firm });
  ids = { firmOrg: firm.body.data.organization.id, contact: firm.body.data.organization.contacts[0]?.id, firmSuggestion: submitted.body.data.submitSuggestion.suggestion.id };
  expect(ids.contact).toBeTruthy();
});
afterAll(async () => {
  await t?.close();
});
expectEachTestWritesNothing(() => t);

/** A mutation's userErrors, asserting the call itself succeeded as GraphQL. */
async function userErrors(query: string, variables: Record<string, unknown>, token: string) {
  const res = await t.gql(query, variables, { token });
  expectCodes(res);
  expect(res.body.errors, res.text).toBeUndefined();
  const payload = Object.values(res.body.data as Record<string, any>)[0];
  return payload.userErrors as { field: string[] | null; code: string }[];
}

describe('arguments: page sizes', () => {
  it('first over 2^31 in variables is 400 BAD_USER_INPUT (not an Int)', async () => {
    expectRefused(await t.gql(ORGS, { first: 2 ** 31 }), 400, 'BAD_USER_INPUT');
  });

  it('first over 2^31 written in the document is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    expectRefused(await t.gql('{ organizations(first: 99999999999) { totalCount } }'), 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it.each([2 ** 31 - 1, 101, 0, -1, -(2 ** 31)])('first: %i is BAD_USER_INPUT and nothing is listed', async (first) => {
    const res = await t.gql(ORGS, { first });
    expectRefused(res, 200, 'BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toBe('first 须在 1 到 100 之间');
    expect(res.body.data).toBeNull();
  });

  it.each([101, 0, -1])('last: %i is BAD_USER_INPUT with the same bounds as first', async (last) => {
    const res = await t.gql('query($last: Int) { organizations(last: $last) { totalCount edges { node { id } } } }', { last });
    expectRefused(res, 200, 'BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toBe('last 须在 1 到 100 之间');
    expect(res.body.data).toBeNull();
  });

  it('first with last is BAD_USER_INPUT, at the root and nested', async () => {
    const root = await t.gql('{ organizations(first: 2, last: 2) { totalCount } }');
    expectRefused(root, 200, 'BAD_USER_INPUT');
    expect(root.body.errors![0]!.message).toBe('first 与 last 不能同时使用');
    const nested = await t.gql('{ organizations(first: 2) { edges { node { branches(first: 1, last: 1) { totalCount } } } } }');
    expectRefused(nested, 200, 'BAD_USER_INPUT');
  });

  it('a nested connection refuses a huge first the same way', async () => {
    const res = await t.gql('{ organizations(first: 2) { edges { node { branches(first: 100000) { totalCount } } } } }');
    expectRefused(res, 200, 'BAD_USER_INPUT');
  });
});

describe('arguments: forged cursors', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  it.each([
    ['garbage', 'not-a-cursor!'],
    ['empty', ''],
    ['a negative key', b64('c1:-1')],
    ['a key past the integer range', b64('c1:9999999999')],
    ['an exponent', b64('c1:1e5')],
    ['a NUL inside', b64('c1:1\u0000')],
    ['another version', b64('c2:10')],
    ['a global ID', encodeGlobalId('Organization', 1)],
    ['10,000 characters', 'A'.repeat(10_000)],
  ])('%s is BAD_USER_INPUT "Invalid cursor", as after and as before', async (_what, cursor) => {
    const res = await t.gql(ORGS, { first: 5, after: cursor });
    expectRefused(res, 200, 'BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toBe('游标无效');
    const back = await t.gql('query($before: String) { organizations(last: 5, before: $before) { totalCount edges { node { id } } } }', { before: cursor });
    expectRefused(back, 200, 'BAD_USER_INPUT');
    expect(back.body.errors![0]!.message).toBe('游标无效');
  });
});

describe('arguments: node and nodes', () => {
  it('nodes with thousands of IDs is BAD_USER_INPUT before anything loads', async () => {
    const res = await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 5000 }, (_, i) => encodeGlobalId('Organization', i + 1)) });
    expectRefused(res, 200, 'BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toBe('nodes 至多接受 100 个 ID');
  });

  it('nodes with 101 IDs is refused; 100 answers', async () => {
    const idsOf = (n: number) => Array.from({ length: n }, (_, i) => encodeGlobalId('Organization', i + 1));
    expectRefused(await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: idsOf(101) }), 200, 'BAD_USER_INPUT');
    const ok = await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: idsOf(100) });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.nodes).toHaveLength(100);
  });

  it('garbage, foreign and out-of-range IDs in one nodes call each answer null; the valid one still loads', async () => {
    const list = ['garbage', encodeGlobalId('Organization', 9_999_999_999), encodeGlobalId('Nope', 1), ids.firmSuggestion, ids.firmOrg];
    const res = await t.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: list }, { token: tokens.firmB });
    expect(res.body).toMatchObject({ data: { nodes: [null, null, null, null, { id: ids.firmOrg }] } });
    expect(res.body.errors).toBeUndefined();
  });

  const sameAsMissing: [string, () => string, 'firmB' | undefined][] = [
    ['garbage', () => '%%%', undefined],
    ['an empty ID', () => '', undefined],
    ['base64 of nonsense', () => Buffer.from('hello world').toString('base64url'), undefined],
    ['an unknown type', () => encodeGlobalId('Nope', 1), undefined],
    ['a type that is not a Node (Contact)', () => ids.contact, undefined],
    ['a key past the integer range', () => encodeGlobalId('Organization', 9_999_999_999), undefined],
    ['key zero', () => Buffer.from('Organization:0').toString('base64url'), undefined],
    ['a padded key', () => Buffer.from('Organization:01').toString('base64url'), undefined],
    ['a row that does not exist', () => encodeGlobalId('Suggestion', 2_000_000_000), 'firmB'],
    ["another firm's suggestion", () => ids.firmSuggestion, 'firmB'],
  ];
  it.each(sameAsMissing)('node(%s) answers exactly like a missing object', async (_what, id, who) => {
    const res = await t.gql('query($id: ID!) { node(id: $id) { __typename id } }', { id: id() }, { token: who && tokens[who] });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ node: null });
    expect(res.body.errors).toBeUndefined();
  });
});

describe('arguments: oversized and control-character text', () => {
  it('a 100,000-character directory search is answered (capped), not an error', async () => {
    const res = await t.gql('query($s: String) { organizations(filter: { search: $s }) { totalCount } }', { s: '证'.repeat(100_000) });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.organizations.totalCount).toBe(0);
  });

  it('a 5,000-character policy search full of tsquery syntax is answered, not an error', async () => {
    const res = await t.gql('query($s: String) { policyInterpretations(search: $s) { totalCount } }', { s: `适当性 & !( | :* <-> "' \\ %_ `.repeat(200).slice(0, 5000) });
    expectCodes(res);
    expect(res.body.errors).toBeUndefined();
  });

  it.each([
    ['title 121 characters', { title: '长'.repeat(121) }, 'title', 'TOO_LONG'],
    ['body 10,001 characters', { body: '长'.repeat(10_001) }, 'body', 'TOO_LONG'],
    ['body of 500,000 characters', { body: 'x'.repeat(500_000) }, 'body', 'TOO_LONG'],
    ['a NUL in the title', { title: '标题\u0000' }, 'title', 'INVALID'],
    ['a bell in the body', { body: '正文\u0007' }, 'body', 'INVALID'],
    ['a right-to-left override in the body', { body: '正文\u202Etxt.exe' }, 'body', 'INVALID'],
    ['a newline in the title', { title: '标题\n第二行' }, 'title', 'INVALID'],
    ['a zero-width space in the title (a look-alike)', { title: '华泰\u200B证券' }, 'title', 'INVALID'],
    ['a line separator in the body', { body: '第一段\u2028第二段' }, 'body', 'INVALID'],
    ['a tag character in the title', { title: '标题\u{E0041}' }, 'title', 'INVALID'],
    ['a lone surrogate in the title', { title: '标题\uD800' }, 'title', 'INVALID'],
    ['a NUL in the idempotency key', { idempotencyKey: 'key\u0000' }, 'idempotencyKey', 'INVALID'],
    ['a 129-character idempotency key', { idempotencyKey: 'k'.repeat(129) }, 'idempotencyKey', 'INVALID'],
    ['a title of only spaces', { title: '   \t  ' }, 'title', 'REQUIRED'],
  ])('submitSuggestion with %s is a userError and writes nothing', async (_what, change, field, code) => {
    const errors = await userErrors(SUBMIT, { i: { topic: 'QIANHAI', title: '标题', body: '正文', ...change } }, tokens.firm);
    expect(errors).toContainEqual({ field: ['input', field], code });
  });

  it('control characters in other mutations are userErrors too (contact name, webhook host, service account name)', async () => {
    expect(await userErrors('mutation($o: ID!) { addContact(input: { organizationId: $o, name: "张\u0007三" }) { contact { id } userErrors { field code } } }', { o: ids.firmOrg }, tokens.firm)).toContainEqual({
      field: ['input', 'name'],
      code: 'INVALID',
    });
    expect(
      await userErrors('mutation { createWebhookSubscription(input: { url: "https://exa\u0000mple.test/hook", eventTypes: [SUGGESTION_SUBMITTED] }) { webhookSubscription { id } userErrors { field code } } }', {}, tokens.association),
    ).toContainEqual({ field: ['input', 'url'], code: 'INVALID' });
    expect(await userErrors('mutation { createServiceAccount(input: { name: "系统\u0000", role: REGULATOR }) { serviceAccount { id } userErrors { field code } } }', {}, tokens.association)).toContainEqual({
      field: ['input', 'name'],
      code: 'INVALID',
    });
  });

  it('NUL and control characters in read filters find nothing instead of failing', async () => {
    const nul = 'a\u0000b\u0007';
    for (const [query, token] of [
      ['query($s: String) { organizations(filter: { search: $s }) { totalCount } }', undefined],
      ['query($s: String) { policyInterpretations(search: $s) { totalCount } }', undefined],
      ['query($s: String) { policyInterpretations(tag: $s) { totalCount } }', undefined],
      ['query($s: String!) { organization(creditCode: $s) { id } }', undefined],
      ['query($s: String) { dataAccessLog(filter: { resource: $s, actorSubject: $s }) { totalCount } }', tokens.association],
      ['query($s: String) { webhookDeliveries(filter: { eventId: $s }) { totalCount } }', tokens.association],
    ] as const) {
      const res = await t.gql(query, { s: nul }, { token });
      expectCodes(res);
      expect(res.body.errors, `${query}: ${res.text}`).toBeUndefined();
    }
  });
});

describe('arguments: malformed IDs, dates and codes', () => {
  it.each([
    ['garbage', () => 'garbage'],
    ['the wrong type', () => ids.firmOrg],
    ['a key past the integer range', () => encodeGlobalId('Suggestion', 9_999_999_999)],
  ])('withdrawSuggestion with %s as id is NOT_FOUND and writes nothing', async (_what, id) => {
    expect(await userErrors('mutation($id: ID!) { withdrawSuggestion(input: { id: $id }) { suggestion { id } userErrors { field code } } }', { id: id() }, tokens.firm)).toEqual([
      { field: ['input', 'id'], code: 'NOT_FOUND' },
    ]);
  });

  it('forwardSuggestions with malformed IDs is a userError and writes nothing', async () => {
    const errors = await userErrors(
      'mutation($ids: [ID!]!) { forwardSuggestions(input: { ids: $ids, recipient: SAC }) { referenceNumber userErrors { field code } } }',
      { ids: ['garbage', encodeGlobalId('Suggestion', 9_999_999_999)] },
      tokens.association,
    );
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => ['NOT_FOUND', 'INVALID', 'INVALID_STATE'].includes(e.code))).toBe(true);
  });

  it.each(['2026-02-30', '2026-13-01', '2026-1-1', '26-01-01', '２０２６-01-01', '2026-01-01T00:00:00Z', 'yesterday', ''])(
    'the Date %j in variables is 400 BAD_USER_INPUT',
    async (deadline) => {
      const res = await t.gql(
        'mutation($d: Date!) { createSuggestionCampaign(input: { title: "日期", documentNumber: "深证协函〔2026〕99号", topics: [OTHER], invitedKinds: [OTHER], deadline: $d }) { userErrors { code } } }',
        { d: deadline },
        { token: tokens.association },
      );
      expectRefused(res, 400, 'BAD_USER_INPUT');
    },
  );

  it('a malformed Date written in the document is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await t.gql('{ reports { suggestionSummary(from: "2026-02-30") { count } } }', undefined, { token: tokens.association });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it.each(['not-a-code', '91440300MA5WC9CB1A', "' or '1'='1", '９１４４０３００ＭＡ５ＷＣ９ＣＢ１９', 'x'.repeat(10_000)])('organization(creditCode: %j) is simply null', async (code) => {
    const res = await t.gql('query($c: String!) { organization(creditCode: $c) { id } }', { c: code });
    expect(res.body).toMatchObject({ data: { organization: null } });
    expect(res.body.errors).toBeUndefined();
  });

  it('createOrganization with a malformed credit code is INVALID and writes nothing', async () => {
    const errors = await userErrors(
      'mutation { createOrganization(input: { kind: OTHER, name: "测试机构", creditCode: "91440300MA5WC9CB1A" }) { organization { id } userErrors { field code } } }',
      {},
      tokens.association,
    );
    expect(errors).toContainEqual({ field: ['input', 'creditCode'], code: 'INVALID' });
  });

  it('an Int argument past 2^31 written in the document is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    expectRefused(await t.gql('{ branchRatings(year: 2147483648) { totalCount } }', undefined, { token: tokens.association }), 400, 'GRAPHQL_VALIDATION_FAILED');
  });
});

describe('arguments: SQL text is only ever text', () => {
  it.each(["' OR 1=1 --", "'; drop table organizations; --", '%', '_', '\\', '") or ("1"="1'])('the directory search %j matches nothing and breaks nothing', async (search) => {
    const res = await t.gql('query($s: String) { organizations(filter: { search: $s }) { totalCount } }', { s: search });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.organizations.totalCount).toBe(0);
    expectNoLeak(res.text);
  });

  it('SQL in a policy search is text: no error, the tables are intact', async () => {
    const res = await t.gql('query($s: String) { policyInterpretations(search: $s) { totalCount } }', { s: "'; delete from policy_interpretations; --" });
    expectCodes(res);
    expect(res.body.errors).toBeUndefined();
    const all = await t.gql('{ policyInterpretations(first: 1) { totalCount } }');
    expect(all.body.data.policyInterpretations.totalCount).toBeGreaterThan(0);
  });
});
