// GraphQL shape of the read audit: the association's dataAccessLog.
import { dataAccessLogScope } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { ViewerRoleEnum } from '../graphql/viewer-role.js';
import * as access from './data-access.service.js';
import type { DataAccessLogRow } from './data-access.table.js';

const DataAccessEntryRef = builder.objectRef<DataAccessLogRow>('DataAccessEntry').implement({
  description: '一次受保护数据的读取（证监局或服务账号） / One read of protected data (by the regulator or a service account)',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: '读取时间 / When' }),
    actorSubject: t.exposeString('actorSub', { description: '读取者（令牌 sub） / Who (token subject)' }),
    actorRole: t.field({ type: ViewerRoleEnum, description: '读取者角色 / The reader\'s role', resolve: (r) => r.actorRole as never }),
    clientId: t.exposeString('clientId', { nullable: true, description: '服务账号的 client_id（人员读取时为 null） / The service account\'s client_id (null for people)' }),
    documentId: t.exposeString('documentId', {
      nullable: true,
      description: '请求按 ID 运行的可信文档（sha256:…），否则为 null / The trusted document the request ran by id (sha256:…), else null',
    }),
    resource: t.exposeString('resource', { description: '读取的内容，如 branchRatings / What was read, e.g. branchRatings' }),
    details: t.string({
      nullable: true,
      description: '读取参数（JSON 文本，如年度、筛选条件、行数） / Parameters of the read as JSON text (year, filter, row count)',
      resolve: (r) => (r.details == null ? null : JSON.stringify(r.details)),
    }),
  }),
});

const DataAccessEntryConnection = defineConnection(DataAccessEntryRef, 'DataAccessEntryConnection', '数据读取记录', 'Data access entries');

const DataAccessFilterInput = builder.inputType('DataAccessFilter', {
  description: '数据读取记录筛选 / Filter for data access entries',
  fields: (t) => ({
    resource: t.string({ description: '读取的内容 / What was read' }),
    actorSubject: t.string({ description: '读取者（令牌 sub，如 client:mgc_…） / Who (token subject, e.g. client:mgc_…)' }),
  }),
});

builder.queryField('dataAccessLog', (t) =>
  t.field({
    type: DataAccessEntryConnection,
    nullable: true,
    authScopes: (_parent, _args, ctx) => dataAccessLogScope(ctx.viewer).kind === 'all',
    description: '证监局与服务账号读取评级等数据的记录，最新在前（仅深证协工作人员及其服务账号）；其他角色与其他协会的工作人员得到 null 与 FORBIDDEN / Reads of ratings and other protected data by the regulator and service accounts, newest first (the securities association, SZSA, only: its staff and its service accounts); other roles and other associations\' staff get null and FORBIDDEN',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: DataAccessFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const filter = { resource: args.filter?.resource, actorSubject: args.filter?.actorSubject };
      const rows = await access.listDataAccess(ctx.db, filter, page);
      return toConnection(rows, page, (r) => r.id, () => access.countDataAccess(ctx.db, filter)) as never;
    },
  }),
);
