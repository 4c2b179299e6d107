// The self-regulation part of the authorization matrix (issue 20): rules at each visibility level and their comments,
// cases before FINAL (SZSA's and SZLCA's), a FINAL case with a 纪律处分 (public, but never its statement or its
// 自律管理措施), a FINAL case with 自律管理措施 only (never public), a statement payload, and the
// disciplinary_decision.published webhook. Built through the API as the principals would.
import { expect } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { startWebhookWorker } from '../../../src/webhooks/webhooks.worker.js';
import { startReceiver } from '../../support/integration.js';
import { waitFor } from '../../support/wait.js';
import {
  ALL,
  asStaff,
  noCount,
  principals,
  STAFF_AND_SCOPED,
  tag,
  viaList,
  viaNode,
  viaNodes,
  viaQuery,
  viaTotalCount,
  withCount,
  type MatrixRow,
  type Principal,
  type World,
} from '../authorization-matrix.table.js';
import { definePart } from './part.js';

interface Fixture {
  rules: Record<'draft' | 'consultation' | 'inForce' | 'repealed', { id: string; title: string }>;
  comment: string;
  hearing: { id: string; summary: string; statement: string };
  published: { id: string; summary: string; statement: string };
  measuresOnly: { id: string; summary: string };
  szlca: { id: string; summary: string };
  received: Record<Principal, string[]>;
}

const RULE = 'mutation($i: DraftSelfRegulatoryRuleInput!) { draftSelfRegulatoryRule(input: $i) { selfRegulatoryRule { id } userErrors { code } } }';
const ADVANCE = 'mutation($i: AdvanceSelfRegulatoryRuleInput!) { advanceSelfRegulatoryRule(input: $i) { selfRegulatoryRule { id status } userErrors { code } } }';
const OPEN = 'mutation($i: OpenDisciplinaryCaseInput!) { openDisciplinaryCase(input: $i) { disciplinaryCase { id } userErrors { code } } }';

