// Every mutation called by every role that may not call it: FORBIDDEN (HTTP 200, data null, nothing written).
// Member mutations aimed at another organization's objects: NOT_FOUND userErrors, nothing written. And mass
// assignment: an organization (or owner) smuggled into an input is refused, and a suggestion always belongs to the viewer.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/global-id.js';
import { schema } from '../../src/graphql/schema.js';
import { createTestApp, creditCodeOf, type TestApp } from '../support/harness.js';
import { clientToken, newServiceAccount } from '../support/integration.js';
import { expectCodes, expectEachTestWritesNothing, expectRefused } from './support.js';

type Caller = 'ANONYMOUS' | 'FIRM' | 'LISTED_COMPANY' | 'ASSOCIATION' | 'REGULATOR' | 'SERVICE_ACCOUNT';
const callers: Caller[] = ['ANONYMOUS', 'FIRM', 'LISTED_COMPANY', 'ASSOCIATION', 'REGULATOR', 'SERVICE_ACCOUNT'];

interface Ids {
  org: string;
  otherOrg: string;
  contact: string;
  branch: string;
  suggestion: string;
  policy: string;
  committee: string;
  term: string;
  seat: string;
  serviceAccount: string;
  webhook: string;
  followUp: string;
}

/**
 * Who may call each mutation (by role; SERVICE_ACCOUNT is a regulator system holding the read scopes but not
 * webhooks:manage: service accounts never change the association's data, whatever their role), and a
 * type-correct document to call it with. Everyone else must get FORBIDDEN.
 */
