// Self-regulation (issue 20): a rule from draft to force with members' comments, amended as a new version with the
// differences visible; a case from investigation to a published 纪律处分 whose suspension stops the member's
// mutations; bad input refused with nothing written; the consequences of EXPEL and the ratings feed.
import { eq, sql } from 'drizzle-orm';
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType, type GraphQLInputType } from 'graphql';
import { ASSOCIATION_IDS } from '../src/associations/associations.table.js';
import { auditLogTable } from '../src/audit/audit.table.js';
import type { Viewer } from '../src/auth/viewer.js';
import type { DbOrTx } from '../src/db/client.js';
import { countStatements } from '../src/db/instrumentation.js';
import { encodeGlobalId } from '../src/global-id.js';
import { schema } from '../src/graphql/schema.js';
import { membershipsTable, organizationsTable } from '../src/members/members.table.js';
import { outboxEventsTable } from '../src/outbox/outbox.table.js';
import { branchRatingsTable, ratingScoreLinesTable } from '../src/ratings/ratings.table.js';
import { addWorkingDays } from '../src/early-reports/early-reports.deadline.js';
import { decideCase, finalizeCase, openCase, startHearing, submitStatement } from '../src/self-regulation/self-regulation.cases.js';
import { lineDiff } from '../src/self-regulation/self-regulation.diff.js';
import { indicatorOccurrencesOfCase } from '../src/self-regulation/self-regulation.measures.js';
import {
  disciplinaryCasesTable,
  disciplinaryMeasuresTable,
  selfRegulatoryRuleCommentsTable,
  selfRegulatoryRulesTable,
} from '../src/self-regulation/self-regulation.table.js';
import { todayInShanghai } from '../src/time.js';
import { isMembershipRightsSuspended } from '../src/auth/policy.js';
import { findViewerOrganization } from '../src/members/members.reads.js';
import { anonymousViewer, execute, firmViewer, makeContext, regulatorViewer, serviceAccountViewer, userErrorsOf } from './support/context.js';
import { describe, expect, test } from './support/db.js';
import {
  insertBranch,
  insertDisciplinaryCase,
  insertDisciplinaryMeasure,
  insertOrganization,
  insertRatingCycle,
  insertRatingGuideline,
  insertRatingIndicator,
  insertSelfRegulatoryRule,
} from './support/factories.js';

const staff = (name: string, associationId: number = ASSOCIATION_IDS.SZSA): Viewer => ({ role: 'ASSOCIATION', subject: `test:staff:${name}`, organizationId: null, associationId });
const opener = staff('li.si');
const decider = staff('wang.wu');
const reviewer = staff('zhao.liu');
const szlcaStaff = staff('szlca', ASSOCIATION_IDS.SZLCA);
const regulator = regulatorViewer();

const today = todayInShanghai();
const future = `${Number(today.slice(0, 4)) + 1}-06-30`;

/** Rows of every table this domain writes, the audit log, the outbox and the memberships: equal means nothing written. */
async function writes(db: DbOrTx) {
  return fingerprint(db);
}

async function gql(db: DbOrTx, viewer: Viewer, query: string, variables: Record<string, unknown> = {}) {
  const res = await execute(makeContext(db, viewer), query, variables);
  return res;
}
async function ok(db: DbOrTx, viewer: Viewer, query: string, variables: Record<string, unknown> = {}) {
  const res = await gql(db, viewer, query, variables);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const payload = Object.values(res.data as Record<string, any>)[0];
  if (payload && 'userErrors' in payload) expect(payload.userErrors).toEqual([]);
  return payload;
}

const RULE_FIELDS = 'id title status documentNumber effectiveOn body version comments { organization { id } body at } versions { id version status } changes { kind text oldLine newLine }';
const DRAFT = `mutation($i: DraftSelfRegulatoryRuleInput!) { draftSelfRegulatoryRule(input: $i) { selfRegulatoryRule { ${RULE_FIELDS} } userErrors { code field message } } }`;
const ADVANCE = `mutation($i: AdvanceSelfRegulatoryRuleInput!) { advanceSelfRegulatoryRule(input: $i) { selfRegulatoryRule { ${RULE_FIELDS} } userErrors { code field message } } }`;
const AMEND = `mutation($i: AmendSelfRegulatoryRuleInput!) { amendSelfRegulatoryRule(input: $i) { selfRegulatoryRule { ${RULE_FIELDS} } userErrors { code field message } } }`;
const COMMENT = `mutation($i: CommentOnRuleInput!) { commentOnSelfRegulatoryRule(input: $i) { selfRegulatoryRule { id } userErrors { code field message } } }`;
const RULE = `query($id: ID!) { node(id: $id) { ... on SelfRegulatoryRule { ${RULE_FIELDS} } } }`;
const RULES = `query($s: String, $first: Int) { selfRegulatoryRules(first: $first, search: $s) { totalCount edges { node { id title status comments { body } } } } }`;

const CASE_FIELDS = 'id stage summary statement decisionNumber decidedOn publishedAt aggravatingFactors organization { id } measures { type note endsOn isSanction } events { fromStage toStage actorRole }';
const OPEN = `mutation($i: OpenDisciplinaryCaseInput!) { openDisciplinaryCase(input: $i) { disciplinaryCase { ${CASE_FIELDS} } userErrors { code field message } } }`;
const HEARING = `mutation($id: ID!) { startDisciplinaryHearing(input: { id: $id }) { disciplinaryCase { id stage } userErrors { code field } } }`;
const STATEMENT = `mutation($i: DisciplinaryStatementInput!) { submitDisciplinaryStatement(input: $i) { disciplinaryCase { id statement } userErrors { code field message } } }`;
const DECIDE = `mutation($i: DecideDisciplinaryCaseInput!) { decideDisciplinaryCase(input: $i) { disciplinaryCase { ${CASE_FIELDS} } userErrors { code field message } } }`;
const REVIEW = `mutation($id: ID!) { requestDisciplinaryReview(input: { id: $id }) { disciplinaryCase { id stage } userErrors { code field message } } }`;
const FINALIZE = `mutation($id: ID!) { finalizeDisciplinaryCase(input: { id: $id }) { disciplinaryCase { ${CASE_FIELDS} } userErrors { code field message } } }`;
const CASE = `query($id: ID!) { node(id: $id) { ... on DisciplinaryCase { ${CASE_FIELDS} } } }`;
const CASES = `query($first: Int) { disciplinaryCases(first: $first) { totalCount edges { node { id stage statement measures { type } } } } }`;