async function build(w: World): Promise<Fixture> {
  const t = w.t;
  const opener = w.tokens.ASSOCIATION!;
  // Another SZSA staff member (a different token subject) decides and finalizes.
  const decider = await t.token('association', undefined, 3600, { association: 'SZSA' });
  const szlcaDecider = await t.token('association', undefined, 3600, { association: 'SZLCA' });
  const as = (token: string) => (query: string, variables: Record<string, unknown> = {}) => asStaff(t, token, query, variables);
  const staff = as(opener);
  const ok = (payload: { userErrors: unknown[] }) => {
    expect(payload.userErrors).toEqual([]);
    return payload;
  };

  // Webhook subscriptions to DISCIPLINARY_DECISION_PUBLISHED: every principal tries.
  const receivers = new Map<Principal, Awaited<ReturnType<typeof startReceiver>>>();
  for (const p of principals) {
    const receiver = await startReceiver();
    receivers.set(p, receiver);
    await t.gql(
      `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: [DISCIPLINARY_DECISION_PUBLISHED] }) { webhookSubscription { id } userErrors { code } } }`,
      { url: receiver.url },
      { token: w.tokens[p] },
    );
  }

  const rules = {} as Fixture['rules'];
  const path: Record<keyof Fixture['rules'], string[]> = {
    draft: [],
    consultation: ['CONSULTATION'],
    inForce: ['CONSULTATION', 'ADOPTED', 'FILED', 'IN_FORCE'],
    repealed: ['CONSULTATION', 'ADOPTED', 'FILED', 'IN_FORCE', 'REPEALED'],
  };
  for (const [kind, moves] of Object.entries(path) as [keyof Fixture['rules'], string[]][]) {
    const title = `矩阵自律规则 mx${tag()}`;
    const created = ok((await staff(RULE, { i: { title, body: `第一条 ${title} 的正文。` } })).draftSelfRegulatoryRule);
    const id = (created as any).selfRegulatoryRule.id as string;
    for (const to of moves) {
      const extra = to === 'IN_FORCE' ? { documentNumber: `深证协会字〔2026〕${Math.floor(Math.random() * 9000) + 1000}号`, effectiveOn: w.today } : {};
      ok((await staff(ADVANCE, { i: { id, to, ...extra } })).advanceSelfRegulatoryRule);
    }
    rules[kind] = { id, title };
  }
  const comment = `矩阵会员意见 ${tag()}`;
  const commented = await t.gql(
    'mutation($i: CommentOnRuleInput!) { commentOnSelfRegulatoryRule(input: $i) { selfRegulatoryRule { id } userErrors { code } } }',
    { i: { id: rules.consultation.id, body: comment } },
    { token: w.tokens.FIRM_OWN },
  );
  expect(commented.body.data?.commentOnSelfRegulatoryRule.userErrors, commented.text).toEqual([]);

  // Cases against firm A (SZSA): one in HEARING with its statement, one FINAL with a 纪律处分, one FINAL with 自律管理措施 only.
  const openCase = async (summary: string, token = opener, organizationId = w.orgA.id) =>
    (ok((await as(token)(OPEN, { i: { organizationId, summary } })).openDisciplinaryCase) as any).disciplinaryCase.id as string;
  const hearing = async (id: string, token = opener) =>
    ok((await as(token)('mutation($id: ID!) { startDisciplinaryHearing(input: { id: $id }) { userErrors { code } } }', { id })).startDisciplinaryHearing);
  const state = async (id: string, statement: string) => {
    const res = await t.gql(
      'mutation($i: DisciplinaryStatementInput!) { submitDisciplinaryStatement(input: $i) { disciplinaryCase { id } userErrors { code } } }',
      { i: { id, statement } },
      { token: w.tokens.FIRM_OWN },
    );
    expect(res.body.data?.submitDisciplinaryStatement.userErrors, res.text).toEqual([]);
  };
  const decide = async (id: string, measures: unknown[], token = decider) =>
    ok((await as(token)('mutation($i: DecideDisciplinaryCaseInput!) { decideDisciplinaryCase(input: $i) { userErrors { code } } }', { i: { id, measures } })).decideDisciplinaryCase);
  const finalize = async (id: string, token = decider) =>
    ok((await as(token)('mutation($id: ID!) { finalizeDisciplinaryCase(input: { id: $id }) { userErrors { code } } }', { id })).finalizeDisciplinaryCase);

  const hearingCase = { summary: `矩阵听证案件 ${tag()}`, statement: `矩阵听证申辩 ${tag()}` };
  const hearingId = await openCase(hearingCase.summary);
  await hearing(hearingId);
  await state(hearingId, hearingCase.statement);

  const publishedCase = { summary: `矩阵公开谴责案件 ${tag()}`, statement: `矩阵公开案件申辩 ${tag()}` };
  const publishedId = await openCase(publishedCase.summary);
  await hearing(publishedId);
  await state(publishedId, publishedCase.statement);
  await decide(publishedId, [{ type: 'PUBLIC_CENSURE' }, { type: 'MANDATORY_TRAINING', note: '矩阵强化培训' }]);
  await finalize(publishedId);

  const measuresOnly = { summary: `矩阵自律管理措施案件 ${tag()}` };
  const measuresOnlyId = await openCase(measuresOnly.summary);
  await hearing(measuresOnlyId);
  await decide(measuresOnlyId, [{ type: 'TALK_REMINDER' }]);
  await finalize(measuresOnlyId);

  // The listed companies association's case against its member, in HEARING.
  const szlcaCase = { summary: `矩阵深上协案件 ${tag()}` };
  const szlcaId = await openCase(szlcaCase.summary, w.tokens.SZLCA_STAFF!, w.szlca.listed.id);
  await hearing(szlcaId, w.tokens.SZLCA_STAFF!);
  void szlcaDecider;

  const worker = startWebhookWorker({ db: t.database.db, logger: createLogger('silent'), pollIntervalMs: 20, maxAttempts: 3, retryBaseSeconds: 0.05, allowedHosts: t.config.WEBHOOK_ALLOWED_HOSTS, timeoutMs: 2000 });
  const mentions = (p: Principal) => (receivers.get(p)?.received ?? []).some((r) => r.body.includes(publishedId));
  await waitFor('disciplinary decision deliveries', () => mentions('ASSOCIATION') && mentions('SA_SCOPED'), 15_000).catch(() => undefined);
  await worker.stop();
  const received = Object.fromEntries(principals.map((p) => [p, (receivers.get(p)?.received ?? []).map((r) => r.body)])) as Record<Principal, string[]>;
  for (const r of receivers.values()) await r.close();

  return {
    rules,
    comment,
    hearing: { id: hearingId, ...hearingCase },
    published: { id: publishedId, ...publishedCase },
    measuresOnly: { id: measuresOnlyId, ...measuresOnly },
    szlca: { id: szlcaId, ...szlcaCase },
    received,
  };
}

