// Demo self-regulation data. Rules of 深证协 (SZSA): the 2011 notice against unfair competition (REPEALED, superseded
// by its 2024 revision IN_FORCE), a conduct rule IN_FORCE, a suitability guideline in CONSULTATION with members'
// comments, one FILED and one DRAFT; one rule of 深上协 (SZLCA) IN_FORCE. Cases of SZSA against seven securities firms
// (SZSA-only members from the fifth on: the first ones are those other tests and the matrix pick),
// one at every stage, three FINAL: a 公开谴责 (published), a 暂停会员权利 that ended on 2026-04-30 (published; nobody's
// rights are suspended in the demo, so every demo token can act) and one with 自律管理措施 only (never published); and
// one SZLCA case in HEARING. Deterministic (fixed dates, firms by position), a handful of statements.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { membershipsTable, organizationsTable } from '../members/members.table.js';
import { ruleSearchVector } from './self-regulation.rules.js';
import {
  disciplinaryCaseEventsTable,
  disciplinaryCasesTable,
  disciplinaryMeasuresTable,
  selfRegulatoryRuleCommentsTable,
  selfRegulatoryRulesTable,
  type DisciplinaryMeasureType,
  type DisciplinaryStage,
  type SelfRegulatoryRuleStatus,
} from './self-regulation.table.js';

const SZSA = ASSOCIATION_IDS.SZSA;
const SZLCA = ASSOCIATION_IDS.SZLCA;
const at = (day: string, time = '10:00:00') => new Date(`${day}T${time}+08:00`);

interface RuleSeed {
  key: string;
  associationId: number;
  title: string;
  body: string;
  status: SelfRegulatoryRuleStatus;
  documentNumber?: string;
  effectiveOn?: string;
  drafted: string;
  /** The key of the version this one amends. */
  supersedes?: string;
}

const UNFAIR_2011 = [
  '第一条 为维护深圳地区证券市场秩序，促进证券营业部守法合规经营，反对不正当竞争，制定本意见。',
  '第二条 证券营业部不得以低于成本的佣金招揽客户。',
  '第三条 证券营业部不得以给予回扣、赠送礼品等方式招揽客户。',
  '第四条 违反本意见的，协会视情节采取自律管理措施。',
].join('\n');
const UNFAIR_2024 = [
  '第一条 为维护深圳地区证券市场秩序，促进证券营业部守法合规经营，反对不正当竞争，制定本规则。',
  '第二条 证券营业部不得以低于成本的佣金招揽客户。',
  '第三条 证券营业部不得以给予回扣、赠送礼品或者虚假宣传等方式招揽客户。',
  '第四条 证券营业部不得通过互联网平台以不实承诺招揽客户。',
  '第五条 违反本规则的，协会依照《中国证券业协会自律措施实施办法》采取自律管理措施或者给予纪律处分。',
].join('\n');

const RULES: RuleSeed[] = [
  {
    key: 'unfair2011',
    associationId: SZSA,
    title: '关于深圳地区证券营业部坚持守法合规经营反对不正当竞争的若干意见',
    body: UNFAIR_2011,
    status: 'IN_FORCE', // repealed below, when its 2024 revision enters into force
    documentNumber: '深证协会字〔2011〕022号',
    effectiveOn: '2011-12-21',
    drafted: '2011-10-10',
  },
  {
    key: 'integrity',
    associationId: SZSA,
    title: '深圳证券业从业人员廉洁从业自律规范',
    body: [
      '第一条 为规范从业人员执业行为，促进廉洁从业，制定本规范。',
      '第二条 从业人员不得索取或者收受客户、业务相对方的财物或者其他利益。',
      '第三条 会员应当建立廉洁从业内部控制制度，并每年开展合规培训。',
    ].join('\n'),
    status: 'IN_FORCE',
    documentNumber: '深证协会字〔2025〕8号',
    effectiveOn: '2025-05-01',
    drafted: '2025-01-15',
  },
  {
    key: 'suitability',
    associationId: SZSA,
    title: '证券营业部投资者适当性管理自律指引（征求意见稿）',
    body: [
      '第一条 为落实投资者适当性管理要求，保护投资者合法权益，制定本指引。',
      '第二条 证券营业部应当了解客户的风险承受能力，并向客户推荐与之相匹配的产品或者服务。',
      '第三条 证券营业部应当对老年投资者等特殊群体加强适当性管理。',
    ].join('\n'),
    status: 'CONSULTATION',
    drafted: '2026-10-20',
  },
  {
    key: 'reputation',
    associationId: SZSA,
    title: '证券公司分支机构声誉风险管理自律指引',
    body: ['第一条 为加强分支机构声誉风险管理，做到抓早抓小，制定本指引。', '第二条 分支机构发现声誉风险事件的，应当于两小时内向公司总部和协会报告。'].join('\n'),
    status: 'FILED',
    drafted: '2026-06-01',
  },
  {
    key: 'marketing',
    associationId: SZSA,
    title: '证券经营机构互联网营销行为自律规范',
    body: '第一条 为规范会员通过互联网开展营销活动，制定本规范。',
    status: 'DRAFT',
    drafted: '2026-11-20',
  },
  {
    key: 'secretaries',
    associationId: SZLCA,
    title: '深圳上市公司董事会秘书履职自律规范',
    body: ['第一条 为促进董事会秘书勤勉尽责，提高信息披露质量，制定本规范。', '第二条 董事会秘书应当参加协会组织的后续培训。'].join('\n'),
    status: 'IN_FORCE',
    documentNumber: '深上协字〔2025〕3号',
    effectiveOn: '2025-09-01',
    drafted: '2025-05-10',
  },
];