describe('lineDiff (条文对照)', () => {
  test('aligns unchanged lines and shows removed before added lines', () => {
    expect(lineDiff('第一条\n第二条 旧\n第三条', '第一条\n第二条 新\n第三条\n第四条')).toEqual([
      { kind: 'UNCHANGED', text: '第一条', oldLine: 1, newLine: 1 },
      { kind: 'REMOVED', text: '第二条 旧', oldLine: 2, newLine: null },
      { kind: 'ADDED', text: '第二条 新', oldLine: null, newLine: 2 },
      { kind: 'UNCHANGED', text: '第三条', oldLine: 3, newLine: 3 },
      { kind: 'ADDED', text: '第四条', oldLine: null, newLine: 4 },
    ]);
  });
  test('an identical text is all unchanged, an empty one all added or removed', () => {
    expect(lineDiff('a\nb', 'a\nb').every((l) => l.kind === 'UNCHANGED')).toBe(true);
    expect(lineDiff('', 'a\nb').map((l) => l.kind)).toEqual(['ADDED', 'ADDED']);
    expect(lineDiff('a\r\nb', '').map((l) => l.kind)).toEqual(['REMOVED', 'REMOVED']);
  });
  test('finds the longest common lines, not just the common ends', () => {
    const changes = lineDiff('x\na\nb\nc\ny', 'z\na\nc\nb\nw');
    expect(changes.filter((l) => l.kind === 'UNCHANGED').length).toBe(2);
    expect(changes.filter((l) => l.kind !== 'ADDED').map((l) => l.text)).toEqual(['x', 'a', 'b', 'c', 'y']);
    expect(changes.filter((l) => l.kind !== 'REMOVED').map((l) => l.text)).toEqual(['z', 'a', 'c', 'b', 'w']);
  });
});

describe('the ratings feed rule', () => {
  test('a case counts once, by its heaviest measure', () => {
    expect(indicatorOccurrencesOfCase(['TALK_REMINDER', 'WARNING'])).toBe(1);
    expect(indicatorOccurrencesOfCase(['INDUSTRY_CRITICISM', 'MANDATORY_TRAINING'])).toBe(4);
    expect(indicatorOccurrencesOfCase(['PUBLIC_CENSURE'])).toBe(5);
    expect(indicatorOccurrencesOfCase(['SUSPEND_MEMBERSHIP_RIGHTS'])).toBe(5);
    expect(indicatorOccurrencesOfCase([])).toBe(0);
  });
  test('working days skip weekends', () => {
    expect(addWorkingDays('2026-12-04', 1, new Map())).toBe('2026-12-07'); // Friday → Monday
    expect(addWorkingDays('2026-12-07', 15, new Map())).toBe('2026-12-28');
  });
});

