// GraphQL shape of trusted documents (docs/TRUSTED-DOCUMENTS.md): manifest versions, their documents, and the upload.
import { GraphQLError } from 'graphql';
import { trustedDocumentsScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { parseGlobalIdOf } from '../global-id.js';
import type { TrustedDocumentRow } from './clients.table.js';
import * as documents from './trusted-documents.service.js';

const mayManageDocuments = (viewer: Viewer) => trustedDocumentsScope(viewer).kind !== 'none';

/**
 * The account a request names by global id, or, when it names none, the caller's own (a service account): 0 (no
 * account) for an id that is not a ServiceAccount's, so a bad id finds nothing rather than falling back to the caller.
 */
function accountIdOf(id: string | number | null | undefined): number | null {
  return id == null ? null : (parseGlobalIdOf(String(id), 'ServiceAccount') ?? 0);
}

const TrustedDocumentRef = builder.objectRef<TrustedDocumentRow>('TrustedDocument').implement({
  description: '可信文档：按 ID 运行的 GraphQL 文档 / A trusted document: a GraphQL document run by its id',
  fields: (t) => ({
    documentId: t.exposeString('documentId', {
      description: '文档 ID：sha256: 加上文档原文（UTF-8）的 SHA-256 十六进制小写 / The document id: sha256: and the lowercase hex SHA-256 of its exact text (UTF-8)',
    }),
    body: t.exposeString('body', { description: '文档原文 / The document text' }),
    operationNames: t.exposeStringList('operationNames', { description: '文档中具名的操作 / The named operations of the document' }),
  }),
});

const manifestDocuments = groupedLoader<number, TrustedDocumentRow>(
  (ctx, ids) => documents.loadTrustedDocumentsByManifestIds(ctx.db, ids),
  (d) => d.manifestId,
);

export const TrustedDocumentManifestRef = builder.loadableNode('TrustedDocumentManifest', {
  description: `服务账号的可信文档清单的一个版本（最新版本生效；管理该账号的协会工作人员或拥有 documents:write 的账号本身可见） / A version of a service account's trusted-document manifest (the newest is active; visible to the association staff who manage the account, or the account itself holding documents:write)`,
  id: { resolve: (m: documents.ManifestView) => m.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: async (ids: number[], ctx: Context) => (mayManageDocuments(ctx.viewer) ? documents.loadTrustedDocumentManifestsByIds(ctx.db, ctx.viewer, ids) : []),
  sort: (m) => m.id,
  fields: (t) => ({
    version: t.exposeInt('version', { description: '版本号（1、2、……） / Version (1, 2, …)' }),
    active: t.exposeBoolean('active', { description: '是否为生效版本（最新） / Whether it is the active (newest) version' }),
    documentCount: t.exposeInt('documentCount', { description: '文档数 / Number of documents' }),
    createdBy: t.exposeString('createdBy', { description: '上传者（令牌 sub） / Who uploaded it (token subject)' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '上传时间 / Uploaded at' }),
    documents: t.field({
      type: [TrustedDocumentRef],
      description: `本版本的文档，按 ID 排序（至多 ${documents.MAX_MANIFEST_DOCUMENTS} 个） / The documents of this version, by id (at most ${documents.MAX_MANIFEST_DOCUMENTS})`,
      resolve: (m, _args, ctx) => manifestDocuments(ctx).load(m.id),
    }),
  }),
});

registerNodeType('TrustedDocumentManifest', (ctx, id) => TrustedDocumentManifestRef.getDataloader(ctx).load(id));

const TrustedDocumentManifestConnection = defineConnection(
  TrustedDocumentManifestRef,
  'TrustedDocumentManifestConnection',
  '可信文档清单版本',
  'Trusted-document manifest versions',
);

builder.queryField('trustedDocumentManifests', (t) =>
  t.field({
    type: TrustedDocumentManifestConnection,
    nullable: true,
    authScopes: (_parent, _args, ctx) => mayManageDocuments(ctx.viewer),
    description:
      '服务账号的可信文档清单版本，最新在前（管理该账号的协会工作人员须指定账号；拥有 documents:write 的服务账号省略时为自己的）；其他角色得到 null 与 FORBIDDEN / A service account\'s trusted-document manifest versions, newest first (association staff who manage it name the account; a service account holding documents:write gets its own when it names none); other roles get null and FORBIDDEN',
    args: {
      ...connectionArgs(t.arg),
      serviceAccountId: t.arg.id({ description: '服务账号的全局 ID / Global ID of the service account' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const scope = trustedDocumentsScope(ctx.viewer);
      const accountId = accountIdOf(args.serviceAccountId) ?? (scope.kind === 'account' ? scope.serviceAccountId : null);
      if (accountId === null) throw new GraphQLError('serviceAccountId is required', { extensions: { code: 'BAD_USER_INPUT' } });
      const rows = await documents.listTrustedDocumentManifests(ctx.db, ctx.viewer, accountId, page);
      return toConnection(rows, page, (r) => r.id, () => documents.countTrustedDocumentManifests(ctx.db, ctx.viewer, accountId)) as never;
    },
  }),
);

const UploadTrustedDocumentManifestInput = builder.inputType('UploadTrustedDocumentManifestInput', {
  description: '上传可信文档清单的新版本 / Upload a new version of a trusted-document manifest',
  fields: (t) => ({
    serviceAccountId: t.id({
      description: '服务账号的全局 ID；服务账号上传自己的清单时可省略 / Global ID of the service account; a service account uploading its own may omit it',
    }),
    documents: t.stringList({
      required: true,
      description: `GraphQL 文档原文，至多 ${documents.MAX_MANIFEST_DOCUMENTS} 个，每个至多 ${documents.MAX_TRUSTED_DOCUMENT_LENGTH} 字符；ID 由服务器按原文计算 / GraphQL document texts, at most ${documents.MAX_MANIFEST_DOCUMENTS}, each at most ${documents.MAX_TRUSTED_DOCUMENT_LENGTH} characters; their ids are computed by the server over the exact text`,
    }),
  }),
});

const UploadTrustedDocumentManifestPayload = builder
  .objectRef<{ trustedDocumentManifest: documents.ManifestView | null; userErrors: never[] }>('UploadTrustedDocumentManifestPayload')
  .implement({
    description: '上传可信文档清单的结果 / Result of uploading a trusted-document manifest',
    fields: (t) => ({
      trustedDocumentManifest: t.field({
        type: TrustedDocumentManifestRef,
        nullable: true,
        description: '新版本（即生效版本） / The new version (now the active one)',
        resolve: (p) => p.trustedDocumentManifest,
      }),
      userErrors: userErrorsField(t),
    }),
  });

builder.mutationFields((t) => ({
  uploadTrustedDocumentManifest: t.field({
    type: UploadTrustedDocumentManifestPayload,
    skipTypeScopes: true,
    authScopes: (_parent, _args, ctx) => mayManageDocuments(ctx.viewer),
    description:
      '上传服务账号可信文档清单的新版本：每个文档按 schema 校验（无效文档在 userErrors 中逐一指明），新版本立即取代生效集合，旧版本仍可读（管理该账号的协会工作人员，或拥有 documents:write 的服务账号本身） / Upload a new version of a service account\'s trusted-document manifest: every document is validated against the schema (invalid ones named in userErrors), the new version replaces the active set at once, older versions stay readable (the association staff who manage the account, or the account itself holding documents:write)',
    args: { input: t.arg({ type: UploadTrustedDocumentManifestInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx, info) =>
      mutationPayload(
        ctx,
        () =>
          documents.uploadTrustedDocumentManifest(ctx.db, ctx.viewer, info.schema, {
            serviceAccountId: accountIdOf(input.serviceAccountId),
            documents: input.documents,
          }),
        (m) => ({ trustedDocumentManifest: { ...m, active: true } }),
        { trustedDocumentManifest: null },
      ) as never,
  }),
}));
