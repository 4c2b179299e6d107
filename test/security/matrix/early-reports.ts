// The authorization matrix's early-reports part (issue 19): early reports before and after escalation, a listed
// company's, their events, the escalation webhook and the reports counts; best practices by audience, unpublished, and
// an anonymous one's organization.
import { expect } from 'vitest';
import { createLogger } from '../../../src/logger.js';
import { startWebhookWorker } from '../../../src/webhooks/webhooks.worker.js';
import { startReceiver } from '../../support/integration.js';
import { waitFor } from '../../support/wait.js';
import {
  ALL,
  asStaff,
  PAGE,
  principals,
  tag,
  viaList,
  viaNode,
  viaNodes,
  viaQuery,
  viaTotalCount,
  withCount,
  type Principal,
  type Probe,
  type World,
} from '../authorization-matrix.table.js';
import { definePart } from './part.js';

interface Fixture {
  /** MINOR, never escalated: the regulator never sees it. */
  minor: { id: string; input: Record<string, unknown> };
  /** MINOR, escalated by the securities association's staff after submission. */
  escalated: { id: string; note: string };
  /** SEVERE: escalated on submission. */
  severe: { id: string };
  /** A listed company's MINOR report to the listed companies association, and its SEVERE one. */
  listed: { id: string };
  listedSevere: { id: string };
  practices: { anonymous: string; members: string; unpublished: string; search: string };
  /** The body of each principal's EARLY_REPORT_ESCALATED deliveries. */
  received: Record<Principal, string[]>;
}

const SUBMIT = 'mutation($i: SubmitEarlyReportInput!) { submitEarlyReport(input: $i) { earlyReport { id } userErrors { code } } }';
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

