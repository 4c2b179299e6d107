// The Reports root: association and regulator only (service accounts with reports:read), with the membership,
// ratings and suggestions reports. Each report counts only the rows its domain's visibility function lets the viewer
// read. Reports depend on the domains, never the other way round: every report field is defined here.
import { AssociationCodeEnum } from '../associations/association-code.schema.js';
import type { AssociationCode } from '../associations/associations.table.js';
import { reportsScope } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import { DistrictEnum, MembershipStatusEnum, OrganizationKindEnum, OrganizationRef } from '../members/members.schema.js';
import { GRADES } from '../ratings/ratings.grading.js';
import {
  followUpStatusReport,
  ratingDistributionReport,
  recordRatingsRead,
  type FollowUpStatusRow,
  type RatingDistributionRow,
} from '../ratings/ratings.reads.js';
import { BranchGradeEnum, FollowUpStatusEnum, FollowUpTypeEnum } from '../ratings/ratings.schema.js';
import { suggestionSummary } from '../suggestions/suggestions.service.js';
import { SuggestionStatusEnum, SuggestionTopicEnum } from '../suggestions/suggestions.schema.js';
import { todayInShanghai } from '../time.js';
import * as reports from './reports.service.js';
import * as earlyReports from '../early-reports/early-reports.service.js';
import { EarlyReportCategoryEnum, EarlyReportSeverityEnum } from '../early-reports/early-reports.schema.js';
import { reachOfYear } from '../training/training.service.js';
import { TrainingReachRef } from '../training/training.schema.js';

/** Reports carry no data of their own; the fields compute from the database. */
export const ReportsRef = builder.objectRef<{ kind: 'reports' }>('Reports');

const MembershipCountRef = builder
  .objectRef<reports.MembershipCountRow>('MembershipCount')
  .implement({
    description: '按协会、机构类型、所在区和会员状态的会员数 / Members counted by association, kind, district and membership status',
    fields: (t) => ({
      associationCode: t.field({ type: AssociationCodeEnum, description: '协会 / The association', resolve: (r) => r.associationCode }),
      kind: t.field({ type: OrganizationKindEnum, description: '机构类型 / Kind', resolve: (r) => r.kind as never }),
      district: t.field({ type: DistrictEnum, nullable: true, description: '所在区（深圳以外为 null） / District (null outside Shenzhen)', resolve: (r) => r.district as never }),
      status: t.field({ type: MembershipStatusEnum, description: '在该协会的会员状态 / Status of the membership in the association', resolve: (r) => r.status as never }),
      count: t.exposeInt('count', { description: '会员机构数 / Number of member organizations' }),
    }),
  });

builder.objectType(ReportsRef, {
  description: '统计报表（协会工作人员统计本协会的数据，证监局统计各协会的） / Reports (an association\'s staff count their association\'s data, the regulator every association\'s)',
  fields: (t) => ({
    membershipSummary: t.field({
      type: [MembershipCountRef],
      description:
        '会员机构分布：协会工作人员为本协会的，证监局为各协会的（按协会分组） / Membership by kind, district and status: an association\'s staff their association\'s, the regulator every association\'s (grouped by association)',
      resolve: (_root, _args, ctx) => reports.membershipSummary(ctx.db, ctx.viewer),
    }),
  }),
});

builder.queryField('reports', (t) =>
  t.field({
    type: ReportsRef,
    nullable: true,
    authScopes: (_parent, _args, ctx) => reportsScope(ctx.viewer).kind !== 'none',
    description:
      '统计报表（协会与证监局；服务账号需 reports:read）；其他角色得到 null 与 FORBIDDEN / Reports (association and regulator; a service account needs reports:read); other roles get null and FORBIDDEN',
    resolve: () => ({ kind: 'reports' as const }),
  }),
);

// ---------------------------------------------------------------- ratings

