// Policy interpretations (政策解读): the rules in policies.service.ts (content checks, revisions, publish and archive
// moves), and the GraphQL layer's reading rules per viewer, payloads, localized userErrors and global ids.
import { asc, count, eq, like } from 'drizzle-orm';
import { auditLogTable } from '../src/audit/audit.table.js';
import type { Viewer } from '../src/auth/viewer.js';
import type { DbOrTx } from '../src/db/client.js';
import { countStatements } from '../src/db/instrumentation.js';
import { encodeGlobalId } from '../src/global-id.js';
import {
  archivePolicyInterpretation,
  createPolicyInterpretation,
  loadSourcesByInterpretationIds,
  publishPolicyInterpretation,
  updatePolicyInterpretation,
  type CreatePolicyInterpretationInput,
} from '../src/policies/policies.service.js';
import { policyInterpretationsTable, policyRevisionsTable, policySourcesTable } from '../src/policies/policies.table.js';
import { anonymousViewer, associationViewer, domainErrorsOf, execute, firmViewer, makeContext, regulatorViewer } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { membershipsTable } from '../src/members/members.table.js';
import { insertOrganization, insertPolicyInterpretation as insertInterpretationRow, insertPolicyRevision, insertPolicySource } from './support/factories.js';
import { LIST, type ListArgs } from './support/policies.js';

const association = associationViewer();
const regulator = regulatorViewer();
/** Staff of the listed companies association (深圳上市公司协会). */
const szlca: Viewer = { ...associationViewer(), subject: 'test:association:szlca', associationId: ASSOCIATION_IDS.SZLCA };

/** An interpretation of the securities association unless another is given. */
const insertPolicyInterpretation: typeof insertInterpretationRow = (db, overrides = {}) =>
  insertInterpretationRow(db, { associationId: ASSOCIATION_IDS.SZSA, ...overrides });

/** The organization's membership in an association (kept if one exists). */
async function joinAssociation(db: DbOrTx, organizationId: number, associationId: number, status: 'ACTIVE' | 'SUSPENDED' | 'WITHDRAWN' = 'ACTIVE') {
  await db
    .insert(membershipsTable)
    .values({ organizationId, associationId, status })
    .onConflictDoUpdate({ target: [membershipsTable.associationId, membershipsTable.organizationId], set: { status } });
}

type Role = 'anonymous' | 'firm' | 'listed' | 'association' | 'regulator';
const ROLES: Role[] = ['anonymous', 'firm', 'listed', 'association', 'regulator'];
const READERS: Role[] = ['anonymous', 'firm', 'listed'];

/**
 * A viewer per role; the firm and the listed company act for organizations made here, members of their primary
 * associations: the firm of SZSA (whose interpretations the library holds), the listed company of SZLCA.
 */
async function viewersOf(db: DbOrTx): Promise<Record<Role, Viewer>> {
  const firm = await insertOrganization(db);
  const listed = await insertOrganization(db, { kind: 'LISTED_COMPANY' });
  await joinAssociation(db, firm.id, ASSOCIATION_IDS.SZSA);
  await joinAssociation(db, listed.id, ASSOCIATION_IDS.SZLCA);
  return { anonymous: anonymousViewer, firm: firmViewer(firm), listed: firmViewer(listed), association, regulator };
}

// ---------------------------------------------------------------- a library of every audience and status

/** One interpretation of each kind (two of each published one), inserted in this order: newest last. */
const LIBRARY = {
  public1: { audience: 'PUBLIC', status: 'PUBLISHED', tags: ['适当性'] },
  members1: { audience: 'MEMBERS', status: 'PUBLISHED', tags: ['反洗钱'] },
  publicDraft: { audience: 'PUBLIC', status: 'DRAFT', tags: ['适当性'] },
  membersDraft: { audience: 'MEMBERS', status: 'DRAFT', tags: [] },
  publicArchived: { audience: 'PUBLIC', status: 'ARCHIVED', tags: ['适当性'] },
  membersArchived: { audience: 'MEMBERS', status: 'ARCHIVED', tags: ['反洗钱'] },
  public2: { audience: 'PUBLIC', status: 'PUBLISHED', tags: [] },
  members2: { audience: 'MEMBERS', status: 'PUBLISHED', tags: [] },
} as const;
type Key = keyof typeof LIBRARY;
const KEYS = Object.keys(LIBRARY) as Key[];

/**
 * What each role may read (node, nodes, policyInterpretation): the library's association's staff and the regulator
 * all; its members the published ones; anonymous viewers and members of other associations (the listed company, a
 * member of SZLCA only) the public published ones.
 */
const READS: Record<Role, Key[]> = {
  anonymous: ['public1', 'publicArchived', 'public2'],
  firm: ['public1', 'members1', 'publicArchived', 'membersArchived', 'public2', 'members2'],
  listed: ['public1', 'publicArchived', 'public2'],
  association: KEYS,
  regulator: KEYS,
};
/** What each role lists: what it reads, archived ones never, newest first. */
const LISTS = Object.fromEntries(
  ROLES.map((role) => [role, READS[role].filter((k) => LIBRARY[k].status !== 'ARCHIVED').reverse()]),
) as Record<Role, Key[]>;

/** Only the library: the seeded interpretations are deleted inside the test's transaction, so lists and counts are exact. */
async function library(db: DbOrTx) {
  await db.delete(policyInterpretationsTable);
  const rows = {} as Record<Key, { id: number; gid: string; title: string }>;
  for (const key of KEYS) {
    const { audience, status, tags } = LIBRARY[key];
    const row = await insertPolicyInterpretation(db, { audience, status, tags: [...tags] });
    rows[key] = { id: row.id, gid: encodeGlobalId('PolicyInterpretation', row.id), title: row.title };
  }
  const keyOf = (gid: string) => KEYS.find((k) => rows[k].gid === gid);
  return { rows, keyOf };
}

