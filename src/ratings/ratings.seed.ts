// Demo ratings: two versions of an illustrative (示例) guideline — the bureau's real indicator table is not public
// (DOMAIN.md §15.5) — the 2025 cycle PUBLISHED (every open demo branch rated, mostly A/B, some C and D with their
// follow-ups) and the 2026 cycle in BUREAU_REVIEW, both on the real rhythm: the bureau's notice at the end of January
// after the rated year, results by mid-March. Each firm's primary contact unit (主要联系单位) is designated here too. Deterministic (fixed PRNG, no clock) and
// set-based: the scores are computed in memory with the same pure function the API uses, then written in a few
// batched statements, because this runs at first start and for every test run.
import { mulberry32 } from '../seed/prng.js';
import { asc, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { branchesTable } from '../members/members.table.js';
import { computeRating, STAGES, type Grade, type GradingGuideline, type Stage } from './ratings.grading.js';
import { insertFollowUps } from './ratings.follow-ups.js';
import { upsertScoreLines } from './ratings.recompute.js';
import {
  branchRatingsTable,
  ratingCyclesTable,
  ratingGuidelinesTable,
  ratingIndicatorsTable,
  ratingOverrideDecisionsTable,
  ratingOverrideRulesTable,
  primaryContactUnitsTable,
} from './ratings.table.js';

type IndicatorSeed = Omit<typeof ratingIndicatorsTable.$inferInsert, 'guidelineId' | 'position'>;
type RuleSeed = Omit<typeof ratingOverrideRulesTable.$inferInsert, 'guidelineId'>;

const prng = mulberry32;

// The ten basic items add up to the base score of 100; deductions follow the measure table of DOMAIN.md §1.4.
const INDICATORS_V1: IndicatorSeed[] = [
  { code: 'CM_SYSTEM', category: 'COMPLIANCE_MANAGEMENT', nameZh: '合规管理制度建设与执行', nameEn: 'Compliance policies and their execution', method: 'BASE', points: 15, cap: null },
  { code: 'IC_PREMISES', category: 'INTERNAL_CONTROL', nameZh: '内部控制与营业场所管理', nameEn: 'Internal control and premises management', method: 'BASE', points: 10, cap: null },
  { code: 'RM_MONITORING', category: 'RISK_MANAGEMENT', nameZh: '风险监测、报告与处置', nameEn: 'Risk monitoring, reporting and handling', method: 'BASE', points: 10, cap: null },
  { code: 'IP_SUITABILITY', category: 'INVESTOR_PROTECTION', nameZh: '投资者适当性管理与权益保护', nameEn: 'Investor suitability and protection', method: 'BASE', points: 15, cap: null },
  { code: 'CD_COMPLAINTS', category: 'COMPLAINTS_DISPUTES', nameZh: '客户投诉处理与纠纷化解', nameEn: 'Complaint handling and dispute resolution', method: 'BASE', points: 10, cap: null },
  { code: 'CT_ABNORMAL_TRADING', category: 'CLIENT_TRADING_BEHAVIOUR', nameZh: '客户异常交易行为管理', nameEn: 'Management of abnormal client trading', method: 'BASE', points: 10, cap: null },
  { code: 'AML_KYC', category: 'AML', nameZh: '反洗钱与客户身份识别', nameEn: 'Anti-money laundering and customer identification', method: 'BASE', points: 10, cap: null },
  { code: 'SC_INTEGRITY', category: 'STAFF_CONDUCT', nameZh: '从业人员管理与廉洁从业', nameEn: 'Staff management and integrity', method: 'BASE', points: 10, cap: null },
  { code: 'IT_DATA_SECURITY', category: 'IT_DATA_SECURITY', nameZh: '信息系统与数据安全', nameEn: 'Information systems and data security', method: 'BASE', points: 5, cap: null },
  { code: 'RC_REPORTING', category: 'REGULATORY_COOPERATION', nameZh: '配合监管与信息报送', nameEn: 'Cooperation with regulators and reporting', method: 'BASE', points: 5, cap: null },
  { code: 'VD_SELF_REGULATORY', category: 'VIOLATION_DEDUCTION', nameZh: '自律管理措施（每次）', nameEn: 'Self-regulatory measure (each)', method: 'DEDUCTION', points: 0.5, cap: 5 },
  { code: 'VD_WARNING_LETTER', category: 'VIOLATION_DEDUCTION', nameZh: '警示函、责令定期报告、责令增加内部合规检查次数（每次）', nameEn: 'Warning letter, order to report regularly or to add compliance checks (each)', method: 'DEDUCTION', points: 1, cap: 10 },
  { code: 'VD_REGULATORY_TALK', category: 'VIOLATION_DEDUCTION', nameZh: '监管谈话、责令改正（每次）', nameEn: 'Regulatory talk or order to correct (each)', method: 'DEDUCTION', points: 1.5, cap: 15 },
  { code: 'BONUS_INVESTOR_EDUCATION', category: 'BONUS', nameZh: '投资者教育与服务成效突出（每项）', nameEn: 'Outstanding investor education and service (each)', method: 'BONUS', points: 1, cap: 3 },
];

// The 2026 revision: more weight on data security, one more deduction tier, a second bonus item.
const INDICATORS_V2: IndicatorSeed[] = [
  ...INDICATORS_V1.map((i) =>
    i.code === 'CM_SYSTEM' ? { ...i, points: 12 } : i.code === 'IT_DATA_SECURITY' ? { ...i, points: 8 } : i,
  ),
  { code: 'VD_ADMIN_PENALTY', category: 'VIOLATION_DEDUCTION', nameZh: '警告、罚款（每次）', nameEn: 'Warning or fine (each)', method: 'DEDUCTION', points: 3.5, cap: 20 },
  { code: 'BONUS_ASSOCIATION_WORK', category: 'BONUS', nameZh: '积极参与协会自律工作（每项）', nameEn: 'Active contribution to the association\'s self-regulation (each)', method: 'BONUS', points: 0.5, cap: 2 },
];

const RULES: RuleSeed[] = [
  { code: 'MISAPPROPRIATION_CLIENT_ASSETS', type: 'DIRECT_D', nameZh: '挪用客户资产', nameEn: 'Misuse of client assets' },
  { code: 'FALSE_INFORMATION', type: 'DIRECT_D', nameZh: '报送虚假信息或材料', nameEn: 'Submitting false information' },
  { code: 'ILLEGAL_ENTRUSTED_WEALTH_MANAGEMENT', type: 'DOWNGRADE_ONE', nameZh: '违规开展委托理财', nameEn: 'Illegal entrusted wealth management' },
  { code: 'PENDING_MAJOR_CASE', type: 'DOWNGRADE_ONE', nameZh: '涉及重大案件尚在调查', nameEn: 'Under investigation in a major case' },
];

const GUIDELINES = [
  {
    version: 1,
    title: '分支机构分类评价指标体系（示例，2025 年版）',
    note: '示例：演示用的指标、分值和分档，不是深圳证监局《深圳辖区证券公司分支机构分类监管工作指引》的实际内容（其指标表未公开）。基础分 100 分；A 类 ≥ 90，B 类 ≥ 80，C 类 ≥ 70，低于 70 为 D 类。',
    indicators: INDICATORS_V1,
  },
  {
    version: 2,
    title: '分支机构分类评价指标体系（示例，2026 年修订）',
    note: '示例：演示用的指标体系，不是监管部门的实际指引。提高信息系统与数据安全分值；新增警告、罚款扣分档次和协会自律工作加分项。',
    indicators: INDICATORS_V2,
  },
];

const CYCLES = [
  {
    year: 2025,
    version: 1,
    status: 'PUBLISHED' as const,
    // The rating of 2025, run in early 2026: notice at the end of January, results by 15 March.
    noticeOn: '2026-01-30',
    selfAssessmentDueOn: '2026-02-13',
    associationScoringDueOn: '2026-02-27',
    bureauReviewDueOn: '2026-03-10',
    publicationDueOn: '2026-03-15',
    publishedAt: new Date('2026-03-13T02:00:00Z'),
    publishedOn: '2026-03-13',
  },
  {
    year: 2026,
    version: 2,
    status: 'BUREAU_REVIEW' as const,
    // The rating of 2026, due in early 2027; the demo shows it already at the bureau's review.
    noticeOn: '2027-01-29',
    selfAssessmentDueOn: '2027-02-12',
    associationScoringDueOn: '2027-02-26',
    bureauReviewDueOn: '2027-03-10',
    publicationDueOn: '2027-03-15',
    publishedAt: null,
    publishedOn: null,
  },
];

/** Roughly how the demo grades fall: mostly A and B, some C, a few D. */
const BANDS: { grade: Grade; share: number; lost: [number, number]; measures: [number, number] }[] = [
  { grade: 'A', share: 0.45, lost: [0, 8], measures: [0, 1] },
  { grade: 'B', share: 0.35, lost: [11, 18], measures: [0, 2] },
  { grade: 'C', share: 0.12, lost: [21, 28], measures: [1, 3] },
  { grade: 'D', share: 0.08, lost: [31, 38], measures: [2, 5] },
];

const BUREAU_REASONS = [
  '现场检查发现适当性回访记录缺失，核减得分',
  '经复核，协会评分期间遗漏一项警示函，补充扣分',
  '整改材料已核实，恢复相应得分',
  '投诉处理时限超标情况经核实属实，调整得分',
];

const SEED_SUBJECT = 'demo-seed';

interface LineSeed {
  stage: Stage;
  indicatorCode: string;
  value: number;
  comment: string | null;
}

export async function seedRatings(tx: DbOrTx): Promise<Record<string, number>> {
  const random = prng(0x2a7e5);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const halfSteps = (min: number, max: number) => between(min * 2, max * 2) / 2;

  const branches = await tx
    .select({ id: branchesTable.id, closedOn: branchesTable.closedOn, openedOn: branchesTable.openedOn })
    .from(branchesTable)
    .orderBy(asc(branchesTable.id));

  const guidelines = await tx
    .insert(ratingGuidelinesTable)
    .values(GUIDELINES.map((g) => ({ version: g.version, title: g.title, note: g.note, baseScore: 100, thresholdA: 90, thresholdB: 80, thresholdC: 70 })))
    .returning();
  const guidelineId = (version: number) => guidelines.find((g) => g.version === version)!.id;
  const indicators = await tx
    .insert(ratingIndicatorsTable)
    .values(GUIDELINES.flatMap((g) => g.indicators.map((i, n) => ({ ...i, guidelineId: guidelineId(g.version), position: n + 1 }))))
    .returning();
  const rules = await tx
    .insert(ratingOverrideRulesTable)
    .values(GUIDELINES.flatMap((g) => RULES.map((r) => ({ ...r, guidelineId: guidelineId(g.version) }))))
    .returning();
  const cycles = await tx
    .insert(ratingCyclesTable)
    .values(CYCLES.map(({ version, publishedOn: _, ...c }) => ({ ...c, guidelineId: guidelineId(version) })))
    .returning();

  type Planned = {
    cycleId: number;
    branchId: number;
    lines: LineSeed[];
    overrides: { stage: Stage; ruleCode: string; reason: string }[];
  };
  const planned: Planned[] = [];
  for (const spec of CYCLES) {
    const cycle = cycles.find((c) => c.year === spec.year)!;
    const own = GUIDELINES.find((g) => g.version === spec.version)!.indicators;
    const base = own.filter((i) => i.method === 'BASE');
    const rated = branches.filter((b) => (!b.closedOn || b.closedOn >= `${spec.year}-01-01`) && (!b.openedOn || b.openedOn <= `${spec.year}-12-31`));
    for (const branch of rated) {
      let roll = random();
      const band = BANDS.find((b) => (roll -= b.share) < 0) ?? BANDS[0]!;
      // The association's view: occurrences of measures, a bonus now and then, and the rest of the loss as shortfalls.
      const association = new Map<string, number>();
      let measurePoints = 0;
      const measureCount = between(...band.measures);
      const deductions = own.filter((i) => i.method === 'DEDUCTION');
      for (let n = 0; n < measureCount; n++) {
        const ind = deductions[Math.min(deductions.length - 1, Math.floor(random() * random() * deductions.length))]!;
        association.set(ind.code, (association.get(ind.code) ?? 0) + 1);
        measurePoints += ind.points;
      }
      for (const ind of own.filter((i) => i.method === 'BONUS')) {
        if (random() < (band.grade === 'A' ? 0.4 : 0.1)) association.set(ind.code, 1);
      }
      let shortfall = Math.max(0, halfSteps(...band.lost) - measurePoints);
      const earned = new Map(base.map((i) => [i.code, i.points]));
      for (let guard = 0; shortfall > 0 && guard < 200; guard++) {
        const ind = base[Math.floor(random() * base.length)]!;
        const take = Math.min(shortfall, earned.get(ind.code)!, halfSteps(0.5, 3));
        earned.set(ind.code, earned.get(ind.code)! - take);
        shortfall -= take;
      }
      const lines: LineSeed[] = [];
      for (const ind of own) {
        const value = ind.method === 'BASE' ? earned.get(ind.code)! : (association.get(ind.code) ?? 0);
        lines.push({ stage: 'ASSOCIATION', indicatorCode: ind.code, value, comment: null });
        // The firm's self-assessment is a little kinder to itself on the basic items.
        const selfValue = ind.method === 'BASE' ? Math.min(ind.points, value + (random() < 0.35 ? halfSteps(0.5, 2) : 0)) : value;
        lines.push({ stage: 'SELF', indicatorCode: ind.code, value: selfValue, comment: null });
      }
      // The bureau adjusts one indicator of about one branch in eight, always with a reason.
      if (random() < 0.125) {
        const ind = base[Math.floor(random() * base.length)]!;
        const current = earned.get(ind.code)!;
        const value = current >= ind.points ? ind.points - 1.5 : Math.min(ind.points, current + 1);
        lines.push({ stage: 'BUREAU', indicatorCode: ind.code, value, comment: BUREAU_REASONS[Math.floor(random() * BUREAU_REASONS.length)]! });
      }
      planned.push({ cycleId: cycle.id, branchId: branch.id, lines, overrides: [] });
    }
  }
  // A few overrides, so the demo shows each kind: a direct D and downgrades, at the association and the bureau.
  const ofCycle = (year: number) => planned.filter((p) => p.cycleId === cycles.find((c) => c.year === year)!.id);
  const pick = (list: Planned[], n: number) => list[(n * 7919) % list.length]!;
  pick(ofCycle(2025), 3).overrides.push({ stage: 'ASSOCIATION', ruleCode: 'MISAPPROPRIATION_CLIENT_ASSETS', reason: '营业部员工挪用客户资金，经查属实' });
  pick(ofCycle(2025), 11).overrides.push({ stage: 'BUREAU', ruleCode: 'ILLEGAL_ENTRUSTED_WEALTH_MANAGEMENT', reason: '现场检查发现员工私下接受客户委托理财' });
  pick(ofCycle(2026), 5).overrides.push({ stage: 'ASSOCIATION', ruleCode: 'PENDING_MAJOR_CASE', reason: '涉及一宗重大案件，尚在立案调查' });

  // Scores and grades, from the same pure function the API uses.
  const indicatorId = (cycleId: number, code: string) => {
    const gid = cycles.find((c) => c.id === cycleId)!.guidelineId;
    return indicators.find((i) => i.guidelineId === gid && i.code === code)!.id;
  };
  const ruleOf = (cycleId: number, code: string) => {
    const gid = cycles.find((c) => c.id === cycleId)!.guidelineId;
    return rules.find((r) => r.guidelineId === gid && r.code === code)!;
  };
  const grading = new Map<number, GradingGuideline>(
    guidelines.map((g) => [
      g.id,
      {
        baseScore: g.baseScore,
        thresholds: { a: g.thresholdA, b: g.thresholdB, c: g.thresholdC },
        indicators: indicators.filter((i) => i.guidelineId === g.id).map((i) => ({ id: i.id, method: i.method, points: i.points, cap: i.cap })),
      },
    ]),
  );
  const ratingValues = planned.map((p) => {
    const guideline = grading.get(cycles.find((c) => c.id === p.cycleId)!.guidelineId)!;
    const result = computeRating(guideline, {
      lines: p.lines.map((l) => ({ indicatorId: indicatorId(p.cycleId, l.indicatorCode), stage: l.stage, value: l.value })),
      overrides: p.overrides.map((o) => ({ ruleId: ruleOf(p.cycleId, o.ruleCode).id, stage: o.stage, type: ruleOf(p.cycleId, o.ruleCode).type, applied: true })),
    });
    return {
      cycleId: p.cycleId,
      branchId: p.branchId,
      selfScore: result.stageScores.SELF,
      associationScore: result.stageScores.ASSOCIATION,
      bureauScore: result.stageScores.BUREAU,
      totalScore: result.totalScore,
      computedGrade: result.computedGrade,
      grade: result.grade,
    };
  });
  const ratings = await tx
    .insert(branchRatingsTable)
    .values(ratingValues)
    .returning({ id: branchRatingsTable.id, cycleId: branchRatingsTable.cycleId, branchId: branchRatingsTable.branchId });
  const ratingId = new Map(ratings.map((r) => [`${r.cycleId}:${r.branchId}`, r.id]));
  const roleOf: Record<Stage, string> = { SELF: 'FIRM', ASSOCIATION: 'ASSOCIATION', BUREAU: 'REGULATOR' };

  const lineRows = planned.flatMap((p) =>
    p.lines
      .sort((x, y) => STAGES.indexOf(x.stage) - STAGES.indexOf(y.stage))
      .map((l) => ({
        ratingId: ratingId.get(`${p.cycleId}:${p.branchId}`)!,
        stage: l.stage,
        indicatorId: indicatorId(p.cycleId, l.indicatorCode),
        value: l.value,
        comment: l.comment,
        enteredBy: SEED_SUBJECT,
        enteredByRole: roleOf[l.stage],
      })),
  );
  await upsertScoreLines(tx, lineRows);
  await tx.insert(ratingOverrideDecisionsTable).values(
    planned.flatMap((p) =>
      p.overrides.map((o) => ({
        ratingId: ratingId.get(`${p.cycleId}:${p.branchId}`)!,
        stage: o.stage,
        ruleId: ruleOf(p.cycleId, o.ruleCode).id,
        applied: true,
        reason: o.reason,
        enteredBy: SEED_SUBJECT,
        enteredByRole: roleOf[o.stage],
      })),
    ),
  );
  let followUps = 0;
  for (const spec of CYCLES) {
    if (spec.publishedOn) followUps += await insertFollowUps(tx, cycles.find((c) => c.year === spec.year)!, spec.publishedOn);
  }
  // Demo progress of the published follow-ups (deterministic by id): the talks held, most rectification reports in,
  // some inspections under way; the rest stay OPEN (and turn overdue after their due day).
  await tx.execute(sql`
    update supervisory_follow_ups f set
      status = (case
        when f.type in ('WARNING_TALK_BRANCH_HEAD', 'TALK_HQ_BROKERAGE_EXEC_AND_CCO', 'OBJECTION_TO_BRANCH_HEAD') or (f.type = 'RECTIFICATION_REPORT' and f.id % 3 <> 0) then 'DONE'
        when f.type = 'KEY_INSPECTION_TARGET' and f.id % 2 = 0 then 'IN_PROGRESS'
        else 'OPEN' end)::supervisory_follow_up_status,
      completed_on = case
        when f.type in ('WARNING_TALK_BRANCH_HEAD', 'TALK_HQ_BROKERAGE_EXEC_AND_CCO', 'OBJECTION_TO_BRANCH_HEAD') or (f.type = 'RECTIFICATION_REPORT' and f.id % 3 <> 0)
        then f.due_on - (f.id % 7)::integer end`);
  // Each firm's 主要联系单位: one of its open Shenzhen branches, a 分公司 where it has one (DOMAIN.md §1.1).
  const contactUnits = (await tx.execute(sql`
    insert into ${primaryContactUnitsTable} (firm_id, branch_id)
    select distinct on (b.firm_id) b.firm_id, b.id from ${branchesTable} b
    where b.closed_on is null and b.district is not null
    order by b.firm_id, (b.kind <> 'BRANCH_COMPANY'), b.id`)) as unknown as { rowCount?: number | null; affectedRows?: number };
  return { primaryContactUnits: Number(contactUnits.rowCount ?? contactUnits.affectedRows ?? 0), ratingGuidelines: guidelines.length, ratingCycles: cycles.length, branchRatings: ratings.length, ratingScoreLines: lineRows.length, supervisoryFollowUps: followUps };
}
