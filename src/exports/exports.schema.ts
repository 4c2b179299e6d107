// GraphQL shape of bulk export jobs (issue 22): ExportJob with its manifest and download path, the caller's jobs, and
// startExport. The file itself is served by GET /exports/{id} (src/server/routes/exports.route.ts).
import { exportJobScope, mayStartExportJob } from '../auth/policy.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { encodeGlobalId } from '../global-id.js';
import * as exportsService from './exports.service.js';
import type { ExportJobRow } from './exports.table.js';

export const ExportKindEnum = builder.enumType('ExportKind', {
  description: '批量导出的数据类别 / What a bulk export holds',
  values: {
    RATINGS: { description: '分支机构分类评价结果（按年度；需 ratings:read） / Branch ratings of a year (needs ratings:read)' },
    SUGGESTIONS: { description: '双区建议（按提交日期区间；需 suggestions:read） / Suggestions submitted in a range of days (needs suggestions:read)' },
    TRAINING_HOURS: { description: '从业人员培训学时（按年度；需 training:read） / Practitioners\' training hours of a year (needs training:read)' },
    STATISTICS: { description: '统计报表（按报送期间；需 statistics:read） / Statistics returns of a period (needs statistics:read)' },
  } as const,
});

export const ExportFormatEnum = builder.enumType('ExportFormat', {
  description: '导出文件格式 / File format of an export',
  values: {
    CSV: { description: 'RFC 4180 CSV（UTF-8 带 BOM，含表头，与 /reports/*.csv 相同的列与防公式注入） / RFC 4180 CSV (UTF-8 with BOM, a header row, the columns and formula guard of /reports/*.csv)' },
    JSONL: { description: 'JSON Lines：每行一个对象，键为 CSV 的列名 / JSON Lines: one object per line, keyed by the CSV\'s column names' },
  } as const,
});

export const ExportStatusEnum = builder.enumType('ExportStatus', {
  description: '导出任务状态 / Status of an export job',
  values: {
    QUEUED: { description: '排队等待 / Waiting for a worker' },
    RUNNING: { description: '正在生成文件（服务重启后自动继续） / Being written (resumed after a restart)' },
    SUCCEEDED: { description: '已完成，可下载 / Finished; the file can be downloaded' },
    FAILED: { description: '失败，见 errorCode / Failed; see errorCode' },
  } as const,
});

export const ExportErrorCodeEnum = builder.enumType('ExportErrorCode', {
  description: '导出任务失败的原因 / Why an export job failed',
  values: {
    ROW_LIMIT_EXCEEDED: { description: '超出单次导出行数上限（EXPORT_MAX_ROWS），请缩小范围 / More rows than one export may hold (EXPORT_MAX_ROWS): narrow the parameters' },
    REQUESTER_NOT_ALLOWED: { description: '申请人已无权读取这些数据（服务账号被停用或失去权限） / The requester may no longer read the data (a service account disabled or without the scope)' },
    INTERNAL: { description: '多次尝试后仍出错 / Kept failing after several attempts' },
  } as const,
});

const downloadPath = (j: ExportJobRow) => `/exports/${encodeGlobalId('ExportJob', j.id)}`;

const ExportManifestRef = builder.objectRef<ExportJobRow>('ExportManifest').implement({
  description: '导出文件清单：下载的文件应有此 SHA-256 与字节数 / The manifest of an export file: the download must have this SHA-256 and size',
  fields: (t) => ({
    sha256: t.string({ description: '文件的 SHA-256（小写十六进制） / SHA-256 of the file, lowercase hex', resolve: (j) => j.sha256! }),
    bytes: t.int({ description: '文件字节数 / Size of the file in bytes', resolve: (j) => j.byteSize! }),
    rows: t.int({ description: '数据行数（不含表头） / Rows of data (the header row not counted)', resolve: (j) => j.rowCount! }),
    format: t.field({ type: ExportFormatEnum, description: '格式 / Format', resolve: (j) => j.format }),
    createdAt: t.field({ type: 'DateTime', description: '文件生成完成时间 / When the file was finished', resolve: (j) => j.finishedAt! }),
  }),
});

