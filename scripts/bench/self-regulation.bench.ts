// Self-regulation (issue 20) benchmark entries. The issue names no throughput; these guard what the design promises:
// the public list of published sanctions and the rules' Chinese search answer in statements constant in page size and
// stay fast at a few thousand rows, and the membership-rights rule costs a member's mutation no statement.
import { sql } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../../src/associations/associations.table.js';
import { countStatements } from '../../src/db/instrumentation.js';
import { ruleSearchVector } from '../../src/self-regulation/self-regulation.rules.js';
import type { DomainBench, DomainBenchResult } from './domains.js';

const RULES = 2_000;
const CASES = 2_000;

const TOPICS = ['投资者适当性管理', '反洗钱', '廉洁从业', '互联网营销', '直播营销', '声誉风险', '客户信息保护', '佣金管理', '分支机构合规', '从业人员培训'];

export const bench: DomainBench = {
  domain: 'self-regulation',
  async run(ctx) {
    const db = ctx.db;
    const tag = `bench${Date.now().toString(36)}`;
    // Rules in force, ten distinct texts repeated (their search vectors built once each in JS, as the service does).
    const texts = TOPICS.map((topic, i) => {
      const title = `${topic}自律规范`;
      const body = `第一条 为规范会员${topic}，制定本规范。\n第二条 会员应当建立${topic}内部制度。\n第三条 违反本规范的，协会依照自律措施实施办法处理。`;
      return { title, body, vector: ruleSearchVector({ title, body, documentNumber: `深证协会字〔2020〕${i + 1}号` }) };
    });
    await db.execute(sql`
      insert into self_regulatory_rules (association_id, title, body, status, document_number, effective_on, search_vector, drafted_by)
      select ${ASSOCIATION_IDS.SZSA}, t.title || ' ' || g, t.body, 'IN_FORCE', ${tag} || '〔' || g || '〕号', date '2020-01-01', t.vector::tsvector, 'bench'
      from generate_series(1, ${RULES}) g
      join lateral (select * from jsonb_to_recordset(${JSON.stringify(texts)}::jsonb) as x(title text, body text, vector text) offset (g % ${TOPICS.length}) limit 1) t on true`);
    await db.execute(sql`update self_regulatory_rules set lineage_id = id where lineage_id is null`);
    // Published cases (a 纪律处分 each) against the demo's securities firms.
    await db.execute(sql`
      with firms as (select id, row_number() over (order by id) - 1 as n, count(*) over () as total from organizations where kind = 'SECURITIES_FIRM'),
      inserted as (
        insert into disciplinary_cases (association_id, organization_id, stage, summary, opened_by, decided_by, finalized_by, decision_number, decided_on, finalized_at, published_at)
        select ${ASSOCIATION_IDS.SZSA}, f.id, 'FINAL', '基准案件 ' || g, 'bench:a', 'bench:b', 'bench:b', ${tag} || '处〔' || g || '〕号', date '2025-06-01', now(), now()
        from generate_series(1, ${CASES}) g join firms f on f.n = g % f.total
        returning id)
      insert into disciplinary_measures (case_id, type, note) select id, 'INDUSTRY_CRITICISM', '通报批评' from inserted`);
    for (const table of ['self_regulatory_rules', 'disciplinary_cases', 'disciplinary_measures']) await db.execute(sql`analyze ${sql.identifier(table)}`);

    const CASES_Q = `query($first: Int) { disciplinaryCases(first: $first) { totalCount edges { node { id decisionNumber decidedOn organization { name } measures { type endsOn } statement } } } }`;
    const SEARCH_Q = `query($s: String, $first: Int) { selfRegulatoryRules(first: $first, search: $s) { totalCount edges { node { id title documentNumber effectiveOn } } } }`;
    const casesStatements = [await ctx.statements(() => ctx.execute(CASES_Q, { first: 1 })), await ctx.statements(() => ctx.execute(CASES_Q, { first: 100 }))];
    const searchStatements = [await ctx.statements(() => ctx.execute(SEARCH_Q, { s: '适当性', first: 1 })), await ctx.statements(() => ctx.execute(SEARCH_Q, { s: '适当性', first: 100 }))];
    const casesLatency = await ctx.latency(() => ctx.graphql(CASES_Q, { first: 100 }));
    const searchLatency = await ctx.latency(() => ctx.graphql(SEARCH_Q, { s: '直播营销', first: 20 }));

    // A member's mutation: the membership-rights rule was decided at authentication, so the mutation runs as before.
    const [firm] = ((await db.execute(sql`select credit_code from organizations where kind = 'SECURITIES_FIRM' order by id limit 1`)) as unknown as { rows: { credit_code: string }[] }).rows;
    const as = { role: 'firm' as const, org: firm!.credit_code, sub: 'bench.member' };
    const WITHDRAW = `mutation { withdrawSuggestion(input: { id: "U3VnZ2VzdGlvbjoyMDAwMDAwMDAw" }) { userErrors { code } } }`;
    await ctx.execute(WITHDRAW, {}, as); // the viewer resolver remembers the organization
    const counted = await countStatements(() => ctx.execute(WITHDRAW, {}, as));
    const mutationStatements = counted.count;
    const ruleStatements = counted.statements.filter((s) => s.includes('SUSPEND_MEMBERSHIP_RIGHTS')).length;

    const results: Omit<DomainBenchResult, 'domain' | 'driver' | 'seconds'>[] = [
      {
        name: 'published sanctions list (anonymous, 100 per page)',
        figures: { rows: CASES, statementsFirst1: casesStatements[0]!, statementsFirst100: casesStatements[1]!, p50Ms: casesLatency.p50Ms, p99Ms: casesLatency.p99Ms },
        gates: [
          { name: 'statements constant in page size', pass: casesStatements[0] === casesStatements[1], detail: `${casesStatements[0]} = ${casesStatements[1]}` },
          { name: 'p50 ≤ 100 ms', pass: casesLatency.p50Ms <= 100, detail: `${casesLatency.p50Ms} ms` },
        ],
      },
      {
        name: 'rules Chinese search (anonymous)',
        figures: { rows: RULES, statementsFirst1: searchStatements[0]!, statementsFirst100: searchStatements[1]!, p50Ms: searchLatency.p50Ms, p99Ms: searchLatency.p99Ms },
        gates: [
          { name: 'statements constant in page size', pass: searchStatements[0] === searchStatements[1], detail: `${searchStatements[0]} = ${searchStatements[1]}` },
          { name: 'p50 ≤ 100 ms', pass: searchLatency.p50Ms <= 100, detail: `${searchLatency.p50Ms} ms` },
        ],
      },
      {
        name: 'membership-rights rule on a member mutation',
        figures: { statements: mutationStatements, membershipRightsStatements: ruleStatements },
        gates: [{ name: 'no statement of its own (decided at authentication)', pass: ruleStatements === 0, detail: `${ruleStatements} of ${mutationStatements} statement(s)` }],
      },
    ];
    return results;
  },
};