/** The 2024 revision of the 2011 notice: it supersedes version 1 (which is REPEALED from then on). */
const REVISION: RuleSeed = {
  key: 'unfair2024',
  associationId: SZSA,
  title: '深圳证券业营业部反不正当竞争自律规则',
  body: UNFAIR_2024,
  status: 'IN_FORCE',
  documentNumber: '深证协会字〔2024〕15号',
  effectiveOn: '2024-07-01',
  drafted: '2024-02-20',
  supersedes: 'unfair2011',
};

const COMMENTS = [
  { firm: 0, body: '建议明确“风险承受能力”评估的频率，并允许营业部通过线上方式完成复评。', day: '2026-11-02' },
  { firm: 2, body: '第三条“特殊群体”的范围建议列举，例如六十五周岁以上投资者。', day: '2026-11-05' },
  { firm: 4, body: '建议给予三个月过渡期，便于营业部调整系统。', day: '2026-11-09' },
];

interface CaseSeed {
  firm: number;
  stage: DisciplinaryStage;
  summary: string;
  statement?: string;
  measures?: { type: DisciplinaryMeasureType; note?: string; endsOn?: string }[];
  decisionNumber?: string;
  decidedOn?: string;
  finalizedOn?: string;
  reviewRequested?: boolean;
  aggravating?: ('NON_COOPERATION' | 'RETALIATION' | 'REFUSED_RECTIFICATION' | 'REPEATED_WITHIN_12_MONTHS' | 'OTHER')[];
  opened: string;
}

const CASES: CaseSeed[] = [
  { firm: 0, stage: 'INVESTIGATION', summary: '营业部员工在微信群中以“保本高收益”为名推介产品，涉嫌虚假宣传招揽客户。', opened: '2026-11-18' },
  {
    firm: 1,
    stage: 'HEARING',
    summary: '营业部向风险承受能力为保守型的老年投资者销售高风险产品，未落实适当性管理要求。',
    statement: '涉事客户经理已调离岗位，营业部已完成适当性回访并向客户作出说明，恳请从轻处理。',
    opened: '2026-10-12',
  },
  {
    firm: 2,
    stage: 'DECIDED',
    summary: '营业部未按规定报送声誉风险事件，延迟五日报告。',
    statement: '延迟报告系系统故障所致，现已整改。',
    measures: [
      { type: 'WARNING', note: '警示' },
      { type: 'ORDER_TO_CORRECT', note: '三十日内提交整改报告' },
    ],
    decisionNumber: '深证协处〔2026〕6号',
    decidedOn: '2026-11-27',
    opened: '2026-09-03',
  },
  {
    firm: 3,
    stage: 'UNDER_REVIEW',
    summary: '营业部以赠送礼品方式招揽客户，违反反不正当竞争自律规则第三条。',
    statement: '礼品为公司统一开展的投资者教育活动纪念品，不构成招揽。',
    measures: [{ type: 'INDUSTRY_CRITICISM', note: '在会员范围内通报批评' }],
    decisionNumber: '深证协处〔2026〕5号',
    decidedOn: '2026-10-15',
    reviewRequested: true,
    opened: '2026-07-20',
  },
  {
    firm: 4,
    stage: 'FINAL',
    summary: '营业部负责人组织员工代客操作证券账户，情节严重，且拒不整改。',
    statement: '我司已解除涉事负责人职务。',
    measures: [
      { type: 'PUBLIC_CENSURE', note: '公开谴责' },
      { type: 'MANDATORY_TRAINING', note: '营业部负责人及合规专员参加强化培训' },
    ],
    decisionNumber: '深证协处〔2026〕3号',
    decidedOn: '2026-06-12',
    finalizedOn: '2026-07-10',
    aggravating: ['REFUSED_RECTIFICATION'],
    opened: '2026-03-02',
  },
  {
    firm: 5,
    stage: 'FINAL',
    summary: '会员拒不配合协会自律检查，隐匿相关业务资料。',
    measures: [{ type: 'SUSPEND_MEMBERSHIP_RIGHTS', note: '暂停会员权利三个月（已届满）', endsOn: '2026-04-30' }],
    decisionNumber: '深证协处〔2026〕1号',
    decidedOn: '2026-01-20',
    finalizedOn: '2026-01-30',
    aggravating: ['NON_COOPERATION'],
    opened: '2025-11-10',
  },
  {
    firm: 6,
    stage: 'FINAL',
    summary: '营业部未按时完成从业人员后续职业培训学时登记。',
    statement: '已补登学时。',
    measures: [
      { type: 'TALK_REMINDER', note: '约见营业部负责人谈话提醒' },
      { type: 'WRITTEN_UNDERTAKING', note: '提交书面承诺' },
    ],
    decisionNumber: '深证协处〔2026〕2号',
    decidedOn: '2026-05-08',
    finalizedOn: '2026-05-29',
    opened: '2026-04-01',
  },
];