const MUTATIONS: Record<string, { allowed: Caller[]; doc: (ids: Ids) => string }> = {
  addContact: { allowed: ['FIRM', 'LISTED_COMPANY', 'ASSOCIATION'], doc: (i) => `addContact(input: { organizationId: "${i.org}", name: "越权联系人" }) { contact { id } userErrors { code } }` },
  updateContact: { allowed: ['FIRM', 'LISTED_COMPANY', 'ASSOCIATION'], doc: (i) => `updateContact(input: { id: "${i.contact}", name: "改名" }) { contact { id } userErrors { code } }` },
  removeContact: { allowed: ['FIRM', 'LISTED_COMPANY', 'ASSOCIATION'], doc: (i) => `removeContact(input: { id: "${i.contact}" }) { contact { id } userErrors { code } }` },
  createOrganization: { allowed: ['ASSOCIATION'], doc: () => `createOrganization(input: { kind: OTHER, name: "越权机构", creditCode: "91440300MA5WC9CB19" }) { organization { id } userErrors { code } }` },
  updateOrganization: { allowed: ['ASSOCIATION'], doc: (i) => `updateOrganization(input: { id: "${i.org}", name: "改名" }) { organization { id } userErrors { code } }` },
  recordMembershipChange: { allowed: ['ASSOCIATION'], doc: (i) => `recordMembershipChange(input: { organizationId: "${i.org}", change: SUSPEND, effectiveOn: "2026-01-01" }) { organization { id } userErrors { code } }` },
  createBranch: { allowed: ['ASSOCIATION'], doc: (i) => `createBranch(input: { firmId: "${i.org}", kind: SALES_DEPARTMENT, name: "越权营业部" }) { branch { id } userErrors { code } }` },
  updateBranch: { allowed: ['ASSOCIATION'], doc: (i) => `updateBranch(input: { id: "${i.branch}", name: "改名" }) { branch { id } userErrors { code } }` },
  openCommitteeTerm: { allowed: ['ASSOCIATION'], doc: (i) => `openCommitteeTerm(input: { committeeId: "${i.committee}", startsOn: "2030-01-01" }) { committeeTerm { id } userErrors { code } }` },
  appointCommitteeSeat: {
    allowed: ['ASSOCIATION'],
    doc: (i) => `appointCommitteeSeat(input: { termId: "${i.term}", organizationId: "${i.org}", personName: "张三", role: MEMBER, appointedOn: "2026-01-01" }) { committeeSeat { id } userErrors { code } }`,
  },
  endCommitteeSeat: { allowed: ['ASSOCIATION'], doc: (i) => `endCommitteeSeat(input: { seatId: "${i.seat}", endedOn: "2030-01-01", reason: OTHER }) { committeeSeat { id } userErrors { code } }` },
  createRatingGuideline: {
    allowed: ['ASSOCIATION'],
    doc: () => `createRatingGuideline(input: { title: "越权指引", indicators: [{ code: "X1", category: AML, nameZh: "指标", nameEn: "Indicator", method: BASE, points: 100 }] }) { ratingGuideline { id } userErrors { code } }`,
  },
  createRatingCycle: {
    allowed: ['ASSOCIATION'],
    doc: () =>
      `createRatingCycle(input: { year: 2031, guidelineVersion: 1, selfAssessmentDueOn: "2031-09-30", associationScoringDueOn: "2031-11-15", bureauReviewDueOn: "2031-12-15", publicationDueOn: "2031-12-31" }) { ratingCycle { id } userErrors { code } }`,
  },
  advanceRatingCycle: { allowed: ['ASSOCIATION'], doc: () => `advanceRatingCycle(input: { year: 2026, to: PUBLISHED }) { ratingCycle { id } userErrors { code } }` },
  publishRatingCycle: { allowed: ['REGULATOR'], doc: () => `publishRatingCycle(input: { year: 2026 }) { ratingCycle { id } userErrors { code } }` },
  scoreBranchRating: {
    allowed: ['FIRM', 'ASSOCIATION', 'REGULATOR'],
    doc: (i) => `scoreBranchRating(input: { year: 2026, branchId: "${i.branch}", scores: [{ indicator: "X1", value: 1 }] }) { branchRating { id } userErrors { code } }`,
  },
  importBranchScores: {
    allowed: ['ASSOCIATION'],
    doc: (i) => `importBranchScores(input: { year: 2026, rows: [{ branchId: "${i.branch}", indicator: "X1", value: 1 }] }) { importedRows userErrors { code } }`,
  },
  updateSupervisoryFollowUp: {
    allowed: ['ASSOCIATION', 'REGULATOR'],
    doc: (i) => `updateSupervisoryFollowUp(input: { id: "${i.followUp}", status: DONE }) { userErrors { code } }`,
  },
  submitSuggestion: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `submitSuggestion(input: { topic: OTHER, title: "越权建议", body: "正文" }) { suggestion { id } userErrors { code } }` },
  withdrawSuggestion: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: (i) => `withdrawSuggestion(input: { id: "${i.suggestion}" }) { suggestion { id } userErrors { code } }` },
  startSuggestionReview: { allowed: ['ASSOCIATION'], doc: (i) => `startSuggestionReview(input: { id: "${i.suggestion}" }) { suggestion { id } userErrors { code } }` },
  reviewSuggestion: { allowed: ['ASSOCIATION'], doc: (i) => `reviewSuggestion(input: { id: "${i.suggestion}", decision: ACCEPT }) { suggestion { id } userErrors { code } }` },
  markSuggestionDuplicate: { allowed: ['ASSOCIATION'], doc: (i) => `markSuggestionDuplicate(input: { id: "${i.suggestion}", duplicateOfId: "${i.suggestion}" }) { suggestion { id } userErrors { code } }` },
  forwardSuggestions: { allowed: ['ASSOCIATION'], doc: (i) => `forwardSuggestions(input: { ids: ["${i.suggestion}"], recipient: SAC }) { referenceNumber userErrors { code } }` },
  createSuggestionRecipient: { allowed: ['ASSOCIATION'], doc: () => `createSuggestionRecipient(input: { name: "越权报送对象" }) { suggestionRecipient { id } userErrors { code } }` },
  renameSuggestionRecipient: {
    allowed: ['ASSOCIATION'],
    doc: () => `renameSuggestionRecipient(input: { id: "${Buffer.from('SuggestionRecipient:1').toString('base64url')}", name: "改名" }) { suggestionRecipient { id } userErrors { code } }`,
  },
  retireSuggestionRecipient: {
    allowed: ['ASSOCIATION'],
    doc: () => `retireSuggestionRecipient(input: { id: "${Buffer.from('SuggestionRecipient:1').toString('base64url')}" }) { suggestionRecipient { id } userErrors { code } }`,
  },
  recordForwardingResponse: {
    allowed: ['ASSOCIATION'],
    doc: () => `recordForwardingResponse(input: { id: "${Buffer.from('SuggestionForwardingEntry:1').toString('base64url')}", response: "已采纳", outcome: ADOPTED }) { forwardingEntry { id } userErrors { code } }`,
  },
  recordSuggestionResponse: { allowed: ['ASSOCIATION'], doc: (i) => `recordSuggestionResponse(input: { id: "${i.suggestion}", response: "已采纳", outcome: ADOPTED }) { suggestion { id } userErrors { code } }` },
  createSuggestionCampaign: {
    allowed: ['ASSOCIATION'],
    doc: () => `createSuggestionCampaign(input: { title: "越权征集", documentNumber: "深证协函〔2030〕1号", topics: [OTHER], invitedKinds: [OTHER], deadline: "2030-12-31" }) { suggestionCampaign { id } userErrors { code } }`,
  },
  createPolicyInterpretation: {
    allowed: ['ASSOCIATION', 'REGULATOR'],
    doc: () => `createPolicyInterpretation(input: { title: "越权解读", summary: "摘要", body: "正文", audience: PUBLIC }) { policyInterpretation { id } userErrors { code } }`,
  },
  updatePolicyInterpretation: {
    allowed: ['ASSOCIATION', 'REGULATOR'],
    doc: (i) => `updatePolicyInterpretation(input: { id: "${i.policy}", title: "改标题" }) { policyInterpretation { id } userErrors { code } }`,
  },
  publishPolicyInterpretation: {
    allowed: ['ASSOCIATION', 'REGULATOR'],
    doc: (i) => `publishPolicyInterpretation(input: { id: "${i.policy}" }) { policyInterpretation { id } userErrors { code } }`,
  },
  archivePolicyInterpretation: {
    allowed: ['ASSOCIATION', 'REGULATOR'],
    doc: (i) => `archivePolicyInterpretation(input: { id: "${i.policy}" }) { policyInterpretation { id } userErrors { code } }`,
  },
  createServiceAccount: { allowed: ['ASSOCIATION'], doc: () => `createServiceAccount(input: { name: "越权账号", role: REGULATOR }) { clientSecret userErrors { code } }` },
  rotateServiceAccountSecret: { allowed: ['ASSOCIATION'], doc: (i) => `rotateServiceAccountSecret(input: { id: "${i.serviceAccount}" }) { clientSecret userErrors { code } }` },
  disableServiceAccount: { allowed: ['ASSOCIATION'], doc: (i) => `disableServiceAccount(input: { id: "${i.serviceAccount}" }) { serviceAccount { id } userErrors { code } }` },
  setServiceAccountTrustedDocumentsOnly: {
    allowed: ['ASSOCIATION'],
    doc: (i) => `setServiceAccountTrustedDocumentsOnly(input: { id: "${i.serviceAccount}", trustedDocumentsOnly: true }) { serviceAccount { id } userErrors { code } }`,
  },
  // A service account uploads its own manifest only with documents:write, which SERVICE_ACCOUNT does not hold.
  uploadTrustedDocumentManifest: {
    allowed: ['ASSOCIATION'],
    doc: (i) => `uploadTrustedDocumentManifest(input: { serviceAccountId: "${i.serviceAccount}", documents: ["{ __typename }"] }) { trustedDocumentManifest { id } userErrors { code } }`,
  },
  createWebhookSubscription: {
    allowed: ['ASSOCIATION'],
    doc: () => `createWebhookSubscription(input: { url: "https://evil.example/hook", eventTypes: [SUGGESTION_SUBMITTED] }) { secret userErrors { code } }`,
  },
  disableWebhookSubscription: { allowed: ['ASSOCIATION'], doc: (i) => `disableWebhookSubscription(input: { id: "${i.webhook}" }) { webhookSubscription { id } userErrors { code } }` },
  // ---- statistics (issue 18)
  saveStatisticsReturn: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `saveStatisticsReturn(input: { period: "2026-11", values: [{ metric: STAFF, value: 1 }] }) { statisticsReturn { id } userErrors { code } }` },
  submitStatisticsReturn: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `submitStatisticsReturn(input: { id: "${encodeGlobalId('StatisticsReturn', 1)}" }) { statisticsReturn { id } userErrors { code } }` },
  reviewStatisticsReturn: { allowed: ['ASSOCIATION'], doc: () => `reviewStatisticsReturn(input: { id: "${encodeGlobalId('StatisticsReturn', 1)}", decision: ACCEPT }) { statisticsReturn { id } userErrors { code } }` },
  publishDevelopmentReport: { allowed: ['ASSOCIATION'], doc: () => `publishDevelopmentReport(input: { year: 2030 }) { developmentReport { id } userErrors { code } }` },
  freezeDevelopmentReport: { allowed: ['ASSOCIATION'], doc: () => `freezeDevelopmentReport(input: { year: 2030 }) { developmentReport { id } userErrors { code } }` },
  // ---- self-regulation (issue 20)
  draftSelfRegulatoryRule: { allowed: ['ASSOCIATION'], doc: () => `draftSelfRegulatoryRule(input: { title: "越权规则", body: "正文" }) { selfRegulatoryRule { id } userErrors { code } }` },
  advanceSelfRegulatoryRule: { allowed: ['ASSOCIATION'], doc: () => `advanceSelfRegulatoryRule(input: { id: "${encodeGlobalId('SelfRegulatoryRule', 1)}", to: CONSULTATION }) { selfRegulatoryRule { id } userErrors { code } }` },
  amendSelfRegulatoryRule: { allowed: ['ASSOCIATION'], doc: () => `amendSelfRegulatoryRule(input: { id: "${encodeGlobalId('SelfRegulatoryRule', 1)}", body: "改" }) { selfRegulatoryRule { id } userErrors { code } }` },
  commentOnSelfRegulatoryRule: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `commentOnSelfRegulatoryRule(input: { id: "${encodeGlobalId('SelfRegulatoryRule', 1)}", body: "意见" }) { selfRegulatoryRule { id } userErrors { code } }` },
  openDisciplinaryCase: { allowed: ['ASSOCIATION'], doc: (i) => `openDisciplinaryCase(input: { organizationId: "${i.org}", summary: "越权立案" }) { disciplinaryCase { id } userErrors { code } }` },
  startDisciplinaryHearing: { allowed: ['ASSOCIATION'], doc: () => `startDisciplinaryHearing(input: { id: "${encodeGlobalId('DisciplinaryCase', 1)}" }) { disciplinaryCase { id } userErrors { code } }` },
  submitDisciplinaryStatement: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `submitDisciplinaryStatement(input: { id: "${encodeGlobalId('DisciplinaryCase', 1)}", statement: "申辩" }) { disciplinaryCase { id } userErrors { code } }` },
  decideDisciplinaryCase: { allowed: ['ASSOCIATION'], doc: () => `decideDisciplinaryCase(input: { id: "${encodeGlobalId('DisciplinaryCase', 1)}", measures: [{ type: WARNING }] }) { disciplinaryCase { id } userErrors { code } }` },
  requestDisciplinaryReview: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `requestDisciplinaryReview(input: { id: "${encodeGlobalId('DisciplinaryCase', 1)}" }) { disciplinaryCase { id } userErrors { code } }` },
  finalizeDisciplinaryCase: { allowed: ['ASSOCIATION'], doc: () => `finalizeDisciplinaryCase(input: { id: "${encodeGlobalId('DisciplinaryCase', 1)}" }) { disciplinaryCase { id } userErrors { code } }` },
  // ---- early-reports (issue 19); the ids are EarlyReport:1 and BestPractice:1 (refused before they are read)
  submitEarlyReport: {
    allowed: ['FIRM', 'LISTED_COMPANY'],
    doc: () => `submitEarlyReport(input: { category: OTHER, severity: SEVERE, title: "越权早报告", body: "正文", occurredAt: "2026-01-05T10:00:00+08:00" }) { earlyReport { id } userErrors { code } }`,
  },
  acknowledgeEarlyReport: { allowed: ['ASSOCIATION'], doc: () => `acknowledgeEarlyReport(input: { id: "RWFybHlSZXBvcnQ6MQ" }) { earlyReport { id } userErrors { code } }` },
  escalateEarlyReport: { allowed: ['ASSOCIATION'], doc: () => `escalateEarlyReport(input: { id: "RWFybHlSZXBvcnQ6MQ", note: "越权上报" }) { earlyReport { id } userErrors { code } }` },
  closeEarlyReport: { allowed: ['ASSOCIATION'], doc: () => `closeEarlyReport(input: { id: "RWFybHlSZXBvcnQ6MQ", note: "越权办结" }) { earlyReport { id } userErrors { code } }` },
  submitBestPractice: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `submitBestPractice(input: { title: "越权经验", summary: "摘要", body: "正文" }) { bestPractice { id } userErrors { code } }` },
  startBestPracticeReview: { allowed: ['ASSOCIATION'], doc: () => `startBestPracticeReview(input: { id: "QmVzdFByYWN0aWNlOjE" }) { bestPractice { id } userErrors { code } }` },
  reviewBestPractice: { allowed: ['ASSOCIATION'], doc: () => `reviewBestPractice(input: { id: "QmVzdFByYWN0aWNlOjE", decision: PUBLISH, audience: PUBLIC }) { bestPractice { id } userErrors { code } }` },
  // ---- training (issue 17)
  createTrainingNeedsSurvey: { allowed: ['ASSOCIATION'], doc: () => `createTrainingNeedsSurvey(input: { title: "越权调查", closesOn: "2099-01-01", topics: [OTHER] }) { trainingNeedsSurvey { id } userErrors { code } }` },
  answerTrainingNeedsSurvey: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `answerTrainingNeedsSurvey(input: { surveyId: "${encodeGlobalId('TrainingNeedsSurvey', 1)}", topics: [OTHER] }) { trainingNeedsSurvey { id } userErrors { code } }` },
  createTrainingProgramme: { allowed: ['ASSOCIATION'], doc: () => `createTrainingProgramme(input: { title: "越权项目", audience: PUBLIC }) { trainingProgramme { id } userErrors { code } }` },
  scheduleTrainingSession: {
    allowed: ['ASSOCIATION'],
    doc: () =>
      `scheduleTrainingSession(input: { programmeId: "${encodeGlobalId('TrainingProgramme', 1)}", title: "越权场次", mode: OFFLINE, startsAt: "2030-01-01T09:00:00+08:00", endsAt: "2030-01-01T10:00:00+08:00", creditHours: 1, creditType: ELECTIVE }) { trainingSession { id } userErrors { code } }`,
  },
  registerPractitioners: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `registerPractitioners(input: { practitioners: [{ name: "越权人员" }] }) { practitioners { id } userErrors { code } }` },
  enrolPractitioners: { allowed: ['FIRM', 'LISTED_COMPANY'], doc: () => `enrolPractitioners(input: { sessionId: "${encodeGlobalId('TrainingSession', 1)}", practitionerIds: ["${encodeGlobalId('Practitioner', 1)}"] }) { enrolled userErrors { code } }` },
  recordTrainingAttendance: {
    allowed: ['ASSOCIATION'],
    doc: () => `recordTrainingAttendance(input: { sessionId: "${encodeGlobalId('TrainingSession', 1)}", records: [{ practitionerId: "${encodeGlobalId('Practitioner', 1)}", attendedMinutes: 10, completed: true }] }) { recorded userErrors { code } }`,
  },
  issueTrainingCertificates: { allowed: ['ASSOCIATION'], doc: () => `issueTrainingCertificates(input: { id: "${encodeGlobalId('TrainingSession', 1)}" }) { certificates { code } userErrors { code } }` },
  // ---- exports (issue 22): a read run later, so the scoped service account may too
  startExport: { allowed: ['ASSOCIATION', 'REGULATOR', 'SERVICE_ACCOUNT'], doc: () => `startExport(input: { kind: RATINGS, format: CSV, year: 2025 }) { exportJob { id } userErrors { code } }` },
  revokeTrainingCertificate: { allowed: ['ASSOCIATION'], doc: () => `revokeTrainingCertificate(input: { code: "TC-0000-0000-0000-0000", reason: "越权" }) { trainingCertificate { code } userErrors { code } }` },
};

