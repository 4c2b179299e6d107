// The authorization matrix as ONE table: for each kind of object, who may see it, and every path that reaches it
// (list, totalCount, node, nodes, nested fields, mutation payloads, CSV exports, webhook payloads). The test generates
// one case per object × path × principal from this table and asserts "visible" or "hidden" (hidden = null, absent,
// FORBIDDEN or 401/403, never another tenant's data). The fixture (`buildWorld`) creates what the rows point at.
import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { expect } from 'vitest';
import { ASSOCIATION_IDS } from '../../src/associations/associations.table.js';
import { serviceAccountScopes } from '../../src/clients/scopes.js';
import { recordDataAccess } from '../../src/data-access/data-access.service.js';
import { encodeGlobalId } from '../../src/global-id.js';
import { createLogger } from '../../src/logger.js';
import { startWebhookWorker } from '../../src/webhooks/webhooks.worker.js';
import type { GqlResult, TestApp } from '../support/harness.js';
import { clientToken, newServiceAccount, startReceiver } from '../support/integration.js';
import { waitFor } from '../support/wait.js';
import { expectNoLeak } from './support.js';

export const principals = [
  'ANONYMOUS',
  'FIRM_OWN',
  'FIRM_OTHER',
  'LISTED_COMPANY',
  'ASSOCIATION',
  'REGULATOR',
  'SA_SCOPED',
  'SA_UNSCOPED',
  'SZLCA_STAFF',
  'SZLCA_SA_SCOPED',
  'SZLCA_SA_UNSCOPED',
] as const;
/**
 * FIRM_OWN is the firm whose objects the rows are, a member of the securities association (SZSA) only; FIRM_OTHER
 * another such securities firm. LISTED_COMPANY is a listed company, a member of the listed companies association
 * (SZLCA) only. ASSOCIATION is the securities association's (SZSA) staff; SZLCA_STAFF the listed companies
 * association's. SA_SCOPED is a regulator's service account holding every scope (serviceAccountScopes); SA_UNSCOPED one holding only webhooks:manage (no read scope). SZLCA_SA_SCOPED and
 * SZLCA_SA_UNSCOPED are the same two of the listed companies association (role association).
 */
export type Principal = (typeof principals)[number];

export const ALL: readonly Principal[] = principals;
/** SZSA staff (ASSOCIATION) and the regulator in person. */
export const STAFF: readonly Principal[] = ['ASSOCIATION', 'REGULATOR'];
export const STAFF_AND_SCOPED: readonly Principal[] = [...STAFF, 'SA_SCOPED'];
export const STAFF_AND_ACCOUNTS: readonly Principal[] = [...STAFF, 'SA_SCOPED', 'SA_UNSCOPED'];
/** The regulator: every association's private data, in person and through its service accounts. */
export const BUREAU_AND_SCOPED: readonly Principal[] = ['REGULATOR', 'SA_SCOPED'];
export const BUREAU_AND_ACCOUNTS: readonly Principal[] = ['REGULATOR', 'SA_SCOPED', 'SA_UNSCOPED'];
/** The listed companies association (SZLCA): its staff, and its service accounts with and without read scopes. */
export const SZLCA_STAFF_AND_SCOPED: readonly Principal[] = ['SZLCA_STAFF', 'SZLCA_SA_SCOPED'];
export const SZLCA_STAFF_AND_ACCOUNTS: readonly Principal[] = [...SZLCA_STAFF_AND_SCOPED, 'SZLCA_SA_UNSCOPED'];

export type PathKind = 'list' | 'totalCount' | 'node' | 'nodes' | 'root' | 'nested' | 'payload' | 'csv' | 'webhook' | 'stream';

export interface Probe {
  path: PathKind;
  /** The query or route, in words. */
  how: string;
  /** Who sees the object on this path, when it differs from the row (a mutation only some may call, a staff-only list). */
  seenBy?: readonly Principal[];
  /** Runs as the principal; `visible` when the object shows. A malformed answer (500, unknown code, leak) fails inside. */
  run(w: World, p: Principal): Promise<{ visible: boolean; text: string }>;
  /** A reason to skip, decided at run time (a route or fixture that does not exist yet). */
  skip?(w: World): Promise<string | null> | string | null;
}

export interface MatrixRow {
  object: string;
  seenBy: readonly Principal[];
  /** Text only this object carries (a title, an email): never in an answer to someone who may not see the object. */
  marker?(w: World): string;
  probes: Probe[];
}

// ---------------------------------------------------------------------------------------------------- the fixture

export interface World {
  t: TestApp;
  tokens: Record<Principal, string | undefined>;
  orgA: { id: string; creditCode: string };
  contact: { id: string; email: string };
  branchA: { id: string };
  ratings: { published: string; unpublished: string; selfAssessment: string; selfYear: number; selfScores: { indicator: string; value: number }[] };
  suggestion: { id: string; title: string; input: Record<string, unknown> };
  forwarded: { id: string; note: string };
  policies: Record<'public' | 'members' | 'draft', { id: string; tag: string; title: string }>;
  serviceAccount: { id: string; clientId: string };
  webhooks: { association: { id: string; url: string }; account: { id: string; url: string } };
  /** Event ids received by each principal's webhook subscription (none for principals who could not subscribe). */
  received: Record<Principal, string[]>;
  delivery: string;
  dataAccessResource: string;
  cycle: { id: string; year: number };
  campaign: { id: string; title: string };
  /** The listed companies association's (SZLCA) own data, and the public data of several associations. */
  szlca: {
    listed: { id: string; creditCode: string };
    contact: { id: string; email: string };
    suggestion: { id: string; title: string; input: Record<string, unknown> };
    campaign: { id: string; title: string };
    policies: Record<'members' | 'draft', { id: string; tag: string; title: string }>;
    serviceAccount: { id: string; clientId: string };
    webhooks: { staff: { id: string; url: string }; account: { id: string; url: string } };
    committee: { id: string };
  };
  associations: Record<'SZSA' | 'SZLCA', string>;
  today: string;
  /** The fixtures of the domain parts (test/security/matrix/), by part name, built after the rest of the world. */
  parts: Record<string, unknown>;
  close(): Promise<void>;
}

export const tag = () => randomBytes(4).toString('hex');

/** Runs a query as a principal; fails on anything but data, FORBIDDEN or (for a mutation) a clean payload. */
export async function ask(w: World, p: Principal, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const res = await w.t.gql(query, variables, { token: w.tokens[p] });
  for (const error of res.body.errors ?? []) expect(['FORBIDDEN'], `${p}: ${res.text.slice(0, 300)}`).toContain(error.extensions?.code);
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  if (res.body.errors) expectNoLeak(JSON.stringify(res.body.errors));
  return res;
}

export async function asStaff(t: TestApp, token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await t.gql(query, variables, { token });
  expect(res.body.errors, res.text.slice(0, 500)).toBeUndefined();
  return res.body.data;
}

