// GraphQL shape of service accounts: the association's list and its create / rotate / disable mutations.
import { serviceAccountScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import * as clients from './clients.service.js';
import type { ServiceAccountRow, ServiceAccountSecretRow } from './clients.table.js';
import { defaultServiceAccountScopes, serviceAccountScopes } from './scopes.js';

const mayManage = (viewer: Viewer) => serviceAccountScope(viewer).kind === 'association';

export const ServiceAccountRoleEnum = builder.enumType('ServiceAccountRole', {
  description: '服务账号代表的角色（令牌的 role 声明） / The role a service account acts as (its tokens\' role claim)',
  values: {
    ASSOCIATION: { value: 'association', description: '协会（属于新建者所在的协会） / An association (the creator\'s association)' },
    REGULATOR: { value: 'regulator', description: '证监局（只有深证协工作人员可新建） / The securities regulator\'s bureau (registered by SZSA staff only)' },
  } as const,
});

const ServiceAccountSecretRef = builder.objectRef<Omit<ServiceAccountSecretRow, 'hash'>>('ServiceAccountSecret').implement({
  description: '仍然有效的密钥（只含元数据，密钥本身不可再取回） / A secret that still works (metadata only; the secret itself cannot be read back)',
  fields: (t) => ({
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '签发时间 / Issued at' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: '失效时间；当前密钥为 null，轮换出的旧密钥在重叠期结束时失效 / When it stops working; null for the current secret, the end of the overlap for a rotated-out one',
    }),
  }),
});

const activeSecrets = groupedLoader<number, Omit<ServiceAccountSecretRow, 'hash'>>(
  (ctx, ids) => clients.loadActiveSecretsByAccountIds(ctx.db, ids),
  (s) => s.serviceAccountId,
);

export const ServiceAccountRef = builder.loadableNode('ServiceAccount', {
  description: '机器客户端（如证监局系统）的服务账号（仅所属协会的工作人员可见；证监局的服务账号由深证协管理） / A service account for a machine client such as the regulator\'s systems (its association\'s staff only; the regulator\'s accounts are managed by SZSA)',
  id: { resolve: (a: ServiceAccountRow) => a.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: async (ids: number[], ctx: Context) => (mayManage(ctx.viewer) ? clients.loadServiceAccountsByIds(ctx.db, ctx.viewer, ids) : []),
  sort: (a) => a.id,
  fields: (t) => ({
    clientId: t.exposeString('clientId', { description: '公开的客户端 ID（client_id） / Public client id (client_id)' }),
    name: t.exposeString('name', { description: '名称 / Name' }),
    role: t.field({ type: ServiceAccountRoleEnum, description: '角色 / Role', resolve: (a) => a.role as never }),
    scopes: t.exposeStringList('scopes', { description: `权限范围（${serviceAccountScopes.join('、')}） / Scopes (${serviceAccountScopes.join(', ')})` }),
    owner: t.exposeString('owner', { nullable: true, description: '负责人或负责部门 / Owner (person or department)' }),
    trustedDocumentsOnly: t.exposeBoolean('trustedDocumentsOnly', {
      description:
        '是否只能运行其生效可信文档清单中的文档（按 documentId 发送） / Whether it may run only documents of its active trusted-document manifest (sent by documentId)',
    }),
    disabled: t.boolean({ description: '是否已停用 / Whether it is disabled', resolve: (a) => a.disabledAt !== null }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true, description: '停用时间 / Disabled at' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '创建时间 / Created at' }),
    activeSecrets: t.field({
      type: [ServiceAccountSecretRef],
      description: '仍然有效的密钥（轮换重叠期内为两个） / Secrets that still work (two during a rotation overlap)',
      resolve: (a, _args, ctx) => activeSecrets(ctx).load(a.id),
    }),
  }),
});

registerNodeType('ServiceAccount', (ctx, id) => ServiceAccountRef.getDataloader(ctx).load(id));