describe('a rule from draft to force with members\' comments', () => {
  test('drafted, consulted (members comment), adopted, filed, in force with a number; amended as a new version with the differences visible', async ({ tx }) => {
    const member = await insertOrganization(tx);
    const other = await insertOrganization(tx);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const memberViewer = firmViewer(member);
    const body = '第一条 为规范证券经营机构营业部竞争行为，制定本规则。\n第二条 会员不得以不正当手段招揽客户。';
    const drafted = (await ok(tx, opener, DRAFT, { i: { title: '深圳证券营业部反对不正当竞争自律规则', body } })).selfRegulatoryRule;
    expect(drafted).toMatchObject({ status: 'DRAFT', version: 1, documentNumber: null, comments: [], changes: null });
    const id = drafted.id;

    // A draft: its association's staff and the regulator only.
    for (const v of [anonymousViewer, memberViewer, firmViewer(listed), szlcaStaff, serviceAccountViewer(['ratings:read'])]) {
      expect((await gql(tx, v, RULE, { id })).data!.node, v.subject).toBeNull();
    }
    expect((await gql(tx, regulator, RULE, { id })).data!.node.id).toBe(id);

    // Comments are taken only during consultation.
    const early = await gql(tx, memberViewer, COMMENT, { i: { id, body: '早了' } });
    expect(early.data!.commentOnSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['NOT_FOUND']);

    await ok(tx, opener, ADVANCE, { i: { id, to: 'CONSULTATION' } });
    // In consultation: the association's active members read and comment; a listed company (SZLCA) does not see it.
    expect((await gql(tx, memberViewer, RULE, { id })).data!.node).toMatchObject({ status: 'CONSULTATION', comments: null });
    expect((await gql(tx, firmViewer(listed), RULE, { id })).data!.node).toBeNull();
    expect((await gql(tx, anonymousViewer, RULE, { id })).data!.node).toBeNull();
    await ok(tx, memberViewer, COMMENT, { i: { id, body: '建议明确“不正当手段”的具体情形。' } });
    await ok(tx, firmViewer(other), COMMENT, { i: { id, body: '建议增加过渡期。' } });
    const listedComment = await gql(tx, firmViewer(listed), COMMENT, { i: { id, body: '越权' } });
    expect(listedComment.data!.commentOnSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['NOT_FOUND']);
    const withComments = (await gql(tx, opener, RULE, { id })).data!.node;
    expect(withComments.comments.map((c: any) => c.body)).toEqual(['建议明确“不正当手段”的具体情形。', '建议增加过渡期。']);
    expect(withComments.comments[0].organization.id).toBe(encodeGlobalId('Organization', member.id));
    expect((await gql(tx, regulator, RULE, { id })).data!.node.comments).toHaveLength(2);

    // Skipping a step, or going IN_FORCE without a number, is refused and writes nothing.
    const before = await writes(tx);
    const skip = await gql(tx, opener, ADVANCE, { i: { id, to: 'IN_FORCE', documentNumber: '深证协会字〔2026〕12号', effectiveOn: today } });
    expect(skip.data!.advanceSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['INVALID_STATE']);
    expect(await writes(tx)).toEqual(before);

    await ok(tx, opener, ADVANCE, { i: { id, to: 'ADOPTED' } });
    const late = await gql(tx, memberViewer, COMMENT, { i: { id, body: '晚了' } });
    // Consultation is over and an adopted rule is not yet public: to the member it looks missing.
    expect(late.data!.commentOnSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['NOT_FOUND']);
    await ok(tx, opener, ADVANCE, { i: { id, to: 'FILED' } });
    const noNumber = await gql(tx, opener, ADVANCE, { i: { id, to: 'IN_FORCE' } });
    expect(noNumber.data!.advanceSelfRegulatoryRule.userErrors.map((e: any) => [e.code, e.field])).toEqual([
      ['REQUIRED', ['input', 'documentNumber']],
      ['REQUIRED', ['input', 'effectiveOn']],
    ]);
    const badNumber = await gql(tx, opener, ADVANCE, { i: { id, to: 'IN_FORCE', documentNumber: '第十二号文件', effectiveOn: today } });
    expect(badNumber.data!.advanceSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['INVALID']);
    const inForce = (await ok(tx, opener, ADVANCE, { i: { id, to: 'IN_FORCE', documentNumber: '深证协会字[2026]12号', effectiveOn: today } })).selfRegulatoryRule;
    expect(inForce).toMatchObject({ status: 'IN_FORCE', documentNumber: '深证协会字〔2026〕12号', effectiveOn: today });

    // In force: public, without the comments; found by Chinese search (a two-character word inside the text too).
    const publicView = (await gql(tx, anonymousViewer, RULE, { id })).data!.node;
    expect(publicView).toMatchObject({ status: 'IN_FORCE', comments: null });
    for (const search of ['不正当竞争', '招揽', '深证协会字〔2026〕12号']) {
      const found = (await gql(tx, anonymousViewer, RULES, { s: search, first: 100 })).data!.selfRegulatoryRules;
      expect(found.edges.map((e: any) => e.node.id), search).toContain(id);
      expect(found.totalCount).toBe(found.edges.length);
    }
    expect((await gql(tx, anonymousViewer, RULES, { s: '争竞', first: 100 })).data!.selfRegulatoryRules.edges.map((e: any) => e.node.id)).not.toContain(id);

    // Amended: a new draft version; the differences show line by line; in force it repeals the old version.
    const amended = (await ok(tx, opener, AMEND, { i: { id, body: `${body.split('\n')[0]}\n第二条 会员不得以不正当手段或者虚假宣传招揽客户。\n第三条 本规则自发布之日起施行。` } })).selfRegulatoryRule;
    expect(amended).toMatchObject({ status: 'DRAFT', version: 2 });
    expect(amended.changes.map((c: any) => c.kind)).toEqual(['UNCHANGED', 'REMOVED', 'ADDED', 'ADDED']);
    expect(amended.versions.map((v: any) => v.version)).toEqual([1, 2]);
    const second = await gql(tx, opener, AMEND, { i: { id, body: '再改' } });
    expect(second.data!.amendSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['INVALID_STATE']);
    // The public sees only the version in force.
    expect((await gql(tx, anonymousViewer, RULE, { id })).data!.node.versions.map((v: any) => v.version)).toEqual([1]);
    for (const to of ['CONSULTATION', 'ADOPTED', 'FILED']) await ok(tx, opener, ADVANCE, { i: { id: amended.id, to } });
    await ok(tx, opener, ADVANCE, { i: { id: amended.id, to: 'IN_FORCE', documentNumber: '深证协会字〔2026〕30号', effectiveOn: future } });
    const versions = (await gql(tx, anonymousViewer, RULE, { id: amended.id })).data!.node.versions;
    expect(versions.map((v: any) => [v.version, v.status])).toEqual([[1, 'REPEALED'], [2, 'IN_FORCE']]);
    const publicDiff = (await gql(tx, anonymousViewer, RULE, { id: amended.id })).data!.node.changes;
    expect(publicDiff.filter((c: any) => c.kind === 'ADDED').map((c: any) => c.text)).toContain('第三条 本规则自发布之日起施行。');

    // Another association's staff cannot move it; the regulator reads but the mutation is the association's.
    const foreign = await gql(tx, szlcaStaff, ADVANCE, { i: { id: amended.id, to: 'REPEALED' } });
    expect(foreign.data!.advanceSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['NOT_FOUND']);
    const byRegulator = await gql(tx, regulator, ADVANCE, { i: { id: amended.id, to: 'REPEALED' } });
    expect(byRegulator.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await ok(tx, opener, ADVANCE, { i: { id: amended.id, to: 'REPEALED' } });
    const again = await gql(tx, opener, ADVANCE, { i: { id: amended.id, to: 'REPEALED' } });
    expect(again.data!.advanceSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['INVALID_STATE']);
    const audits = await tx.select({ action: auditLogTable.action }).from(auditLogTable).where(eq(auditLogTable.entityType, 'SelfRegulatoryRule'));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['selfRegulatoryRule.draft', 'selfRegulatoryRule.comment', 'selfRegulatoryRule.in_force', 'selfRegulatoryRule.amend', 'selfRegulatoryRule.superseded']));
  });

  test('bad rule input is a userError with a field path and writes nothing', async ({ tx }) => {
    const before = await writes(tx);
    const res = await gql(tx, opener, DRAFT, { i: { title: '  ', body: `正文\u0000` } });
    expect(res.data!.draftSelfRegulatoryRule.userErrors.map((e: any) => [e.code, e.field])).toEqual([
      ['REQUIRED', ['input', 'title']],
      ['INVALID', ['input', 'body']],
    ]);
    const long = await gql(tx, opener, DRAFT, { i: { title: '长'.repeat(121), body: '正文' } });
    expect(long.data!.draftSelfRegulatoryRule.userErrors.map((e: any) => e.code)).toEqual(['TOO_LONG']);
    const rule = await insertSelfRegulatoryRule(tx, { status: 'IN_FORCE', documentNumber: '深证协会字〔2025〕9号', effectiveOn: '2025-01-01' });
    const member = firmViewer(await insertOrganization(tx));
    const after = await writes(tx);
    const comment = await gql(tx, member, COMMENT, { i: { id: encodeGlobalId('SelfRegulatoryRule', rule.id), body: '意见' } });
    expect(comment.data!.commentOnSelfRegulatoryRule.userErrors.map((e: any) => [e.code, e.message])).toEqual([['INVALID_STATE', '只能在征求意见期间提出意见']]);
    expect(await writes(tx)).toEqual(after);
    expect(before.self_regulatory_rules).not.toEqual(after.self_regulatory_rules); // the factory's rule, nothing else
  });

  test('the rule list costs the same statements for 1 and 50 rules, comments and versions included', async ({ tx }) => {
    for (let i = 0; i < 50; i++) await insertSelfRegulatoryRule(tx, { status: 'CONSULTATION' });
    const query = `query($first: Int) { selfRegulatoryRules(first: $first) { totalCount edges { node { id comments { body organization { name } } versions { id } association { code } } } } }`;
    const run = async (first: number) => (await countStatements(() => gql(tx, regulator, query, { first }))).count;
    expect(await run(50)).toBe(await run(1));
  });
});