export const ExportJobRef = builder.loadableNode('ExportJob', {
  description:
    '批量导出任务：服务账号可见自己的，协会工作人员可见本协会的，证监局工作人员可见证监局的 / A bulk export job: a service account sees its own, an association\'s staff their association\'s, the regulator\'s staff the bureau\'s',
  id: { resolve: (j: ExportJobRow) => j.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => exportsService.loadExportJobsByIds(ctx.db, ctx.viewer, ids),
  sort: (j) => j.id,
  fields: (t) => ({
    kind: t.field({ type: ExportKindEnum, description: '数据类别 / What it holds', resolve: (j) => j.kind }),
    format: t.field({ type: ExportFormatEnum, description: '格式 / Format', resolve: (j) => j.format }),
    year: t.int({ nullable: true, description: '年度（RATINGS、TRAINING_HOURS） / Year (RATINGS, TRAINING_HOURS)', resolve: (j) => j.filter.year ?? null }),
    period: t.string({ nullable: true, description: '报送期间（STATISTICS） / Period (STATISTICS)', resolve: (j) => j.filter.period ?? null }),
    from: t.field({ type: 'Date', nullable: true, description: '起始日（SUGGESTIONS） / First day (SUGGESTIONS)', resolve: (j) => j.filter.from ?? null }),
    to: t.field({ type: 'Date', nullable: true, description: '截止日（SUGGESTIONS） / Last day (SUGGESTIONS)', resolve: (j) => j.filter.to ?? null }),
    status: t.field({ type: ExportStatusEnum, description: '状态 / Status', resolve: (j) => j.status }),
    requestedBy: t.exposeString('requestedBySub', { description: '申请人（令牌主体；服务账号为 client:…） / Who started it (token subject; client:… for a service account)' }),
    errorCode: t.field({ type: ExportErrorCodeEnum, nullable: true, description: '失败原因（仅 FAILED） / Why it failed (FAILED only)', resolve: (j) => (j.status === 'FAILED' ? (j.errorCode as never) : null) }),
    manifest: t.field({
      type: ExportManifestRef,
      nullable: true,
      description: '文件清单（仅 SUCCEEDED） / The file\'s manifest (SUCCEEDED only)',
      resolve: (j) => (j.status === 'SUCCEEDED' ? j : null),
    }),
    downloadUrl: t.string({
      nullable: true,
      description: '下载路径（相对本服务；以同一令牌 GET，仅 SUCCEEDED）；清单在其后加 /manifest / Download path on this server (GET with a bearer token; SUCCEEDED only); the manifest is at it plus /manifest',
      resolve: (j) => (j.status === 'SUCCEEDED' ? downloadPath(j) : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '申请时间 / When it was started' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: '开始生成时间 / When a worker first took it' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: '结束时间 / When it finished' }),
  }),
});

registerNodeType('ExportJob', (ctx, id) => ExportJobRef.getDataloader(ctx).load(id));

const ExportJobConnection = defineConnection(ExportJobRef, 'ExportJobConnection', '导出任务', 'Export jobs');

builder.queryFields((t) => ({
  exportJobs: t.field({
    type: ExportJobConnection,
    nullable: true,
    skipTypeScopes: true,
    authScopes: (_parent, _args, ctx) => exportJobScope(ctx.viewer).kind !== 'none',
    description:
      '批量导出任务，最新在前（服务账号看自己的，协会工作人员看本协会的，证监局工作人员看证监局的）；其他角色得到 null 与 FORBIDDEN / Bulk export jobs, newest first (a service account its own, an association\'s staff their association\'s, the regulator\'s staff the bureau\'s); other roles get null and FORBIDDEN',
    args: connectionArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const rows = await exportsService.listExportJobs(ctx.db, ctx.viewer, page);
      return toConnection(rows, page, (r) => r.id, () => exportsService.countExportJobs(ctx.db, ctx.viewer)) as never;
    },
  }),
}));

const StartExportInput = builder.inputType('StartExportInput', {
  description: '开始批量导出 / Start a bulk export',
  fields: (t) => ({
    kind: t.field({ type: ExportKindEnum, required: true, description: '数据类别 / What to export' }),
    format: t.field({ type: ExportFormatEnum, required: true, description: '文件格式 / File format' }),
    year: t.int({ description: '年度（RATINGS、TRAINING_HOURS 必填） / Year (required for RATINGS and TRAINING_HOURS)' }),
    period: t.string({ description: '报送期间 YYYY-MM 或 YYYY（STATISTICS 必填） / Period YYYY-MM or YYYY (required for STATISTICS)' }),
    from: t.field({ type: 'Date', description: '起始日（SUGGESTIONS 必填；按上海时间的提交日） / First day (required for SUGGESTIONS; Shanghai submission days)' }),
    to: t.field({ type: 'Date', description: '截止日（SUGGESTIONS 必填，含当日） / Last day, inclusive (required for SUGGESTIONS)' }),
  }),
});

const ExportJobPayload = builder.objectRef<{ exportJob: ExportJobRow | null; userErrors: never[] }>('ExportJobPayload').implement({
  description: '导出任务申请结果 / Result of starting an export job',
  fields: (t) => ({
    // The requester always sees the job it started (exportJobScope covers its own).
    exportJob: t.field({ type: ExportJobRef, nullable: true, description: '导出任务 / The export job', resolve: (p) => p.exportJob }),
    userErrors: userErrorsField(t),
  }),
});

builder.mutationFields((t) => ({
  startExport: t.field({
    type: ExportJobPayload,
    // A read, run later: the regulator and an association's staff, people or service accounts, for the kinds they may
    // export (a service account needs reports:read and the kind's scope); everyone else FORBIDDEN. The mutation root's
    // "people only" is skipped: members never pass mayStartExportJob, so their rights need no check either.
    skipTypeScopes: true,
    authScopes: (_parent, args, ctx) => mayStartExportJob(ctx.viewer, args.input.kind),
    description:
      '开始批量导出（证监局与协会工作人员及其服务账号，需 reports:read 及相应数据权限）：在后台生成 CSV 或 JSON Lines 文件，完成后发送 export_job.completed 事件；每个主体同时进行的任务数有上限 / Start a bulk export (the regulator and an association\'s staff, people or service accounts with reports:read and the data\'s scope): the CSV or JSON Lines file is written in the background and export_job.completed is sent when it finishes; a principal may have a limited number waiting or running',
    args: { input: t.arg({ type: StartExportInput, required: true, description: '导出内容 / What to export' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () =>
          exportsService.startExport(
            ctx.db,
            ctx.viewer,
            {
              kind: input.kind,
              format: input.format,
              filter: { year: input.year ?? undefined, period: input.period ?? undefined, from: input.from ?? undefined, to: input.to ?? undefined },
            },
            { maxActiveJobs: ctx.exportMaxActiveJobs ?? exportsService.DEFAULT_MAX_ACTIVE_EXPORT_JOBS },
          ),
        (exportJob) => ({ exportJob }),
        { exportJob: null },
      ) as never,
  }),
}));