let t: TestApp;
let ids: Ids;
let tokens: Record<Caller, string | undefined>;

beforeAll(async () => {
  t = await createTestApp();
  const firmCode = await creditCodeOf(t, 'SECURITIES_FIRM', 0);
  const otherCode = await creditCodeOf(t, 'SECURITIES_FIRM', 1);
  const association = await t.token('association');
  const account = await newServiceAccount(t, { role: 'regulator', scopes: ['reports:read', 'ratings:read', 'suggestions:read'] });
  tokens = {
    ANONYMOUS: undefined,
    FIRM: await t.token('firm', firmCode),
    LISTED_COMPANY: await t.token('listed_company', await creditCodeOf(t, 'LISTED_COMPANY')),
    ASSOCIATION: association,
    REGULATOR: await t.token('regulator'),
    SERVICE_ACCOUNT: await clientToken(t, account.clientId, account.clientSecret),
  };
  const q = async (query: string, variables: Record<string, unknown> = {}, token = association) => {
    const res = await t.gql(query, variables, { token });
    expect(res.body.errors, res.text).toBeUndefined();
    return res.body.data;
  };
  const orgs = await q(`query($a: String!, $b: String!) {
    a: organization(creditCode: $a) { id contacts { id } branches(first: 1) { edges { node { id } } } }
    b: organization(creditCode: $b) { id } }`, { a: firmCode, b: otherCode });
  const committees = await q('{ committees { id terms { id seats { id } } } }');
  const seated = committees.committees.find((c: any) => c.terms.some((term: any) => term.seats.length > 0));
  const term = seated.terms.find((x: any) => x.seats.length > 0);
  const suggestion = await q('mutation { submitSuggestion(input: { topic: QIANHAI, title: "越权测试对象", body: "正文" }) { suggestion { id } } }', {}, tokens.FIRM!);
  const policy = await q('{ policyInterpretations(first: 1) { edges { node { id } } } }');
  const webhook = await q('mutation { createWebhookSubscription(input: { url: "https://receiver.example/hook", eventTypes: [SUGGESTION_SUBMITTED] }) { webhookSubscription { id } } }');
  const followUp = await q('{ supervisionList(year: 2025) { followUps { id } } }');
  ids = {
    org: orgs.a.id,
    otherOrg: orgs.b.id,
    contact: orgs.a.contacts[0].id,
    branch: orgs.a.branches.edges[0].node.id,
    suggestion: suggestion.submitSuggestion.suggestion.id,
    policy: policy.policyInterpretations.edges[0].node.id,
    committee: seated.id,
    term: term.id,
    seat: term.seats[0].id,
    serviceAccount: (await q('{ serviceAccounts(first: 1) { edges { node { id } } } }')).serviceAccounts.edges[0].node.id,
    webhook: webhook.createWebhookSubscription.webhookSubscription.id,
    followUp: followUp.supervisionList.flatMap((r: any) => r.followUps)[0]?.id ?? 'none',
  };
});
afterAll(async () => {
  await t?.close();
});
const guard = expectEachTestWritesNothing(() => t);