describe('a case from investigation to a published 纪律处分 whose suspension stops the member\'s mutations', () => {
  test('the flow, its visibility at every stage, separation of duties, publication and the webhook event', async ({ tx }) => {
    const member = await insertOrganization(tx);
    const other = await insertOrganization(tx);
    const memberViewer = { ...firmViewer(member), subject: 'zhang.san' };
    const orgId = encodeGlobalId('Organization', member.id);

    const opened = (await ok(tx, opener, OPEN, { i: { organizationId: orgId, summary: '营业部员工代客操作，未落实适当性管理要求。' } })).disciplinaryCase;
    expect(opened).toMatchObject({ stage: 'INVESTIGATION', statement: null, measures: [], events: [{ fromStage: null, toStage: 'INVESTIGATION', actorRole: 'ASSOCIATION' }] });
    const id = opened.id;
    const hiddenFrom = [anonymousViewer, firmViewer(other), szlcaStaff, serviceAccountViewer(['ratings:read'])];
    const seenBy = [memberViewer, opener, regulator, serviceAccountViewer(['discipline:read'])];
    const check = async () => {
      for (const v of hiddenFrom) expect((await gql(tx, v, CASE, { id })).data!.node, v.subject).toBeNull();
      for (const v of seenBy) expect((await gql(tx, v, CASE, { id })).data!.node?.id, v.subject).toBe(id);
    };
    await check();

    // The statement only in HEARING.
    const tooEarly = await gql(tx, memberViewer, STATEMENT, { i: { id, statement: '我们已整改。' } });
    expect(tooEarly.data!.submitDisciplinaryStatement.userErrors.map((e: any) => e.code)).toEqual(['INVALID_STATE']);
    await ok(tx, opener, HEARING, { id });
    const stated = (await ok(tx, memberViewer, STATEMENT, { i: { id, statement: '涉事员工已离职，我司已全面整改。' } })).disciplinaryCase;
    expect(stated.statement).toBe('涉事员工已离职，我司已全面整改。');
    // Another firm cannot state for it.
    const foreign = await gql(tx, firmViewer(other), STATEMENT, { i: { id, statement: '冒名' } });
    expect(foreign.data!.submitDisciplinaryStatement.userErrors.map((e: any) => e.code)).toEqual(['NOT_FOUND']);
    await check();

    // The opener may not decide (SAME_PERSON); another staff member decides.
    const measures = [
      { type: 'SUSPEND_MEMBERSHIP_RIGHTS', note: '暂停会员权利六个月', endsOn: future },
      { type: 'MANDATORY_TRAINING', note: '合规负责人参加强化培训' },
    ];
    const before = await writes(tx);
    const same = await gql(tx, opener, DECIDE, { i: { id, measures } });
    expect(same.data!.decideDisciplinaryCase.userErrors.map((e: any) => e.code)).toEqual(['SAME_PERSON']);
    expect(await writes(tx)).toEqual(before);
    const decided = (await ok(tx, decider, DECIDE, { i: { id, measures, aggravatingFactors: ['REFUSED_RECTIFICATION'] } })).disciplinaryCase;
    expect(decided).toMatchObject({ stage: 'DECIDED', decidedOn: today, aggravatingFactors: ['REFUSED_RECTIFICATION'], publishedAt: null });
    expect(decided.decisionNumber).toMatch(/^深证协处〔\d{4}〕\d+号$/);
    const late = await gql(tx, memberViewer, STATEMENT, { i: { id, statement: '补充' } });
    expect(late.data!.submitDisciplinaryStatement.userErrors.map((e: any) => [e.code, e.message])).toEqual([['INVALID_STATE', '陈述申辩期已结束']]);
    await check();

    // The member asks once for a review; the reviewer is neither the opener nor the decider.
    await ok(tx, memberViewer, REVIEW, { id });
    const twice = await gql(tx, memberViewer, REVIEW, { id });
    expect(twice.data!.requestDisciplinaryReview.userErrors.map((e: any) => e.code)).toEqual(['INVALID_STATE']);
    for (const v of [opener, decider]) {
      const refused = await gql(tx, v, FINALIZE, { id });
      expect(refused.data!.finalizeDisciplinaryCase.userErrors.map((e: any) => e.code)).toEqual(['SAME_PERSON']);
    }
    const final = (await ok(tx, reviewer, FINALIZE, { id })).disciplinaryCase;
    expect(final.stage).toBe('FINAL');
    expect(final.publishedAt).not.toBeNull();
    expect(final.events.map((e: any) => e.toStage)).toEqual(['INVESTIGATION', 'HEARING', 'DECIDED', 'UNDER_REVIEW', 'FINAL']);

    // Public now: anyone sees the organization, the 纪律处分 (not the 自律管理措施), number and date; never the statement.
    for (const v of [anonymousViewer, firmViewer(other), szlcaStaff, serviceAccountViewer(['ratings:read'])]) {
      const seen = (await gql(tx, v, CASE, { id })).data!.node;
      expect(seen, v.subject).toMatchObject({ id, stage: 'FINAL', statement: null, aggravatingFactors: null, events: null, decisionNumber: decided.decisionNumber, decidedOn: today });
      expect(seen.measures.map((m: any) => m.type)).toEqual(['SUSPEND_MEMBERSHIP_RIGHTS']);
    }
    const own = (await gql(tx, memberViewer, CASE, { id })).data!.node;
    expect(own.statement).toBe('涉事员工已离职，我司已全面整改。');
    expect(own.measures.map((m: any) => m.type).sort()).toEqual(['MANDATORY_TRAINING', 'SUSPEND_MEMBERSHIP_RIGHTS']);

    // One outbox event, with public fields only.
    const events = await tx.select().from(outboxEventsTable).where(eq(outboxEventsTable.type, 'disciplinary_decision.published'));
    const mine = events.filter((e) => e.entityId === await_id(id));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.associationId).toBe(ASSOCIATION_IDS.SZSA);
    expect(mine[0]!.payload).toEqual({
      disciplinaryCase: id,
      organization: orgId,
      association: encodeGlobalId('Association', ASSOCIATION_IDS.SZSA),
      decisionNumber: decided.decisionNumber,
      decidedOn: today,
      measures: [{ type: 'SUSPEND_MEMBERSHIP_RIGHTS', endsOn: future }],
    });
    expect(JSON.stringify(mine[0]!.payload)).not.toContain('整改');
    const audits = await tx.select({ action: auditLogTable.action }).from(auditLogTable).where(eq(auditLogTable.entityType, 'DisciplinaryCase'));
    expect(audits.map((a) => a.action)).toEqual([
      'disciplinaryCase.open',
      'disciplinaryCase.startHearing',
      'disciplinaryCase.statement',
      'disciplinaryCase.decide',
      'disciplinaryCase.requestReview',
      'disciplinaryCase.finalize',
    ]);

    // The suspension in force: the member's viewer (as authentication finds it) may not act; every mutation of the schema
    // answers FORBIDDEN to it, and nothing is written.
    const found = await findViewerOrganization(tx, member.creditCode);
    expect(found).toMatchObject({ id: member.id, membershipRightsSuspended: true });
    expect(await isMembershipRightsSuspended(tx, member.id, today)).toBe(true);
    expect(await isMembershipRightsSuspended(tx, other.id, today)).toBe(false);
    const suspended = { ...memberViewer, membershipRightsSuspended: true };
    await expectEveryMutationForbidden(tx, suspended);
    await expectEveryMutationForbidden(tx, { ...suspended, subject: 'li.lei' }); // another person of the same member
    // Reads still work.
    expect((await gql(tx, suspended, CASES, { first: 10 })).data!.disciplinaryCases.totalCount).toBeGreaterThan(0);
    // Another member acts normally; when the suspension ends (endsOn past), the member acts again.
    const submit = `mutation { submitSuggestion(input: { topic: OTHER, title: "恢复权利后的建议", body: "正文" }) { suggestion { id } userErrors { code } } }`;
    expect((await gql(tx, firmViewer(other), submit)).data!.submitSuggestion.userErrors).toEqual([]);
    await tx.update(disciplinaryMeasuresTable).set({ endsOn: '2020-01-01' }).where(eq(disciplinaryMeasuresTable.type, 'SUSPEND_MEMBERSHIP_RIGHTS'));
    const restored = await findViewerOrganization(tx, member.creditCode);
    expect(restored!.membershipRightsSuspended).toBe(false);
    expect((await gql(tx, { ...memberViewer, membershipRightsSuspended: restored!.membershipRightsSuspended }, submit)).data!.submitSuggestion.userErrors).toEqual([]);
  });

  test('a case with only 自律管理措施 is never public, even FINAL', async ({ tx }) => {
    const member = await insertOrganization(tx);
    const c = await insertDisciplinaryCase(tx, { organizationId: member.id, stage: 'HEARING' });
    const id = encodeGlobalId('DisciplinaryCase', c.id);
    await ok(tx, decider, DECIDE, { i: { id, measures: [{ type: 'TALK_REMINDER' }, { type: 'WRITTEN_UNDERTAKING', note: '提交整改承诺' }] } });
    const final = (await ok(tx, reviewer, FINALIZE, { id })).disciplinaryCase;
    expect(final).toMatchObject({ stage: 'FINAL', publishedAt: null });
    for (const v of [anonymousViewer, firmViewer(await insertOrganization(tx)), szlcaStaff]) {
      expect((await gql(tx, v, CASE, { id })).data!.node).toBeNull();
      expect((await gql(tx, v, CASES, { first: 100 })).data!.disciplinaryCases.edges.map((e: any) => e.node.id)).not.toContain(id);
    }
    expect((await gql(tx, firmViewer(member), CASE, { id })).data!.node.measures).toHaveLength(2);
    expect(await tx.select().from(outboxEventsTable).where(eq(outboxEventsTable.entityId, c.id))).toEqual([]);
  });

  test('bad decisions are userErrors with field paths and write nothing', async ({ tx }) => {
    const c = await insertDisciplinaryCase(tx, { stage: 'HEARING' });
    const id = encodeGlobalId('DisciplinaryCase', c.id);
    const listed = await insertOrganization(tx, { kind: 'LISTED_COMPANY' });
    const before = await writes(tx);
    const codes = async (input: Record<string, unknown>) => {
      const res = await gql(tx, decider, DECIDE, { i: { id, ...input } });
      expect(res.data!.decideDisciplinaryCase.disciplinaryCase).toBeNull();
      return res.data!.decideDisciplinaryCase.userErrors.map((e: any) => [e.code, e.field.join('.')]);
    };
    expect(await codes({ measures: [] })).toEqual([['REQUIRED', 'input.measures']]);
    expect(await codes({ measures: [{ type: 'SUSPEND_MEMBERSHIP_RIGHTS', endsOn: '2020-01-01' }] })).toEqual([['INVALID', 'input.measures.0.endsOn']]);
    expect(await codes({ measures: [{ type: 'PUBLIC_CENSURE' }, { type: 'EXPEL' }] })).toEqual([['INVALID', 'input.measures']]);
    expect(await codes({ measures: [{ type: 'WARNING' }, { type: 'WARNING' }] })).toEqual([['DUPLICATE', 'input.measures.1.type']]);
    expect(await codes({ measures: [{ type: 'WARNING', note: `说明\u0007` }] })).toEqual([['INVALID', 'input.measures.0.note']]);
    expect(await codes({ measures: [{ type: 'WARNING', note: '长'.repeat(501) }] })).toEqual([['TOO_LONG', 'input.measures.0.note']]);
    expect(await codes({ measures: [{ type: 'WARNING' }], decisionNumber: '决定' })).toEqual([['INVALID', 'input.decisionNumber']]);
    // An unknown measure type: refused by GraphQL before anything runs, and by the service if it got that far.
    const unknown = await gql(tx, decider, DECIDE, { i: { id, measures: [{ type: 'FINE' }] } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await userErrorsOf(decideCase(tx, decider, { id: c.id, measures: [{ type: 'FINE' as never }] }))).toEqual([{ code: 'INVALID', field: ['input', 'measures', '0', 'type'] }]);
    const open = await gql(tx, opener, OPEN, { i: { organizationId: encodeGlobalId('Organization', c.organizationId), summary: '\u0000' } });
    expect(open.data!.openDisciplinaryCase.userErrors.map((e: any) => e.code)).toEqual(['INVALID']);
    const notMember = await gql(tx, opener, OPEN, { i: { organizationId: encodeGlobalId('Organization', listed.id), summary: '不是本协会会员' } });
    expect(notMember.data!.openDisciplinaryCase.userErrors.map((e: any) => e.code)).toEqual(['NOT_A_MEMBER']);
    const statement = await userErrorsOf(submitStatement(tx, firmViewer({ id: c.organizationId, creditCode: 'x', kind: 'SECURITIES_FIRM' }), { id: c.id, statement: '长'.repeat(10_001) }));
    expect(statement).toEqual([{ code: 'TOO_LONG', field: ['input', 'statement'] }]);
    expect(await writes(tx)).toEqual(before);
    // A review past its window is DEADLINE_PASSED.
    await tx.update(disciplinaryCasesTable).set({ stage: 'DECIDED', decidedOn: '2020-01-02', decidedBy: 'test:staff:wang.wu', decisionNumber: '深证协处〔2020〕1号' }).where(eq(disciplinaryCasesTable.id, c.id));
    const review = await gql(tx, firmViewer({ id: c.organizationId, creditCode: 'x', kind: 'SECURITIES_FIRM' }), REVIEW, { id });
    expect(review.data!.requestDisciplinaryReview.userErrors.map((e: any) => e.code)).toEqual(['DEADLINE_PASSED']);
  });

  test('EXPEL withdraws the membership at FINAL: the member loses member rights in that association', async ({ tx }) => {
    const member = await insertOrganization(tx);
    const c = await openCase(tx, opener, { organizationId: member.id, summary: '严重违反协会章程。' });
    await startHearing(tx, opener, c.id);
    await decideCase(tx, decider, { id: c.id, measures: [{ type: 'EXPEL' }] });
    const { consequences } = await finalizeCase(tx, decider, c.id);
    expect(consequences).toMatchObject({ published: true, membershipWithdrawn: true, trainingObligations: [] });
    const [membership] = await tx.select().from(membershipsTable).where(eq(membershipsTable.organizationId, member.id));
    expect(membership!.status).toBe('WITHDRAWN');
    const res = await gql(tx, firmViewer(member), `mutation { submitSuggestion(input: { topic: OTHER, title: "被取消会员资格后", body: "正文", association: SZSA }) { suggestion { id } userErrors { code } } }`);
    expect(res.data!.submitSuggestion.userErrors.map((e: any) => e.code)).toEqual(['NOT_A_MEMBER']);
  });

  test('MANDATORY_TRAINING measures become training obligations of the member at FINAL, seen by it, staff and the regulator', async ({ tx }) => {
    const c = await insertDisciplinaryCase(tx, { stage: 'HEARING' });
    await decideCase(tx, decider, { id: c.id, measures: [{ type: 'MANDATORY_TRAINING', note: '参加强化培训' }, { type: 'INDUSTRY_CRITICISM' }] });
    const { consequences, organizationId } = await finalizeCase(tx, decider, c.id);
    expect(consequences.trainingObligations.map((m) => m.type)).toEqual(['MANDATORY_TRAINING']);
    const measureId = consequences.trainingObligations[0]!.id;
    const OBLIGATIONS = `query($id: ID!) { node(id: $id) { ... on Organization { trainingObligations(first: 10) { edges { node { source reason } } } } } }`;
    const [org] = await tx.select().from(organizationsTable).where(eq(organizationsTable.id, organizationId));
    for (const viewer of [firmViewer(org!), decider, regulatorViewer()]) {
      const res = await gql(tx, viewer, OBLIGATIONS, { id: encodeGlobalId('Organization', organizationId) });
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      const sources = res.data!.node.trainingObligations.edges.map((e: any) => e.node);
      expect(sources).toContainEqual({ source: 'DISCIPLINARY_MEASURE', reason: expect.stringContaining('要求参加强化培训') });
    }
    // Recorded once however often finalize's consequences are replayed.
    const rows = await tx.execute(sql`select count(*)::int as n from training_obligations where source = 'DISCIPLINARY_MEASURE' and source_id = ${measureId}`);
    expect((rows as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(1);
  });

  test('a FINAL case feeds the self-regulatory indicator of the member\'s branches in the next cycle', async ({ tx }) => {
    const year = Number(today.slice(0, 4));
    const guideline = await insertRatingGuideline(tx);
    const indicator = await insertRatingIndicator(tx, { guidelineId: guideline.id, code: 'VD_SELF_REGULATORY', category: 'VIOLATION_DEDUCTION', method: 'DEDUCTION', points: 0.5, cap: 5 });
    await tx.execute(sql`delete from rating_cycles where year = ${year + 1} and not exists (select 1 from branch_ratings r where r.cycle_id = rating_cycles.id)`);
    const cycle = await insertRatingCycle(tx, { guidelineId: guideline.id, year: year + 1, status: 'SELF_ASSESSMENT' });
    const member = await insertOrganization(tx);
    const branches = [await insertBranch(tx, { firmId: member.id }), await insertBranch(tx, { firmId: member.id })];
    const censured = await insertDisciplinaryCase(tx, { organizationId: member.id, stage: 'HEARING' });
    await decideCase(tx, decider, { id: censured.id, measures: [{ type: 'PUBLIC_CENSURE' }] });
    const first = await finalizeCase(tx, decider, censured.id);
    expect(first.consequences.ratingsFeed).toEqual({ cycleYear: year + 1, occurrences: 5, branches: 2 });
    const talk = await insertDisciplinaryCase(tx, { organizationId: member.id, stage: 'HEARING' });
    await decideCase(tx, decider, { id: talk.id, measures: [{ type: 'TALK_REMINDER' }] });
    expect((await finalizeCase(tx, decider, talk.id)).consequences.ratingsFeed).toEqual({ cycleYear: year + 1, occurrences: 6, branches: 2 });
    const ratings = await tx.select().from(branchRatingsTable).where(eq(branchRatingsTable.cycleId, cycle.id));
    expect(ratings.map((r) => r.branchId).sort()).toEqual(branches.map((b) => b.id).sort());
    // 6 occurrences × 0.5 = 3 points below the base score (the cap of 5 not reached).
    for (const r of ratings) expect(Number(r.totalScore)).toBe(Number(guideline.baseScore) - 3);
    const lines = await tx.select().from(ratingScoreLinesTable).where(eq(ratingScoreLinesTable.indicatorId, indicator.id));
    expect(lines.map((l) => [l.stage, Number(l.value), l.enteredBy])).toEqual([
      ['ASSOCIATION', 6, 'system:self-regulation'],
      ['ASSOCIATION', 6, 'system:self-regulation'],
    ]);
    // Another association's case does not feed the ratings SZSA runs.
    const szlcaCase = await insertDisciplinaryCase(tx, { organizationId: member.id, associationId: ASSOCIATION_IDS.SZLCA, stage: 'HEARING' });
    await decideCase(tx, szlcaStaff, { id: szlcaCase.id, measures: [{ type: 'PUBLIC_CENSURE' }] });
    expect((await finalizeCase(tx, szlcaStaff, szlcaCase.id)).consequences.ratingsFeed).toBeNull();
    expect((await tx.select().from(branchRatingsTable).where(eq(branchRatingsTable.cycleId, cycle.id))).map((r) => Number(r.totalScore))).toEqual(ratings.map(() => Number(guideline.baseScore) - 3));
    // No cycle for the year after: nothing to feed.
    const old = await insertDisciplinaryCase(tx, { organizationId: member.id, stage: 'HEARING' });
    await decideCase(tx, decider, { id: old.id, measures: [{ type: 'WARNING' }] });
    await tx.update(disciplinaryCasesTable).set({ decidedOn: '2001-03-01' }).where(eq(disciplinaryCasesTable.id, old.id));
    expect((await finalizeCase(tx, decider, old.id)).consequences.ratingsFeed).toBeNull();
  });

  test('the case list costs the same statements for 1 and 40 cases', async ({ tx }) => {
    for (let i = 0; i < 40; i++) {
      const c = await insertDisciplinaryCase(tx);
      await insertDisciplinaryMeasure(tx, { caseId: c.id });
    }
    const query = `query($first: Int) { disciplinaryCases(first: $first) { totalCount edges { node { id statement organization { name } association { code } measures { type } events { toStage } } } } }`;
    const run = async (first: number) => (await countStatements(() => gql(tx, regulator, query, { first }))).count;
    expect(await run(40)).toBe(await run(1));
  });

  test('the membership-rights check costs no statement in a mutation: authentication found it with the organization', async ({ tx }) => {
    const org = await insertOrganization(tx);
    const lookup = await countStatements(() => findViewerOrganization(tx, org.creditCode));
    expect(lookup.count).toBe(1);
    expect(lookup.result).toMatchObject({ id: org.id, membershipRightsSuspended: false });
    const mutation = `mutation { withdrawSuggestion(input: { id: "${encodeGlobalId('Suggestion', 2_000_000_000)}" }) { userErrors { code } } }`;
    const asMember = await countStatements(() => gql(tx, firmViewer(org), mutation));
    expect(asMember.statements.filter((s) => s.includes('SUSPEND_MEMBERSHIP_RIGHTS'))).toHaveLength(0);
  });
});

function await_id(globalId: string): number {
  return Number(Buffer.from(globalId, 'base64').toString('utf8').split(':').at(-1));
}

/** A type-correct value for an input type (IDs of no existing row): enough to pass validation and reach authorization. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).filter((f) => isNonNullType(f.type)).map((f) => [f.name, sample(f.type)]));
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return encodeGlobalId('Organization', 1);
      case 'Int':
        return 2030;
      case 'Float':
        return 1;
      case 'Boolean':
        return true;
      case 'Date':
        return '2030-01-01';
      case 'DateTime':
        return '2030-01-01T00:00:00Z';
      default:
        return 'x';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

/** Calls every mutation of the schema as the viewer: each answers FORBIDDEN, and nothing is written. */
async function expectEveryMutationForbidden(tx: DbOrTx, viewer: Viewer) {
  const fields = Object.values(schema.getMutationType()!.getFields());
  expect(fields.length).toBeGreaterThan(30);
  const before = await fingerprint(tx);
  for (const field of fields) {
    const vars = field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
    const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
    const selection = isObjectType(getNamedType(field.type)) ? '{ __typename }' : '';
    const query = `mutation${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''} ${selection} }`;
    const variables = Object.fromEntries(field.args.map((a) => [a.name, sample(a.type)]));
    const res = await gql(tx, viewer, query, variables);
    expect(res.errors?.map((e) => e.extensions?.code), `${field.name}: ${JSON.stringify(res)}`).toEqual(['FORBIDDEN']);
  }
  expect(await fingerprint(tx)).toEqual(before);
}

/** Row count and checksum of every application table: equal before and after means nothing was written. */
async function fingerprint(tx: DbOrTx): Promise<Record<string, string>> {
  const tables = ((await tx.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`)) as unknown as {
    rows: { table_name: string }[];
  }).rows.map((r) => r.table_name);
  const columns = tables.map((name) => sql`(select count(*)::text || ':' || md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${sql.identifier(name)} x) as ${sql.identifier(name)}`);
  return ((await tx.execute(sql`select ${sql.join(columns, sql`, `)}`)) as unknown as { rows: Record<string, string>[] }).rows[0]!;
}

describe('demo data', () => {
  test('rules in force (深证协 numbers), in consultation with comments and repealed; cases at every stage; nobody suspended', async ({ tx }) => {
    const rules = await tx.select().from(selfRegulatoryRulesTable);
    const statuses = new Set(rules.map((r) => r.status));
    for (const s of ['IN_FORCE', 'CONSULTATION', 'REPEALED', 'DRAFT', 'FILED']) expect(statuses, s).toContain(s);
    expect(rules.filter((r) => r.status === 'IN_FORCE' && r.documentNumber?.startsWith('深证协会字〔')).length).toBeGreaterThanOrEqual(2);
    const consultation = rules.find((r) => r.status === 'CONSULTATION')!;
    expect((await tx.select().from(selfRegulatoryRuleCommentsTable).where(eq(selfRegulatoryRuleCommentsTable.ruleId, consultation.id))).length).toBeGreaterThanOrEqual(3);
    const cases = await tx.select().from(disciplinaryCasesTable);
    expect(new Set(cases.map((c) => c.stage))).toEqual(new Set(['INVESTIGATION', 'HEARING', 'DECIDED', 'UNDER_REVIEW', 'FINAL']));
    const final = cases.filter((c) => c.stage === 'FINAL');
    expect(final.some((c) => c.publishedAt !== null)).toBe(true);
    expect(final.some((c) => c.publishedAt === null)).toBe(true);
    // Public through the API: the published sanctions, never the measures-only case or a statement.
    const seen = (await gql(tx, anonymousViewer, `{ disciplinaryCases(first: 100) { totalCount edges { node { stage statement measures { type isSanction } } } } }`)).data!.disciplinaryCases;
    expect(seen.totalCount).toBe(final.filter((c) => c.publishedAt !== null).length);
    for (const e of seen.edges) {
      expect(e.node).toMatchObject({ stage: 'FINAL', statement: null });
      expect(e.node.measures.every((m: any) => m.isSanction)).toBe(true);
    }
    const count = ((await tx.execute(sql`select count(*)::int as n from disciplinary_measures m join disciplinary_cases c on c.id = m.case_id where m.type in ('SUSPEND_MEMBERSHIP_RIGHTS', 'EXPEL') and c.stage = 'FINAL' and (m.ends_on is null or m.ends_on >= ${today}::date)`)) as unknown as { rows: { n: number }[] }).rows[0]!.n;
    expect(count).toBe(0);
  });
});
