// The best-practice library (优秀工作经验): submission (optionally anonymous), review by the association it was filed
// with, who reads what (audience, anonymity on every path), Chinese search and related policy interpretations.
import { count, eq } from 'drizzle-orm';
import { auditLogTable } from '../src/audit/audit.table.js';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import type { Viewer } from '../src/auth/viewer.js';
import type { DbOrTx } from '../src/db/client.js';
import { countStatements } from '../src/db/instrumentation.js';
import { bestPracticeEventsTable, bestPracticesTable } from '../src/early-reports/early-reports.table.js';
import { encodeGlobalId } from '../src/global-id.js';
import { anonymousViewer, associationViewer, execute, firmViewer, makeContext, regulatorViewer, serviceAccountViewer } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import { insertBestPractice, insertOrganization, insertPolicyInterpretation, insertTrainingProgramme } from './support/factories.js';

const association = associationViewer();
const szlcaStaff: Viewer = { ...associationViewer(), subject: 'test:association:SZLCA', associationId: ASSOCIATION_IDS.SZLCA };
const regulator = regulatorViewer();
const scopedAccount = serviceAccountViewer(['early-reports:read']);
const unscopedAccount = serviceAccountViewer(['webhooks:manage']);

const FIELDS = 'id title status audience anonymous submittedByYou organization { id } relatedPolicyInterpretations { id }';
const SUBMIT = `mutation($input: SubmitBestPracticeInput!) { submitBestPractice(input: $input) { bestPractice { ${FIELDS} } userErrors { field code message } } }`;
const REVIEW = `mutation($input: ReviewBestPracticeInput!) { reviewBestPractice(input: $input) { bestPractice { ${FIELDS} reviewNote publishedAt } userErrors { field code } } }`;
const START = `mutation($id: ID!) { startBestPracticeReview(input: { id: $id }) { bestPractice { id status } userErrors { field code } } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on BestPractice { ${FIELDS} } } }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { ... on BestPractice { ${FIELDS} } } }`;
const LIST = `query($search: String, $after: String) { bestPractices(first: 100, search: $search, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${FIELDS} } } } }`;

async function cast(tx: DbOrTx) {
  const firm = await insertOrganization(tx);
  const other = await insertOrganization(tx);
  const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
  return { firm, other, listed, viewer: firmViewer(firm), otherViewer: firmViewer(other), listedViewer: firmViewer(listed) };
}

/** What a viewer sees of one practice on every path: node, nodes, the list and a search; null when hidden. */
async function seen(tx: DbOrTx, viewer: Viewer, id: string, search: string) {
  const ctx = makeContext(tx, viewer);
  const node = (await execute(ctx, NODE, { id })).data?.node ?? null;
  const nodes = (await execute(ctx, NODES, { ids: [id] })).data?.nodes?.[0] ?? null;
  const listed = (await execute(ctx, LIST, {})).data.bestPractices.edges.map((e: { node: { id: string } }) => e.node).find((n: { id: string }) => n.id === id) ?? null;
  const found = (await execute(ctx, LIST, { search })).data.bestPractices.edges.map((e: { node: { id: string } }) => e.node).find((n: { id: string }) => n.id === id) ?? null;
  expect(nodes, 'nodes agrees with node').toEqual(node);
  expect(listed, 'the list agrees with node').toEqual(node);
  expect(found, 'search agrees with node').toEqual(node);
  return node as null | { organization: { id: string } | null; submittedByYou: boolean };
}

