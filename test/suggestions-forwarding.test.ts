// Forwarding to several recipients (issue 24): recipients as data kept by each association, one suggestion forwarded to
// several bodies each with its own reference number and response, the contract's enum input still working, and the
// consolidated forwarding letter (汇总报告) page with its authorization and escaping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { encodeGlobalId } from '../src/global-id.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { cast, FORWARD, mutate, REVIEW, submit, newInput, suggestionIn, writes, type Cast } from './support/suggestions.js';

let t: TestApp;
let c: Cast;
beforeAll(async () => {
  t = await createTestApp();
  c = await cast(t);
});
afterAll(async () => {
  await t?.close();
});

const RECIPIENTS = `query($all: Boolean) { suggestionRecipients(first: 50, filter: { includeRetired: $all }) { totalCount edges { node { id code name shortName retired association { code } } } } }`;
const FORWARD_TO = `mutation($ids: [ID!]!, $recipientIds: [ID!], $recipient: GovernmentRecipient, $note: String) {
  forwardSuggestions(input: { ids: $ids, recipientIds: $recipientIds, recipient: $recipient, note: $note }) {
    referenceNumber
    forwardings { id referenceNumber recipient recipientBody { name } letterUrl }
    suggestions { id status forwarding { referenceNumber } forwardings { id status forwarding { referenceNumber } recipient { name } } }
    userErrors { field code }
  }
}`;
const CREATE = `mutation($name: String!, $short: String) { createSuggestionRecipient(input: { name: $name, shortName: $short }) { suggestionRecipient { id name shortName code retired } userErrors { field code } } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renameSuggestionRecipient(input: { id: $id, name: $name }) { suggestionRecipient { id name } userErrors { field code } } }`;
const RETIRE = `mutation($id: ID!) { retireSuggestionRecipient(input: { id: $id }) { suggestionRecipient { id retired } userErrors { field code } } }`;
const RESPOND_TO = `mutation($id: ID!, $response: String!, $outcome: ResponseOutcome!) {
  recordForwardingResponse(input: { id: $id, response: $response, outcome: $outcome }) { forwardingEntry { id status response responseOutcome } userErrors { field code } }
}`;

async function recipients(token: string | undefined, all = false) {
  const res = await t.gql(RECIPIENTS, { all }, { token });
  expect(res.body.errors).toBeUndefined();
  const conn = res.body.data.suggestionRecipients;
  return { totalCount: conn.totalCount as number, nodes: conn.edges.map((e: any) => e.node) as { id: string; code: string | null; name: string; shortName: string | null; retired: boolean; association: { code: string } }[] };
}

async function recipientId(name: string, token = c.tokens.association): Promise<string> {
  const found = (await recipients(token, true)).nodes.find((r) => r.name === name);
  expect(found, name).toBeDefined();
  return found!.id;
}