export async function rows<T>(t: TestApp, query: SQL): Promise<T[]> {
  return ((await t.database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Credit codes of the organizations holding a membership of an association (any status). */
export async function membersOf(t: TestApp, associationId: number): Promise<Set<string>> {
  const found = await rows<{ credit_code: string }>(
    t,
    sql`select o.credit_code from organizations o join memberships m on m.organization_id = o.id where m.association_id = ${associationId}`,
  );
  return new Set(found.map((r) => r.credit_code));
}

/** The credit code of the first organization of a kind that is an ACTIVE member of `associationId` and of no other. */
export async function onlyMemberOf(t: TestApp, kind: string, associationId: number, not: string[] = []): Promise<string> {
  const found = await rows<{ credit_code: string }>(
    t,
    sql`select o.credit_code from organizations o
        where o.kind = ${kind}
          and exists (select 1 from memberships m where m.organization_id = o.id and m.association_id = ${associationId} and m.status = 'ACTIVE')
          and not exists (select 1 from memberships m where m.organization_id = o.id and m.association_id <> ${associationId})
        order by o.id`,
  );
  const code = found.map((r) => r.credit_code).find((c) => !not.includes(c));
  expect(code, `the demo data has a ${kind} that is a member of association ${associationId} only`).toBeTruthy();
  return code!;
}

export async function buildWorld(t: TestApp): Promise<World> {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const association = await t.token('association', undefined, 3600);
  const szlcaStaff = await t.token('association', undefined, 3600, { association: 'SZLCA' });
  const regulator = await t.token('regulator', undefined, 3600);
  const staff = (query: string, variables: Record<string, unknown> = {}) => asStaff(t, association, query, variables);
  const szlca = (query: string, variables: Record<string, unknown> = {}) => asStaff(t, szlcaStaff, query, variables);

  // Firm A: the firm of a branch under daily supervision in the published 2025 cycle (so every rating path applies),
  // a member of the securities association only (so its contacts are that association's private data).
  const inSzlca = await membersOf(t, ASSOCIATION_IDS.SZLCA);
  const supervised = await staff('{ supervisionList(year: 2025) { id branch { id firm { id creditCode } } } }');
  const first = (supervised.supervisionList as { id: string; branch: { id: string; firm: { id: string; creditCode: string } } }[]).find((r) => !inSzlca.has(r.branch.firm.creditCode));
  expect(first, 'the demo data has a supervised branch in 2025 of a firm in SZSA only').toBeTruthy();
  const orgA = first!.branch.firm;
  const branchA = { id: first!.branch.id };
  const otherCode = await onlyMemberOf(t, 'SECURITIES_FIRM', ASSOCIATION_IDS.SZSA, [orgA.creditCode]);
  // The listed company: a member of the listed companies association only (as listed companies are since issue 16).
  const listedCode = await onlyMemberOf(t, 'LISTED_COMPANY', ASSOCIATION_IDS.SZLCA);
  const listed = await asStaff(t, regulator, 'query($c: String!) { organization(creditCode: $c) { id } }', { c: listedCode });

  const scoped = await newServiceAccount(t, { role: 'regulator', name: '证监局全权限系统', scopes: [...serviceAccountScopes] });
  const unscoped = await newServiceAccount(t, { role: 'regulator', name: '证监局仅Webhook系统', scopes: ['webhooks:manage'] });
  // The listed companies association's own service accounts, created by its staff (so they are its).
  const szlcaAccount = async (name: string, scopes: string[]) => {
    const created = await szlca(
      `mutation($i: CreateServiceAccountInput!) { createServiceAccount(input: $i) { clientSecret serviceAccount { id clientId } userErrors { code } } }`,
      { i: { name, role: 'ASSOCIATION', scopes } },
    );
    expect(created.createServiceAccount.userErrors).toEqual([]);
    const { id, clientId } = created.createServiceAccount.serviceAccount as { id: string; clientId: string };
    return { id, clientId, clientSecret: created.createServiceAccount.clientSecret as string };
  };
  const szlcaScoped = await szlcaAccount('深上协全权限系统', [...serviceAccountScopes]);
  const szlcaUnscoped = await szlcaAccount('深上协仅Webhook系统', ['webhooks:manage']);
  const tokens: Record<Principal, string | undefined> = {
    ANONYMOUS: undefined,
    FIRM_OWN: await t.token('firm', orgA.creditCode, 3600),
    FIRM_OTHER: await t.token('firm', otherCode, 3600),
    LISTED_COMPANY: await t.token('listed_company', listedCode, 3600),
    ASSOCIATION: association,
    REGULATOR: regulator,
    SA_SCOPED: await clientToken(t, scoped.clientId, scoped.clientSecret),
    SA_UNSCOPED: await clientToken(t, unscoped.clientId, unscoped.clientSecret),
    SZLCA_STAFF: szlcaStaff,
    SZLCA_SA_SCOPED: await clientToken(t, szlcaScoped.clientId, szlcaScoped.clientSecret),
    SZLCA_SA_UNSCOPED: await clientToken(t, szlcaUnscoped.clientId, szlcaUnscoped.clientSecret),
  };

  // A contact of firm A.
  const email = `matrix-${tag()}@example.test`;
  const contact = await staff(`mutation($o: ID!, $e: String!) { addContact(input: { organizationId: $o, name: "矩阵联系人", email: $e }) { contact { id } userErrors { code } } }`, { o: orgA.id, e: email });
  expect(contact.addContact.userErrors).toEqual([]);

  // Policy interpretations: PUBLIC and MEMBERS published, one draft; each with its own tag.
  const policies = {} as World['policies'];
  for (const [kind, audience, publish] of [['public', 'PUBLIC', true], ['members', 'MEMBERS', true], ['draft', 'MEMBERS', false]] as const) {
    const mark = `mx-${kind}-${tag()}`; // tags are at most 20 characters
    const created = await staff(
      `mutation($i: CreatePolicyInterpretationInput!) { createPolicyInterpretation(input: $i) { policyInterpretation { id } userErrors { code } } }`,
      { i: { title: `矩阵解读 ${mark}`, summary: '摘要', body: '正文', audience, tags: [mark] } },
    );
    expect(created.createPolicyInterpretation.userErrors).toEqual([]);
    const id = created.createPolicyInterpretation.policyInterpretation.id as string;
    if (publish) await staff(`mutation($id: ID!) { publishPolicyInterpretation(input: { id: $id }) { userErrors { code } } }`, { id });
    // A second revision, so the revision history has something to hide.
    await staff(`mutation($id: ID!) { updatePolicyInterpretation(input: { id: $id, summary: "摘要（修订）", note: "修订" }) { userErrors { code } } }`, { id });
    policies[kind] = { id, tag: mark, title: `矩阵解读 ${mark}` };
  }

  // A campaign addressed to listed companies only.
  const campaignTitle = `矩阵征集 ${tag()}`;
  const campaign = await staff(
    `mutation($i: CreateSuggestionCampaignInput!) { createSuggestionCampaign(input: $i) { suggestionCampaign { id } userErrors { code } } }`,
    { i: { title: campaignTitle, documentNumber: `深证协函〔2026〕${Math.floor(Math.random() * 900) + 100}号`, topics: ['OTHER'], invitedKinds: ['LISTED_COMPANY'], deadline: '2099-12-31' } },
  );
  expect(campaign.createSuggestionCampaign.userErrors).toEqual([]);

  // The listed companies association's data: a contact of its member, a MEMBERS interpretation and a draft, a campaign
  // addressed to listed companies, all made by its own staff (so they are its); and one of its committees (public).
  const szlcaEmail = `matrix-szlca-${tag()}@example.test`;
  const [szlcaContact] = await rows<{ id: number }>(
    t,
    sql`insert into contacts (organization_id, name, email) select id, '矩阵董秘', ${szlcaEmail} from organizations where credit_code = ${listedCode} returning id`,
  );
  const szlcaPolicies = {} as World['szlca']['policies'];
  for (const [kind, publish] of [['members', true], ['draft', false]] as const) {
    const mark = `mx-l${kind.slice(0, 1)}-${tag()}`;
    const created = await szlca(
      `mutation($i: CreatePolicyInterpretationInput!) { createPolicyInterpretation(input: $i) { policyInterpretation { id } userErrors { code } } }`,
      { i: { title: `矩阵上市公司解读 ${mark}`, summary: '摘要', body: '正文', audience: 'MEMBERS', tags: [mark] } },
    );
    expect(created.createPolicyInterpretation.userErrors).toEqual([]);
    const id = created.createPolicyInterpretation.policyInterpretation.id as string;
    if (publish) await szlca(`mutation($id: ID!) { publishPolicyInterpretation(input: { id: $id }) { userErrors { code } } }`, { id });
    szlcaPolicies[kind] = { id, tag: mark, title: `矩阵上市公司解读 ${mark}` };
  }
  const szlcaCampaignTitle = `矩阵上市公司征集 ${tag()}`;
  const szlcaCampaign = await szlca(
    `mutation($i: CreateSuggestionCampaignInput!) { createSuggestionCampaign(input: $i) { suggestionCampaign { id } userErrors { code } } }`,
    { i: { title: szlcaCampaignTitle, documentNumber: `深上协函〔2026〕${Math.floor(Math.random() * 900) + 100}号`, topics: ['OTHER'], invitedKinds: ['LISTED_COMPANY'], deadline: '2099-12-31' } },
  );
  expect(szlcaCampaign.createSuggestionCampaign.userErrors).toEqual([]);
  let [szlcaCommittee] = await rows<{ id: number }>(t, sql`select id from committees where association_id = ${ASSOCIATION_IDS.SZLCA} order by id limit 1`);
  // The seeds of the committees area add the listed companies association's committees; until then, one of its own.
  szlcaCommittee ??= (await rows<{ id: number }>(t, sql`insert into committees (association_id, code, name) values (${ASSOCIATION_IDS.SZLCA}, 'BOARD_SECRETARIES', '董事会秘书专业委员会') returning id`))[0]!;

  // Webhook subscriptions: every principal tries; each association's staff and the scoped accounts succeed.
  const receivers = new Map<Principal, Awaited<ReturnType<typeof startReceiver>>>();
  const subscriptions = new Map<Principal, string>();
  for (const p of principals) {
    const receiver = await startReceiver();
    receivers.set(p, receiver);
    const res = await t.gql(
      `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: [SUGGESTION_SUBMITTED] }) { webhookSubscription { id } userErrors { code } } }`,
      { url: receiver.url },
      { token: tokens[p] },
    );
    const id = res.body.data?.createWebhookSubscription?.webhookSubscription?.id;
    if (id) subscriptions.set(p, id);
  }
  expect([...subscriptions.keys()].sort()).toEqual(['ASSOCIATION', 'SA_SCOPED', 'SZLCA_SA_SCOPED', 'SZLCA_STAFF']);

  // Firm A's suggestion (after the subscriptions, so they receive it), with an idempotency key for the payload path.
  const title = `矩阵建议 ${tag()}`;
  const input = { topic: 'QIANHAI', title, body: '只有本机构、协会和证监局可见', idempotencyKey: `matrix-${tag()}` };
  const submitted = await t.gql(`mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { suggestion { id } userErrors { code } } }`, { i: input }, { token: tokens.FIRM_OWN });
  expect(submitted.body.data.submitSuggestion.userErrors).toEqual([]);
  const suggestionId = submitted.body.data.submitSuggestion.suggestion.id as string;

  // Another of firm A's suggestions, accepted and forwarded with a staff-only note.
  const note = `矩阵报送说明 ${tag()}`;
  const second = await t.gql(`mutation { submitSuggestion(input: { topic: FINTECH, title: "矩阵报送建议", body: "正文" }) { suggestion { id } } }`, {}, { token: tokens.FIRM_OWN });
  const forwardedId = second.body.data.submitSuggestion.suggestion.id as string;
  await staff(`mutation($id: ID!) { reviewSuggestion(input: { id: $id, decision: ACCEPT }) { userErrors { code } } }`, { id: forwardedId });
  const forwarded = await staff(`mutation($id: ID!, $n: String) { forwardSuggestions(input: { ids: [$id], recipient: SAC, note: $n }) { userErrors { code } } }`, { id: forwardedId, n: note });
  expect(forwarded.forwardSuggestions.userErrors).toEqual([]);

  // The listed company's suggestion, submitted without naming an association: it goes to its first association, SZLCA.
  const szlcaTitle = `矩阵上市公司建议 ${tag()}`;
  const szlcaInput = { topic: 'CAPITAL_MARKET_REFORM', title: szlcaTitle, body: '只有本公司、深上协和证监局可见', idempotencyKey: `matrix-l-${tag()}` };
  const szlcaSubmitted = await t.gql(`mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { suggestion { id } userErrors { code } } }`, { i: szlcaInput }, { token: tokens.LISTED_COMPANY });
  expect(szlcaSubmitted.body.data?.submitSuggestion.userErrors, szlcaSubmitted.text.slice(0, 300)).toEqual([]);
  const szlcaSuggestionId = szlcaSubmitted.body.data.submitSuggestion.suggestion.id as string;

  // Deliver the webhooks: each suggestion to the subscriptions that may see it. Waiting ends when all of those have
  // arrived (or after 15 s, when the webhook cases fail one by one); the others got theirs in the same fan-out.
  const worker = startWebhookWorker({ db: t.database.db, logger: createLogger('silent'), pollIntervalMs: 20, maxAttempts: 3, retryBaseSeconds: 0.05, allowedHosts: t.config.WEBHOOK_ALLOWED_HOSTS, timeoutMs: 2000 });
  const mentions = (p: Principal, id: string) => (receivers.get(p)?.received ?? []).some((r) => r.body.includes(id));
  await waitFor(
    'webhook deliveries',
    () => mentions('ASSOCIATION', suggestionId) && mentions('SA_SCOPED', suggestionId) && (['SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'SA_SCOPED'] as const).every((p) => mentions(p, szlcaSuggestionId)),
    15_000,
  ).catch(() => undefined);
  await worker.stop();
  const received = Object.fromEntries(principals.map((p) => [p, (receivers.get(p)?.received ?? []).map((r) => r.body)])) as Record<Principal, string[]>;
  for (const r of receivers.values()) await r.close();

  const delivery = await staff(`query($s: ID) { webhookDeliveries(first: 1, filter: { subscriptionId: $s }) { edges { node { id } } } }`, { s: subscriptions.get('ASSOCIATION') });
  const subscriptionOf = (p: Principal) => ({ id: subscriptions.get(p)!, url: receivers.get(p)!.url });

  // Ratings: firm A's published (2025) and unpublished (2026) ratings of branch A, and one in self-assessment.
  const ratingOf = async (year: number) => {
    const res = await staff(`query($id: ID!) { node(id: $id) { ... on Branch { ratings { id year } } } }`, { id: branchA.id });
    const found = res.node.ratings.find((r: { year: number }) => r.year === year);
    expect(found, `branch A has a ${year} rating`).toBeTruthy();
    return found.id as string;
  };
  const selfYear = 2027;
  const cycleInput = { year: selfYear, guidelineVersion: 2, selfAssessmentDueOn: '2027-09-30', associationScoringDueOn: '2027-11-15', bureauReviewDueOn: '2027-12-15', publicationDueOn: '2027-12-31' };
  const created = await staff(`mutation($i: CreateRatingCycleInput!) { createRatingCycle(input: $i) { ratingCycle { guideline { indicators { code method points } } } userErrors { code } } }`, { i: cycleInput });
  expect(created.createRatingCycle.userErrors).toEqual([]);
  await staff(`mutation { advanceRatingCycle(input: { year: ${selfYear}, to: SELF_ASSESSMENT }) { userErrors { code } } }`);
  const indicator = created.createRatingCycle.ratingCycle.guideline.indicators.find((i: { method: string }) => i.method === 'BASE');
  const selfScores = [{ indicator: indicator.code as string, value: indicator.points as number }];
  const scored = await t.gql(
    `mutation($i: ScoreBranchRatingInput!) { scoreBranchRating(input: $i) { branchRating { id } userErrors { code } } }`,
    { i: { year: selfYear, branchId: branchA.id, scores: selfScores } },
    { token: tokens.FIRM_OWN },
  );
  expect(scored.body.data.scoreBranchRating.userErrors).toEqual([]);

  const dataAccessResource = `matrix-read-${tag()}`;
  await recordDataAccess(t.database.db, { role: 'REGULATOR', subject: 'test:regulator', organizationId: null }, { resource: dataAccessResource });

  const cycle = await staff('{ ratingCycle(year: 2026) { id status } }');
  expect(cycle.ratingCycle.status).not.toBe('PUBLISHED');
  const campaignId = campaign.createSuggestionCampaign.suggestionCampaign.id as string;

  return {
    t,
    tokens,
    orgA,
    contact: { id: contact.addContact.contact.id, email },
    branchA,
    ratings: { published: first!.id, unpublished: await ratingOf(2026), selfAssessment: await ratingOf(selfYear), selfYear, selfScores },
    suggestion: { id: suggestionId, title, input },
    forwarded: { id: forwardedId, note },
    policies,
    serviceAccount: { id: encodeGlobalId('ServiceAccount', scoped.id), clientId: scoped.clientId },
    webhooks: { association: subscriptionOf('ASSOCIATION'), account: subscriptionOf('SA_SCOPED') },
    received,
    delivery: delivery.webhookDeliveries.edges[0].node.id,
    dataAccessResource,
    cycle: { id: cycle.ratingCycle.id, year: 2026 },
    campaign: { id: campaignId, title: campaignTitle },
    szlca: {
      listed: { id: listed.organization.id as string, creditCode: listedCode },
      contact: { id: encodeGlobalId('Contact', szlcaContact!.id), email: szlcaEmail },
      suggestion: { id: szlcaSuggestionId, title: szlcaTitle, input: szlcaInput },
      campaign: { id: szlcaCampaign.createSuggestionCampaign.suggestionCampaign.id as string, title: szlcaCampaignTitle },
      policies: szlcaPolicies,
      serviceAccount: { id: szlcaScoped.id, clientId: szlcaScoped.clientId },
      webhooks: { staff: subscriptionOf('SZLCA_STAFF'), account: subscriptionOf('SZLCA_SA_SCOPED') },
      committee: { id: encodeGlobalId('Committee', szlcaCommittee.id) },
    },
    associations: { SZSA: encodeGlobalId('Association', ASSOCIATION_IDS.SZSA), SZLCA: encodeGlobalId('Association', ASSOCIATION_IDS.SZLCA) },
    today,
    parts: {},
    async close() {},
  };
}

// ---------------------------------------------------------------------------------------------------- probe builders

const found = (res: GqlResult, visible: boolean) => ({ visible, text: res.text });

/** node(id) { id }: the object, or null. */
export function viaNode(idOf: (w: World) => string, selection = 'id', isVisible?: (node: any, w: World) => boolean): Probe {
  return {
    path: 'node',
    how: `node(id) { ${selection} }`,
    async run(w, p) {
      const res = await ask(w, p, `query($id: ID!) { node(id: $id) { ${selection} } }`, { id: idOf(w) });
      const node = res.body.data?.node;
      return found(res, isVisible ? node != null && isVisible(node, w) : node?.id === idOf(w));
    },
  };
}

/** nodes([id, a public organization]): the object in place, or null; the public one always loads. */
export function viaNodes(idOf: (w: World) => string, selection = 'id', isVisible?: (node: any, w: World) => boolean): Probe {
  return {
    path: 'nodes',
    how: `nodes(ids: [id, organization]) { ${selection} }`,
    async run(w, p) {
      const res = await ask(w, p, `query($ids: [ID!]!) { nodes(ids: $ids) { id ${selection} } }`, { ids: [idOf(w), w.orgA.id] });
      const [node, org] = res.body.data.nodes;
      expect(org?.id).toBe(w.orgA.id);
      return found(res, isVisible ? node != null && isVisible(node, w) : node?.id === idOf(w));
    },
  };
}

export interface Page {
  edges: { node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
}

/**
 * Pages through a connection (the query takes $after and selects pageInfo { hasNextPage endCursor }, edges { node { id } }
 * and, for totalCount probes, totalCount). A null connection (FORBIDDEN) lists nothing.
 */
async function pageThrough(w: World, p: Principal, query: string, variables: Record<string, unknown>, pick: (data: any) => Page | null) {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount: number | undefined;
  let text = '';
  for (let page = 0; page < 50; page++) {
    const res = await ask(w, p, query, { ...variables, after });
    text += res.text;
    const connection = res.body.data ? pick(res.body.data) : null;
    if (!connection) return { ids, totalCount: undefined, text, forbidden: true };
    ids.push(...connection.edges.map((e) => e.node.id));
    totalCount ??= connection.totalCount;
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { ids, totalCount, text, forbidden: false };
}

export function viaList(how: string, query: string, pick: (data: any) => Page | null, idOf: (w: World) => string, variables: (w: World) => Record<string, unknown> = () => ({})): Probe {
  return {
    path: 'list',
    how,
    async run(w, p) {
      const listed = await pageThrough(w, p, query, variables(w), pick);
      return { visible: listed.ids.includes(idOf(w)), text: listed.text };
    },
  };
}

/** totalCount agrees with the rows actually listed to the same viewer (so it never counts hidden rows). */
export function viaTotalCount(how: string, query: string, pick: (data: any) => Page | null, idOf: (w: World) => string, variables: (w: World) => Record<string, unknown> = () => ({})): Probe {
  return {
    path: 'totalCount',
    how,
    async run(w, p) {
      const listed = await pageThrough(w, p, query, variables(w), pick);
      if (!listed.forbidden) expect(listed.totalCount, `${how} as ${p}`).toBe(listed.ids.length);
      return { visible: listed.ids.includes(idOf(w)) && !listed.forbidden, text: listed.text };
    },
  };
}

export function viaQuery(path: PathKind, how: string, query: string, isVisible: (data: any, w: World) => boolean, variables: (w: World) => Record<string, unknown> = () => ({}), seenBy?: readonly Principal[]): Probe {
  return {
    path,
    how,
    seenBy,
    async run(w, p) {
      const res = await ask(w, p, query, variables(w));
      return found(res, res.body.data != null && isVisible(res.body.data, w));
    },
  };
}

/** A CSV export: visible when the file (200) holds the object's id; hidden is 401 without a token and 403 otherwise. */
export function viaCsv(route: (w: World) => string, idOf: (w: World) => string, seenBy: readonly Principal[]): Probe {
  const path = (w: World) => route(w).split('?')[0]!;
  return {
    path: 'csv',
    how: 'GET /reports/…csv',
    seenBy,
    async skip(w) {
      const res = await fetch(`${w.t.url}${path(w)}`);
      // TODO(matrix): if the CSV routes are removed or renamed, this case skips instead of failing; keep the route list in sync.
      return res.status === 404 ? `${path(w)} is not served by this build` : null;
    },
    async run(w, p) {
      const token = w.tokens[p];
      const res = await fetch(`${w.t.url}${route(w)}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const text = await res.text();
      if (res.status === 200) return { visible: text.includes(idOf(w)), text };
      expect(res.status).toBe(token ? 403 : 401);
      expectNoLeak(text);
      return { visible: false, text };
    },
  };
}

export const PAGE = 'pageInfo { hasNextPage endCursor }';
export const withCount = (fields: string) => `totalCount ${PAGE} edges { node { id ${fields} } }`;
export const noCount = (fields = '') => `${PAGE} edges { node { id ${fields} } }`;

// ---------------------------------------------------------------------------------------------------- the table

const branchRatings = (year: number, count: boolean) =>
  `query($after: String) { branchRatings(year: ${year}, first: 100, after: $after) { ${count ? withCount('') : noCount()} } }`;
const suggestionsList = (count: boolean) => `query($after: String) { suggestions(first: 100, after: $after) { ${count ? withCount('') : noCount()} } }`;
const ratingsOfBranch = `query($id: ID!) { node(id: $id) { ... on Branch { ratings { id } } } }`;

export const matrix: MatrixRow[] = [
  {
    object: 'Organization (directory)',
    seenBy: ALL,
    probes: [
      viaList('organizations(filter: { search: creditCode })', `query($after: String, $s: String) { organizations(first: 10, after: $after, filter: { search: $s }) { ${noCount()} } }`, (d) => d.organizations, (w) => w.orgA.id, (w) => ({ s: w.orgA.creditCode })),
      viaTotalCount('organizations(filter).totalCount', `query($after: String, $s: String) { organizations(first: 10, after: $after, filter: { search: $s }) { ${withCount('')} } }`, (d) => d.organizations, (w) => w.orgA.id, (w) => ({ s: w.orgA.creditCode })),
      viaNode((w) => w.orgA.id),
      viaNodes((w) => w.orgA.id),
      viaQuery('root', 'organization(creditCode)', 'query($c: String!) { organization(creditCode: $c) { id } }', (d, w) => d.organization?.id === w.orgA.id, (w) => ({ c: w.orgA.creditCode })),
    ],
  },
  {
    object: "Contact of firm A (Organization.contacts)",
    seenBy: ['FIRM_OWN', ...STAFF_AND_SCOPED],
    marker: (w) => w.contact.email,
    probes: [
      // People see the email in full; a service account (with contacts:read) only masked.
      viaQuery('nested', 'organization(creditCode) { contacts { email } } in full', 'query($c: String!) { organization(creditCode: $c) { contacts { email } } }', (d, w) => !!d.organization.contacts?.some((c: any) => c.email === w.contact.email), (w) => ({ c: w.orgA.creditCode }), ['FIRM_OWN', ...STAFF]),
      viaQuery('nested', 'organization(creditCode) { contacts }', 'query($c: String!) { organization(creditCode: $c) { contacts { id email } } }', (d, w) => !!d.organization.contacts?.some((c: any) => c.id === w.contact.id), (w) => ({ c: w.orgA.creditCode })),
      viaQuery('list', 'organizations(filter) { edges { node { contacts } } }', 'query($s: String) { organizations(first: 5, filter: { search: $s }) { edges { node { contacts { id email } } } } }', (d, w) => d.organizations.edges.some((e: any) => e.node.contacts?.some((c: any) => c.id === w.contact.id)), (w) => ({ s: w.orgA.creditCode })),
      viaNode((w) => w.orgA.id, '... on Organization { contacts { id email } }', (n, w) => !!n.contacts?.some((c: any) => c.id === w.contact.id)),
      viaNodes((w) => w.orgA.id, '... on Organization { contacts { id email } }', (n, w) => !!n.contacts?.some((c: any) => c.id === w.contact.id)),
      viaQuery('nested', 'branchRating → branch → firm → contacts', 'query($id: ID!) { node(id: $id) { ... on Branch { firm { contacts { id email } } } } }', (d, w) => !!d.node?.firm.contacts?.some((c: any) => c.id === w.contact.id), (w) => ({ id: w.branchA.id })),
      viaQuery(
        'payload',
        'updateContact(id) with no change → payload.contact',
        'mutation($id: ID!) { updateContact(input: { id: $id }) { contact { email } userErrors { code } } }',
        (d, w) => d.updateContact.contact?.email === w.contact.email,
        (w) => ({ id: w.contact.id }),
        ['FIRM_OWN', 'ASSOCIATION'],
      ),
    ],
  },
  {
    object: "BranchRating of firm A, published cycle",
    seenBy: ['FIRM_OWN', ...STAFF_AND_SCOPED],
    probes: [
      viaList('branchRatings(year: 2025)', branchRatings(2025, false), (d) => d.branchRatings, (w) => w.ratings.published),
      viaTotalCount('branchRatings(year: 2025).totalCount', branchRatings(2025, true), (d) => d.branchRatings, (w) => w.ratings.published),
      viaNode((w) => w.ratings.published),
      viaNodes((w) => w.ratings.published),
      viaQuery('nested', 'Branch.ratings', ratingsOfBranch, (d, w) => !!d.node?.ratings.some((r: any) => r.id === w.ratings.published), (w) => ({ id: w.branchA.id })),
      viaQuery(
        'nested',
        'organization(creditCode) { branches { ratings } }',
        'query($c: String!) { organization(creditCode: $c) { branches(first: 100) { edges { node { ratings { id } } } } } }',
        (d, w) => d.organization.branches.edges.some((e: any) => e.node.ratings.some((r: any) => r.id === w.ratings.published)),
        (w) => ({ c: w.orgA.creditCode }),
      ),
      viaQuery('list', 'supervisionList(year: 2025)', '{ supervisionList(year: 2025) { id } }', (d, w) => !!d.supervisionList?.some((r: any) => r.id === w.ratings.published), () => ({}), STAFF_AND_SCOPED),
      viaCsv(() => '/reports/branch-ratings.csv?year=2025', (w) => w.ratings.published, STAFF_AND_SCOPED),
    ],
  },
  {
    object: 'BranchRating of firm A, cycle not yet published',
    seenBy: STAFF_AND_SCOPED,
    probes: [
      viaList('branchRatings(year: 2026)', branchRatings(2026, false), (d) => d.branchRatings, (w) => w.ratings.unpublished),
      viaTotalCount('branchRatings(year: 2026).totalCount', branchRatings(2026, true), (d) => d.branchRatings, (w) => w.ratings.unpublished),
      viaNode((w) => w.ratings.unpublished),
      viaNodes((w) => w.ratings.unpublished),
      viaQuery('nested', 'Branch.ratings', ratingsOfBranch, (d, w) => !!d.node?.ratings.some((r: any) => r.id === w.ratings.unpublished), (w) => ({ id: w.branchA.id })),
      viaCsv(() => '/reports/branch-ratings.csv?year=2026', (w) => w.ratings.unpublished, STAFF_AND_SCOPED),
    ],
  },
  {
    object: "BranchRating of firm A during its own self-assessment",
    seenBy: STAFF_AND_SCOPED,
    probes: [
      viaNode((w) => w.ratings.selfAssessment),
      viaNodes((w) => w.ratings.selfAssessment),
      viaQuery('nested', 'Branch.ratings', ratingsOfBranch, (d, w) => !!d.node?.ratings.some((r: any) => r.id === w.ratings.selfAssessment), (w) => ({ id: w.branchA.id })),
      viaQuery(
        'payload',
        'scoreBranchRating (re-scoring) → payload.branchRating',
        'mutation($i: ScoreBranchRatingInput!) { scoreBranchRating(input: $i) { branchRating { id } userErrors { code } } }',
        (d, w) => d.scoreBranchRating.branchRating?.id === w.ratings.selfAssessment,
        (w) => ({ i: { year: w.ratings.selfYear, branchId: w.branchA.id, scores: w.ratings.selfScores } }),
        [],
      ),
    ],
  },
  {
    object: 'BranchRating.scoreLines (staff only) of a published rating',
    seenBy: STAFF_AND_SCOPED,
    probes: [
      viaNode((w) => w.ratings.published, '... on BranchRating { scoreLines { stage } }', (n) => Array.isArray(n.scoreLines)),
      viaNodes((w) => w.ratings.published, '... on BranchRating { scoreLines { stage } }', (n) => Array.isArray(n.scoreLines)),
      viaQuery('nested', 'Branch.ratings.scoreLines', 'query($id: ID!) { node(id: $id) { ... on Branch { ratings { id scoreLines { stage } } } } }', (d, w) => !!d.node?.ratings.some((r: any) => r.id === w.ratings.published && Array.isArray(r.scoreLines)), (w) => ({ id: w.branchA.id })),
    ],
  },
  {
    object: "Suggestion of firm A",
    seenBy: ['FIRM_OWN', ...STAFF_AND_SCOPED],
    // Its id, not its title: the payload probe replays firm A's input as every principal, and a listed company that
    // replays it files its own suggestion with the same title (to its own association, whose staff then see that one).
    marker: (w) => w.suggestion.id,
    probes: [
      viaList('suggestions', suggestionsList(false), (d) => d.suggestions, (w) => w.suggestion.id),
      viaTotalCount('suggestions.totalCount', suggestionsList(true), (d) => d.suggestions, (w) => w.suggestion.id),
      viaNode((w) => w.suggestion.id),
      viaNodes((w) => w.suggestion.id),
      viaTotalCount(
        'organization(creditCode) { suggestions { totalCount } }',
        `query($after: String, $c: String!) { organization(creditCode: $c) { suggestions(first: 100, after: $after) { ${withCount('')} } } }`,
        (d) => d.organization.suggestions,
        (w) => w.suggestion.id,
        (w) => ({ c: w.orgA.creditCode }),
      ),
      viaQuery(
        'payload',
        'submitSuggestion with the same idempotencyKey and input → payload.suggestion',
        'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { suggestion { id } userErrors { code } } }',
        (d, w) => d.submitSuggestion.suggestion?.id === w.suggestion.id,
        (w) => ({ i: w.suggestion.input }),
        ['FIRM_OWN'],
      ),
      {
        path: 'webhook',
        how: 'suggestion.submitted delivered to the principal’s own subscription',
        seenBy: ['ASSOCIATION', 'SA_SCOPED'],
        async run(w, p) {
          const text = w.received[p].join('\n');
          return { visible: text.includes(w.suggestion.id), text };
        },
      },
      viaCsv((w) => `/reports/suggestions.csv?from=${w.today}&to=${w.today}`, (w) => w.suggestion.id, STAFF_AND_SCOPED),
    ],
  },
  {
    object: 'Suggestion.forwarding.note (staff only)',
    seenBy: STAFF_AND_SCOPED,
    marker: (w) => w.forwarded.note,
    probes: [
      viaNode((w) => w.forwarded.id, '... on Suggestion { forwarding { note } }', (n, w) => n.forwarding?.note === w.forwarded.note),
      viaNodes((w) => w.forwarded.id, '... on Suggestion { forwarding { note } }', (n, w) => n.forwarding?.note === w.forwarded.note),
      viaQuery(
        'nested',
        'organization(creditCode) { suggestions { forwarding { note } } }',
        'query($c: String!) { organization(creditCode: $c) { suggestions(first: 100) { edges { node { forwarding { note } } } } } }',
        (d, w) => d.organization.suggestions.edges.some((e: any) => e.node.forwarding?.note === w.forwarded.note),
        (w) => ({ c: w.orgA.creditCode }),
      ),
    ],
  },
  ...(['public', 'members', 'draft'] as const).map(
    (kind): MatrixRow => ({
      object: `PolicyInterpretation, ${kind === 'public' ? 'audience PUBLIC' : kind === 'members' ? 'audience MEMBERS' : 'draft'}`,
      // MEMBERS: to members of the interpretation's association (SZSA; the listed company is SZLCA's only, since issue 16),
      // to every association's staff once published, and to the regulator. A draft: its association's staff and the regulator.
      seenBy: kind === 'public' ? ALL : kind === 'members' ? ALL.filter((p) => p !== 'ANONYMOUS' && p !== 'LISTED_COMPANY') : STAFF_AND_ACCOUNTS,
      marker: (w) => w.policies[kind].tag,
      probes: [
        viaList('policyInterpretations(tag)', `query($after: String, $tag: String) { policyInterpretations(first: 10, after: $after, tag: $tag) { ${noCount()} } }`, (d) => d.policyInterpretations, (w) => w.policies[kind].id, (w) => ({ tag: w.policies[kind].tag })),
        viaTotalCount('policyInterpretations(tag).totalCount', `query($after: String, $tag: String) { policyInterpretations(first: 10, after: $after, tag: $tag) { ${withCount('')} } }`, (d) => d.policyInterpretations, (w) => w.policies[kind].id, (w) => ({ tag: w.policies[kind].tag })),
        viaNode((w) => w.policies[kind].id),
        viaNodes((w) => w.policies[kind].id),
        viaQuery('root', 'policyInterpretation(id)', 'query($id: ID!) { policyInterpretation(id: $id) { id } }', (d, w) => d.policyInterpretation?.id === w.policies[kind].id, (w) => ({ id: w.policies[kind].id })),
      ],
    }),
  ),
  {
    object: 'PolicyInterpretation.revisions (staff only)',
    seenBy: STAFF_AND_ACCOUNTS,
    probes: [
      viaNode((w) => w.policies.members.id, '... on PolicyInterpretation { revisions { revision } }', (n) => Array.isArray(n.revisions) && n.revisions.length >= 2),
      viaQuery('root', 'policyInterpretation(id) { revisions }', 'query($id: ID!) { policyInterpretation(id: $id) { revisions { revision } } }', (d) => Array.isArray(d.policyInterpretation?.revisions), (w) => ({ id: w.policies.members.id })),
    ],
  },
  {
    object: 'ServiceAccount',
    seenBy: ['ASSOCIATION'],
    marker: (w) => w.serviceAccount.clientId,
    probes: [
      viaList('serviceAccounts', `query($after: String) { serviceAccounts(first: 100, after: $after) { ${noCount()} } }`, (d) => d.serviceAccounts, (w) => w.serviceAccount.id),
      viaTotalCount('serviceAccounts.totalCount', `query($after: String) { serviceAccounts(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.serviceAccounts, (w) => w.serviceAccount.id),
      viaNode((w) => w.serviceAccount.id),
      viaNodes((w) => w.serviceAccount.id),
    ],
  },
  {
    object: "WebhookSubscription of the association",
    seenBy: ['ASSOCIATION'],
    marker: (w) => w.webhooks.association.url,
    probes: [
      viaList('webhookSubscriptions', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${noCount()} } }`, (d) => d.webhookSubscriptions, (w) => w.webhooks.association.id),
      viaTotalCount('webhookSubscriptions.totalCount', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.webhookSubscriptions, (w) => w.webhooks.association.id),
      viaNode((w) => w.webhooks.association.id),
      viaNodes((w) => w.webhooks.association.id),
    ],
  },
  {
    object: "WebhookSubscription of a service account",
    seenBy: ['ASSOCIATION', 'SA_SCOPED'],
    marker: (w) => w.webhooks.account.url,
    probes: [
      viaList('webhookSubscriptions', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${noCount()} } }`, (d) => d.webhookSubscriptions, (w) => w.webhooks.account.id),
      viaTotalCount('webhookSubscriptions.totalCount', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.webhookSubscriptions, (w) => w.webhooks.account.id),
      viaNode((w) => w.webhooks.account.id),
      viaNodes((w) => w.webhooks.account.id),
    ],
  },
  {
    object: "WebhookDelivery (delivery log) of the association's subscription",
    seenBy: ['ASSOCIATION'],
    probes: [
      viaList('webhookDeliveries', `query($after: String) { webhookDeliveries(first: 100, after: $after) { ${noCount()} } }`, (d) => d.webhookDeliveries, (w) => w.delivery),
      viaTotalCount('webhookDeliveries.totalCount', `query($after: String) { webhookDeliveries(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.webhookDeliveries, (w) => w.delivery),
      viaNode((w) => w.delivery),
      viaNodes((w) => w.delivery),
    ],
  },
  {
    object: 'DataAccessEntry (read audit)',
    seenBy: ['ASSOCIATION'],
    marker: (w) => w.dataAccessResource,
    probes: [
      viaQuery('list', 'dataAccessLog(filter: { resource })', 'query($r: String) { dataAccessLog(first: 5, filter: { resource: $r }) { edges { node { resource } } } }', (d, w) => !!d.dataAccessLog?.edges.some((e: any) => e.node.resource === w.dataAccessResource), (w) => ({ r: w.dataAccessResource })),
      viaQuery('totalCount', 'dataAccessLog(filter: { resource }).totalCount', 'query($r: String) { dataAccessLog(first: 5, filter: { resource: $r }) { totalCount } }', (d) => d.dataAccessLog?.totalCount === 1, (w) => ({ r: w.dataAccessResource })),
    ],
  },
  {
    // Every association's staff: each counts its own association's rows (the reports area's tests check the figures).
    object: 'Reports',
    seenBy: [...STAFF_AND_SCOPED, ...SZLCA_STAFF_AND_SCOPED],
    probes: [
      viaQuery('root', 'reports { membershipSummary }', '{ reports { membershipSummary { count } } }', (d) => Array.isArray(d.reports?.membershipSummary)),
      viaQuery('root', 'reports { ratingDistribution(year: 2025) }', '{ reports { ratingDistribution(year: 2025) { count } } }', (d) => Array.isArray(d.reports?.ratingDistribution)),
    ],
  },
  {
    object: 'RatingCycle not yet published (reference data)',
    seenBy: ALL,
    probes: [
      viaQuery('list', 'ratingCycles', '{ ratingCycles { id } }', (d, w) => d.ratingCycles.some((c: any) => c.id === w.cycle.id)),
      viaQuery('root', 'ratingCycle(year: 2026)', '{ ratingCycle(year: 2026) { id } }', (d, w) => d.ratingCycle?.id === w.cycle.id),
      viaQuery('root', 'ratingCycle(year: 2026) { noticeOn }', '{ ratingCycle(year: 2026) { id noticeOn } }', (d, w) => d.ratingCycle?.id === w.cycle.id && d.ratingCycle.noticeOn === '2027-01-29'),
      viaNode((w) => w.cycle.id),
      viaNodes((w) => w.cycle.id),
    ],
  },
  {
    // Issue 24: each firm's 主要联系单位 is directory data, like the branches themselves.
    object: "Primary contact unit of firm A's branches (Branch.primaryContactUnit, directory, public)",
    seenBy: ALL,
    probes: [
      viaQuery('nested', 'Branch.primaryContactUnit', 'query($id: ID!) { node(id: $id) { ... on Branch { primaryContactUnit { id firm { id } } firm { id } } } }', (d) => !!d.node?.primaryContactUnit && d.node.primaryContactUnit.firm.id === d.node.firm.id, (w) => ({ id: w.branchA.id })),
      viaQuery('nested', 'nodes([branch]) { primaryContactUnit }', 'query($id: ID!) { nodes(ids: [$id]) { ... on Branch { primaryContactUnit { kind } } } }', (d) => !!d.nodes?.[0]?.primaryContactUnit?.kind, (w) => ({ id: w.branchA.id })),
    ],
  },
  {
    // SZSA's campaign: addressed to listed companies, it reaches only those that are members of SZSA, and the listed
    // company of the matrix is SZLCA's only (since issue 16), so it no longer sees it.
    object: 'SuggestionCampaign of SZSA addressed to listed companies',
    seenBy: STAFF_AND_ACCOUNTS,
    marker: (w) => w.campaign.title,
    probes: [
      viaList('suggestionCampaigns', `query($after: String) { suggestionCampaigns(first: 100, after: $after) { ${noCount()} } }`, (d) => d.suggestionCampaigns, (w) => w.campaign.id),
      viaTotalCount('suggestionCampaigns.totalCount', `query($after: String) { suggestionCampaigns(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.suggestionCampaigns, (w) => w.campaign.id),
      viaNode((w) => w.campaign.id),
      viaNodes((w) => w.campaign.id),
    ],
  },

  // ------------------------------------------------------------------------------------- several associations (issue 16)
  // The rows above are SZSA's data: SZLCA's staff and service accounts are hidden from every non-public one (they are
  // in no seenBy there). The rows below are SZLCA's own data, hidden from SZSA's staff, and the public data of both.
  {
    object: 'Contact of the listed company (a member of SZLCA only)',
    seenBy: ['LISTED_COMPANY', ...SZLCA_STAFF_AND_SCOPED, ...BUREAU_AND_SCOPED],
    marker: (w) => w.szlca.contact.email,
    probes: [
      viaQuery('nested', 'organization(creditCode) { contacts }', 'query($c: String!) { organization(creditCode: $c) { contacts { id email } } }', (d, w) => !!d.organization.contacts?.some((c: any) => c.id === w.szlca.contact.id), (w) => ({ c: w.szlca.listed.creditCode })),
      viaQuery('list', 'organizations(filter) { edges { node { contacts } } }', 'query($s: String) { organizations(first: 5, filter: { search: $s }) { edges { node { contacts { id email } } } } }', (d, w) => d.organizations.edges.some((e: any) => e.node.contacts?.some((c: any) => c.id === w.szlca.contact.id)), (w) => ({ s: w.szlca.listed.creditCode })),
      viaNode((w) => w.szlca.listed.id, '... on Organization { contacts { id email } }', (n, w) => !!n.contacts?.some((c: any) => c.id === w.szlca.contact.id)),
      viaNodes((w) => w.szlca.listed.id, '... on Organization { contacts { id email } }', (n, w) => !!n.contacts?.some((c: any) => c.id === w.szlca.contact.id)),
      viaQuery(
        'payload',
        'updateContact(id) with no change → payload.contact',
        'mutation($id: ID!) { updateContact(input: { id: $id }) { contact { email } userErrors { code } } }',
        (d, w) => d.updateContact.contact?.email === w.szlca.contact.email,
        (w) => ({ id: w.szlca.contact.id }),
        ['LISTED_COMPANY', 'SZLCA_STAFF'],
      ),
    ],
  },
  {
    object: "Suggestion of the listed company, submitted to SZLCA",
    seenBy: ['LISTED_COMPANY', ...SZLCA_STAFF_AND_SCOPED, ...BUREAU_AND_SCOPED],
    // Its id, not its title: a firm replaying this input in the payload probe files its own same-titled suggestion.
    marker: (w) => w.szlca.suggestion.id,
    probes: [
      viaList('suggestions', suggestionsList(false), (d) => d.suggestions, (w) => w.szlca.suggestion.id),
      viaTotalCount('suggestions.totalCount', suggestionsList(true), (d) => d.suggestions, (w) => w.szlca.suggestion.id),
      viaNode((w) => w.szlca.suggestion.id),
      viaNodes((w) => w.szlca.suggestion.id),
      viaNode((w) => w.szlca.suggestion.id, '... on Suggestion { association { code } }', (n) => n.association?.code === 'SZLCA'),
      viaTotalCount(
        'organization(creditCode) { suggestions { totalCount } }',
        `query($after: String, $c: String!) { organization(creditCode: $c) { suggestions(first: 100, after: $after) { ${withCount('')} } } }`,
        (d) => d.organization.suggestions,
        (w) => w.szlca.suggestion.id,
        (w) => ({ c: w.szlca.listed.creditCode }),
      ),
      viaQuery(
        'payload',
        'submitSuggestion with the same idempotencyKey and input → payload.suggestion',
        'mutation($i: SubmitSuggestionInput!) { submitSuggestion(input: $i) { suggestion { id } userErrors { code } } }',
        (d, w) => d.submitSuggestion.suggestion?.id === w.szlca.suggestion.id,
        (w) => ({ i: w.szlca.suggestion.input }),
        ['LISTED_COMPANY'],
      ),
      {
        path: 'webhook',
        how: 'suggestion.submitted delivered to the principal’s own subscription',
        seenBy: ['SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'SA_SCOPED'],
        async run(w, p) {
          const text = w.received[p].join('\n');
          return { visible: text.includes(w.szlca.suggestion.id), text };
        },
      },
      viaCsv((w) => `/reports/suggestions.csv?from=${w.today}&to=${w.today}`, (w) => w.szlca.suggestion.id, [...SZLCA_STAFF_AND_SCOPED, ...BUREAU_AND_SCOPED]),
    ],
  },
  {
    object: 'SuggestionCampaign of SZLCA addressed to listed companies',
    seenBy: ['LISTED_COMPANY', ...SZLCA_STAFF_AND_ACCOUNTS, ...BUREAU_AND_ACCOUNTS],
    marker: (w) => w.szlca.campaign.title,
    probes: [
      viaList('suggestionCampaigns', `query($after: String) { suggestionCampaigns(first: 100, after: $after) { ${noCount()} } }`, (d) => d.suggestionCampaigns, (w) => w.szlca.campaign.id),
      viaTotalCount('suggestionCampaigns.totalCount', `query($after: String) { suggestionCampaigns(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.suggestionCampaigns, (w) => w.szlca.campaign.id),
      viaNode((w) => w.szlca.campaign.id),
      viaNodes((w) => w.szlca.campaign.id),
    ],
  },
  ...(['members', 'draft'] as const).map(
    (kind): MatrixRow => ({
      object: `PolicyInterpretation of SZLCA, ${kind === 'members' ? 'audience MEMBERS' : 'draft'}`,
      // MEMBERS, published: SZLCA's members (the listed company; firm A and the other firm are SZSA's only), every
      // association's staff, the regulator. A draft: SZLCA's staff and the regulator only.
      seenBy: kind === 'members' ? ['LISTED_COMPANY', 'ASSOCIATION', ...SZLCA_STAFF_AND_ACCOUNTS, ...BUREAU_AND_ACCOUNTS] : [...SZLCA_STAFF_AND_ACCOUNTS, ...BUREAU_AND_ACCOUNTS],
      marker: (w) => w.szlca.policies[kind].tag,
      probes: [
        viaList('policyInterpretations(tag)', `query($after: String, $tag: String) { policyInterpretations(first: 10, after: $after, tag: $tag) { ${noCount()} } }`, (d) => d.policyInterpretations, (w) => w.szlca.policies[kind].id, (w) => ({ tag: w.szlca.policies[kind].tag })),
        viaTotalCount('policyInterpretations(tag).totalCount', `query($after: String, $tag: String) { policyInterpretations(first: 10, after: $after, tag: $tag) { ${withCount('')} } }`, (d) => d.policyInterpretations, (w) => w.szlca.policies[kind].id, (w) => ({ tag: w.szlca.policies[kind].tag })),
        viaNode((w) => w.szlca.policies[kind].id),
        viaNodes((w) => w.szlca.policies[kind].id),
        viaQuery('root', 'policyInterpretation(id)', 'query($id: ID!) { policyInterpretation(id: $id) { id } }', (d, w) => d.policyInterpretation?.id === w.szlca.policies[kind].id, (w) => ({ id: w.szlca.policies[kind].id })),
      ],
    }),
  ),
  {
    object: 'ServiceAccount of SZLCA',
    seenBy: ['SZLCA_STAFF'],
    marker: (w) => w.szlca.serviceAccount.clientId,
    probes: [
      viaList('serviceAccounts', `query($after: String) { serviceAccounts(first: 100, after: $after) { ${noCount()} } }`, (d) => d.serviceAccounts, (w) => w.szlca.serviceAccount.id),
      viaTotalCount('serviceAccounts.totalCount', `query($after: String) { serviceAccounts(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.serviceAccounts, (w) => w.szlca.serviceAccount.id),
      viaNode((w) => w.szlca.serviceAccount.id),
      viaNodes((w) => w.szlca.serviceAccount.id),
    ],
  },
  {
    object: "WebhookSubscription of SZLCA's staff",
    seenBy: ['SZLCA_STAFF'],
    marker: (w) => w.szlca.webhooks.staff.url,
    probes: [
      viaList('webhookSubscriptions', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${noCount()} } }`, (d) => d.webhookSubscriptions, (w) => w.szlca.webhooks.staff.id),
      viaTotalCount('webhookSubscriptions.totalCount', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.webhookSubscriptions, (w) => w.szlca.webhooks.staff.id),
      viaNode((w) => w.szlca.webhooks.staff.id),
      viaNodes((w) => w.szlca.webhooks.staff.id),
    ],
  },
  {
    object: "WebhookSubscription of SZLCA's service account",
    seenBy: ['SZLCA_STAFF', 'SZLCA_SA_SCOPED'],
    marker: (w) => w.szlca.webhooks.account.url,
    probes: [
      viaList('webhookSubscriptions', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${noCount()} } }`, (d) => d.webhookSubscriptions, (w) => w.szlca.webhooks.account.id),
      viaTotalCount('webhookSubscriptions.totalCount', `query($after: String) { webhookSubscriptions(first: 100, after: $after) { ${withCount('')} } }`, (d) => d.webhookSubscriptions, (w) => w.szlca.webhooks.account.id),
      viaNode((w) => w.szlca.webhooks.account.id),
      viaNodes((w) => w.szlca.webhooks.account.id),
    ],
  },
  {
    object: 'Associations (public)',
    seenBy: ALL,
    probes: [
      viaQuery('root', 'associations', '{ associations { id code } }', (d, w) => d.associations?.some((a: any) => a.id === w.associations.SZLCA && a.code === 'SZLCA') && d.associations.some((a: any) => a.id === w.associations.SZSA)),
      viaNode((w) => w.associations.SZLCA),
      viaNodes((w) => w.associations.SZLCA),
    ],
  },
  {
    object: 'Committee of SZLCA (directory, public)',
    seenBy: ALL,
    probes: [
      viaQuery('list', 'committees', '{ committees { id } }', (d, w) => d.committees.some((c: any) => c.id === w.szlca.committee.id)),
      viaQuery('nested', 'committees { association }', '{ committees { id association { code } } }', (d, w) => d.committees.some((c: any) => c.id === w.szlca.committee.id && c.association?.code === 'SZLCA')),
      viaNode((w) => w.szlca.committee.id),
      viaNodes((w) => w.szlca.committee.id),
    ],
  },
  {
    object: "Memberships of the listed company (SZLCA) and of firm A (SZSA) (directory, public)",
    seenBy: ALL,
    probes: [
      viaQuery('nested', 'organization(creditCode) { memberships }', 'query($c: String!) { organization(creditCode: $c) { memberships { association { code } category status } } }', (d) => d.organization?.memberships?.some((m: any) => m.association.code === 'SZLCA') === true, (w) => ({ c: w.szlca.listed.creditCode })),
      viaNode((w) => w.orgA.id, '... on Organization { memberships { association { code } } }', (n) => n.memberships?.some((m: any) => m.association.code === 'SZSA') === true),
      viaQuery('list', 'organizations(filter) { edges { node { memberships } } }', 'query($s: String) { organizations(first: 5, filter: { search: $s }) { edges { node { memberships { association { code } } } } } }', (d) => d.organizations.edges.some((e: any) => e.node.memberships?.some((m: any) => m.association.code === 'SZLCA')), (w) => ({ s: w.szlca.listed.creditCode })),
    ],
  },
  {
    object: "Viewer.association (the staff's own association)",
    seenBy: ['SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'SZLCA_SA_UNSCOPED'],
    probes: [viaQuery('root', 'viewer { association }', '{ viewer { association { code } } }', (d) => d.viewer?.association?.code === 'SZLCA')],
  },
];
