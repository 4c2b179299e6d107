// The Reports root: association and regulator only (service accounts with reports:read). Each domain adds its report
// fields to ReportsRef; each report counts only the rows its domain's visibility function lets the viewer read.
import { reportsScope } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import { DistrictEnum, MembershipStatusEnum, OrganizationKindEnum } from '../members/members.schema.js';
import * as reports from './reports.service.js';

/** Reports carry no data of their own; the fields compute from the database. */
export const ReportsRef = builder.objectRef<{ kind: 'reports' }>('Reports');

const MembershipCountRef = builder
  .objectRef<{ kind: string; district: string | null; status: string; count: number }>('MembershipCount')
  .implement({
    description: '按机构类型、所在区和会员状态的机构数 / Organizations counted by kind, district and membership status',
    fields: (t) => ({
      kind: t.field({ type: OrganizationKindEnum, description: '机构类型 / Kind', resolve: (r) => r.kind as never }),
      district: t.field({ type: DistrictEnum, nullable: true, description: '所在区（深圳以外为 null） / District (null outside Shenzhen)', resolve: (r) => r.district as never }),
      status: t.field({ type: MembershipStatusEnum, description: '会员状态 / Membership status', resolve: (r) => r.status as never }),
      count: t.exposeInt('count', { description: '机构数 / Number of organizations' }),
    }),
  });

builder.objectType(ReportsRef, {
  description: '统计报表（协会与证监局） / Reports (association and regulator)',
  fields: (t) => ({
    membershipSummary: t.field({
      type: [MembershipCountRef],
      description: '会员机构分布 / Membership by kind, district and status',
      resolve: (_root, _args, ctx) => reports.membershipSummary(ctx.db),
    }),
  }),
});

builder.queryField('reports', (t) =>
  t.field({
    type: ReportsRef,
    nullable: true,
    authScopes: (_parent, _args, ctx) => reportsScope(ctx.viewer).kind === 'all',
    description:
      '统计报表（协会与证监局；服务账号需 reports:read）；其他角色得到 null 与 FORBIDDEN / Reports (association and regulator; a service account needs reports:read); other roles get null and FORBIDDEN',
    resolve: () => ({ kind: 'reports' as const }),
  }),
);
