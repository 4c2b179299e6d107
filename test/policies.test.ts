import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../src/auth/viewer.js';
import { createPolicyInterpretation } from '../src/policies/policies.service.js';
import { createTestApp, type TestApp } from './support/harness.js';
import {
  listPage,
  listTitles,
  mayList,
  mayRead,
  ROLES,
  roleTokens,
  rowCounts,
  SEEDED,
  seededIds,
  seededKeyOf,
  type Role,
  type Seeded,
} from './support/policies.js';

let t: TestApp;
let tokens: Record<Role, string | undefined>;
let ids: Record<Seeded, string>;

beforeAll(async () => {
  // Rate limiting has its own tests; these files send many requests as one viewer.
  t = await createTestApp({ RATE_LIMIT_POINTS: '100000000' });
  tokens = await roleTokens(t);
  ids = await seededIds(t, tokens.association!);
});
afterAll(async () => {
  await t?.close();
});

const seededKeys = Object.keys(SEEDED) as Seeded[];

/** Every page of the list, following endCursor. */
async function allPages(token: string | undefined, args: { first: number; search?: string; tag?: string; status?: string }) {
  const titles: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 50; guard++) {
    const page = await listPage(t, token, { ...args, after });
    titles.push(...page.edges.map((e) => e.node.title));
    if (!page.pageInfo.hasNextPage) return titles;
    after = page.pageInfo.endCursor!;
  }
  throw new Error('paging did not end');
}

const CREATE = `mutation($input: CreatePolicyInterpretationInput!) {
  createPolicyInterpretation(input: $input) {
    policyInterpretation { id title status audience revision publishedAt tags source { title documentNumber issuer effectiveOn } sources { title documentNumber documentType issuedOn effectiveOn validity } qa { question answer sourceArticle } }
    userErrors { field message code }
  }
}`;
const UPDATE = `mutation($input: UpdatePolicyInterpretationInput!) {
  updatePolicyInterpretation(input: $input) {
    policyInterpretation { id title revision status sources { title documentNumber } revisions { revision title note authorRole sources { documentNumber } } }
    userErrors { field message code }
  }
}`;
const PUBLISH = `mutation($id: ID!) { publishPolicyInterpretation(input: { id: $id }) { policyInterpretation { id status publishedAt } userErrors { field code message } } }`;
const ARCHIVE = `mutation($id: ID!) { archivePolicyInterpretation(input: { id: $id }) { policyInterpretation { id status archivedAt } userErrors { field code message } } }`;
const NODE = `query($id: ID!) { node(id: $id) { __typename ... on PolicyInterpretation { id title status } } }`;

const draftInput = (overrides: Record<string, unknown> = {}) => ({
  title: '白鹭湾试点业务指引解读',
  summary: '测试用解读：白鹭湾试点业务的要点。',
  body: '## 背景\n\n白鹭湾试点业务是为测试编写的虚构业务。\n\n## 要点\n\n1. 试点期间按季度报送。',
  audience: 'MEMBERS',
  tags: ['测试', '白鹭湾'],
  source: { title: '关于修改《证券公司分类监管规定》的决定', documentNumber: '证监会公告[2020]42号', issuer: '中国证券监督管理委员会', effectiveOn: '2020-07-10' },
  ...overrides,
});