describe('best practices', () => {
  test('an anonymous practice: the submitter follows it; once published to the public, its organization shows only to its association’s staff and the regulator, on every path', async ({ tx }) => {
    const c = await cast(tx);
    const submitted = await execute(makeContext(tx, c.viewer), SUBMIT, {
      input: { title: '营业部反洗钱可疑交易甄别经验', summary: '以模型初筛加人工复核提高可疑交易报告质量。', body: '我们将客户身份识别嵌入业务系统，可疑交易甄别准确率显著提升。', anonymous: true },
    });
    expect(submitted.data.submitBestPractice.userErrors).toEqual([]);
    const practice = submitted.data.submitBestPractice.bestPractice;
    expect(practice).toMatchObject({ status: 'SUBMITTED', anonymous: true, submittedByYou: true, organization: null });
    const id = practice.id as string;
    const orgId = encodeGlobalId('Organization', c.firm.id);
    const search = '可疑交易甄别';

    // Before publication: the submitter, its association's staff and the regulator.
    expect(await seen(tx, c.otherViewer, id, search)).toBeNull();
    expect(await seen(tx, anonymousViewer, id, search)).toBeNull();
    expect(await seen(tx, szlcaStaff, id, search)).toBeNull();
    expect((await seen(tx, association, id, search))?.organization).toEqual({ id: orgId });
    expect((await seen(tx, regulator, id, search))?.organization).toEqual({ id: orgId });

    const published = await execute(makeContext(tx, association), REVIEW, { input: { id, decision: 'PUBLISH', audience: 'PUBLIC', note: '做法有效、可复制' } });
    expect(published.data.reviewBestPractice).toMatchObject({ bestPractice: { status: 'PUBLISHED', audience: 'PUBLIC', organization: { id: orgId } }, userErrors: [] });

    for (const viewer of [c.viewer, c.otherViewer, c.listedViewer, anonymousViewer, szlcaStaff, unscopedAccount]) {
      const node = await seen(tx, viewer, id, search);
      expect(node, viewer.subject).not.toBeNull();
      expect(node!.organization, viewer.subject).toBeNull();
    }
    expect((await seen(tx, c.viewer, id, search))!.submittedByYou).toBe(true);
    expect((await seen(tx, c.otherViewer, id, search))!.submittedByYou).toBe(false);
    for (const viewer of [association, regulator, scopedAccount]) expect((await seen(tx, viewer, id, search))!.organization, viewer.subject).toEqual({ id: orgId });
  });

  test('a MEMBERS practice: members of its association, staff and the regulator; not another association’s members, the public or an unscoped account', async ({ tx }) => {
    const c = await cast(tx);
    const row = await insertBestPractice(tx, { organizationId: c.firm.id, status: 'PUBLISHED', audience: 'MEMBERS', body: '会员内部分享的合规轮岗做法' });
    const id = encodeGlobalId('BestPractice', row.id);
    const search = '合规轮岗';
    expect((await seen(tx, c.otherViewer, id, search))?.organization).toEqual({ id: encodeGlobalId('Organization', c.firm.id) });
    expect(await seen(tx, association, id, search)).not.toBeNull();
    expect(await seen(tx, szlcaStaff, id, search)).not.toBeNull();
    expect(await seen(tx, regulator, id, search)).not.toBeNull();
    expect(await seen(tx, c.listedViewer, id, search)).toBeNull();
    expect(await seen(tx, anonymousViewer, id, search)).toBeNull();
    expect(await seen(tx, unscopedAccount, id, search)).toBeNull();
  });

  test('review: SUBMITTED → UNDER_REVIEW → PUBLISHED with events and audit; a decision on a SUBMITTED practice passes through review; finished ones are INVALID_STATE', async ({ tx }) => {
    const c = await cast(tx);
    const a = await insertBestPractice(tx, { organizationId: c.firm.id });
    const b = await insertBestPractice(tx, { organizationId: c.firm.id });
    const ctx = makeContext(tx, association);
    const [auditBefore] = await tx.select({ n: count() }).from(auditLogTable);
    expect((await execute(ctx, START, { id: encodeGlobalId('BestPractice', a.id) })).data.startBestPracticeReview).toMatchObject({ bestPractice: { status: 'UNDER_REVIEW' }, userErrors: [] });
    expect((await execute(ctx, REVIEW, { input: { id: encodeGlobalId('BestPractice', a.id), decision: 'PUBLISH', audience: 'MEMBERS' } })).data.reviewBestPractice.bestPractice.status).toBe('PUBLISHED');
    expect((await execute(ctx, REVIEW, { input: { id: encodeGlobalId('BestPractice', b.id), decision: 'REJECT', note: '不符合自律规则' } })).data.reviewBestPractice.bestPractice).toMatchObject({ status: 'REJECTED', reviewNote: '不符合自律规则', publishedAt: null });
    const events = await tx.select().from(bestPracticeEventsTable).where(eq(bestPracticeEventsTable.bestPracticeId, b.id)).orderBy(bestPracticeEventsTable.id);
    expect(events.map((e) => [e.fromStatus, e.toStatus])).toEqual([['SUBMITTED', 'UNDER_REVIEW'], ['UNDER_REVIEW', 'REJECTED']]);
    const [auditAfter] = await tx.select({ n: count() }).from(auditLogTable);
    expect(auditAfter!.n - auditBefore!.n).toBe(3);
    for (const [id, decision] of [[a.id, 'REJECT'], [b.id, 'PUBLISH']] as const) {
      const res = await execute(ctx, REVIEW, { input: { id: encodeGlobalId('BestPractice', id), decision, audience: 'PUBLIC', note: 'x' } });
      expect(res.data.reviewBestPractice.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_STATE' }]);
    }
  });

  test('bad review input is a userError and writes nothing; another association’s staff find nothing', async ({ tx }) => {
    const c = await cast(tx);
    const row = await insertBestPractice(tx, { organizationId: c.firm.id });
    const id = encodeGlobalId('BestPractice', row.id);
    const draft = await insertPolicyInterpretation(tx, { associationId: ASSOCIATION_IDS.SZLCA });
    const ctx = makeContext(tx, association);
    const cases: [Record<string, unknown>, { field: string[]; code: string }[], Viewer?][] = [
      [{ decision: 'PUBLISH' }, [{ field: ['input', 'audience'], code: 'REQUIRED' }]],
      [{ decision: 'REJECT' }, [{ field: ['input', 'note'], code: 'REQUIRED' }]],
      [{ decision: 'REJECT', note: '意见\u0000' }, [{ field: ['input', 'note'], code: 'INVALID' }]],
      [{ decision: 'PUBLISH', audience: 'PUBLIC', relatedPolicyInterpretationIds: [encodeGlobalId('PolicyInterpretation', draft.id)] }, [{ field: ['input', 'relatedPolicyInterpretationIds', '0'], code: 'NOT_FOUND' }]],
      [{ decision: 'PUBLISH', audience: 'PUBLIC' }, [{ field: ['input', 'id'], code: 'NOT_FOUND' }], szlcaStaff],
    ];
    for (const [input, errors, viewer] of cases) {
      const res = await execute(viewer ? makeContext(tx, viewer) : ctx, REVIEW, { input: { id, ...input } });
      expect(res.data.reviewBestPractice, JSON.stringify(input)).toEqual({ bestPractice: null, userErrors: errors });
    }
    const [after] = await tx.select().from(bestPracticesTable).where(eq(bestPracticesTable.id, row.id));
    expect(after!.status).toBe('SUBMITTED');
    const [events] = await tx.select({ n: count() }).from(bestPracticeEventsTable).where(eq(bestPracticeEventsTable.bestPracticeId, row.id));
    expect(events!.n).toBe(0);
  });

  test('bad submissions are userErrors and write nothing; staff and anonymous viewers cannot submit', async ({ tx }) => {
    const c = await cast(tx);
    const [before] = await tx.select({ n: count() }).from(bestPracticesTable);
    const cases: [Record<string, unknown>, { field: string[]; code: string }[]][] = [
      [{ title: '', summary: 's', body: 'b' }, [{ field: ['input', 'title'], code: 'REQUIRED' }]],
      [{ title: 't', summary: '长'.repeat(501), body: 'b' }, [{ field: ['input', 'summary'], code: 'TOO_LONG' }]],
      [{ title: 't\u0001', summary: 's', body: 'b' }, [{ field: ['input', 'title'], code: 'INVALID' }]],
      [{ title: 't', summary: 's', body: 'b', association: 'SZLCA' }, [{ field: ['input', 'association'], code: 'NOT_A_MEMBER' }]],
    ];
    for (const [input, errors] of cases) {
      const res = await execute(makeContext(tx, c.viewer), SUBMIT, { input });
      expect(res.data.submitBestPractice.userErrors.map((e: { field: string[]; code: string }) => ({ field: e.field, code: e.code })), JSON.stringify(input)).toEqual(errors);
    }
    for (const viewer of [association, regulator, anonymousViewer]) {
      const res = await execute(makeContext(tx, viewer), SUBMIT, { input: { title: 't', summary: 's', body: 'b' } });
      expect(res.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
    }
    const [after] = await tx.select({ n: count() }).from(bestPracticesTable);
    expect(after!.n).toBe(before!.n);
  });

  test('related policy interpretations: the reviewer links readable ones; each reader sees only those it may read', async ({ tx }) => {
    const c = await cast(tx);
    const row = await insertBestPractice(tx, { organizationId: c.firm.id });
    const id = encodeGlobalId('BestPractice', row.id);
    const publicOne = await insertPolicyInterpretation(tx, { status: 'PUBLISHED', audience: 'PUBLIC' });
    const membersOne = await insertPolicyInterpretation(tx, { status: 'PUBLISHED', audience: 'MEMBERS' });
    const res = await execute(makeContext(tx, association), REVIEW, {
      input: { id, decision: 'PUBLISH', audience: 'PUBLIC', relatedPolicyInterpretationIds: [encodeGlobalId('PolicyInterpretation', membersOne.id), encodeGlobalId('PolicyInterpretation', publicOne.id)] },
    });
    expect(res.data.reviewBestPractice.bestPractice.relatedPolicyInterpretations).toEqual([{ id: encodeGlobalId('PolicyInterpretation', membersOne.id) }, { id: encodeGlobalId('PolicyInterpretation', publicOne.id) }]);
    const asPublic = (await execute(makeContext(tx, anonymousViewer), NODE, { id })).data.node;
    expect(asPublic.relatedPolicyInterpretations).toEqual([{ id: encodeGlobalId('PolicyInterpretation', publicOne.id) }]);
  });

  test('related training programmes: the reviewer links visible ones; each reader sees only those it may see; an unknown one is NOT_FOUND', async ({ tx }) => {
    const c = await cast(tx);
    const row = await insertBestPractice(tx, { organizationId: c.firm.id });
    const id = encodeGlobalId('BestPractice', row.id);
    const publicOne = await insertTrainingProgramme(tx, { audience: 'PUBLIC' });
    const membersOne = await insertTrainingProgramme(tx, { audience: 'MEMBERS' });
    const pid = (p: { id: number }) => encodeGlobalId('TrainingProgramme', p.id);
    const LINKED = `mutation($input: ReviewBestPracticeInput!) { reviewBestPractice(input: $input) { bestPractice { id relatedTrainingProgrammes { id } } userErrors { field code } } }`;
    const refused = await execute(makeContext(tx, association), LINKED, { input: { id, decision: 'PUBLISH', audience: 'PUBLIC', relatedTrainingProgrammeIds: [pid({ id: 2_000_000_000 })] } });
    expect(refused.data.reviewBestPractice).toEqual({ bestPractice: null, userErrors: [{ field: ['input', 'relatedTrainingProgrammeIds', '0'], code: 'NOT_FOUND' }] });
    const res = await execute(makeContext(tx, association), LINKED, { input: { id, decision: 'PUBLISH', audience: 'PUBLIC', relatedTrainingProgrammeIds: [pid(membersOne), pid(publicOne)] } });
    expect(res.data.reviewBestPractice.bestPractice.relatedTrainingProgrammes).toEqual([{ id: pid(membersOne) }, { id: pid(publicOne) }]);
    const READ = `query($id: ID!) { node(id: $id) { ... on BestPractice { relatedTrainingProgrammes { id } } } }`;
    expect((await execute(makeContext(tx, anonymousViewer), READ, { id })).data.node.relatedTrainingProgrammes).toEqual([{ id: pid(publicOne) }]);
    expect((await execute(makeContext(tx, c.viewer), READ, { id })).data.node.relatedTrainingProgrammes).toEqual([{ id: pid(membersOne) }, { id: pid(publicOne) }]);
  });

  test('search finds Chinese words where their characters stand together, ranks, pages stably, and costs the same statements for any page size', async ({ tx }) => {
    const c = await cast(tx);
    const hit = await insertBestPractice(tx, { organizationId: c.firm.id, status: 'PUBLISHED', audience: 'PUBLIC', title: '适当性管理双录抽检', body: '投资者适当性管理的做法' });
    await insertBestPractice(tx, { organizationId: c.firm.id, status: 'PUBLISHED', audience: 'PUBLIC', title: '其他经验', body: '合适的性格管理' });
    const ids = (await execute(makeContext(tx, anonymousViewer), LIST, { search: '适当性' })).data.bestPractices.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toContain(encodeGlobalId('BestPractice', hit.id));
    expect(ids).toHaveLength(ids.length);
    const none = (await execute(makeContext(tx, anonymousViewer), LIST, { search: '当适' })).data.bestPractices;
    expect(none.totalCount).toBe(0);
    // Paging one at a time walks the same rows as one page.
    const walked: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await execute(makeContext(tx, anonymousViewer), `query($after: String) { bestPractices(first: 1, search: "管理", after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`, { after })).data.bestPractices;
      walked.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const whole = (await execute(makeContext(tx, anonymousViewer), LIST, { search: '管理' })).data.bestPractices.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(walked).toEqual(whole);
    const run = (first: number) => countStatements(() => execute(makeContext(tx, association), `query($first: Int) { bestPractices(first: $first) { edges { node { ${FIELDS} association { id } } } } }`, { first }));
    // Both pages hold practices with related interpretations (the seeded ones): links and interpretations are one
    // batch each, whatever the page size.
    const small = await run(8);
    const large = await run(60);
    expect(large.result.data.bestPractices.edges.length).toBeGreaterThan(8);
    expect(large.count).toBe(small.count);
    expect(large.count).toBeLessThanOrEqual(5);
  });

  test('the seeded library: published practices to the public and to members, some anonymous, searchable', async ({ tx }) => {
    const rows = await tx.select().from(bestPracticesTable);
    const published = rows.filter((r) => r.status === 'PUBLISHED');
    expect(published.some((r) => r.anonymous)).toBe(true);
    expect(new Set(published.map((r) => r.audience))).toEqual(new Set(['PUBLIC', 'MEMBERS']));
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['SUBMITTED', 'UNDER_REVIEW', 'PUBLISHED', 'REJECTED']));
    const found = (await execute(makeContext(tx, anonymousViewer), LIST, { search: '舆情' })).data.bestPractices;
    expect(found.totalCount).toBeGreaterThan(0);
    expect(found.edges.every((e: { node: { status: string; audience: string } }) => e.node.status === 'PUBLISHED' && e.node.audience === 'PUBLIC')).toBe(true);
  });
});