const ServiceAccountConnection = defineConnection(ServiceAccountRef, 'ServiceAccountConnection', '服务账号', 'Service accounts');

builder.queryField('serviceAccounts', (t) =>
  t.field({
    type: ServiceAccountConnection,
    nullable: true,
    authScopes: (_parent, _args, ctx) => mayManage(ctx.viewer),
    description: '本协会的服务账号（协会工作人员；深证协另含证监局的服务账号）；其他角色得到 null 与 FORBIDDEN / Your association\'s service accounts (association staff; SZSA staff also the regulator\'s); other roles get null and FORBIDDEN',
    args: connectionArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const rows = await clients.listServiceAccounts(ctx.db, ctx.viewer, page);
      return toConnection(rows, page, (r) => r.id, () => clients.countServiceAccounts(ctx.db, ctx.viewer)) as never;
    },
  }),
);

const CreateServiceAccountInput = builder.inputType('CreateServiceAccountInput', {
  description: '新建服务账号 / A new service account',
  fields: (t) => ({
    name: t.string({ required: true, description: '名称，1–100 字 / Name, 1–100 characters' }),
    role: t.field({ type: ServiceAccountRoleEnum, required: true, description: '角色 / Role' }),
    scopes: t.stringList({
      description: `权限范围（${serviceAccountScopes.join('、')}）；省略时为 ${defaultServiceAccountScopes.join('、')} / Scopes (${serviceAccountScopes.join(', ')}); ${defaultServiceAccountScopes.join(', ')} when omitted`,
    }),
    owner: t.string({ description: '负责人或负责部门 / Owner (person or department)' }),
  }),
});

const RotateServiceAccountSecretInput = builder.inputType('RotateServiceAccountSecretInput', {
  description: '轮换服务账号密钥 / Rotate a service account\'s secret',
  fields: (t) => ({
    id: t.id({ required: true, description: '服务账号的全局 ID / Global ID of the service account' }),
    overlapSeconds: t.int({
      description: `旧密钥继续有效的秒数，0–${clients.MAX_ROTATION_OVERLAP_SECONDS}，默认 ${clients.DEFAULT_ROTATION_OVERLAP_SECONDS} / Seconds the old secret keeps working, 0–${clients.MAX_ROTATION_OVERLAP_SECONDS}, default ${clients.DEFAULT_ROTATION_OVERLAP_SECONDS}`,
    }),
  }),
});

const ServiceAccountIdInput = builder.inputType('ServiceAccountIdInput', {
  description: '指定服务账号 / Names a service account',
  fields: (t) => ({ id: t.id({ required: true, description: '服务账号的全局 ID / Global ID of the service account' }) }),
});

interface SecretPayloadShape {
  serviceAccount: ServiceAccountRow | null;
  clientSecret: string | null;
  previousSecretExpiresAt?: Date | null;
}

const secretFields = (t: any) => ({
  serviceAccount: t.field({ type: ServiceAccountRef, nullable: true, description: '服务账号 / The service account', resolve: (p: SecretPayloadShape) => p.serviceAccount }),
  clientSecret: t.string({
    nullable: true,
    description: '客户端密钥（client_secret），仅此一次返回，请妥善保存 / The client secret, returned this once only: store it safely',
    resolve: (p: SecretPayloadShape) => p.clientSecret,
  }),
  userErrors: userErrorsField(t),
});

const CreateServiceAccountPayload = builder.objectRef<SecretPayloadShape & { userErrors: never[] }>('CreateServiceAccountPayload').implement({
  description: '新建服务账号的结果 / Result of creating a service account',
  fields: (t) => secretFields(t),
});

const RotateServiceAccountSecretPayload = builder.objectRef<SecretPayloadShape & { userErrors: never[] }>('RotateServiceAccountSecretPayload').implement({
  description: '轮换密钥的结果 / Result of rotating a secret',
  fields: (t) => ({
    ...secretFields(t),
    previousSecretExpiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: '旧密钥的失效时间 / When the previous secret stops working',
      resolve: (p) => p.previousSecretExpiresAt ?? null,
    }),
  }),
});

