// Demo early reports and best practices (deterministic, set-based): the working-day calendar 2025–2027 (demo data, see
// early-reports.calendar.ts); 240 early reports of 2026 from the securities association's firms (with their branches)
// and the listed companies association's companies, of every category and severity, some late, the serious ones and
// some others escalated, many closed, with their status history; twelve best practices in every status, published ones
// to the public and to members, some anonymous, some linked to policy interpretations.
import { sql } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../associations/associations.table.js';
import type { DbOrTx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import { mulberry32 } from '../seed/prng.js';
import { practiceSearchVector } from './best-practices.service.js';
import { demoCalendarRows } from './early-reports.calendar.js';
import { DEADLINE_HOURS } from './early-reports.deadline.js';
import { dueAtSql, ESCALATED_ON_SUBMISSION_NOTE } from './early-reports.service.js';
import type { EarlyReportCategory, EarlyReportSeverity } from './early-reports.table.js';

export const SEED_SUBJECT = 'seed:early-reports';
export const SEED_REPORTS = 240;

const TEMPLATES: Record<EarlyReportCategory, { title: string; body: string }[]> = {
  LITIGATION_OR_FREEZE: [
    { title: '营业部租赁场所涉诉被法院查封', body: '因出租方债务纠纷，营业部所租赁办公场所被福田区人民法院查封，营业暂未受影响，已联系出租方及法院了解情况。' },
    { title: '公司作为被告的证券虚假陈述诉讼', body: '投资者张**等12人以证券虚假陈述责任纠纷起诉公司，涉诉金额约860万元，公司已委托律师应诉。' },
  ],
  SYSTEM_OUTAGE: [
    { title: '营业部网络中断致现场交易暂停', body: '上午10:12营业部主干线路中断，现场交易终端无法下单约35分钟，已切换备用线路恢复，无客户资金损失。' },
    { title: '集中交易系统行情延迟', body: '开盘后集中交易系统行情推送延迟约8分钟，部分客户委托失败，已启动应急预案并向客户解释。' },
    { title: '银证转账通道故障', body: '与某合作银行的银证转账通道故障约2小时，期间转账失败约340笔，已与银行排查恢复。' },
  ],
  STAFF_MISCONDUCT: [
    { title: '员工涉嫌私下代客理财', body: '经合规检查发现营业部一名客户经理涉嫌私下接受客户李**委托代为操作账户，已暂停其执业并开展调查。' },
    { title: '员工违规向客户承诺收益', body: '客户投诉员工在推介产品时承诺保本收益，公司已核实录音并对相关人员采取问责措施。' },
  ],
  CUSTOMER_DISTURBANCE: [
    { title: '客户在营业场所聚集反映产品兑付问题', body: '约20名客户到营业部反映某代销私募产品延期兑付问题，情绪较激动，营业部已安排专人接待并报告属地派出所。' },
    { title: '客户因两融平仓纠纷到营业部闹事', body: '客户王**因融资融券强制平仓与营业部发生纠纷，在营业场所滞留并拍摄视频，经沟通后离开。' },
  ],
  REGULATORY_ACTION: [
    { title: '收到交易所监管函', body: '公司收到深圳证券交易所监管函，涉及客户异常交易行为管理不到位，公司已组织整改。' },
    { title: '营业部被出具警示函', body: '营业部因适当性管理不到位被出具警示函，公司已启动内部问责和全面自查。' },
  ],
  REPUTATION_EVENT: [
    { title: '自媒体发布涉及公司的不实信息', body: '某自媒体账号发布涉及公司经营状况的不实信息，阅读量已超过10万，公司已发布澄清公告并联系平台处理。' },
    { title: '员工不当言论引发网络舆情', body: '公司员工在社交平台发表不当言论被转发，引发负面舆情，公司已对当事人停职调查并发布致歉声明。' },
  ],
  MARKET_FEEDBACK: [
    { title: '客户对跨境理财通额度的需求增加', body: '近期大湾区客户咨询跨境理财通业务明显增多，反映额度和产品范围需求，建议协会汇总反映。' },
    { title: '中小券商反映IT合规成本上升', body: '多家会员反映信息系统合规要求提高带来的成本压力，希望行业层面研究共建共享方案。' },
  ],
  OTHER: [
    { title: '员工外出办理业务途中发生交通意外', body: '营业部一名员工外出拜访客户途中发生交通意外受伤，已送医治疗，业务已安排他人接手。' },
    { title: '重大业务差错：错误办理客户指定交易', body: '营业部柜员错误为客户办理指定交易撤销，导致客户当日无法交易，已更正并与客户协商补偿。' },
  ],
};

const CATEGORIES = Object.keys(TEMPLATES) as EarlyReportCategory[];
const STAFF_ESCALATION_NOTE = '事项涉及面扩大，已报送深圳证监局 / The matter widened; escalated to the CSRC Shenzhen Bureau';
const CLOSING_NOTE = '结报：已查明原因并完成处置，相关整改与问责已落实 / Closing report: cause found, handled, rectification and accountability done';

function severityOf(x: number): EarlyReportSeverity {
  return x < 0.4 ? 'MINOR' : x < 0.7 ? 'MODERATE' : x < 0.9 ? 'SEVERE' : 'CRITICAL';
}

/** How long after the event it was reported: usually well within the deadline, about one in five late. */
function delayHours(severity: EarlyReportSeverity, late: boolean, x: number): number {
  const limit = severity === 'MINOR' ? 24 * 5 : DEADLINE_HOURS[severity];
  return late ? limit * (1.6 + x * 2) + (severity === 'MINOR' ? 72 : 0) : limit * (0.1 + x * 0.5);
}

export async function seedEarlyReports(tx: DbOrTx): Promise<Record<string, number>> {
  // The calendar the deadlines count in.
  const calendar = demoCalendarRows();
  await tx.execute(sql`insert into working_calendar (day, working, name)
    select day, working, name from jsonb_to_recordset(${JSON.stringify(calendar)}::jsonb) as t(day date, working boolean, name text)
    on conflict (day) do nothing`);

  // Reporters: the securities association's active securities firms (each with its first open branch) and the listed
  // companies association's active listed companies.
  const reporters = rowsOf<{ id: number; association_id: number; branch_id: number | null }>(
    await tx.execute(sql`select o.id, m.association_id,
        (select b.id from branches b where b.firm_id = o.id and b.closed_on is null order by b.id limit 1) as branch_id
      from organizations o join memberships m on m.organization_id = o.id and m.status = 'ACTIVE'
      where (o.kind = 'SECURITIES_FIRM' and m.association_id = ${ASSOCIATION_IDS.SZSA})
         or (o.kind = 'LISTED_COMPANY' and m.association_id = ${ASSOCIATION_IDS.SZLCA})
      order by o.id, m.association_id`),
  );
  if (reporters.length === 0) return { earlyReports: 0, bestPractices: 0 };

  const random = mulberry32(19);
  const records: Record<string, unknown>[] = [];
  const start = Date.parse('2026-01-05T01:00:00Z');
  const span = Date.parse('2026-11-30T09:00:00Z') - start;
  for (let i = 0; i < SEED_REPORTS; i++) {
    const reporter = reporters[(i * 7 + Math.floor(random() * 5)) % reporters.length]!;
    // Every category and severity appear: the first rows walk through them, the rest are drawn.
    const category = i < CATEGORIES.length * 4 ? CATEGORIES[i % CATEGORIES.length]! : CATEGORIES[Math.floor(random() * CATEGORIES.length)]!;
    const severity = i < CATEGORIES.length * 4 ? (['MINOR', 'MODERATE', 'SEVERE', 'CRITICAL'] as const)[Math.floor(i / CATEGORIES.length)]! : severityOf(random());
    const templates = TEMPLATES[category];
    const template = templates[Math.floor(random() * templates.length)]!;
    const reportedAt = start + Math.floor((span * i) / SEED_REPORTS) + Math.floor(random() * 6) * 3_600_000;
    const late = random() < 0.2;
    const occurredAt = reportedAt - Math.round(delayHours(severity, late, random()) * 3_600_000);
    const serious = severity === 'SEVERE' || severity === 'CRITICAL';
    const ageDays = (start + span - reportedAt) / 86_400_000;
    const fate = random();
    let status: string;
    let escalated: number | null = serious ? reportedAt : null;
    let closed: number | null = null;
    if (ageDays < 20 && fate < 0.5) status = serious ? 'ESCALATED' : 'SUBMITTED';
    else if (serious) {
      status = fate < 0.7 ? 'CLOSED' : 'ESCALATED';
    } else if (fate < 0.25) status = 'ACKNOWLEDGED';
    else if (fate < 0.4) {
      status = 'ESCALATED';
      escalated = reportedAt + 86_400_000;
    } else {
      status = 'CLOSED';
      if (fate < 0.5) escalated = reportedAt + 86_400_000;
    }
    if (status === 'CLOSED') closed = reportedAt + (3 + Math.floor(random() * 10)) * 86_400_000;
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    records.push({
      org: reporter.id,
      association: reporter.association_id,
      branch: reporter.branch_id !== null && category !== 'MARKET_FEEDBACK' && random() < 0.7 ? reporter.branch_id : null,
      category,
      severity,
      title: template.title,
      body: template.body,
      occurred: iso(occurredAt),
      reported: iso(reportedAt),
      status,
      escalated: iso(escalated),
      closed: iso(closed),
    });
  }

  const inserted = rowsOf<{ n: number }>(
    await tx.execute(sql`with rows as (
        select org, association, branch, category::early_report_category as category, severity::early_report_severity as severity, title, body,
          occurred, reported, status::early_report_status as status, escalated, closed
        from jsonb_to_recordset(${JSON.stringify(records)}::jsonb)
          as t(org integer, association integer, branch integer, category text, severity text, title text, body text,
            occurred timestamptz, reported timestamptz, status text, escalated timestamptz, closed timestamptz)),
      inserted as (
        insert into early_reports (organization_id, association_id, branch_id, category, severity, title, body, occurred_at, reported_at, due_at, status, escalated_at, closed_at, submitted_by_sub, updated_at)
        select org, association, branch, category, severity, title, body, occurred, reported, ${dueAtSql(sql`severity`, sql`occurred`)}, status, escalated, closed, ${SEED_SUBJECT}, coalesce(closed, escalated, reported)
        from rows
        returning *),
      events as (
        insert into early_report_events (report_id, at, from_status, to_status, note, actor_sub, actor_role)
        select id, reported_at, null::early_report_status, 'SUBMITTED'::early_report_status, null::text, ${SEED_SUBJECT}, 'FIRM' from inserted
        union all
        select id, reported_at + interval '4 hours', 'SUBMITTED', 'ACKNOWLEDGED', null, 'seed:association', 'ASSOCIATION' from inserted
          where severity in ('MINOR', 'MODERATE') and status <> 'SUBMITTED'
        union all
        select id, escalated_at, case when severity in ('SEVERE', 'CRITICAL') then 'SUBMITTED' else 'ACKNOWLEDGED' end::early_report_status, 'ESCALATED',
          case when severity in ('SEVERE', 'CRITICAL') then ${ESCALATED_ON_SUBMISSION_NOTE} else ${STAFF_ESCALATION_NOTE} end,
          case when severity in ('SEVERE', 'CRITICAL') then ${SEED_SUBJECT} else 'seed:association' end,
          case when severity in ('SEVERE', 'CRITICAL') then 'FIRM' else 'ASSOCIATION' end
          from inserted where escalated_at is not null
        union all
        select id, closed_at, case when escalated_at is not null then 'ESCALATED' else 'ACKNOWLEDGED' end::early_report_status, 'CLOSED', ${CLOSING_NOTE}, 'seed:association', 'ASSOCIATION'
          from inserted where closed_at is not null)
      select count(*)::integer as n from inserted`),
  );

  const bestPractices = await seedBestPractices(tx, reporters);
  return { earlyReports: inserted[0]?.n ?? 0, bestPractices };
}

const PRACTICES: { title: string; summary: string; body: string; anonymous: boolean; status: 'SUBMITTED' | 'UNDER_REVIEW' | 'PUBLISHED' | 'REJECTED'; audience: 'PUBLIC' | 'MEMBERS'; listed?: boolean }[] = [
  {
    title: '营业部声誉风险“首报两小时”快速响应机制',
    summary: '建立舆情监测、分级研判与新闻发言人联动机制，负面舆情两小时内完成首报和首次回应。',
    body: '一、设立舆情监测岗，7×24小时监测主流媒体和自媒体。二、按影响范围将声誉事件分为四级，特别严重事件两小时内向公司总部和协会首报。三、新闻发言人统一对外口径，营业部不得自行回应。四、事后开展复盘，纳入员工培训案例。',
    anonymous: false,
    status: 'PUBLISHED',
    audience: 'PUBLIC',
  },
  {
    title: '投资者适当性管理“双录”抽检做法',
    summary: '对高风险产品销售的录音录像按周随机抽检，问题闭环整改，适当性投诉同比下降四成。',
    body: '公司合规部每周随机抽取5%的双录文件，检查风险揭示、客户确认和适当性匹配环节。发现问题当日反馈营业部，三个工作日内整改完毕并复查。抽检结果纳入营业部分类评价内部考核。',
    anonymous: false,
    status: 'PUBLISHED',
    audience: 'MEMBERS',
  },
  {
    title: '信息系统故障应急演练常态化',
    summary: '每季度开展一次交易系统、银证转账通道故障应急演练，演练结果向全员通报。',
    body: '演练覆盖主备线路切换、集中交易系统降级运行和客户告知话术。每次演练设定真实业务场景，记录切换时间，并与上一季度比较，持续缩短恢复时间。',
    anonymous: true,
    status: 'PUBLISHED',
    audience: 'PUBLIC',
  },
  {
    title: '员工执业行为异常交易监测模型',
    summary: '利用员工及其亲属账户交易数据建立异常行为监测模型，提前发现私下代客理财等违规线索。',
    body: '模型以员工登记账户、营业部客户账户的登录设备、IP 地址和交易时间为特征，识别疑似代客操作行为。线索由合规部人工复核，三年来共发现并处置违规线索27条。',
    anonymous: true,
    status: 'PUBLISHED',
    audience: 'MEMBERS',
  },
  {
    title: '客户集体上访的接访与化解流程',
    summary: '明确接访、登记、安抚、报告、化解五个步骤，配合属地维稳，避免事态扩大。',
    body: '营业部设立接访室，由负责人亲自接访；群体性事件一小时内报告总部和协会；对合理诉求限期答复，对不合理诉求耐心解释；必要时请属地派出所协助维持秩序。',
    anonymous: false,
    status: 'PUBLISHED',
    audience: 'PUBLIC',
  },
  {
    title: '上市公司董秘舆情应对工作指引',
    summary: '上市公司在重大舆情发生后及时核实、披露和回应，维护投资者信心。',
    body: '董秘办牵头建立舆情台账，重大舆情发生后当日核实并视情况发布澄清公告，同时通过投资者互动平台统一回应，避免选择性信息披露。',
    anonymous: false,
    status: 'PUBLISHED',
    audience: 'MEMBERS',
    listed: true,
  },
  {
    title: '反洗钱客户身份识别的数字化改造',
    summary: '通过数字化手段完成客户身份持续识别，提高可疑交易报告质量。',
    body: '公司将客户身份识别流程嵌入开户和业务办理系统，对高风险客户自动触发强化尽调；可疑交易报告由模型初筛、人工复核，报告质量显著提高。',
    anonymous: true,
    status: 'PUBLISHED',
    audience: 'PUBLIC',
  },
  {
    title: '分支机构合规管理人员轮岗交流',
    summary: '营业部合规管理人员跨区域轮岗，提升合规管理的独立性。',
    body: '合规管理人员每三年在不同营业部之间轮岗一次，轮岗前后开展离任审计和履职评估。',
    anonymous: false,
    status: 'UNDER_REVIEW',
    audience: 'MEMBERS',
  },
  {
    title: '客户回访中心集中化运营',
    summary: '将分散在各营业部的客户回访集中到总部回访中心统一开展。',
    body: '回访中心统一话术和质检标准，对新开户、高风险产品购买和投诉客户开展回访，回访结果每月通报营业部。',
    anonymous: false,
    status: 'SUBMITTED',
    audience: 'MEMBERS',
  },
  {
    title: '营业部员工廉洁从业承诺书',
    summary: '员工每年签署廉洁从业承诺书并开展警示教育。',
    body: '每年年初组织员工签署廉洁从业承诺书，结合行业违规案例开展警示教育，并将执行情况纳入绩效考核。',
    anonymous: true,
    status: 'SUBMITTED',
    audience: 'MEMBERS',
  },
  {
    title: '上市公司投资者关系管理数字化平台',
    summary: '建设投资者关系管理平台，集中管理调研接待和信息披露记录。',
    body: '平台记录每次调研接待的参与人员、沟通内容和材料，自动提示信息披露合规风险。',
    anonymous: false,
    status: 'UNDER_REVIEW',
    audience: 'MEMBERS',
    listed: true,
  },
  {
    title: '营业部节日促销活动方案',
    summary: '通过赠送礼品吸引客户开户。',
    body: '节假日期间向新开户客户赠送礼品，并在社交媒体宣传收益率排名。',
    anonymous: false,
    status: 'REJECTED',
    audience: 'MEMBERS',
  },
];

async function seedBestPractices(tx: DbOrTx, reporters: { id: number; association_id: number }[]): Promise<number> {
  const firms = reporters.filter((r) => r.association_id === ASSOCIATION_IDS.SZSA);
  const listed = reporters.filter((r) => r.association_id === ASSOCIATION_IDS.SZLCA);
  const rows = PRACTICES.map((p, i) => {
    const pool = p.listed && listed.length > 0 ? listed : firms;
    const reporter = pool[(i * 3) % pool.length]!;
    const submittedAt = new Date(Date.parse('2026-02-10T02:00:00Z') + i * 17 * 86_400_000);
    const reviewed = p.status === 'PUBLISHED' || p.status === 'REJECTED';
    return {
      org: reporter.id,
      association: reporter.association_id,
      title: p.title,
      summary: p.summary,
      body: p.body,
      anonymous: p.anonymous,
      status: p.status,
      audience: p.audience,
      review_note: p.status === 'REJECTED' ? '以礼品吸引开户和宣传收益排名不符合自律规则，不予采用 / Gifts for account opening and return rankings breach the self-regulatory rules' : reviewed ? '经验做法有实效、可复制，同意发布 / Effective and repeatable; published' : null,
      reviewed_at: reviewed ? new Date(submittedAt.getTime() + 12 * 86_400_000).toISOString() : null,
      published_at: p.status === 'PUBLISHED' ? new Date(submittedAt.getTime() + 12 * 86_400_000).toISOString() : null,
      submitted_at: submittedAt.toISOString(),
      vector: practiceSearchVector(p),
    };
  });
  const inserted = rowsOf<{ n: number }>(
    await tx.execute(sql`with rows as (
        select org, association, title, summary, body, anonymous, status::best_practice_status as status, audience::policy_audience as audience,
          review_note, reviewed_at, published_at, submitted_at, vector::tsvector as vector
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          as t(org integer, association integer, title text, summary text, body text, anonymous boolean, status text, audience text,
            review_note text, reviewed_at timestamptz, published_at timestamptz, submitted_at timestamptz, vector text)),
      inserted as (
        insert into best_practices (organization_id, association_id, title, summary, body, anonymous, status, audience, review_note, reviewed_by_sub, reviewed_at, published_at, submitted_by_sub, search_vector, submitted_at, updated_at)
        select org, association, title, summary, body, anonymous, status, audience, review_note, case when reviewed_at is not null then 'seed:association' end,
          reviewed_at, published_at, ${SEED_SUBJECT}, vector, submitted_at, coalesce(reviewed_at, submitted_at)
        from rows returning *),
      events as (
        insert into best_practice_events (best_practice_id, at, from_status, to_status, note, actor_sub, actor_role)
        select id, submitted_at, null::best_practice_status, 'SUBMITTED'::best_practice_status, null::text, ${SEED_SUBJECT}, 'FIRM' from inserted
        union all
        select id, submitted_at + interval '2 days', 'SUBMITTED', 'UNDER_REVIEW', null, 'seed:association', 'ASSOCIATION' from inserted where status <> 'SUBMITTED'
        union all
        select id, reviewed_at, 'UNDER_REVIEW', status, review_note, 'seed:association', 'ASSOCIATION' from inserted where reviewed_at is not null),
      links as (
        insert into best_practice_policy_links (best_practice_id, policy_interpretation_id, position)
        select p.id, i.id, 0 from inserted p
        join lateral (select id from policy_interpretations where status = 'PUBLISHED' and association_id = p.association_id order by id limit 1 offset (p.id % 3)) i on true
        where p.status = 'PUBLISHED')
      select count(*)::integer as n from inserted`),
  );
  return inserted[0]?.n ?? 0;
}