describe('who reads which policy interpretations', () => {
  it.each(ROLES)('%s lists exactly the interpretations it may read, and totalCount agrees', async (role) => {
    const page = await listPage(t, tokens[role], { first: 100 });
    const keys = page.edges.map((e) => seededKeyOf(e.node.title));
    expect(new Set(keys)).toEqual(new Set(seededKeys.filter((k) => mayList(role, k))));
    expect(page.totalCount).toBe(page.edges.length);
    for (const e of page.edges) expect(e.node.status).not.toBe('ARCHIVED');
    if (role !== 'association' && role !== 'regulator') for (const e of page.edges) expect(e.node.status).toBe('PUBLISHED');
  });

  it('anonymous viewers see 3 public interpretations, members 8, staff 10 (drafts included, the archived one excluded)', async () => {
    const counts = await Promise.all(ROLES.map(async (r) => (await listPage(t, tokens[r], { first: 1 })).totalCount));
    expect(counts).toEqual([3, 8, 8, 10, 10]);
  });

  it.each(ROLES)('%s pages through the list newest first without repeats or gaps', async (role) => {
    const all = await listTitles(t, tokens[role], { first: 100 });
    const paged = await allPages(tokens[role], { first: 3 });
    expect(paged).toEqual(all);
  });

  it.each(ROLES)('%s gets null from node, nodes and policyInterpretation(id) for every interpretation it may not read', async (role) => {
    const all = seededKeys.map((k) => ids[k]);
    const nodes = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on PolicyInterpretation { id title } } }`, { ids: all }, { token: tokens[role] });
    expect(nodes.body.errors).toBeUndefined();
    for (const [i, key] of seededKeys.entries()) {
      const node = await t.gql(NODE, { id: ids[key] }, { token: tokens[role] });
      const lookup = await t.gql(`query($id: ID!) { policyInterpretation(id: $id) { id title } }`, { id: ids[key] }, { token: tokens[role] });
      const readable = mayRead(role, key);
      expect(node.body.errors).toBeUndefined();
      expect(node.body.data.node === null, `${role} node ${key}`).toBe(!readable);
      expect(lookup.body.data.policyInterpretation === null, `${role} lookup ${key}`).toBe(!readable);
      expect(nodes.body.data.nodes[i] === null, `${role} nodes ${key}`).toBe(!readable);
      if (readable) expect(node.body.data.node.__typename).toBe('PolicyInterpretation');
    }
  });

  it('a hidden interpretation looks exactly like a missing one', async () => {
    const missing = Buffer.from('PolicyInterpretation:999999').toString('base64url');
    const hidden = await t.gql(NODE, { id: ids.complianceDraft }, { token: tokens.firm });
    const absent = await t.gql(NODE, { id: missing }, { token: tokens.firm });
    expect([hidden.body.data, hidden.body.errors]).toEqual([absent.body.data, absent.body.errors]);
  });

  it('revision history is null for anonymous viewers, firms and listed companies, on the list and through node', async () => {
    for (const role of ['anonymous', 'firm', 'listed'] as const) {
      const res = await t.gql(`query($id: ID!) { policyInterpretations(first: 100) { edges { node { revisions { revision } } } } node(id: $id) { ... on PolicyInterpretation { revision revisions { revision title } } } }`, { id: ids.securitiesLaw }, { token: tokens[role] });
      expect(res.body.errors).toBeUndefined();
      for (const e of res.body.data.policyInterpretations.edges) expect(e.node.revisions).toBeNull();
      expect(res.body.data.node).toEqual({ revision: 2, revisions: null });
    }
  });

  it('staff read the revision history, newest first, with each revision as it read then', async () => {
    for (const role of ['association', 'regulator'] as const) {
      const res = await t.gql(`query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { revision revisions { revision title note authorRole qa { question } } } } }`, { id: ids.securitiesLaw }, { token: tokens[role] });
      const node = res.body.data.node;
      expect(node.revision).toBe(2);
      expect(node.revisions.map((r: any) => [r.revision, r.title])).toEqual([
        [2, '新《证券法》对证券公司及其分支机构的影响解读'],
        [1, '新《证券法》解读'],
      ]);
      expect(node.revisions[0].note).toContain('事后备案');
      expect(node.revisions[1].qa).toHaveLength(1);
      expect(node.revisions[0].qa.length).toBeGreaterThan(1);
    }
  });

  it('the status filter lists drafts and archived interpretations for staff only', async () => {
    for (const role of ['anonymous', 'firm', 'listed'] as const) {
      for (const status of ['DRAFT', 'ARCHIVED']) {
        const page = await listPage(t, tokens[role], { status, first: 100 });
        expect(page.edges).toEqual([]);
        expect(page.totalCount).toBe(0);
      }
    }
    const drafts = await listPage(t, tokens.regulator, { status: 'DRAFT', first: 100 });
    expect(drafts.edges.map((e) => seededKeyOf(e.node.title)).sort()).toEqual(['complianceDraft', 'investorEducationDraft']);
    expect(drafts.totalCount).toBe(2);
    const archived = await listPage(t, tokens.association, { status: 'ARCHIVED', first: 100 });
    expect(archived.edges.map((e) => seededKeyOf(e.node.title))).toEqual(['classification2020']);
  });

  it('the tag filter respects audience and drafts too', async () => {
    expect((await listTitles(t, tokens.firm, { tag: 'AML' })).map(seededKeyOf)).toEqual(['aml']);
    expect(await listTitles(t, tokens.anonymous, { tag: 'AML' })).toEqual([]);
    expect((await listTitles(t, tokens.anonymous, { tag: '投资者适当性' })).map(seededKeyOf)).toEqual(['suitability']);
    expect((await listTitles(t, tokens.association, { tag: '投资者适当性' })).map(seededKeyOf).sort()).toEqual(['investorEducationDraft', 'suitability']);
    const none = await listPage(t, tokens.association, { tag: '不存在的标签' });
    expect([none.edges, none.totalCount]).toEqual([[], 0]);
  });

  it('source documents come with their normalised numbers and metadata', async () => {
    const res = await t.gql(`query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { source { title documentNumber issuer effectiveOn } sources { documentType issuedOn validity } } } }`, { id: ids.dealerNotice }, { token: tokens.firm });
    expect(res.body.data.node.source).toEqual({
      title: '关于深圳地区证券营业部坚持守法合规经营反对不正当竞争的若干意见和通知',
      documentNumber: '深证协会字〔2011〕022号',
      issuer: '深圳市证券业协会',
      effectiveOn: null,
    });
    expect(res.body.data.node.sources).toEqual([{ documentType: 'SELF_REGULATORY_RULE', issuedOn: '2011-12-21', validity: null }]);
    const law = await t.gql(`query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { source { documentNumber effectiveOn } } } }`, { id: ids.securitiesLaw });
    expect(law.body.data.node.source).toEqual({ documentNumber: '中华人民共和国主席令第三十七号', effectiveOn: '2020-03-01' });
  });
});

describe('drafting, revising, publishing and archiving', () => {
  it.each(['anonymous', 'firm', 'listed'] as const)('%s cannot call any policy mutation, and nothing is written', async (role) => {
    const before = await rowCounts(t);
    const calls = [
      [CREATE, { input: draftInput() }],
      [UPDATE, { input: { id: ids.complianceDraft, title: '篡改' } }],
      [PUBLISH, { id: ids.complianceDraft }],
      [ARCHIVE, { id: ids.aml }],
    ] as const;
    for (const [query, variables] of calls) {
      const res = await t.gql(query, variables, { token: tokens[role] });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.body.data ?? null).toBeNull();
      expect(res.text).not.toContain('篡改');
      expect(res.text).not.toContain('合规管理办法');
    }
    expect(await rowCounts(t)).toEqual(before);
    const draft = await t.gql(NODE, { id: ids.complianceDraft }, { token: tokens.association });
    expect(draft.body.data.node.status).toBe('DRAFT');
  });

  it('the association drafts; the draft is hidden from members on every path until the regulator publishes it', async () => {
    const before = await rowCounts(t);
    const created = await t.gql(CREATE, { input: draftInput({ qa: [{ question: '白鹭湾试点何时开始？', answer: '以通知为准。', sourceArticle: '第三条' }] }) }, { token: tokens.association });
    expect(created.body.data.createPolicyInterpretation.userErrors).toEqual([]);
    const draft = created.body.data.createPolicyInterpretation.policyInterpretation;
    expect(draft).toMatchObject({ status: 'DRAFT', audience: 'MEMBERS', revision: 1, publishedAt: null, tags: ['测试', '白鹭湾'] });
    expect(draft.source).toEqual({ title: '关于修改《证券公司分类监管规定》的决定', documentNumber: '证监会公告〔2020〕42号', issuer: '中国证券监督管理委员会', effectiveOn: '2020-07-10' });
    expect(draft.qa).toEqual([{ question: '白鹭湾试点何时开始？', answer: '以通知为准。', sourceArticle: '第三条' }]);
    expect(await rowCounts(t)).toEqual({ ...before, interpretations: before.interpretations + 1, sources: before.sources + 1, revisions: before.revisions + 1, audit: before.audit + 1 });

    const firmView = async () => {
      const list = await listPage(t, tokens.firm, { first: 100 });
      const search = await listPage(t, tokens.firm, { search: '白鹭湾' });
      const tag = await listPage(t, tokens.firm, { tag: '白鹭湾' });
      const node = await t.gql(NODE, { id: draft.id }, { token: tokens.firm });
      const nodes = await t.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [draft.id] }, { token: tokens.firm });
      return {
        inList: list.edges.some((e) => e.node.id === draft.id),
        total: list.totalCount,
        search: [search.edges.length, search.totalCount],
        tag: [tag.edges.length, tag.totalCount],
        node: node.body.data.node,
        nodes: nodes.body.data.nodes,
      };
    };
    expect(await firmView()).toEqual({ inList: false, total: 8, search: [0, 0], tag: [0, 0], node: null, nodes: [null] });
    const staff = await listPage(t, tokens.regulator, { search: '白鹭湾' });
    expect(staff.edges.map((e) => e.node.id)).toEqual([draft.id]);

    const published = await t.gql(PUBLISH, { id: draft.id }, { token: tokens.regulator });
    expect(published.body.data.publishPolicyInterpretation.userErrors).toEqual([]);
    expect(published.body.data.publishPolicyInterpretation.policyInterpretation.status).toBe('PUBLISHED');
    expect(published.body.data.publishPolicyInterpretation.policyInterpretation.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const after = await firmView();
    expect(after).toMatchObject({ inList: true, total: 9, search: [1, 1], tag: [1, 1], node: { id: draft.id, status: 'PUBLISHED' }, nodes: [{ id: draft.id }] });
    // MEMBERS only: anonymous viewers still cannot read it.
    expect((await t.gql(NODE, { id: draft.id })).body.data.node).toBeNull();
    expect((await listPage(t, undefined, { search: '白鹭湾' })).totalCount).toBe(0);

    const again = await t.gql(PUBLISH, { id: draft.id }, { token: tokens.association });
    expect(again.body.data.publishPolicyInterpretation).toEqual({ policyInterpretation: null, userErrors: [expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'id'] })] });
  });

  it('edits are saved as new revisions, earlier ones stay readable by staff, and search follows the latest text', async () => {
    const created = await t.gql(CREATE, { input: draftInput({ title: '红树林试点业务解读', tags: ['红树林'] }) }, { token: tokens.association });
    const id = created.body.data.createPolicyInterpretation.policyInterpretation.id;
    const edit = await t.gql(UPDATE, {
      input: {
        id,
        expectedRevision: 1,
        note: '改为引用2025年新规',
        title: '候鸟试点业务解读',
        sources: [
          { title: '证券公司分类评价规定', issuer: '中国证券监督管理委员会', effectiveOn: '2025-08-22' },
          { title: '证券期货业数据分类分级指引', documentNumber: 'JR/T0158-2018' },
        ],
      },
    }, { token: tokens.regulator });
    const payload = edit.body.data.updatePolicyInterpretation;
    expect(payload.userErrors).toEqual([]);
    expect(payload.policyInterpretation).toMatchObject({ title: '候鸟试点业务解读', revision: 2, status: 'DRAFT' });
    expect(payload.policyInterpretation.sources).toEqual([
      { title: '证券公司分类评价规定', documentNumber: null },
      { title: '证券期货业数据分类分级指引', documentNumber: 'JR/T 0158—2018' },
    ]);
    expect(payload.policyInterpretation.revisions).toEqual([
      { revision: 2, title: '候鸟试点业务解读', note: '改为引用2025年新规', authorRole: 'REGULATOR', sources: [{ documentNumber: null }, { documentNumber: 'JR/T 0158—2018' }] },
      { revision: 1, title: '红树林试点业务解读', note: null, authorRole: 'ASSOCIATION', sources: [{ documentNumber: '证监会公告〔2020〕42号' }] },
    ]);
    expect((await listPage(t, tokens.association, { search: '候鸟' })).edges.map((e) => e.node.id)).toEqual([id]);
    expect((await listPage(t, tokens.association, { search: '红树林试点' })).totalCount).toBe(0);

    // A stale edit (someone else saved revision 2 meanwhile) is refused and writes nothing.
    const before = await rowCounts(t);
    const stale = await t.gql(UPDATE, { input: { id, expectedRevision: 1, title: '过期的修改' } }, { token: tokens.association });
    expect(stale.body.data.updatePolicyInterpretation).toEqual({ policyInterpretation: null, userErrors: [expect.objectContaining({ code: 'INVALID_STATE', field: ['input', 'expectedRevision'] })] });
    // An edit that changes nothing saves no revision.
    const same = await t.gql(UPDATE, { input: { id, title: '候鸟试点业务解读', tags: ['红树林'] } }, { token: tokens.association });
    expect(same.body.data.updatePolicyInterpretation.policyInterpretation.revision).toBe(2);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('archiving removes an interpretation from lists, search and counts but keeps its page for those who may read it', async () => {
    const beforeTotal = (await listPage(t, tokens.firm, { first: 1 })).totalCount;
    const res = await t.gql(ARCHIVE, { id: ids.classification2025 }, { token: tokens.association });
    expect(res.body.data.archivePolicyInterpretation.userErrors).toEqual([]);
    expect(res.body.data.archivePolicyInterpretation.policyInterpretation).toMatchObject({ status: 'ARCHIVED', archivedAt: expect.any(String) });
    for (const role of ROLES) {
      expect((await listTitles(t, tokens[role], { first: 100 })).map(seededKeyOf)).not.toContain('classification2025');
      expect((await listTitles(t, tokens[role], { search: '分类评价' })).map(seededKeyOf)).not.toContain('classification2025');
    }
    expect((await listPage(t, tokens.firm, { first: 1 })).totalCount).toBe(beforeTotal - 1);
    expect((await t.gql(NODE, { id: ids.classification2025 }, { token: tokens.firm })).body.data.node.status).toBe('ARCHIVED');
    expect((await t.gql(NODE, { id: ids.classification2025 }, { token: tokens.anonymous })).body.data.node).toBeNull();

    const edit = await t.gql(UPDATE, { input: { id: ids.classification2025, title: '改' } }, { token: tokens.association });
    expect(edit.body.data.updatePolicyInterpretation.userErrors[0].code).toBe('INVALID_STATE');
    const publish = await t.gql(PUBLISH, { id: ids.classification2025 }, { token: tokens.association });
    expect(publish.body.data.publishPolicyInterpretation.userErrors[0].code).toBe('INVALID_STATE');
    const archive = await t.gql(ARCHIVE, { id: ids.classification2025 }, { token: tokens.association });
    expect(archive.body.data.archivePolicyInterpretation.userErrors[0].code).toBe('INVALID_STATE');
  });

  it('a write that fails midway (here: a source row the database refuses) leaves nothing behind', async () => {
    const before = await rowCounts(t);
    const association: Viewer = { role: 'ASSOCIATION', subject: 'test:association', organizationId: null };
    // GraphQL would refuse this enum value; called directly, the interpretation row is written before the database
    // rejects the source row, and the transaction must take the interpretation (and its revision) back with it.
    await expect(
      createPolicyInterpretation(t.database.db, association, {
        title: '半途失败', summary: '摘要', body: '正文', audience: 'PUBLIC',
        sources: [{ title: '文件', documentType: 'NOT_A_TYPE' as never }],
      }),
    ).rejects.toThrow();
    expect(await rowCounts(t)).toEqual(before);
    expect(await listTitles(t, tokens.association, { search: '半途失败' })).toEqual([]);
  });

  it('unknown, malformed and foreign ids answer NOT_FOUND', async () => {
    const organization = (await t.gql(`{ organizations(first: 1) { edges { node { id } } } }`)).body.data.organizations.edges[0].node.id;
    for (const id of [Buffer.from('PolicyInterpretation:999999').toString('base64url'), 'garbage', organization]) {
      const res = await t.gql(PUBLISH, { id }, { token: tokens.association });
      expect(res.body.data.publishPolicyInterpretation).toEqual({ policyInterpretation: null, userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'id'] })] });
    }
  });
});

describe('bad input gets userErrors and writes nothing', () => {
  const cases: [string, Record<string, unknown>, { code: string; field: string[] }][] = [
    ['a title over 120 characters', { title: '题'.repeat(121) }, { code: 'TOO_LONG', field: ['input', 'title'] }],
    ['a blank title', { title: '   ' }, { code: 'REQUIRED', field: ['input', 'title'] }],
    ['a title with a NUL', { title: '标题\u0000' }, { code: 'INVALID', field: ['input', 'title'] }],
    ['a title with a line break', { title: '标题\n第二行' }, { code: 'INVALID', field: ['input', 'title'] }],
    ['a summary over 500 characters', { summary: '摘'.repeat(501) }, { code: 'TOO_LONG', field: ['input', 'summary'] }],
    ['a body over 20,000 characters', { body: '正'.repeat(20_001) }, { code: 'TOO_LONG', field: ['input', 'body'] }],
    ['a body with a bidi override', { body: '正文\u202E反转' }, { code: 'INVALID', field: ['input', 'body'] }],
    ['eleven tags', { tags: Array.from({ length: 11 }, (_, i) => `标签${i}`) }, { code: 'TOO_LONG', field: ['input', 'tags'] }],
    ['a tag over 20 characters', { tags: ['好', '签'.repeat(21)] }, { code: 'TOO_LONG', field: ['input', 'tags', '1'] }],
    ['an empty tag', { tags: [''] }, { code: 'REQUIRED', field: ['input', 'tags', '0'] }],
    ['a document number with a two-digit year', { source: { title: '文件', documentNumber: '证监会公告〔13〕17号' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['a document number without a sequence', { source: { title: '文件', documentNumber: '证监会公告〔2013〕号' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['a document number without an issuer', { source: { title: '文件', documentNumber: '〔2013〕17号' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['a document number that is plain text', { source: { title: '文件', documentNumber: 'see attachment' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['a document number with markup', { source: { title: '文件', documentNumber: '<b>证监会</b>〔2013〕17号' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['a document number from the future', { source: { title: '文件', documentNumber: '证监会公告〔2999〕1号' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['an order number zero', { source: { title: '文件', documentNumber: '证监会令第0号' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['a standard number with a short year', { source: { title: '文件', documentNumber: 'JR/T 0158—18' } }, { code: 'INVALID', field: ['input', 'source', 'documentNumber'] }],
    ['an oversized document number', { source: { title: '文件', documentNumber: `证监会公告〔2013〕${'1'.repeat(80)}号` } }, { code: 'TOO_LONG', field: ['input', 'source', 'documentNumber'] }],
    ['an effective date before the issue date', { source: { title: '文件', issuedOn: '2020-03-01', effectiveOn: '2019-12-28' } }, { code: 'INVALID', field: ['input', 'source', 'effectiveOn'] }],
    ['a source without a title', { source: { title: ' ' } }, { code: 'REQUIRED', field: ['input', 'source', 'title'] }],
    ['both source and sources', { sources: [{ title: '文件' }] }, { code: 'INVALID', field: ['input', 'sources'] }],
    ['eleven sources', { source: null, sources: Array.from({ length: 11 }, (_, i) => ({ title: `文件${i}` })) }, { code: 'TOO_LONG', field: ['input', 'sources'] }],
    ['a bad number in the second of several sources', { source: null, sources: [{ title: '甲' }, { title: '乙', documentNumber: '第17号' }] }, { code: 'INVALID', field: ['input', 'sources', '1', 'documentNumber'] }],
    ['thirty-one Q&A items', { qa: Array.from({ length: 31 }, () => ({ question: '问', answer: '答' })) }, { code: 'TOO_LONG', field: ['input', 'qa'] }],
    ['an empty answer', { qa: [{ question: '问', answer: '' }] }, { code: 'REQUIRED', field: ['input', 'qa', '0', 'answer'] }],
  ];

  it.each(cases)('creating with %s', async (_name, overrides, expected) => {
    const before = await rowCounts(t);
    const res = await t.gql(CREATE, { input: draftInput(overrides) }, { token: tokens.association });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const payload = res.body.data.createPolicyInterpretation;
    expect(payload.policyInterpretation).toBeNull();
    expect(payload.userErrors).toContainEqual(expect.objectContaining(expected));
    for (const e of payload.userErrors) expect(e.message.length).toBeGreaterThan(0);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('reports every problem at once, in the language asked for', async () => {
    const res = await t.gql(CREATE, { input: draftInput({ title: '', summary: '摘'.repeat(501), source: { title: '文件', documentNumber: 'x' } }) }, { token: tokens.association, headers: { 'accept-language': 'en' } });
    const errors = res.body.data.createPolicyInterpretation.userErrors;
    expect(errors.map((e: any) => e.field.join('.')).sort()).toEqual(['input.source.documentNumber', 'input.summary', 'input.title']);
    expect(errors.find((e: any) => e.field.includes('documentNumber')).message).toMatch(/^documentNumber is not a document number/);
  });

  it('an edit with a bad document number or an oversized body saves no revision', async () => {
    const before = await rowCounts(t);
    const res = await t.gql(UPDATE, { input: { id: ids.complianceDraft, body: '正'.repeat(20_001), sources: [{ title: '文件', documentNumber: '令第130号' }], note: '注'.repeat(201) } }, { token: tokens.association });
    const payload = res.body.data.updatePolicyInterpretation;
    expect(payload.policyInterpretation).toBeNull();
    expect(payload.userErrors.map((e: any) => [e.code, e.field.join('.')]).sort()).toEqual([
      ['INVALID', 'input.sources.0.documentNumber'],
      ['TOO_LONG', 'input.body'],
      ['TOO_LONG', 'input.note'],
    ]);
    expect(await rowCounts(t)).toEqual(before);
    const node = await t.gql(`query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { revision } } }`, { id: ids.complianceDraft }, { token: tokens.association });
    expect(node.body.data.node.revision).toBe(2);
  });

  it('accepts document numbers typed with [], 【】, full-width digits or a hyphen and stores the official form', async () => {
    const res = await t.gql(CREATE, {
      input: draftInput({
        source: null,
        sources: [
          { title: '甲', documentNumber: '中证协发【2012】213号' },
          { title: '乙', documentNumber: ' 证监会公告（２０１３）１７号 ' },
          { title: '丙', documentNumber: 'jr/t 0158-2018' },
          { title: '丁', documentNumber: '中国证券监督管理委员会令第166号' },
          { title: '戊', documentNumber: '中国人民银行令[2021]第3号' },
        ],
      }),
    }, { token: tokens.association });
    expect(res.body.data.createPolicyInterpretation.userErrors).toEqual([]);
    expect(res.body.data.createPolicyInterpretation.policyInterpretation.sources.map((s: any) => s.documentNumber)).toEqual([
      '中证协发〔2012〕213号',
      '证监会公告〔2013〕17号',
      'JR/T 0158—2018',
      '中国证券监督管理委员会令第166号',
      '中国人民银行令〔2021〕第3号',
    ]);
  });
});

describe('SQL statements', () => {
  const member: Viewer = { role: 'FIRM', subject: 'test:firm', organizationId: 1 };
  const staff: Viewer = { role: 'ASSOCIATION', subject: 'test:association', organizationId: null };
  const NESTED = `query($first: Int!, $search: String) {
    policyInterpretations(first: $first, search: $search) {
      totalCount
      edges { node { id title tags qa { question } source { title documentNumber } sources { title documentNumber issuer effectiveOn documentType } } }
    }
  }`;

  it.each([
    ['a member, the plain list', member, undefined],
    ['staff, the plain list', staff, undefined],
    ['a member, a search', member, '证券'],
  ] as const)('%s with nested source documents costs the same statements at 2 and 8 rows', async (_name, viewer, search) => {
    const small = await t.countedExecute(NESTED, { first: 2, search }, viewer);
    const large = await t.countedExecute(NESTED, { first: 8, search }, viewer);
    expect(small.body.errors).toBeUndefined();
    expect(large.body.errors).toBeUndefined();
    expect(small.body.data.policyInterpretations.edges).toHaveLength(2);
    expect(large.body.data.policyInterpretations.edges.length).toBeGreaterThan(2);
    expect(large.count).toBe(small.count);
    // rows, totalCount, source documents
    expect(large.count).toBe(3);
  });

  it('revision history for a whole page is one more statement', async () => {
    const query = `{ policyInterpretations(first: 10) { edges { node { id sources { title } revisions { revision sources { title } } } } } }`;
    const res = await t.countedExecute(query, {}, staff);
    expect(res.body.errors).toBeUndefined();
    expect(res.count).toBe(3);
  });
});