const ServiceAccountPayload = builder.objectRef<{ serviceAccount: ServiceAccountRow | null; userErrors: never[] }>('ServiceAccountPayload').implement({
  description: '服务账号变更结果 / Result of a service account change',
  fields: (t) => ({
    serviceAccount: t.field({ type: ServiceAccountRef, nullable: true, description: '服务账号 / The service account', resolve: (p) => p.serviceAccount }),
    userErrors: userErrorsField(t),
  }),
});

const SetServiceAccountTrustedDocumentsOnlyInput = builder.inputType('SetServiceAccountTrustedDocumentsOnlyInput', {
  description: '设定服务账号是否只能运行可信文档 / Pin a service account to its trusted documents, or release it',
  fields: (t) => ({
    id: t.id({ required: true, description: '服务账号的全局 ID / Global ID of the service account' }),
    trustedDocumentsOnly: t.boolean({ required: true, description: '是否只能运行可信文档 / Whether it may run trusted documents only' }),
  }),
});

const accountId = (id: string | number) => parseGlobalIdOf(String(id), 'ServiceAccount');

builder.mutationFields((t) => ({
  createServiceAccount: t.field({
    type: CreateServiceAccountPayload,
    authScopes: (_parent, _args, ctx) => mayManage(ctx.viewer),
    description: '新建服务账号，密钥只返回一次（协会工作人员；协会角色的账号属于本协会，证监局角色的账号只有深证协可新建） / Register a service account; its secret is returned once (association staff: an association account is your association\'s; only SZSA staff register regulator accounts)',
    args: { input: t.arg({ type: CreateServiceAccountInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => clients.createServiceAccount(ctx.db, ctx.viewer, input), (r) => r, { serviceAccount: null, clientSecret: null }) as never,
  }),
  rotateServiceAccountSecret: t.field({
    type: RotateServiceAccountSecretPayload,
    authScopes: (_parent, _args, ctx) => mayManage(ctx.viewer),
    description: '轮换密钥：返回新密钥，旧密钥在重叠期内仍可用（本协会的服务账号） / Rotate the secret: returns a new one; the old one works through the overlap (your association\'s accounts)',
    args: { input: t.arg({ type: RotateServiceAccountSecretInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => clients.rotateServiceAccountSecret(ctx.db, ctx.viewer, accountId(input.id), { overlapSeconds: input.overlapSeconds }),
        (r) => r,
        { serviceAccount: null, clientSecret: null, previousSecretExpiresAt: null },
      ) as never,
  }),
  setServiceAccountTrustedDocumentsOnly: t.field({
    type: ServiceAccountPayload,
    authScopes: (_parent, _args, ctx) => mayManage(ctx.viewer),
    description:
      '设定服务账号是否只能运行其生效清单中的可信文档，下一个请求起生效（本协会的服务账号） / Pin a service account to the trusted documents of its active manifest, or release it, from its next request on (your association\'s accounts)',
    args: { input: t.arg({ type: SetServiceAccountTrustedDocumentsOnlyInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => clients.setTrustedDocumentsOnly(ctx.db, ctx.viewer, accountId(input.id), input.trustedDocumentsOnly),
        (serviceAccount) => ({ serviceAccount }),
        { serviceAccount: null },
      ) as never,
  }),
  disableServiceAccount: t.field({
    type: ServiceAccountPayload,
    authScopes: (_parent, _args, ctx) => mayManage(ctx.viewer),
    description: '停用服务账号：立即拒绝其令牌（本协会的服务账号） / Disable a service account: its tokens are refused at once (your association\'s accounts)',
    args: { input: t.arg({ type: ServiceAccountIdInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(ctx, () => clients.disableServiceAccount(ctx.db, ctx.viewer, accountId(input.id)), (serviceAccount) => ({ serviceAccount }), {
        serviceAccount: null,
      }) as never,
  }),
}));