describe('recipients', () => {
  it("every association starts with the bodies suggestions go to; staff see their association's, the regulator all, anonymous none", async () => {
    const szsa = await recipients(c.tokens.association);
    expect(szsa.nodes.map((r) => r.name)).toEqual(
      expect.arrayContaining(['深圳市地方金融管理局', '深圳市发展和改革委员会', '深圳市前海深港现代服务业合作区管理局', '河套深港科技创新合作区深圳园区发展署', '中国证券监督管理委员会深圳监管局', '中国证券业协会', '深圳证券交易所']),
    );
    expect(new Set(szsa.nodes.map((r) => r.association.code))).toEqual(new Set(['SZSA']));
    expect(szsa.nodes.find((r) => r.shortName === '前海管理局')?.code).toBeNull();
    expect(szsa.nodes.find((r) => r.code === 'SZ_FINANCIAL_REGULATOR')?.name).toBe('深圳市地方金融管理局');
    const szlca = await recipients(c.tokens.szlca);
    expect(new Set(szlca.nodes.map((r) => r.association.code))).toEqual(new Set(['SZLCA']));
    expect((await recipients(c.tokens.regulator)).totalCount).toBe(szsa.totalCount + szlca.totalCount);
    expect((await recipients(undefined)).totalCount).toBe(0);
    // Another association's recipient through node looks missing.
    const res = await t.gql(`query($id: ID!) { node(id: $id) { id } }`, { id: szsa.nodes[0]!.id }, { token: c.tokens.szlca });
    expect(res.body.data.node).toBeNull();
  });

  it('staff add, rename and retire their own recipients; bad names and another association\'s rows are userErrors that write nothing', async () => {
    const created = await mutate(t, CREATE, { name: '深圳市测试管理局', short: '测试局' }, c.tokens.association);
    expect(created.userErrors).toEqual([]);
    expect(created.suggestionRecipient).toMatchObject({ name: '深圳市测试管理局', shortName: '测试局', code: null, retired: false });
    const id = created.suggestionRecipient.id;
    expect((await mutate(t, CREATE, { name: '深圳市测试管理局' }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'name'], code: 'DUPLICATE' }]);
    expect((await mutate(t, CREATE, { name: '  ' }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'name'], code: 'REQUIRED' }]);
    expect((await mutate(t, CREATE, { name: '长'.repeat(101) }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'name'], code: 'TOO_LONG' }]);
    expect((await mutate(t, RENAME, { id, name: '深圳市测试改名局' }, c.tokens.szlca)).userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    expect((await mutate(t, RETIRE, { id }, c.tokens.szlca)).userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    const renamed = await mutate(t, RENAME, { id, name: '深圳市测试改名局' }, c.tokens.association);
    expect(renamed.suggestionRecipient.name).toBe('深圳市测试改名局');
    expect((await mutate(t, RETIRE, { id }, c.tokens.association)).suggestionRecipient.retired).toBe(true);
    expect((await mutate(t, RETIRE, { id }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    expect((await recipients(c.tokens.association)).nodes.some((r) => r.id === id)).toBe(false);
    expect((await recipients(c.tokens.association, true)).nodes.some((r) => r.id === id)).toBe(true);
    // Firms and the regulator do not keep recipients.
    for (const token of [c.tokens.firm, c.tokens.regulator]) {
      const res = await t.gql(CREATE, { name: '越权局' }, { token });
      expect(res.body.errors?.[0]?.extensions?.code ?? res.body.data?.createSuggestionRecipient?.userErrors?.[0]?.code).toBeTruthy();
    }
  });
});

describe('forwarding to several recipients', () => {
  it('one call makes one batch per recipient, each with its own number; the first is the primary forwarding', async () => {
    const a = await suggestionIn(t, c, 'ACCEPTED');
    const b = await suggestionIn(t, c, 'ACCEPTED', c.tokens.firmB);
    const qianhai = await recipientId('深圳市前海深港现代服务业合作区管理局');
    const drc = await recipientId('深圳市发展和改革委员会');
    const p = await mutate(t, FORWARD_TO, { ids: [a, b], recipientIds: [qianhai, drc], note: '汇总报送' }, c.tokens.association);
    expect(p.userErrors).toEqual([]);
    expect(p.forwardings).toHaveLength(2);
    expect(p.forwardings.map((f: any) => f.recipientBody.name)).toEqual(['深圳市前海深港现代服务业合作区管理局', '深圳市发展和改革委员会']);
    expect(p.forwardings.map((f: any) => f.recipient)).toEqual(['OTHER', 'OTHER']);
    expect(p.referenceNumber).toBe(p.forwardings[0].referenceNumber);
    expect(p.forwardings[0].referenceNumber).not.toBe(p.forwardings[1].referenceNumber);
    for (const s of p.suggestions) {
      expect(s.status).toBe('FORWARDED');
      expect(s.forwarding.referenceNumber).toBe(p.referenceNumber);
      expect(s.forwardings.map((f: any) => [f.status, f.recipient.name])).toEqual([
        ['FORWARDED', '深圳市前海深港现代服务业合作区管理局'],
        ['FORWARDED', '深圳市发展和改革委员会'],
      ]);
    }

    // Later, the same suggestion goes to one more body; never twice to the same.
    const szse = await recipientId('深圳证券交易所');
    const more = await mutate(t, FORWARD_TO, { ids: [a], recipientIds: [szse] }, c.tokens.association);
    expect(more.userErrors).toEqual([]);
    expect(more.suggestions[0].forwardings).toHaveLength(3);
    expect(more.suggestions[0].forwarding.referenceNumber).toBe(p.referenceNumber);
    const before = await writes(t);
    expect((await mutate(t, FORWARD_TO, { ids: [a], recipientIds: [drc] }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'ids', '0'], code: 'DUPLICATE' }]);
    expect(await writes(t)).toEqual(before);

    // Each recipient's response on its own forwarding; the primary one's is the suggestion's.
    const entries = more.suggestions[0].forwardings;
    const second = await mutate(t, RESPOND_TO, { id: entries[1].id, response: '已研究，部分采纳', outcome: 'PARTIALLY_ADOPTED' }, c.tokens.association);
    expect(second.forwardingEntry).toMatchObject({ status: 'RESPONDED', responseOutcome: 'PARTIALLY_ADOPTED' });
    let s = (await t.gql(`query($id: ID!) { node(id: $id) { ... on Suggestion { status responseOutcome forwardings { status responseOutcome } } } }`, { id: a }, { token: c.tokens.firm })).body.data.node;
    expect(s.status).toBe('FORWARDED');
    expect(s.forwardings.map((f: any) => f.status)).toEqual(['FORWARDED', 'RESPONDED', 'FORWARDED']);
    expect((await mutate(t, RESPOND_TO, { id: entries[1].id, response: '再次', outcome: 'ADOPTED' }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    expect((await mutate(t, RESPOND_TO, { id: entries[0].id, response: '采纳', outcome: 'ADOPTED' }, c.tokens.szlca)).userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    await mutate(t, RESPOND_TO, { id: entries[0].id, response: '采纳', outcome: 'ADOPTED' }, c.tokens.association);
    s = (await t.gql(`query($id: ID!) { node(id: $id) { ... on Suggestion { status responseOutcome response forwardings { status } } } }`, { id: a }, { token: c.tokens.firm })).body.data.node;
    expect(s).toMatchObject({ status: 'RESPONDED', responseOutcome: 'ADOPTED', response: '采纳' });
  });

  it('the contract\'s enum input maps to the association\'s row; exactly one of recipient and recipientIds', async () => {
    const a = await suggestionIn(t, c, 'ACCEPTED');
    const p = await mutate(t, FORWARD, { ids: [a], recipient: 'SZ_FINANCIAL_REGULATOR' }, c.tokens.association);
    expect(p.userErrors).toEqual([]);
    const row = (await t.gql(`query($id: ID!) { node(id: $id) { ... on Suggestion { forwarding { recipient recipientBody { name code } } } } }`, { id: a }, { token: c.tokens.association })).body.data.node;
    expect(row.forwarding).toEqual({ recipient: 'SZ_FINANCIAL_REGULATOR', recipientBody: { name: '深圳市地方金融管理局', code: 'SZ_FINANCIAL_REGULATOR' } });
    const b = await suggestionIn(t, c, 'ACCEPTED');
    const retired = (await mutate(t, CREATE, { name: `停用测试局${Date.now()}` }, c.tokens.association)).suggestionRecipient.id;
    await mutate(t, RETIRE, { id: retired }, c.tokens.association);
    const before = await writes(t);
    const sac = await recipientId('中国证券业协会');
    expect((await mutate(t, FORWARD_TO, { ids: [b] }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'recipientIds'], code: 'REQUIRED' }]);
    expect((await mutate(t, FORWARD_TO, { ids: [b], recipient: 'SAC', recipientIds: [sac] }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'recipientIds'], code: 'INVALID' }]);
    expect((await mutate(t, FORWARD_TO, { ids: [b], recipientIds: [] }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'recipientIds'], code: 'REQUIRED' }]);
    // Another association's recipient, garbage and a retired one.
    const szlcaSac = (await recipients(c.tokens.szlca)).nodes.find((r) => r.code === 'SAC')!.id;
    expect((await mutate(t, FORWARD_TO, { ids: [b], recipientIds: [szlcaSac, 'garbage'] }, c.tokens.association)).userErrors).toEqual([
      { field: ['input', 'recipientIds', '0'], code: 'NOT_FOUND' },
      { field: ['input', 'recipientIds', '1'], code: 'NOT_FOUND' },
    ]);
    expect((await mutate(t, FORWARD_TO, { ids: [b], recipientIds: [retired] }, c.tokens.association)).userErrors).toEqual([{ field: ['input', 'recipientIds', '0'], code: 'INVALID_STATE' }]);
    expect(await writes(t)).toEqual(before);
  });
});

describe('the consolidated forwarding letter (汇总报告)', () => {
  it('lists the batch\'s suggestions with topics and submitting members, escaped; for the forwarding association and the regulator only', async () => {
    const evil = await submit(t, c.tokens.firm, newInput({ topic: 'HETAO', title: '<script>alert(1)</script>关于河套的建议', body: '正文 & <b>加粗</b>' }));
    const plain = await suggestionIn(t, c, 'ACCEPTED', c.tokens.firmB);
    await mutate(t, REVIEW, { id: evil.id, decision: 'ACCEPT' }, c.tokens.association);
    const hetao = await recipientId('河套深港科技创新合作区深圳园区发展署');
    const p = await mutate(t, FORWARD_TO, { ids: [evil.id, plain], recipientIds: [hetao] }, c.tokens.association);
    expect(p.userErrors).toEqual([]);
    const url: string = p.forwardings[0].letterUrl;
    expect(url).toMatch(/^\/reports\/suggestion-forwardings\/[A-Za-z0-9_-]+\.html$/);

    const get = (token?: string, path = url) => fetch(`${t.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const res = await get(c.tokens.association);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const html = await res.text();
    expect(html).toContain(p.forwardings[0].referenceNumber);
    expect(html).toContain('河套深港科技创新合作区深圳园区发展署');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;关于河套的建议');
    expect(html).not.toContain('<script>');
    expect(html).toContain('正文 &amp; &lt;b&gt;加粗&lt;/b&gt;');
    expect(html).toContain('河套合作区');
    const orgs = (await t.gql(`query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Organization { name } } b: node(id: $b) { ... on Organization { name } } }`, { a: c.firmOrgId, b: c.firmBOrgId })).body.data;
    expect(html).toContain(orgs.a.name);
    expect(html).toContain(orgs.b.name);

    expect((await get(c.tokens.regulator)).status).toBe(200);
    // Another association, the submitting firm, anonymous: exactly like a batch that does not exist.
    for (const token of [c.tokens.szlca, c.tokens.firm, undefined]) expect((await get(token)).status).toBe(404);
    expect((await get(c.tokens.association, `/reports/suggestion-forwardings/${encodeGlobalId('SuggestionForwarding', 999999)}.html`)).status).toBe(404);
    expect((await get(c.tokens.association, `/reports/suggestion-forwardings/${encodeGlobalId('Suggestion', 1)}.html`)).status).toBe(404);
    expect((await get(c.tokens.association, '/reports/suggestion-forwardings/%3Cx%3E.html')).status).toBe(404);
    expect((await get('not-a-token')).status).toBe(401);
    // Those who may not read it get no letterUrl.
    const firmView = (await t.gql(`query($id: ID!) { node(id: $id) { ... on Suggestion { forwarding { letterUrl } } } }`, { id: plain }, { token: c.tokens.firmB })).body.data.node;
    expect(firmView.forwarding.letterUrl).toBeNull();
    expect(ASSOCIATION_IDS.SZSA).toBe(1);
  });
});