async function build(w: World): Promise<Fixture> {
  const { t, tokens } = w;
  const staff = (query: string, variables: Record<string, unknown> = {}) => asStaff(t, tokens.ASSOCIATION!, query, variables);
  const as = async (p: Principal, query: string, variables: Record<string, unknown>) => {
    const res = await t.gql(query, variables, { token: tokens[p] });
    expect(res.body.errors, res.text.slice(0, 300)).toBeUndefined();
    return res.body.data;
  };

  // Every principal tries to subscribe to EARLY_REPORT_ESCALATED; staff of each association and the scoped accounts can.
  const receivers = new Map<Principal, Awaited<ReturnType<typeof startReceiver>>>();
  const subscribed: Principal[] = [];
  for (const p of principals) {
    const receiver = await startReceiver();
    receivers.set(p, receiver);
    const res = await t.gql(
      'mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: [EARLY_REPORT_ESCALATED] }) { webhookSubscription { id } userErrors { code } } }',
      { url: receiver.url },
      { token: tokens[p] },
    );
    if (res.body.data?.createWebhookSubscription?.webhookSubscription) subscribed.push(p);
  }
  expect(subscribed.sort()).toEqual(['ASSOCIATION', 'SA_SCOPED', 'SZLCA_SA_SCOPED', 'SZLCA_STAFF']);

  const report = async (p: Principal, input: Record<string, unknown>) => {
    const data = await as(p, SUBMIT, { i: input });
    expect(data.submitEarlyReport.userErrors).toEqual([]);
    return data.submitEarlyReport.earlyReport.id as string;
  };
  const minorInput = { category: 'CUSTOMER_DISTURBANCE', severity: 'MINOR', title: `矩阵早报告 ${tag()}`, body: '客户在营业部反映问题', occurredAt: hourAgo(), branchId: w.branchA.id, idempotencyKey: `mx-er-${tag()}` };
  const minor = await report('FIRM_OWN', minorInput);
  const escalatedId = await report('FIRM_OWN', { category: 'SYSTEM_OUTAGE', severity: 'MINOR', title: `矩阵待上报早报告 ${tag()}`, body: '网络中断', occurredAt: hourAgo() });
  const note = `矩阵上报说明 ${tag()}`;
  const escalation = await staff('mutation($id: ID!, $n: String) { escalateEarlyReport(input: { id: $id, note: $n }) { userErrors { code } } }', { id: escalatedId, n: note });
  expect(escalation.escalateEarlyReport.userErrors).toEqual([]);
  const severe = await report('FIRM_OWN', { category: 'REPUTATION_EVENT', severity: 'SEVERE', title: `矩阵严重早报告 ${tag()}`, body: '负面舆情', occurredAt: hourAgo() });
  const listed = await report('LISTED_COMPANY', { category: 'REPUTATION_EVENT', severity: 'MINOR', title: `矩阵上市公司早报告 ${tag()}`, body: '网络传言', occurredAt: hourAgo() });
  const listedSevere = await report('LISTED_COMPANY', { category: 'LITIGATION_OR_FREEZE', severity: 'CRITICAL', title: `矩阵上市公司特别严重早报告 ${tag()}`, body: '资产被冻结', occurredAt: hourAgo() });

  // Best practices of firm A: anonymous and PUBLIC, MEMBERS, and one not yet reviewed; all findable by one search word.
  const search = `矩阵经验${tag().replace(/[0-9]/g, '').slice(0, 2) || 'x'}`;
  const practice = async (anonymous: boolean) => {
    const data = await as('FIRM_OWN', 'mutation($i: SubmitBestPracticeInput!) { submitBestPractice(input: $i) { bestPractice { id } userErrors { code } } }', {
      i: { title: `${search} ${anonymous ? '匿名' : '实名'} ${tag()}`, summary: '摘要', body: `${search} 的做法`, anonymous },
    });
    expect(data.submitBestPractice.userErrors).toEqual([]);
    return data.submitBestPractice.bestPractice.id as string;
  };
  const publish = async (id: string, audience: string) => {
    const data = await staff('mutation($i: ReviewBestPracticeInput!) { reviewBestPractice(input: $i) { userErrors { code } } }', { i: { id, decision: 'PUBLISH', audience } });
    expect(data.reviewBestPractice.userErrors).toEqual([]);
  };
  const anonymous = await practice(true);
  await publish(anonymous, 'PUBLIC');
  const members = await practice(false);
  await publish(members, 'MEMBERS');
  const unpublished = await practice(false);

  // Deliver: the escalations of the securities association's reports to its staff and the bureau's scoped account, the
  // listed company's to its association's and the bureau's.
  const worker = startWebhookWorker({ db: t.database.db, logger: createLogger('silent'), pollIntervalMs: 20, maxAttempts: 3, retryBaseSeconds: 0.05, allowedHosts: t.config.WEBHOOK_ALLOWED_HOSTS, timeoutMs: 2000 });
  const got = (p: Principal, id: string) => (receivers.get(p)?.received ?? []).some((r) => r.body.includes(id));
  await waitFor(
    'early-report webhook deliveries',
    () => (['ASSOCIATION', 'SA_SCOPED'] as const).every((p) => got(p, severe) && got(p, escalatedId)) && (['SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'SA_SCOPED'] as const).every((p) => got(p, listedSevere)),
    15_000,
  ).catch(() => undefined);
  await worker.stop();
  const received = Object.fromEntries(principals.map((p) => [p, (receivers.get(p)?.received ?? []).map((r) => r.body)])) as Record<Principal, string[]>;
  for (const r of receivers.values()) await r.close();

  return {
    minor: { id: minor, input: minorInput },
    escalated: { id: escalatedId, note },
    severe: { id: severe },
    listed: { id: listed },
    listedSevere: { id: listedSevere },
    practices: { anonymous, members, unpublished, search },
    received,
  };
}

const reportsList = (count: boolean) => `query($after: String) { earlyReports(first: 100, after: $after) { ${count ? withCount('') : `${PAGE} edges { node { id } }`} } }`;
const practicesList = `query($after: String, $s: String) { bestPractices(first: 100, after: $after, search: $s) { ${withCount('')} } }`;

export const earlyReportsPart = definePart('early-reports', build, (of) => {
  /** The report on every read path, its escalation webhook, and (optionally) more probes. */
  const reportProbes = (idOf: (w: World) => string, webhookSeenBy: readonly Principal[], extra: Probe[] = []): Probe[] => [
    viaList('earlyReports', reportsList(false), (d) => d.earlyReports, idOf),
    viaTotalCount('earlyReports.totalCount', reportsList(true), (d) => d.earlyReports, idOf),
    viaNode(idOf),
    viaNodes(idOf),
    {
      path: 'webhook',
      how: 'early_report.escalated delivered to the principal’s own subscription',
      seenBy: webhookSeenBy,
      async run(w, p) {
        const text = of(w).received[p].join('\n');
        return { visible: text.includes(idOf(w)), text };
      },
    },
    ...extra,
  ];
  const anonymousOrganization = (d: any, w: World) => d?.organization?.id === w.orgA.id;
  const practiceProbes = (idOf: (w: World) => string): Probe[] => [
    viaList('bestPractices', practicesList, (d) => d.bestPractices, idOf),
    viaTotalCount('bestPractices(search).totalCount', practicesList, (d) => d.bestPractices, idOf, (w) => ({ s: of(w).practices.search })),
    viaNode(idOf),
    viaNodes(idOf),
  ];

  return [
    {
      object: 'EarlyReport of firm A, MINOR, never escalated',
      seenBy: ['FIRM_OWN', 'ASSOCIATION'],
      // Its id, not its title: the payload probe replays firm A's input as every principal, and the other members who
      // replay it file their own report with the same title.
      marker: (w) => of(w).minor.id,
      probes: reportProbes((w) => of(w).minor.id, [], [
        viaQuery(
          'payload',
          'submitEarlyReport with the same idempotencyKey and input → payload.earlyReport',
          SUBMIT,
          (d, w) => d.submitEarlyReport.earlyReport?.id === of(w).minor.id,
          (w) => ({ i: of(w).minor.input }),
          ['FIRM_OWN'],
        ),
        viaQuery(
          'payload',
          'acknowledgeEarlyReport → payload.earlyReport (its association’s staff only; the regulator cannot move it)',
          'mutation($id: ID!) { acknowledgeEarlyReport(input: { id: $id }) { earlyReport { id } userErrors { code } } }',
          (d, w) => d.acknowledgeEarlyReport.earlyReport?.id === of(w).minor.id,
          (w) => ({ id: of(w).minor.id }),
          ['ASSOCIATION'],
        ),
        viaQuery('nested', 'EarlyReport.branch', 'query($id: ID!) { node(id: $id) { ... on EarlyReport { id branch { id } } } }', (d, w) => d.node?.branch?.id === w.branchA.id, (w) => ({ id: of(w).minor.id })),
      ]),
    },
    {
      object: 'EarlyReport of firm A, MINOR, escalated by the association',
      seenBy: ['FIRM_OWN', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).escalated.id,
      probes: reportProbes((w) => of(w).escalated.id, ['ASSOCIATION', 'SA_SCOPED']),
    },
    {
      object: 'EarlyReport.events of an escalated report (the association’s note)',
      seenBy: ['FIRM_OWN', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).escalated.note,
      probes: [
        viaNode((w) => of(w).escalated.id, '... on EarlyReport { events { toStatus note } }', (n, w) => n.events?.some((e: any) => e.note === of(w).escalated.note)),
        viaQuery(
          'nested',
          'earlyReports.edges.node.events',
          'query { earlyReports(first: 100, filter: { status: ESCALATED, severity: MINOR }) { edges { node { id events { note } } } } }',
          (d, w) => !!d.earlyReports.edges.some((e: any) => e.node.events.some((ev: any) => ev.note === of(w).escalated.note)),
        ),
      ],
    },
    {
      object: 'EarlyReport of firm A, SEVERE (escalated on submission)',
      seenBy: ['FIRM_OWN', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).severe.id,
      probes: reportProbes((w) => of(w).severe.id, ['ASSOCIATION', 'SA_SCOPED']),
    },
    {
      object: 'EarlyReport of a listed company to SZLCA, MINOR',
      seenBy: ['LISTED_COMPANY', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED'],
      marker: (w) => of(w).listed.id,
      probes: reportProbes((w) => of(w).listed.id, []),
    },
    {
      object: 'EarlyReport of a listed company to SZLCA, CRITICAL',
      seenBy: ['LISTED_COMPANY', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).listedSevere.id,
      probes: reportProbes((w) => of(w).listedSevere.id, ['SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'SA_SCOPED']),
    },
    {
      object: 'Reports.earlyReportCounts',
      seenBy: ['ASSOCIATION', 'REGULATOR', 'SA_SCOPED', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED'],
      probes: [
        viaQuery('root', 'reports { earlyReportCounts(year) }', `query($y: Int!) { reports { earlyReportCounts(year: $y) { associationCode count } } }`, (d) => (d.reports?.earlyReportCounts?.length ?? 0) > 0, (w) => ({ y: Number(w.today.slice(0, 4)) })),
      ],
    },
    {
      object: 'BestPractice of firm A, anonymous, published to the public',
      seenBy: ALL,
      probes: practiceProbes((w) => of(w).practices.anonymous),
    },
    {
      object: 'BestPractice.organization of an anonymous practice',
      seenBy: ['ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
      probes: [
        viaNode((w) => of(w).practices.anonymous, '... on BestPractice { organization { id } }', anonymousOrganization),
        viaNodes((w) => of(w).practices.anonymous, '... on BestPractice { organization { id } }', anonymousOrganization),
        viaQuery(
          'list',
          'bestPractices(search).edges.node.organization',
          'query($s: String) { bestPractices(first: 100, search: $s) { edges { node { id organization { id } } } } }',
          (d, w) => anonymousOrganization(d.bestPractices.edges.find((e: any) => e.node.id === of(w).practices.anonymous)?.node, w),
          (w) => ({ s: of(w).practices.search }),
        ),
        viaQuery(
          'list',
          'bestPractices.edges.node.organization',
          'query { bestPractices(first: 100) { edges { node { id organization { id } } } } }',
          (d, w) => anonymousOrganization(d.bestPractices.edges.find((e: any) => e.node.id === of(w).practices.anonymous)?.node, w),
        ),
      ],
    },
    {
      object: 'BestPractice of firm A, published to members (SZSA)',
      seenBy: ['FIRM_OWN', 'FIRM_OTHER', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED'],
      probes: practiceProbes((w) => of(w).practices.members),
    },
    {
      object: 'BestPractice of firm A, not yet reviewed',
      seenBy: ['FIRM_OWN', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).practices.unpublished,
      probes: practiceProbes((w) => of(w).practices.unpublished),
    },
  ];
});