// ---------------------------------------------------------------- GraphQL documents and small helpers

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
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on PolicyInterpretation { id title } } }`;
const LOOKUP = `query($id: ID!) { policyInterpretation(id: $id) { id title } }`;

const draftInput = (overrides: Record<string, unknown> = {}) => ({
  title: '白鹭湾试点业务指引解读',
  summary: '测试用解读：白鹭湾试点业务的要点。',
  body: '## 背景\n\n白鹭湾试点业务是为测试编写的虚构业务。\n\n## 要点\n\n1. 试点期间按季度报送。',
  audience: 'MEMBERS',
  tags: ['测试', '白鹭湾'],
  source: { title: '关于修改《证券公司分类监管规定》的决定', documentNumber: '证监会公告[2020]42号', issuer: '中国证券监督管理委员会', effectiveOn: '2020-07-10' },
  ...overrides,
});

type ListPage = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string; title: string; status: string } }[] };

/** One page of the list as `viewer`; fails the test on GraphQL errors. */
async function listPage(db: DbOrTx, viewer: Viewer, args: ListArgs = {}): Promise<ListPage> {
  const res = await execute(makeContext(db, viewer), LIST, { ...args });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.policyInterpretations;
}
const idsOf = (page: ListPage) => page.edges.map((e) => e.node.id);

/** Every page of the list, following endCursor. */
async function allPages(db: DbOrTx, viewer: Viewer, first: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 50; guard++) {
    const page = await listPage(db, viewer, { first, after });
    ids.push(...idsOf(page));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor!;
  }
  throw new Error('paging did not end');
}

const codesOf = (errors: { code: string; field: string[] | null }[]) => errors.map(({ code, field }) => ({ code, field }));

async function rowCounts(db: DbOrTx) {
  const n = async (table: typeof policyInterpretationsTable | typeof policySourcesTable | typeof policyRevisionsTable | typeof auditLogTable) =>
    (await db.select({ n: count() }).from(table))[0]!.n;
  return { interpretations: await n(policyInterpretationsTable), sources: await n(policySourcesTable), revisions: await n(policyRevisionsTable), audit: await n(auditLogTable) };
}

async function currentRevision(db: DbOrTx, id: number) {
  const [row] = await db.select({ revision: policyInterpretationsTable.revision }).from(policyInterpretationsTable).where(eq(policyInterpretationsTable.id, id));
  return row!.revision;
}

// ---------------------------------------------------------------- reading

describe('who reads which policy interpretations', () => {
  test.for(ROLES)('%s lists exactly the interpretations it may read, newest first, and totalCount agrees', async (role, { tx }) => {
    const viewers = await viewersOf(tx);
    const { keyOf } = await library(tx);
    const page = await listPage(tx, viewers[role], { first: 100 });
    expect(idsOf(page).map(keyOf)).toEqual(LISTS[role]);
    expect(page.totalCount).toBe(page.edges.length);
    for (const e of page.edges) expect(e.node.status).not.toBe('ARCHIVED');
    if (!READERS.includes(role)) return;
    for (const e of page.edges) expect(e.node.status).toBe('PUBLISHED');
  });

  test('anonymous viewers and other associations\' members count the public published ones, members the published ones, staff drafts too, the archived ones never', async ({ tx }) => {
    const viewers = await viewersOf(tx);
    await library(tx);
    const counts = [];
    for (const role of ROLES) counts.push((await listPage(tx, viewers[role], { first: 1 })).totalCount);
    expect(counts).toEqual([2, 4, 2, 6, 6]);
  });

  test.for(ROLES)('%s pages through the list newest first without repeats or gaps', async (role, { tx }) => {
    const viewers = await viewersOf(tx);
    const { keyOf } = await library(tx);
    const paged = await allPages(tx, viewers[role], 1);
    expect(paged.map(keyOf)).toEqual(LISTS[role]);
    expect(await allPages(tx, viewers[role], 3)).toEqual(paged);
  });

  test.for(ROLES)('%s gets null from node, nodes and policyInterpretation(id) for every interpretation it may not read', async (role, { tx }) => {
    const viewers = await viewersOf(tx);
    const { rows } = await library(tx);
    const ctx = makeContext(tx, viewers[role]);
    const nodes = await execute(ctx, NODES, { ids: KEYS.map((k) => rows[k].gid) });
    expect(nodes.errors).toBeUndefined();
    for (const [i, key] of KEYS.entries()) {
      const readable = READS[role].includes(key);
      const node = await execute(ctx, NODE, { id: rows[key].gid });
      const lookup = await execute(ctx, LOOKUP, { id: rows[key].gid });
      expect(node.errors).toBeUndefined();
      expect(node.data.node, `${role} node ${key}`).toEqual(readable ? { __typename: 'PolicyInterpretation', id: rows[key].gid, title: rows[key].title, status: LIBRARY[key].status } : null);
      expect(lookup.data.policyInterpretation, `${role} lookup ${key}`).toEqual(readable ? { id: rows[key].gid, title: rows[key].title } : null);
      expect(nodes.data.nodes[i], `${role} nodes ${key}`).toEqual(readable ? { id: rows[key].gid, title: rows[key].title } : null);
    }
  });

  test('a hidden interpretation looks exactly like a missing one', async ({ tx }) => {
    const { firm } = await viewersOf(tx);
    const { rows } = await library(tx);
    const ctx = makeContext(tx, firm);
    const hidden = await execute(ctx, NODE, { id: rows.membersDraft.gid });
    const absent = await execute(ctx, NODE, { id: encodeGlobalId('PolicyInterpretation', 999_999) });
    expect(hidden.data).toEqual({ node: null });
    expect([hidden.data, hidden.errors]).toEqual([absent.data, absent.errors]);
  });

  /** A public, published interpretation at revision 2, with both revisions stored as they read then. */
  async function revisedInterpretation(db: DbOrTx) {
    const row = await insertPolicyInterpretation(db, { title: '新规解读（第二版）', status: 'PUBLISHED', revision: 2, qa: [{ question: '问一', answer: '答一', sourceArticle: null }, { question: '问二', answer: '答二', sourceArticle: null }] });
    const first = { title: '新规解读', summary: row.summary, body: row.body, audience: row.audience, tags: [], qa: [{ question: '问一', answer: '答一', sourceArticle: null }], sources: [] };
    await insertPolicyRevision(db, { interpretationId: row.id, revision: 1, content: first });
    await insertPolicyRevision(db, { interpretationId: row.id, revision: 2, note: '补充事后备案的问答', actorRole: 'REGULATOR', actorSub: 'test:regulator:' });
    return encodeGlobalId('PolicyInterpretation', row.id);
  }

  test('revision history is null for anonymous viewers, firms and listed companies, on the list and through node', async ({ tx }) => {
    const viewers = await viewersOf(tx);
    const id = await revisedInterpretation(tx);
    const query = `query($id: ID!) { policyInterpretations(first: 100) { edges { node { id revisions { revision } } } } node(id: $id) { ... on PolicyInterpretation { revision revisions { revision title } } } }`;
    for (const role of READERS) {
      const res = await execute(makeContext(tx, viewers[role]), query, { id });
      expect(res.errors).toBeUndefined();
      expect(res.data.policyInterpretations.edges.map((e: any) => e.node.id)).toContain(id);
      for (const e of res.data.policyInterpretations.edges) expect(e.node.revisions).toBeNull();
      expect(res.data.node, role).toEqual({ revision: 2, revisions: null });
    }
  });

  test('staff read the revision history, newest first, with each revision as it read then', async ({ tx }) => {
    const id = await revisedInterpretation(tx);
    const query = `query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { revision revisions { revision title note authorRole qa { question } } } } }`;
    for (const viewer of [association, regulator]) {
      const res = await execute(makeContext(tx, viewer), query, { id });
      expect(res.data.node, viewer.role).toEqual({
        revision: 2,
        revisions: [
          { revision: 2, title: '新规解读（第二版）', note: '补充事后备案的问答', authorRole: 'REGULATOR', qa: [{ question: '问一' }, { question: '问二' }] },
          { revision: 1, title: '新规解读', note: null, authorRole: 'ASSOCIATION', qa: [{ question: '问一' }] },
        ],
      });
    }
  });

  test('the status filter lists drafts and archived interpretations for staff only', async ({ tx }) => {
    const viewers = await viewersOf(tx);
    const { keyOf } = await library(tx);
    for (const role of READERS) {
      for (const status of ['DRAFT', 'ARCHIVED']) {
        const page = await listPage(tx, viewers[role], { status, first: 100 });
        expect([page.edges, page.totalCount], `${role} ${status}`).toEqual([[], 0]);
      }
    }
    const drafts = await listPage(tx, regulator, { status: 'DRAFT', first: 100 });
    expect([idsOf(drafts).map(keyOf), drafts.totalCount]).toEqual([['membersDraft', 'publicDraft'], 2]);
    const archived = await listPage(tx, association, { status: 'ARCHIVED', first: 100 });
    expect(idsOf(archived).map(keyOf)).toEqual(['membersArchived', 'publicArchived']);
    // Asking for PUBLISHED is the plain list for everyone.
    expect(idsOf(await listPage(tx, viewers.firm, { status: 'PUBLISHED', first: 100 })).map(keyOf)).toEqual(LISTS.firm);
  });

  test('the tag filter respects audience, drafts and archiving too', async ({ tx }) => {
    const viewers = await viewersOf(tx);
    const { keyOf } = await library(tx);
    const tagged = async (role: Role, tag: string) => idsOf(await listPage(tx, viewers[role], { tag, first: 100 })).map(keyOf);
    expect(await tagged('firm', '反洗钱')).toEqual(['members1']);
    expect(await tagged('anonymous', '反洗钱')).toEqual([]);
    expect(await tagged('anonymous', '适当性')).toEqual(['public1']);
    expect(await tagged('association', '适当性')).toEqual(['publicDraft', 'public1']);
    const none = await listPage(tx, association, { tag: '不存在的标签' });
    expect([none.edges, none.totalCount]).toEqual([[], 0]);
  });

  test('source is the first of the source documents, which come in their given order with their metadata', async ({ tx }) => {
    const { firm } = await viewersOf(tx);
    const row = await insertPolicyInterpretation(tx, { status: 'PUBLISHED', audience: 'MEMBERS' });
    await insertPolicySource(tx, { interpretationId: row.id, title: '甲通知', documentNumber: '深证协会字〔2011〕022号', issuer: '深圳市证券业协会', issuedOn: '2011-12-21', effectiveOn: null, validity: null });
    await insertPolicySource(tx, { interpretationId: row.id, title: '乙法律', documentNumber: '中华人民共和国主席令第三十七号', issuer: null, documentType: 'LAW', issuedOn: '2019-12-28', effectiveOn: '2020-03-01', validity: 'IN_FORCE' });
    const res = await execute(makeContext(tx, firm), `query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { source { title documentNumber issuer effectiveOn } sources { title documentType issuedOn validity } } } }`, {
      id: encodeGlobalId('PolicyInterpretation', row.id),
    });
    expect(res.data.node).toEqual({
      source: { title: '甲通知', documentNumber: '深证协会字〔2011〕022号', issuer: '深圳市证券业协会', effectiveOn: null },
      sources: [
        { title: '甲通知', documentType: 'SELF_REGULATORY_RULE', issuedOn: '2011-12-21', validity: null },
        { title: '乙法律', documentType: 'LAW', issuedOn: '2019-12-28', validity: 'IN_FORCE' },
      ],
    });
  });

  test('the seeded interpretations carry their source documents in the official form and the 证券法 one its two revisions', async ({ tx }) => {
    const gidOf = async (prefix: string) => {
      const [row] = await tx.select({ id: policyInterpretationsTable.id }).from(policyInterpretationsTable).where(like(policyInterpretationsTable.title, `${prefix}%`));
      return encodeGlobalId('PolicyInterpretation', row!.id);
    };
    const { firm } = await viewersOf(tx);
    const dealer = await execute(makeContext(tx, firm), `query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { source { title documentNumber issuer effectiveOn } sources { documentType issuedOn validity } } } }`, {
      id: await gidOf('坚持守法合规经营'),
    });
    expect(dealer.data.node).toEqual({
      source: { title: '关于深圳地区证券营业部坚持守法合规经营反对不正当竞争的若干意见和通知', documentNumber: '深证协会字〔2011〕022号', issuer: '深圳市证券业协会', effectiveOn: null },
      sources: [{ documentType: 'SELF_REGULATORY_RULE', issuedOn: '2011-12-21', validity: null }],
    });
    const lawId = await gidOf('新《证券法》');
    const law = await execute(makeContext(tx, anonymousViewer), `query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { source { documentNumber effectiveOn } } } }`, { id: lawId });
    expect(law.data.node.source).toEqual({ documentNumber: '中华人民共和国主席令第三十七号', effectiveOn: '2020-03-01' });
    const history = await execute(makeContext(tx, regulator), `query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { revision revisions { revision title note qa { question } } } } }`, { id: lawId });
    const node = history.data.node;
    expect(node.revisions.map((r: any) => [r.revision, r.title])).toEqual([
      [2, '新《证券法》对证券公司及其分支机构的影响解读'],
      [1, '新《证券法》解读'],
    ]);
    expect(node.revision).toBe(2);
    expect(node.revisions[0].note).toContain('事后备案');
    expect(node.revisions[1].qa).toHaveLength(1);
    expect(node.revisions[0].qa.length).toBeGreaterThan(1);
  });
});

// ---------------------------------------------------------------- writing

describe('drafting, revising, publishing and archiving', () => {
  test.for(READERS)('%s cannot call any policy mutation, and nothing is written', async (role, { tx }) => {
    const viewers = await viewersOf(tx);
    const draft = await insertPolicyInterpretation(tx, { title: '合规管理办法解读（草稿）', audience: 'MEMBERS' });
    const published = await insertPolicyInterpretation(tx, { status: 'PUBLISHED', audience: 'MEMBERS' });
    const draftId = encodeGlobalId('PolicyInterpretation', draft.id);
    const before = await rowCounts(tx);
    const calls = [
      [CREATE, { input: draftInput() }],
      [UPDATE, { input: { id: draftId, title: '篡改' } }],
      [PUBLISH, { id: draftId }],
      [ARCHIVE, { id: encodeGlobalId('PolicyInterpretation', published.id) }],
    ] as const;
    for (const [query, variables] of calls) {
      const res = await execute(makeContext(tx, viewers[role]), query, variables);
      expect(res.errors?.[0]?.extensions?.code, `${role} ${query.slice(0, 40)}`).toBe('FORBIDDEN');
      expect(res.data ?? null).toBeNull();
      const text = JSON.stringify(res);
      expect(text).not.toContain('篡改');
      expect(text).not.toContain('合规管理办法');
    }
    expect(await rowCounts(tx)).toEqual(before);
    const [after] = await tx.select().from(policyInterpretationsTable).where(eq(policyInterpretationsTable.id, draft.id));
    expect(after).toMatchObject({ status: 'DRAFT', title: draft.title, revision: 1 });
    // The same publish as the association goes through: the refusals above are about the viewer.
    expect((await execute(makeContext(tx, association), PUBLISH, { id: draftId })).data?.publishPolicyInterpretation.userErrors).toEqual([]);
  });

  test('the association drafts; the draft is hidden from members on every path until the regulator publishes it', async ({ tx }) => {
    const { firm } = await viewersOf(tx);
    const before = await rowCounts(tx);
    const created = await execute(makeContext(tx, association), CREATE, { input: draftInput({ qa: [{ question: '白鹭湾试点何时开始？', answer: '以通知为准。', sourceArticle: '第三条' }] }) });
    expect(created.data.createPolicyInterpretation.userErrors).toEqual([]);
    const draft = created.data.createPolicyInterpretation.policyInterpretation;
    expect(draft).toMatchObject({ status: 'DRAFT', audience: 'MEMBERS', revision: 1, publishedAt: null, tags: ['测试', '白鹭湾'] });
    expect(draft.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(draft.source).toEqual({ title: '关于修改《证券公司分类监管规定》的决定', documentNumber: '证监会公告〔2020〕42号', issuer: '中国证券监督管理委员会', effectiveOn: '2020-07-10' });
    expect(draft.qa).toEqual([{ question: '白鹭湾试点何时开始？', answer: '以通知为准。', sourceArticle: '第三条' }]);
    expect(await rowCounts(tx)).toEqual({ interpretations: before.interpretations + 1, sources: before.sources + 1, revisions: before.revisions + 1, audit: before.audit + 1 });

    const membersTotal = (await listPage(tx, firm, { first: 1 })).totalCount;
    const firmView = async () => {
      const ctx = makeContext(tx, firm);
      const list = await listPage(tx, firm, { first: 100 });
      const search = await listPage(tx, firm, { search: '白鹭湾' });
      const tag = await listPage(tx, firm, { tag: '白鹭湾' });
      const node = await execute(ctx, NODE, { id: draft.id });
      const nodes = await execute(ctx, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: [draft.id] });
      return {
        inList: idsOf(list).includes(draft.id),
        total: list.totalCount,
        search: [search.edges.length, search.totalCount],
        tag: [tag.edges.length, tag.totalCount],
        node: node.data.node,
        nodes: nodes.data.nodes,
      };
    };
    expect(await firmView()).toEqual({ inList: false, total: membersTotal, search: [0, 0], tag: [0, 0], node: null, nodes: [null] });
    expect(idsOf(await listPage(tx, regulator, { search: '白鹭湾' }))).toEqual([draft.id]);

    const published = await execute(makeContext(tx, regulator), PUBLISH, { id: draft.id });
    expect(published.data.publishPolicyInterpretation.userErrors).toEqual([]);
    expect(published.data.publishPolicyInterpretation.policyInterpretation).toMatchObject({ id: draft.id, status: 'PUBLISHED', publishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });

    expect(await firmView()).toMatchObject({ inList: true, total: membersTotal + 1, search: [1, 1], tag: [1, 1], node: { id: draft.id, status: 'PUBLISHED' }, nodes: [{ id: draft.id }] });
    // MEMBERS only: anonymous viewers still cannot read it.
    expect((await execute(makeContext(tx, anonymousViewer), NODE, { id: draft.id })).data.node).toBeNull();
    expect((await listPage(tx, anonymousViewer, { search: '白鹭湾' })).totalCount).toBe(0);

    const again = await execute(makeContext(tx, association), PUBLISH, { id: draft.id });
    expect(again.data.publishPolicyInterpretation).toEqual({ policyInterpretation: null, userErrors: [{ code: 'INVALID_STATE', field: ['input', 'id'], message: '该政策解读已发布' }] });
  });

  test('edits are saved as new revisions, earlier ones stay readable by staff, and search follows the latest text', async ({ tx }) => {
    const created = await createPolicyInterpretation(tx, association, draftInput({ title: '红树林试点业务解读', tags: ['红树林'] }) as CreatePolicyInterpretationInput);
    const id = encodeGlobalId('PolicyInterpretation', created.id);
    const edit = await execute(makeContext(tx, regulator), UPDATE, {
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
    });
    const payload = edit.data.updatePolicyInterpretation;
    expect(payload.userErrors).toEqual([]);
    expect(payload.policyInterpretation).toMatchObject({ id, title: '候鸟试点业务解读', revision: 2, status: 'DRAFT' });
    expect(payload.policyInterpretation.sources).toEqual([
      { title: '证券公司分类评价规定', documentNumber: null },
      { title: '证券期货业数据分类分级指引', documentNumber: 'JR/T 0158—2018' },
    ]);
    expect(payload.policyInterpretation.revisions).toEqual([
      { revision: 2, title: '候鸟试点业务解读', note: '改为引用2025年新规', authorRole: 'REGULATOR', sources: [{ documentNumber: null }, { documentNumber: 'JR/T 0158—2018' }] },
      { revision: 1, title: '红树林试点业务解读', note: null, authorRole: 'ASSOCIATION', sources: [{ documentNumber: '证监会公告〔2020〕42号' }] },
    ]);
    expect(idsOf(await listPage(tx, association, { search: '候鸟' }))).toEqual([id]);
    expect((await listPage(tx, association, { search: '红树林试点' })).totalCount).toBe(0);

    // A stale edit (someone else saved revision 2 meanwhile) is refused and writes nothing.
    const before = await rowCounts(tx);
    const stale = await domainErrorsOf(updatePolicyInterpretation(tx, association, created.id, { expectedRevision: 1, title: '过期的修改' }));
    expect(codesOf(stale)).toEqual([{ code: 'INVALID_STATE', field: ['input', 'expectedRevision'] }]);
    expect(stale[0]!.message.zh).toContain('第 2 版');
    // An edit that changes nothing saves no revision.
    expect(await updatePolicyInterpretation(tx, association, created.id, { title: '候鸟试点业务解读', tags: ['红树林'] })).toMatchObject({ revision: 2 });
    expect(await rowCounts(tx)).toEqual(before);
  });

  test('archiving removes an interpretation from lists, search and counts but keeps its page for those who may read it', async ({ tx }) => {
    const viewers = await viewersOf(tx);
    const row = await insertPolicyInterpretation(tx, { title: '证券公司分类评价规定解读', status: 'PUBLISHED', audience: 'MEMBERS' });
    const id = encodeGlobalId('PolicyInterpretation', row.id);
    expect(idsOf(await listPage(tx, viewers.firm, { search: '分类评价', first: 100 }))).toContain(id);
    const beforeTotal = (await listPage(tx, viewers.firm, { first: 1 })).totalCount;

    const res = await execute(makeContext(tx, association), ARCHIVE, { id });
    expect(res.data.archivePolicyInterpretation.userErrors).toEqual([]);
    expect(res.data.archivePolicyInterpretation.policyInterpretation).toMatchObject({ id, status: 'ARCHIVED', archivedAt: expect.any(String) });
    for (const role of ROLES) {
      expect(idsOf(await listPage(tx, viewers[role], { first: 100 })), role).not.toContain(id);
      expect(idsOf(await listPage(tx, viewers[role], { search: '分类评价', first: 100 })), role).not.toContain(id);
    }
    expect((await listPage(tx, viewers.firm, { first: 1 })).totalCount).toBe(beforeTotal - 1);
    expect((await execute(makeContext(tx, viewers.firm), NODE, { id })).data.node).toMatchObject({ id, status: 'ARCHIVED' });
    expect((await execute(makeContext(tx, anonymousViewer), NODE, { id })).data.node).toBeNull();

    // An archived interpretation is final: no edit, no publishing, no second archiving.
    expect(codesOf(await domainErrorsOf(updatePolicyInterpretation(tx, association, row.id, { title: '改' })))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'id'] }]);
    expect(codesOf(await domainErrorsOf(publishPolicyInterpretation(tx, association, row.id)))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'id'] }]);
    expect(codesOf(await domainErrorsOf(archivePolicyInterpretation(tx, association, row.id)))).toEqual([{ code: 'INVALID_STATE', field: ['input', 'id'] }]);
  });

  test('a write that fails midway (here: a source row the database refuses) leaves nothing behind', async ({ tx }) => {
    const before = await rowCounts(tx);
    // GraphQL would refuse this enum value; called directly, the interpretation row is written before the database
    // rejects the source row, and the service's savepoint must take the interpretation (and its revision) back with it.
    await expect(
      createPolicyInterpretation(tx, association, {
        title: '半途失败', summary: '摘要', body: '正文', audience: 'PUBLIC',
        sources: [{ title: '文件', documentType: 'NOT_A_TYPE' as never }],
      }),
    ).rejects.toThrow();
    expect(await rowCounts(tx)).toEqual(before);
    expect((await listPage(tx, association, { search: '半途失败' })).edges).toEqual([]);
  });

  test('unknown, malformed and foreign ids answer NOT_FOUND', async ({ tx }) => {
    const org = await insertOrganization(tx);
    for (const id of [encodeGlobalId('PolicyInterpretation', 999_999), 'garbage', encodeGlobalId('Organization', org.id)]) {
      const res = await execute(makeContext(tx, association), PUBLISH, { id });
      expect(res.data.publishPolicyInterpretation, id).toEqual({ policyInterpretation: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'id'], message: '政策解读不存在' }] });
    }
  });
});

// ---------------------------------------------------------------- content rules

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

  test.for(cases)('creating with %s', async ([, overrides, expected], { tx }) => {
    const before = await rowCounts(tx);
    const errors = await domainErrorsOf(createPolicyInterpretation(tx, association, draftInput(overrides) as CreatePolicyInterpretationInput));
    expect(codesOf(errors)).toContainEqual(expected);
    for (const e of errors) expect([e.message.zh.length > 0, e.message.en.length > 0], JSON.stringify(e)).toEqual([true, true]);
    expect(await rowCounts(tx)).toEqual(before);
  });

  test('reports every problem at once over GraphQL, in the language asked for', async ({ tx }) => {
    const input = draftInput({ title: '', summary: '摘'.repeat(501), source: { title: '文件', documentNumber: 'x' } });
    const en = await execute(makeContext(tx, association, { locale: 'en' }), CREATE, { input });
    expect(en.errors).toBeUndefined();
    expect(en.data.createPolicyInterpretation.policyInterpretation).toBeNull();
    const errors = en.data.createPolicyInterpretation.userErrors;
    expect(errors.map((e: any) => e.field.join('.')).sort()).toEqual(['input.source.documentNumber', 'input.summary', 'input.title']);
    expect(errors.find((e: any) => e.field.includes('documentNumber')).message).toMatch(/^documentNumber is not a document number/);
    const zh = await execute(makeContext(tx, association), CREATE, { input });
    expect(zh.data.createPolicyInterpretation.userErrors.find((e: any) => e.field.includes('documentNumber')).message).toMatch(/^发文字号格式无效/);
  });

  test('an edit with a bad document number, an oversized body and an overlong note saves no revision', async ({ tx }) => {
    const draft = await insertPolicyInterpretation(tx, { audience: 'MEMBERS' });
    const before = await rowCounts(tx);
    const errors = await domainErrorsOf(
      updatePolicyInterpretation(tx, association, draft.id, { body: '正'.repeat(20_001), sources: [{ title: '文件', documentNumber: '令第130号' }], note: '注'.repeat(201) }),
    );
    expect(errors.map((e) => [e.code, e.field!.join('.')]).sort()).toEqual([
      ['INVALID', 'input.sources.0.documentNumber'],
      ['TOO_LONG', 'input.body'],
      ['TOO_LONG', 'input.note'],
    ]);
    expect(await rowCounts(tx)).toEqual(before);
    expect(await currentRevision(tx, draft.id)).toBe(draft.revision);
  });

  test('accepts document numbers typed with [], 【】, full-width digits or a hyphen and stores the official form', async ({ tx }) => {
    const created = await createPolicyInterpretation(
      tx,
      association,
      draftInput({
        source: null,
        sources: [
          { title: '甲', documentNumber: '中证协发【2012】213号' },
          { title: '乙', documentNumber: ' 证监会公告（２０１３）１７号 ' },
          { title: '丙', documentNumber: 'jr/t 0158-2018' },
          { title: '丁', documentNumber: '中国证券监督管理委员会令第166号' },
          { title: '戊', documentNumber: '中国人民银行令[2021]第3号' },
        ],
      }) as CreatePolicyInterpretationInput,
    );
    const sources = await loadSourcesByInterpretationIds(tx, [created.id]);
    expect(sources.map((s) => s.documentNumber)).toEqual(['中证协发〔2012〕213号', '证监会公告〔2013〕17号', 'JR/T 0158—2018', '中国证券监督管理委员会令第166号', '中国人民银行令〔2021〕第3号']);
    const [revision] = await tx.select().from(policyRevisionsTable).where(eq(policyRevisionsTable.interpretationId, created.id)).orderBy(asc(policyRevisionsTable.revision));
    expect(revision!.content.sources.map((s) => s.documentNumber)).toEqual(sources.map((s) => s.documentNumber));
  });
});

// ---------------------------------------------------------------- statements per request

describe('several associations', () => {
  const REVISIONS = `query($id: ID!) { node(id: $id) { ... on PolicyInterpretation { id status revisions { revision } } } }`;

  test('another association\'s staff read its published interpretations (any audience) and none of its drafts, on every path', async ({ tx }) => {
    const { rows, keyOf } = await library(tx);
    const own = await insertPolicyInterpretation(tx, { associationId: ASSOCIATION_IDS.SZLCA, title: '上市公司协会的草稿', audience: 'MEMBERS' });
    const ownGid = encodeGlobalId('PolicyInterpretation', own.id);
    const page = await listPage(tx, szlca, { first: 100 });
    expect(idsOf(page)).toEqual([ownGid, ...['members2', 'public2', 'members1', 'public1'].map((k) => rows[k as Key].gid)]);
    expect(page.totalCount).toBe(5);
    expect(idsOf(page).map(keyOf).filter(Boolean)).toEqual(['members2', 'public2', 'members1', 'public1']);
    const ctx = makeContext(tx, szlca);
    for (const key of KEYS) {
      const readable = LIBRARY[key].status !== 'DRAFT';
      expect((await execute(ctx, NODE, { id: rows[key].gid })).data.node, key).toEqual(readable ? { __typename: 'PolicyInterpretation', id: rows[key].gid, title: rows[key].title, status: LIBRARY[key].status } : null);
      expect((await execute(ctx, LOOKUP, { id: rows[key].gid })).data.policyInterpretation, key).toEqual(readable ? { id: rows[key].gid, title: rows[key].title } : null);
    }
    // Drafts and archived ones by status: their own association's only.
    expect(idsOf(await listPage(tx, szlca, { status: 'DRAFT', first: 100 }))).toEqual([ownGid]);
    expect((await listPage(tx, szlca, { status: 'ARCHIVED', first: 100 })).totalCount).toBe(0);
    expect((await listPage(tx, szlca, { search: '测试摘要', status: 'DRAFT' })).edges.map((e) => e.node.id)).toEqual([ownGid]);
    // The securities association's staff see the listed companies association's draft nowhere.
    expect((await execute(makeContext(tx, association), NODE, { id: ownGid })).data.node).toBeNull();
    expect(idsOf(await listPage(tx, association, { first: 100 }))).not.toContain(ownGid);
    expect(idsOf(await listPage(tx, regulator, { status: 'DRAFT', first: 100 }))).toContain(ownGid);
  });

  test('revision history: its association\'s staff and the regulator; null for another association\'s staff', async ({ tx }) => {
    const szsaRow = await insertPolicyInterpretation(tx, { status: 'PUBLISHED' });
    await insertPolicyRevision(tx, { interpretationId: szsaRow.id, revision: 1 });
    const gid = encodeGlobalId('PolicyInterpretation', szsaRow.id);
    expect((await execute(makeContext(tx, szlca), REVISIONS, { id: gid })).data.node).toEqual({ id: gid, status: 'PUBLISHED', revisions: null });
    for (const viewer of [association, regulator]) {
      expect((await execute(makeContext(tx, viewer), REVISIONS, { id: gid })).data.node.revisions).toEqual([{ revision: 1 }]);
    }
    // The loader itself returns nothing of another association's, whoever calls it.
    const { loadRevisionsByInterpretationIds } = await import('../src/policies/policies.service.js');
    expect(await loadRevisionsByInterpretationIds(tx, szlca, [szsaRow.id])).toEqual([]);
  });

  test('another association\'s staff cannot revise, publish or archive its interpretations: NOT_FOUND, like a missing one, nothing written', async ({ tx }) => {
    const draft = await insertPolicyInterpretation(tx, { title: '深证协的草稿' });
    const published = await insertPolicyInterpretation(tx, { status: 'PUBLISHED' });
    const before = await rowCounts(tx);
    const missing = encodeGlobalId('PolicyInterpretation', 999_999);
    for (const row of [draft, published]) {
      const id = encodeGlobalId('PolicyInterpretation', row.id);
      for (const [query, variables, missingVariables, field] of [
        [UPDATE, { input: { id, title: '篡改' } }, { input: { id: missing, title: '篡改' } }, 'updatePolicyInterpretation'],
        [PUBLISH, { id }, { id: missing }, 'publishPolicyInterpretation'],
        [ARCHIVE, { id }, { id: missing }, 'archivePolicyInterpretation'],
      ] as const) {
        const res = await execute(makeContext(tx, szlca), query, variables);
        const absent = await execute(makeContext(tx, szlca), query, missingVariables);
        expect(res.data[field], `${field} ${row.status}`).toEqual({ policyInterpretation: null, userErrors: [{ code: 'NOT_FOUND', field: ['input', 'id'], message: '政策解读不存在' }] });
        expect(res).toEqual(absent);
      }
    }
    expect(await rowCounts(tx)).toEqual(before);
    const [after] = await tx.select().from(policyInterpretationsTable).where(eq(policyInterpretationsTable.id, draft.id));
    expect(after).toMatchObject({ status: 'DRAFT', title: '深证协的草稿', revision: 1 });
  });

  test('staff draft for their association; its MEMBERS interpretations reach its active members only; the regulator acts on any', async ({ tx }) => {
    const firm = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const suspended = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    await joinAssociation(tx, firm.id, ASSOCIATION_IDS.SZSA);
    await joinAssociation(tx, listed.id, ASSOCIATION_IDS.SZLCA);
    await joinAssociation(tx, suspended.id, ASSOCIATION_IDS.SZLCA, 'SUSPENDED');
    const created = await createPolicyInterpretation(tx, szlca, draftInput({ title: '上市公司信息披露解读' }) as CreatePolicyInterpretationInput);
    expect(created.associationId).toBe(ASSOCIATION_IDS.SZLCA);
    const id = encodeGlobalId('PolicyInterpretation', created.id);
    // The regulator publishes it (it acts on any association's).
    const published = await execute(makeContext(tx, regulator), PUBLISH, { id });
    expect(published.data.publishPolicyInterpretation.userErrors).toEqual([]);
    const reads = async (viewer: Viewer) => ({
      node: (await execute(makeContext(tx, viewer), NODE, { id })).data.node?.id ?? null,
      listed: idsOf(await listPage(tx, viewer, { search: '信息披露', first: 100 })).includes(id),
    });
    expect(await reads(firmViewer(listed))).toEqual({ node: id, listed: true });
    expect(await reads(firmViewer(firm))).toEqual({ node: null, listed: false });
    expect(await reads(firmViewer(suspended))).toEqual({ node: null, listed: false });
    expect(await reads(anonymousViewer)).toEqual({ node: null, listed: false });
    // Published: the securities association's staff read it too, but cannot archive it.
    expect(await reads(association)).toEqual({ node: id, listed: true });
    const archive = await execute(makeContext(tx, association), ARCHIVE, { id });
    expect(archive.data.archivePolicyInterpretation.userErrors).toEqual([{ code: 'NOT_FOUND', field: ['input', 'id'], message: '政策解读不存在' }]);
    expect((await execute(makeContext(tx, szlca), ARCHIVE, { id })).data.archivePolicyInterpretation.userErrors).toEqual([]);
    // The regulator's drafts belong to the securities association.
    expect((await createPolicyInterpretation(tx, regulator, draftInput() as CreatePolicyInterpretationInput)).associationId).toBe(ASSOCIATION_IDS.SZSA);
    expect((await createPolicyInterpretation(tx, association, draftInput() as CreatePolicyInterpretationInput)).associationId).toBe(ASSOCIATION_IDS.SZSA);
  });
});

describe('SQL statements', () => {
  const NESTED = `query($first: Int!, $search: String) {
    policyInterpretations(first: $first, search: $search) {
      totalCount
      edges { node { id title tags qa { question } source { title documentNumber } sources { title documentNumber issuer effectiveOn documentType } } }
    }
  }`;

  /** Eight public, published interpretations about 证券, two source documents each: enough for pages of 2 and 8. */
  async function eightWithSources(db: DbOrTx) {
    for (let i = 0; i < 8; i++) {
      const row = await insertPolicyInterpretation(db, { title: `证券公司测试解读${i}`, status: 'PUBLISHED', tags: ['证券'] });
      await insertPolicySource(db, { interpretationId: row.id });
      await insertPolicySource(db, { interpretationId: row.id });
    }
  }

  test.for([
    ['a member, the plain list', 'member', undefined],
    ['staff, the plain list', 'staff', undefined],
    ['a member, a search', 'member', '证券'],
  ] as const)('%s with nested source documents costs the same statements at 2 and 8 rows', async ([, who, search], { tx }) => {
    const viewer = who === 'staff' ? association : firmViewer(await insertOrganization(tx));
    await eightWithSources(tx);
    const run = (first: number) => countStatements(() => execute(makeContext(tx, viewer), NESTED, { first, search }));
    const small = await run(2);
    const large = await run(8);
    expect(small.result.errors).toBeUndefined();
    expect(large.result.errors).toBeUndefined();
    expect(small.result.data.policyInterpretations.edges).toHaveLength(2);
    expect(large.result.data.policyInterpretations.edges).toHaveLength(8);
    expect(large.count).toBe(small.count);
    // rows, totalCount, source documents
    expect(large.count).toBe(3);
  });

  test('revision history for a whole page is one more statement', async ({ tx }) => {
    await eightWithSources(tx);
    const query = `{ policyInterpretations(first: 10) { edges { node { id sources { title } revisions { revision sources { title } } } } } }`;
    const res = await countStatements(() => execute(makeContext(tx, association), query));
    expect(res.result.errors).toBeUndefined();
    expect(res.result.data.policyInterpretations.edges).toHaveLength(10);
    // rows, source documents, revisions
    expect(res.count).toBe(3);
  });
});