const PATHS: Record<DisciplinaryStage, DisciplinaryStage[]> = {
  INVESTIGATION: ['INVESTIGATION'],
  HEARING: ['INVESTIGATION', 'HEARING'],
  DECIDED: ['INVESTIGATION', 'HEARING', 'DECIDED'],
  UNDER_REVIEW: ['INVESTIGATION', 'HEARING', 'DECIDED', 'UNDER_REVIEW'],
  FINAL: ['INVESTIGATION', 'HEARING', 'DECIDED', 'FINAL'],
};

export async function seedSelfRegulation(tx: DbOrTx): Promise<Record<string, number>> {
  // ---- rules
  const t = selfRegulatoryRulesTable;
  const values = (r: RuleSeed, lineageId: number | null, supersedesId: number | null) => ({
    associationId: r.associationId,
    lineageId,
    version: supersedesId === null ? 1 : 2,
    supersedesId,
    title: r.title,
    body: r.body,
    status: r.status,
    documentNumber: r.documentNumber ?? null,
    effectiveOn: r.effectiveOn ?? null,
    searchVector: ruleSearchVector({ title: r.title, body: r.body, documentNumber: r.documentNumber ?? null }),
    draftedBy: 'demo:staff:chen.jing',
    consultationOpenedAt: r.status === 'DRAFT' ? null : at(r.drafted, '15:00:00'),
    adoptedAt: ['ADOPTED', 'FILED', 'IN_FORCE'].includes(r.status) ? at(r.effectiveOn ?? r.drafted, '09:00:00') : null,
    filedAt: ['FILED', 'IN_FORCE'].includes(r.status) ? at(r.effectiveOn ?? r.drafted, '09:30:00') : null,
    inForceAt: r.status === 'IN_FORCE' ? at(r.effectiveOn!) : null,
    createdAt: at(r.drafted),
    updatedAt: at(r.effectiveOn ?? r.drafted),
  });
  const inserted = await tx.insert(t).values(RULES.map((r) => values(r, null, null))).returning({ id: t.id, title: t.title });
  await tx.update(t).set({ lineageId: sql`${t.id}` }).where(isNull(t.lineageId));
  const idOf = (key: string) => inserted[RULES.findIndex((r) => r.key === key)]!.id;
  const original = idOf(REVISION.supersedes!);
  await tx.insert(t).values(values(REVISION, original, original));
  await tx.update(t).set({ status: 'REPEALED', repealedAt: at(REVISION.effectiveOn!), updatedAt: at(REVISION.effectiveOn!) }).where(eq(t.id, original));

  // ---- firms: SZSA-only securities firms from the eighth on (the first ones are what other tests pick), and a listed company
  const firms = await tx
    .select({ id: organizationsTable.id })
    .from(organizationsTable)
    .where(
      and(
        eq(organizationsTable.kind, 'SECURITIES_FIRM'),
        sql`exists (select 1 from ${membershipsTable} m where m.organization_id = ${organizationsTable.id} and m.association_id = ${SZSA} and m.status = 'ACTIVE')`,
        sql`not exists (select 1 from ${membershipsTable} m where m.organization_id = ${organizationsTable.id} and m.association_id <> ${SZSA})`,
      ),
    )
    .orderBy(asc(organizationsTable.id))
    .offset(4)
    .limit(7);
  const [listed] = await tx
    .select({ id: organizationsTable.id })
    .from(organizationsTable)
    .where(and(eq(organizationsTable.kind, 'LISTED_COMPANY'), sql`exists (select 1 from ${membershipsTable} m where m.organization_id = ${organizationsTable.id} and m.association_id = ${SZLCA})`))
    .orderBy(asc(organizationsTable.id))
    .offset(3)
    .limit(1);
  if (firms.length === 0) return { selfRegulatoryRules: RULES.length + 1, ruleComments: 0, disciplinaryCases: 0 };
  const firm = (n: number) => firms[n % firms.length]!.id;

  await tx.insert(selfRegulatoryRuleCommentsTable).values(
    COMMENTS.map((c) => ({ ruleId: idOf('suitability'), organizationId: firm(c.firm), authorSub: 'demo:member', body: c.body, createdAt: at(c.day, '16:00:00') })),
  );

  // ---- cases
  const all: (CaseSeed & { associationId: number; organizationId: number })[] = CASES.map((c) => ({ ...c, associationId: SZSA, organizationId: firm(c.firm) }));
  if (listed) {
    all.push({
      firm: -1,
      associationId: SZLCA,
      organizationId: listed.id,
      stage: 'HEARING',
      summary: '上市公司董事会秘书未按自律规范参加后续培训。',
      opened: '2026-11-03',
    });
  }
  const c = disciplinaryCasesTable;
  const cases = await tx
    .insert(c)
    .values(
      all.map((k) => ({
        associationId: k.associationId,
        organizationId: k.organizationId,
        stage: k.stage,
        summary: k.summary,
        openedBy: 'demo:staff:li.si',
        decidedBy: k.decidedOn ? 'demo:staff:wang.wu' : null,
        finalizedBy: k.finalizedOn ? 'demo:staff:zhao.liu' : null,
        statement: k.statement ?? null,
        statementAt: k.statement ? at(k.opened, '17:00:00') : null,
        aggravatingFactors: k.aggravating ?? [],
        decisionNumber: k.decisionNumber ?? null,
        decidedOn: k.decidedOn ?? null,
        reviewRequestedAt: k.reviewRequested ? at(k.decidedOn!, '18:00:00') : null,
        finalizedAt: k.finalizedOn ? at(k.finalizedOn) : null,
        publishedAt: k.finalizedOn && k.measures?.some((m) => ['INDUSTRY_CRITICISM', 'PUBLIC_CENSURE', 'SUSPEND_QUALIFICATION', 'SUSPEND_MEMBERSHIP_RIGHTS', 'EXPEL'].includes(m.type)) ? at(k.finalizedOn) : null,
        createdAt: at(k.opened),
        updatedAt: at(k.finalizedOn ?? k.decidedOn ?? k.opened),
      })),
    )
    .returning({ id: c.id });
  const measures = all.flatMap((k, i) => (k.measures ?? []).map((m) => ({ caseId: cases[i]!.id, type: m.type, note: m.note ?? null, endsOn: m.endsOn ?? null })));
  if (measures.length > 0) await tx.insert(disciplinaryMeasuresTable).values(measures);
  const events = all.flatMap((k, i) =>
    PATHS[k.stage].map((stage, n, path) => ({
      caseId: cases[i]!.id,
      fromStage: n === 0 ? null : path[n - 1]!,
      toStage: stage,
      actorSub: stage === 'UNDER_REVIEW' ? 'demo:member' : stage === 'DECIDED' ? 'demo:staff:wang.wu' : stage === 'FINAL' ? 'demo:staff:zhao.liu' : 'demo:staff:li.si',
      actorRole: stage === 'UNDER_REVIEW' ? 'FIRM' : 'ASSOCIATION',
      at: stage === 'FINAL' ? at(k.finalizedOn!) : stage === 'DECIDED' ? at(k.decidedOn!) : stage === 'UNDER_REVIEW' ? at(k.decidedOn!, '18:00:00') : at(k.opened, n === 0 ? '10:00:00' : '14:00:00'),
    })),
  );
  await tx.insert(disciplinaryCaseEventsTable).values(events);
  return { selfRegulatoryRules: RULES.length + 1, ruleComments: COMMENTS.length, disciplinaryCases: cases.length };
}