const rulesList = (count: boolean) =>
  `query($after: String, $s: String) { selfRegulatoryRules(first: 100, after: $after, search: $s) { ${count ? withCount('') : noCount()} } }`;
const casesList = (count: boolean) =>
  `query($after: String, $o: ID) { disciplinaryCases(first: 100, after: $after, filter: { organizationId: $o }) { ${count ? withCount('') : noCount()} } }`;

/** SZSA members (firm A, the other firm), SZSA's staff and the bureau with discipline:read. */
const SZSA_MEMBERS_AND_STAFF: readonly Principal[] = ['FIRM_OWN', 'FIRM_OTHER', ...STAFF_AND_SCOPED];
const FIRM_A_AND_STAFF: readonly Principal[] = ['FIRM_OWN', ...STAFF_AND_SCOPED];

export const selfRegulationPart = definePart('self-regulation', build, (of) => {
  const ruleRow = (kind: keyof Fixture['rules'], label: string, seenBy: readonly Principal[]): MatrixRow => ({
    object: `SelfRegulatoryRule, ${label}`,
    seenBy,
    marker: (w) => of(w).rules[kind].title,
    probes: [
      viaList('selfRegulatoryRules(search)', rulesList(false), (d) => d.selfRegulatoryRules, (w) => of(w).rules[kind].id, (w) => ({ s: of(w).rules[kind].title })),
      viaTotalCount('selfRegulatoryRules(search).totalCount', rulesList(true), (d) => d.selfRegulatoryRules, (w) => of(w).rules[kind].id, (w) => ({ s: of(w).rules[kind].title })),
      viaList('selfRegulatoryRules', rulesList(false), (d) => d.selfRegulatoryRules, (w) => of(w).rules[kind].id),
      viaNode((w) => of(w).rules[kind].id),
      viaNodes((w) => of(w).rules[kind].id),
      viaQuery('nested', 'SelfRegulatoryRule.versions', 'query($id: ID!) { node(id: $id) { ... on SelfRegulatoryRule { versions { id } } } }', (d, w) => !!d.node?.versions.some((v: any) => v.id === of(w).rules[kind].id), (w) => ({ id: of(w).rules[kind].id })),
    ],
  });
  const caseProbes = (pick: (f: Fixture) => { id: string }, organization: (w: World) => string) => [
    viaList('disciplinaryCases(filter: organizationId)', casesList(false), (d) => d.disciplinaryCases, (w) => pick(of(w)).id, (w) => ({ o: organization(w) })),
    viaTotalCount('disciplinaryCases(filter).totalCount', casesList(true), (d) => d.disciplinaryCases, (w) => pick(of(w)).id, (w) => ({ o: organization(w) })),
    viaList('disciplinaryCases', casesList(false), (d) => d.disciplinaryCases, (w) => pick(of(w)).id),
    viaNode((w) => pick(of(w)).id),
    viaNodes((w) => pick(of(w)).id),
  ];
  return [
    ruleRow('draft', 'DRAFT', STAFF_AND_SCOPED),
    ruleRow('consultation', 'in CONSULTATION (members of its association too)', SZSA_MEMBERS_AND_STAFF),
    ruleRow('inForce', 'IN_FORCE (public)', ALL),
    ruleRow('repealed', 'REPEALED (public)', ALL),
    {
      object: 'SelfRegulatoryRule.comments (its association\'s staff and the regulator)',
      seenBy: STAFF_AND_SCOPED,
      marker: (w) => of(w).comment,
      probes: [
        viaNode((w) => of(w).rules.consultation.id, '... on SelfRegulatoryRule { comments { body } }', (n, w) => !!n.comments?.some((c: any) => c.body === of(w).comment)),
        viaNodes((w) => of(w).rules.consultation.id, '... on SelfRegulatoryRule { comments { body } }', (n, w) => !!n.comments?.some((c: any) => c.body === of(w).comment)),
        viaQuery('nested', 'selfRegulatoryRules { comments }', `query { selfRegulatoryRules(first: 100) { edges { node { comments { body } } } } }`, (d, w) => d.selfRegulatoryRules.edges.some((e: any) => e.node.comments?.some((c: any) => c.body === of(w).comment))),
      ],
    },
    {
      object: 'SelfRegulatoryRule.comments of a rule in force (an empty list, not null, to those who may read comments)',
      seenBy: STAFF_AND_SCOPED,
      probes: [viaNode((w) => of(w).rules.inForce.id, '... on SelfRegulatoryRule { comments { body } }', (n) => Array.isArray(n.comments))],
    },
    {
      object: 'DisciplinaryCase of firm A in HEARING',
      seenBy: FIRM_A_AND_STAFF,
      marker: (w) => of(w).hearing.summary,
      probes: [
        ...caseProbes((f) => f.hearing, (w) => w.orgA.id),
        viaQuery(
          'payload',
          'submitDisciplinaryStatement → payload.disciplinaryCase',
          'mutation($i: DisciplinaryStatementInput!) { submitDisciplinaryStatement(input: $i) { disciplinaryCase { id } userErrors { code } } }',
          (d, w) => d.submitDisciplinaryStatement?.disciplinaryCase?.id === of(w).hearing.id,
          (w) => ({ i: { id: of(w).hearing.id, statement: of(w).hearing.statement } }),
          ['FIRM_OWN'],
        ),
      ],
    },
    {
      object: 'DisciplinaryCase.statement of a case in HEARING',
      seenBy: FIRM_A_AND_STAFF,
      marker: (w) => of(w).hearing.statement,
      probes: [viaNode((w) => of(w).hearing.id, '... on DisciplinaryCase { statement }', (n, w) => n.statement === of(w).hearing.statement)],
    },
    {
      object: 'DisciplinaryCase of firm A, FINAL with a 纪律处分 (public)',
      seenBy: ALL,
      probes: [
        ...caseProbes((f) => f.published, (w) => w.orgA.id),
        {
          path: 'webhook',
          how: 'disciplinary_decision.published delivered to the principal’s own subscription',
          seenBy: ['ASSOCIATION', 'SA_SCOPED'],
          async run(w, p) {
            const text = of(w).received[p].join('\n');
            return { visible: text.includes(of(w).published.id), text };
          },
        },
      ],
    },
    {
      object: 'DisciplinaryCase.statement of a published case (never public)',
      seenBy: FIRM_A_AND_STAFF,
      marker: (w) => of(w).published.statement,
      probes: [
        viaNode((w) => of(w).published.id, '... on DisciplinaryCase { statement }', (n, w) => n.statement === of(w).published.statement),
        viaNodes((w) => of(w).published.id, '... on DisciplinaryCase { statement }', (n, w) => n.statement === of(w).published.statement),
        viaQuery('nested', 'disciplinaryCases { statement }', `query { disciplinaryCases(first: 100) { edges { node { statement } } } }`, (d, w) => d.disciplinaryCases.edges.some((e: any) => e.node.statement === of(w).published.statement)),
        {
          path: 'webhook',
          how: 'disciplinary_decision.published payload',
          seenBy: [],
          async run(w, p) {
            const text = of(w).received[p].join('\n');
            return { visible: text.includes(of(w).published.statement) || text.includes('MANDATORY_TRAINING'), text };
          },
        },
      ],
    },
    {
      object: 'DisciplinaryCase.measures: the 自律管理措施 of a published case (never public)',
      seenBy: FIRM_A_AND_STAFF,
      marker: () => '矩阵强化培训',
      probes: [
        viaNode((w) => of(w).published.id, '... on DisciplinaryCase { measures { type note } }', (n) => n.measures.some((m: any) => m.type === 'MANDATORY_TRAINING')),
        viaQuery('nested', 'disciplinaryCases { measures }', `query { disciplinaryCases(first: 100) { edges { node { measures { type } } } } }`, (d) => d.disciplinaryCases.edges.some((e: any) => e.node.measures.some((m: any) => m.type === 'MANDATORY_TRAINING'))),
      ],
    },
    {
      object: 'DisciplinaryCase of firm A, FINAL with 自律管理措施 only (never public)',
      seenBy: FIRM_A_AND_STAFF,
      marker: (w) => of(w).measuresOnly.summary,
      probes: caseProbes((f) => f.measuresOnly, (w) => w.orgA.id),
    },
    {
      object: 'DisciplinaryCase of the listed company (SZLCA) in HEARING',
      seenBy: ['LISTED_COMPANY', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).szlca.summary,
      probes: caseProbes((f) => f.szlca, (w) => w.szlca.listed.id),
    },
  ];
});