const GradeCountRef = builder.objectRef<RatingDistributionRow>('GradeCount').implement({
  description: '某等级的分支机构数（按区或机构分组时为该组的） / Number of branches with a grade (of one group, when grouped by district or firm)',
  fields: (t) => ({
    grade: t.field({ type: BranchGradeEnum, description: '等级 / Grade', resolve: (g) => g.grade }),
    count: t.exposeInt('count', { description: '分支机构数 / Number of branches' }),
    district: t.field({
      type: DistrictEnum,
      nullable: true,
      description: '按区分组时为分支机构所在区（深圳以外为 null）；未按区分组时为 null / With by: DISTRICT, the branches\' district (null outside Shenzhen); otherwise null',
      resolve: (g) => g.district,
    }),
    firm: t.field({
      type: OrganizationRef,
      nullable: true,
      description: '按机构分组时为所属证券公司；否则为 null / With by: FIRM, the branches\' firm; otherwise null',
      resolve: (g) => g.firmId,
    }),
  }),
});

const RatingDistributionGroupingEnum = builder.enumType('RatingDistributionGrouping', {
  description: '评价分布的分组方式 / How a rating distribution is grouped besides the grade',
  values: {
    DISTRICT: { description: '按分支机构所在区 / By the branch\'s district' },
    FIRM: { description: '按所属证券公司 / By the branch\'s firm' },
  } as const,
});

builder.objectField(ReportsRef, 'ratingDistribution', (t) =>
  t.field({
    type: [GradeCountRef],
    description:
      '某年度各等级分支机构数：不分组时为 A 至 D 四行（含 0）；按区或机构分组时为各组非零的等级（按组、等级排序）。只计有权查看的评价（服务账号需 ratings:read） / Branches per grade in a year: without by, four rows A to D (zeros included); grouped by district or firm, the non-zero grades of each group, ordered by group and grade. Counts only ratings the viewer may read (a service account needs ratings:read)',
    args: {
      year: t.arg.int({ required: true, description: '评价年度 / Year' }),
      by: t.arg({ type: RatingDistributionGroupingEnum, description: '另按区或机构分组（默认只按等级） / Also group by district or firm (default: by grade only)' }),
    },
    resolve: async (_root, args, ctx) => {
      const by = args.by ?? null;
      const rows = await ratingDistributionReport(ctx.db, ctx.viewer, args.year, by);
      await recordRatingsRead(ctx.db, ctx.viewer, 'reports.ratingDistribution', { year: args.year, by });
      if (by !== null) return rows;
      const counts = new Map(rows.map((r) => [r.grade, r.count]));
      return GRADES.map((grade) => ({ grade, count: counts.get(grade) ?? 0, district: null, firmId: null }));
    },
  }),
);

const FollowUpStatusCountRef = builder.objectRef<FollowUpStatusRow>('SupervisoryFollowUpCount').implement({
  description: '按措施类型和进度的监管措施数 / Supervisory follow-ups counted by type and progress',
  fields: (t) => ({
    type: t.expose('type', { type: FollowUpTypeEnum, description: '措施 / Follow-up' }),
    status: t.expose('status', { type: FollowUpStatusEnum, description: '进度 / Progress' }),
    count: t.exposeInt('count', { description: '措施数 / Number of follow-ups' }),
    overdueCount: t.exposeInt('overdue', { description: '其中未完成且已过期限的（北京时间今天） / Of which not done and past their due date (today in Asia/Shanghai)' }),
    branchCount: t.exposeInt('branches', { description: '涉及的分支机构数 / Branches concerned' }),
  }),
});

builder.objectField(ReportsRef, 'supervisoryFollowUpSummary', (t) =>
  t.field({
    type: [FollowUpStatusCountRef],
    description:
      '某年度受监管分支机构（C、D 类）的后续监管措施：按类型和进度计数，含逾期数（只计有权查看的评价） / Follow-ups of a year\'s supervised (C and D) branches by type and progress, with overdue counts (ratings the viewer may read only)',
    args: { year: t.arg.int({ required: true, description: '评价年度 / Year' }) },
    resolve: async (_root, args, ctx) => {
      const rows = await followUpStatusReport(ctx.db, ctx.viewer, args.year, todayInShanghai());
      await recordRatingsRead(ctx.db, ctx.viewer, 'reports.supervisoryFollowUpSummary', { year: args.year });
      return rows;
    },
  }),
);

// ---------------------------------------------------------------- suggestions