describe('authorization: mutations by roles that may not call them', () => {
  it('the table covers every mutation of the schema', () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(Object.keys(schema.getMutationType()!.getFields()).sort());
  });

  const cases = Object.entries(MUTATIONS).flatMap(([name, m]) => callers.filter((c) => !m.allowed.includes(c)).map((caller) => ({ name, caller, doc: m.doc })));
  it.each(cases)('$name called by $caller is FORBIDDEN and writes nothing', async ({ name, caller, doc }) => {
    const res = await t.gql(`mutation { ${doc(ids)} }`, undefined, { token: tokens[caller] });
    expectRefused(res, 200, 'FORBIDDEN');
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.path).toEqual([name]);
    expect(res.body.data).toBeNull();
  });
});

describe("authorization: member mutations on another organization's objects", () => {
  const userErrors = async (mutation: string, token: string | undefined) => {
    const res = await t.gql(`mutation { ${mutation} }`, undefined, { token });
    expectCodes(res);
    expect(res.body.errors, res.text).toBeUndefined();
    return Object.values(res.body.data as Record<string, any>)[0];
  };

  it("a firm withdrawing another firm's suggestion gets NOT_FOUND, as if it did not exist", async () => {
    const other = await t.token('firm', await creditCodeOf(t, 'SECURITIES_FIRM', 1));
    await guard.acceptWrites();
    const payload = await userErrors(MUTATIONS.withdrawSuggestion!.doc(ids), other);
    expect(payload).toEqual({ suggestion: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it("a listed company editing or removing a firm's contact gets NOT_FOUND", async () => {
    expect(await userErrors(MUTATIONS.updateContact!.doc(ids), tokens.LISTED_COMPANY)).toEqual({ contact: null, userErrors: [{ code: 'NOT_FOUND' }] });
    expect(await userErrors(MUTATIONS.removeContact!.doc(ids), tokens.LISTED_COMPANY)).toEqual({ contact: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it("a firm adding a contact to another organization gets NOT_FOUND", async () => {
    const payload = await userErrors(`addContact(input: { organizationId: "${ids.otherOrg}", name: "越权联系人" }) { contact { id } userErrors { code } }`, tokens.FIRM);
    expect(payload).toEqual({ contact: null, userErrors: [{ code: 'NOT_FOUND' }] });
  });

  it("a firm scoring another firm's branch is refused with a userError", async () => {
    const other = await t.gql(`query($id: ID!) { node(id: $id) { ... on Organization { branches(first: 1) { edges { node { id } } } } } }`, { id: ids.otherOrg });
    const branch = other.body.data.node.branches.edges[0].node.id;
    const payload = await userErrors(`scoreBranchRating(input: { year: 2026, branchId: "${branch}", scores: [{ indicator: "X1", value: 1 }] }) { branchRating { id } userErrors { code } }`, tokens.FIRM);
    expect(payload.branchRating).toBeNull();
    expect(payload.userErrors.length).toBeGreaterThan(0);
  });
});

describe('authorization: mass assignment', () => {
  const SUBMIT = 'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { suggestion { id organization { id } } userErrors { code } } }';

  it.each([
    ['organizationId', (i: Ids) => i.otherOrg],
    ['organization', (i: Ids) => i.otherOrg],
    ['organizationCreditCode', () => '91440300MA5WC9CB19'],
    ['status', () => 'ACCEPTED'],
  ])('submitSuggestion with an extra "%s" in the input is 400 BAD_USER_INPUT and writes nothing', async (field, value) => {
    const res = await t.gql(SUBMIT, { i: { topic: 'OTHER', title: '夹带字段', body: '正文', [field]: value(ids) } }, { token: tokens.FIRM });
    expectRefused(res, 400, 'BAD_USER_INPUT');
    expect(res.body.data).toBeUndefined();
  });

  it('an extra field written in the document is 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const res = await t.gql(`mutation { submitSuggestion(input: { topic: OTHER, title: "夹带", body: "正文", organizationId: "${ids.otherOrg}" }) { userErrors { code } } }`, undefined, { token: tokens.FIRM });
    expectRefused(res, 400, 'GRAPHQL_VALIDATION_FAILED');
  });

  it("an extra owner in a webhook subscription input (another account's id) is 400 BAD_USER_INPUT", async () => {
    const res = await t.gql(
      'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { userErrors { code } } }',
      { i: { url: 'https://receiver.example/x', eventTypes: ['SUGGESTION_SUBMITTED'], serviceAccountId: ids.serviceAccount } },
      { token: tokens.ASSOCIATION },
    );
    expectRefused(res, 400, 'BAD_USER_INPUT');
  });

  it("a valid submission always belongs to the viewer's own organization, whatever the token's subject says", async () => {
    const res = await t.gql(SUBMIT, { i: { topic: 'OTHER', title: '归属测试', body: '正文' } }, { token: tokens.FIRM });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.submitSuggestion.suggestion.organization.id).toBe(ids.org);
    const rows = (await t.database.db.execute(
      sql`select count(*)::int as n, count(distinct s.organization_id)::int as orgs, (select count(*)::int from audit_log a where a.entity_type = 'Suggestion' and a.entity_id = min(s.id)) as audits from suggestions s where s.title = '归属测试'`,
    )) as unknown as { rows: { n: number; orgs: number; audits: number }[] };
    expect(rows.rows[0]).toEqual({ n: 1, orgs: 1, audits: 1 });
    await guard.acceptWrites(); // this one write is the point of the test
  });
});