const SuggestionCountRef = builder
  .objectRef<{ associationCode: AssociationCode; topic: string; status: string; count: number }>('SuggestionCount')
  .implement({
    description: '按协会、议题和状态的建议数 / Suggestions counted by association, topic and status',
    fields: (t) => ({
      associationCode: t.field({ type: AssociationCodeEnum, description: '提交至的协会 / The association they were submitted to', resolve: (r) => r.associationCode }),
      topic: t.field({ type: SuggestionTopicEnum, description: '议题 / Topic', resolve: (r) => r.topic as never }),
      status: t.field({ type: SuggestionStatusEnum, description: '状态 / Status', resolve: (r) => r.status as never }),
      count: t.exposeInt('count', { description: '建议数 / Number of suggestions' }),
    }),
  });

builder.objectField(ReportsRef, 'suggestionSummary', (t) =>
  t.field({
    type: [SuggestionCountRef],
    description:
      '建议统计：按议题和状态计数，可按提交日期（北京时间，含首尾）筛选；只计有权查看的建议（服务账号需 suggestions:read） / Suggestions by topic and status, optionally for a range of submission days (Asia/Shanghai, inclusive); counts only suggestions the viewer may read (a service account needs suggestions:read)',
    args: {
      from: t.arg({ type: 'Date', description: '起始日期（含） / First day (inclusive)' }),
      to: t.arg({ type: 'Date', description: '结束日期（含） / Last day (inclusive)' }),
    },
    resolve: (_root, args, ctx) => suggestionSummary(ctx.db, ctx.viewer, { from: args.from, to: args.to }),
  }),
);

// ---- early-reports (issue 19): Reports.earlyReportCounts

const EarlyReportCountRef = builder.objectRef<earlyReports.EarlyReportCountRow>('EarlyReportCount').implement({
  description: '按协会、月份、类别和严重程度的早报告数 / Early reports counted by association, month, category and severity',
  fields: (t) => ({
    associationCode: t.field({ type: AssociationCodeEnum, description: '受理协会 / The association', resolve: (r) => r.associationCode }),
    month: t.exposeInt('month', { description: '报告月份（北京时间，1–12） / Month reported (Asia/Shanghai, 1–12)' }),
    category: t.expose('category', { type: EarlyReportCategoryEnum, description: '类别 / Category' }),
    severity: t.expose('severity', { type: EarlyReportSeverityEnum, description: '严重程度 / Severity' }),
    count: t.exposeInt('count', { description: '报告数 / Number of reports' }),
    late: t.exposeInt('late', { description: '其中逾期报告数 / Of which reported late' }),
    escalated: t.exposeInt('escalated', { description: '其中已上报证监局数 / Of which escalated to the regulator' }),
  }),
});

builder.objectField(ReportsRef, 'earlyReportCounts', (t) =>
  t.field({
    type: [EarlyReportCountRef],
    description:
      '早报告统计：某年（北京时间）按协会、月份、类别和严重程度计数（只有数量）；协会工作人员为本协会的，证监局为各协会的全部报告（服务账号还需 early-reports:read） / Early reports of a year (Asia/Shanghai) by association, month, category and severity (counts only): an association\'s staff their association\'s, the regulator every association\'s reports (a service account also needs early-reports:read)',
    args: { year: t.arg.int({ required: true, description: '年份 / Year' }) },
    resolve: (_root, args, ctx) => earlyReports.earlyReportCounts(ctx.db, ctx.viewer, args.year),
  }),
);

// ---------------------------------------------------------------- training (issue 17)

builder.objectField(ReportsRef, 'trainingReach', (t) =>
  t.field({
    type: TrainingReachRef,
    description:
      '某年度（场次开始时间所在年度，北京时间）的培训覆盖面：协会工作人员为本协会的场次，证监局为全部（服务账号需 training:read） / Reach of the sessions starting in a year (Asia/Shanghai): an association\'s staff their association\'s sessions, the regulator every association\'s (a service account needs training:read)',
    args: { year: t.arg.int({ required: true, description: '年度 / Year' }) },
    resolve: (_root, args, ctx) => reachOfYear(ctx.db, ctx.viewer, args.year),
  }),
);
