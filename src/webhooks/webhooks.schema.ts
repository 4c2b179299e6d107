// GraphQL shape of webhooks: subscriptions (secret shown once), the delivery log, and its attempts.
import { webhookScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import { loadClientIdsByAccountIds } from '../clients/clients.service.js';
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { mutationPayload, userErrorsField } from '../graphql/errors.js';
import { parseGlobalIdOf } from '../global-id.js';
import { groupedLoader, MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import * as webhooks from './webhooks.service.js';
import type { WebhookDeliveryAttemptRow, WebhookDeliveryRow, WebhookSubscriptionRow } from './webhooks.table.js';

const mayManageWebhooks = (viewer: Viewer) => webhookScope(viewer).kind !== 'none';

export const WebhookEventTypeEnum = builder.enumType('WebhookEventType', {
  description: '可订阅的事件 / Events a webhook can subscribe to',
  values: {
    RATING_CYCLE_PUBLISHED: { value: 'rating_cycle.published', description: '评级周期结果发布（rating_cycle.published） / A rating cycle\'s results were published' },
    SUGGESTION_SUBMITTED: { value: 'suggestion.submitted', description: '会员提交建议（suggestion.submitted） / A member submitted a suggestion' },
    SUGGESTION_FORWARDED: { value: 'suggestion.forwarded', description: '协会转交建议（suggestion.forwarded） / The association forwarded suggestions' },
    SUGGESTION_RESPONDED: { value: 'suggestion.responded', description: '记录了对建议的答复（suggestion.responded） / A response to a suggestion was recorded' },
    TRAINING_SESSION_SCHEDULED: { value: 'training_session.scheduled', description: '协会安排了培训场次（training_session.scheduled，需 training:read） / The association scheduled a training session (needs training:read)' },
    STATISTICS_RETURN_SUBMITTED: { value: 'statistics_return.submitted', description: '会员报送了统计报表（statistics_return.submitted，需 statistics:read） / A member submitted a statistics return (needs statistics:read)' },
    EARLY_REPORT_ESCALATED: { value: 'early_report.escalated', description: '早报告上报证监局（early_report.escalated，需 early-reports:read） / An early report was escalated to the regulator (needs early-reports:read)' },
    DISCIPLINARY_DECISION_PUBLISHED: { value: 'disciplinary_decision.published', description: '纪律处分决定公布（disciplinary_decision.published，需 discipline:read） / A disciplinary decision was published (needs discipline:read)' },
    EXPORT_JOB_COMPLETED: {
      value: 'export_job.completed',
      description:
        '批量导出任务结束（export_job.completed，成功或失败；含清单，不含数据；需 reports:read） / A bulk export job finished, succeeded or failed (export_job.completed: the manifest, no rows; needs reports:read)',
    },
  } as const,
});

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: '投递状态 / Status of a delivery',
  values: {
    PENDING: { description: '等待投递或重试 / Waiting for its first attempt or a retry' },
    SUCCEEDED: { description: '接收方以 2xx 确认 / The receiver answered 2xx' },
    FAILED: { description: '重试次数用尽 / Gave up after the last attempt' },
  } as const,
});

const accountClientIds = groupedLoader<number, { id: number; clientId: string }>(
  (ctx, ids) => loadClientIdsByAccountIds(ctx.db, ids),
  (r) => r.id,
);

export const WebhookSubscriptionRef = builder.loadableNode('WebhookSubscription', {
  description: 'Webhook 订阅（属于一个协会：其工作人员可见，只接收该协会的事件；证监局服务账号的订阅接收所有协会的事件；拥有 webhooks:manage 的服务账号可见自己的） / A webhook subscription (it belongs to an association, whose staff see it and whose events alone it receives; the regulator\'s service accounts\' subscriptions receive every association\'s events; a service account with webhooks:manage sees its own)',
  id: { resolve: (s: WebhookSubscriptionRow) => s.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => webhooks.loadWebhookSubscriptionsByIds(ctx.db, ctx.viewer, ids),
  sort: (s) => s.id,
  fields: (t) => ({
    url: t.exposeString('url', { description: '接收地址 / Receiver URL' }),
    eventTypes: t.field({
      type: [WebhookEventTypeEnum],
      description: '订阅的事件 / Subscribed events',
      resolve: (s) => s.eventTypes as never,
    }),
    description: t.exposeString('description', { nullable: true, description: '说明 / Description' }),
    ownerClientId: t.string({
      nullable: true,
      description: '订阅它的服务账号 client_id（工作人员订阅时为 null） / client_id of the service account that subscribed (null when staff did)',
      resolve: async (s, _args, ctx) => (s.serviceAccountId === null ? null : ((await accountClientIds(ctx).load(s.serviceAccountId))[0]?.clientId ?? null)),
    }),
    disabled: t.boolean({ description: '是否已停用 / Whether it is disabled', resolve: (s) => s.disabledAt !== null }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '创建时间 / Created at' }),
  }),
});

const WebhookDeliveryAttemptRef = builder.objectRef<WebhookDeliveryAttemptRow>('WebhookDeliveryAttempt').implement({
  description: '一次投递尝试 / One delivery attempt',
  fields: (t) => ({
    attempt: t.exposeInt('attempt', { description: '第几次尝试（从 1 起） / Attempt number, from 1' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: '开始时间 / Started at' }),
    durationMs: t.exposeInt('durationMs', { description: '耗时（毫秒） / Duration in milliseconds' }),
    responseStatus: t.exposeInt('responseStatus', { nullable: true, description: '接收方 HTTP 状态码（未得到响应时为 null） / The receiver\'s HTTP status (null without a response)' }),
    error: t.exposeString('error', { nullable: true, description: '失败原因（成功时为 null） / Why it failed (null on success)' }),
  }),
});

const attemptsOf = groupedLoader<number, WebhookDeliveryAttemptRow>(
  (ctx, ids) => webhooks.loadAttemptsByDeliveryIds(ctx.db, ids),
  (a) => a.deliveryId,
);

export const WebhookDeliveryRef = builder.loadableNode('WebhookDelivery', {
  description: '一个事件向一个订阅的投递 / The delivery of one event to one subscription',
  id: { resolve: (d: WebhookDeliveryRow) => d.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => webhooks.loadWebhookDeliveriesByIds(ctx.db, ctx.viewer, ids),
  sort: (d) => d.id,
  fields: (t) => ({
    eventId: t.exposeString('eventId', { description: '事件 ID（每次尝试相同，接收方据此去重） / Event id, the same in every attempt: receivers deduplicate on it' }),
    eventType: t.field({ type: WebhookEventTypeEnum, description: '事件类型 / Event type', resolve: (d) => d.eventType as never }),
    status: t.field({ type: WebhookDeliveryStatusEnum, description: '状态 / Status', resolve: (d) => d.status as never }),
    attempts: t.exposeInt('attempts', { description: '已开始的尝试次数 / Attempts started so far' }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: '下次尝试时间（仅 PENDING） / When the next attempt is due (PENDING only)',
      resolve: (d) => (d.status === 'PENDING' ? d.nextAttemptAt : null),
    }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true, description: '最近一次尝试时间 / Last attempt at' }),
    lastResponseStatus: t.exposeInt('lastResponseStatus', { nullable: true, description: '最近一次的 HTTP 状态码 / HTTP status of the last attempt' }),
    lastError: t.exposeString('lastError', { nullable: true, description: '最近一次的失败原因 / Why the last attempt failed' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: '投递成功时间 / Delivered at' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: '创建时间 / Created at' }),
    subscription: t.field({
      type: WebhookSubscriptionRef,
      description: '所属订阅 / The subscription',
      resolve: (d) => d.subscriptionId,
    }),
    attemptLog: t.field({
      type: [WebhookDeliveryAttemptRef],
      description: '各次尝试，按顺序 / Every finished attempt, in order',
      resolve: (d, _args, ctx) => attemptsOf(ctx).load(d.id),
    }),
  }),
});

registerNodeType('WebhookSubscription', (ctx, id) => WebhookSubscriptionRef.getDataloader(ctx).load(id));
registerNodeType('WebhookDelivery', (ctx, id) => WebhookDeliveryRef.getDataloader(ctx).load(id));

const WebhookSubscriptionConnection = defineConnection(WebhookSubscriptionRef, 'WebhookSubscriptionConnection', 'Webhook 订阅', 'Webhook subscriptions');
const WebhookDeliveryConnection = defineConnection(WebhookDeliveryRef, 'WebhookDeliveryConnection', 'Webhook 投递', 'Webhook deliveries');

const WebhookDeliveryFilterInput = builder.inputType('WebhookDeliveryFilter', {
  description: '投递记录筛选 / Filter for deliveries',
  fields: (t) => ({
    subscriptionId: t.id({ description: '订阅的全局 ID / Global ID of a subscription' }),
    status: t.field({ type: WebhookDeliveryStatusEnum, description: '状态 / Status' }),
    eventId: t.string({ description: '事件 ID / Event id' }),
  }),
});

builder.queryFields((t) => ({
  webhookSubscriptions: t.field({
    type: WebhookSubscriptionConnection,
    nullable: true,
    skipTypeScopes: true,
    authScopes: (_parent, _args, ctx) => mayManageWebhooks(ctx.viewer),
    description: 'Webhook 订阅（协会工作人员看本协会的，服务账号看自己的）；其他角色得到 null 与 FORBIDDEN / Webhook subscriptions (an association\'s staff see their association\'s, a service account its own); other roles get null and FORBIDDEN',
    args: connectionArgs(t.arg),
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const rows = await webhooks.listWebhookSubscriptions(ctx.db, ctx.viewer, page);
      return toConnection(rows, page, (r) => r.id, () => webhooks.countWebhookSubscriptions(ctx.db, ctx.viewer)) as never;
    },
  }),
  webhookDeliveries: t.field({
    type: WebhookDeliveryConnection,
    nullable: true,
    skipTypeScopes: true,
    authScopes: (_parent, _args, ctx) => mayManageWebhooks(ctx.viewer),
    description: 'Webhook 投递记录，最新在前（协会工作人员看本协会订阅的，服务账号看自己订阅的） / The webhook delivery log, newest first (an association\'s staff see their association\'s subscriptions\', a service account its own subscriptions\')',
    args: {
      ...connectionArgs(t.arg),
      filter: t.arg({ type: WebhookDeliveryFilterInput, description: '筛选条件 / Filter' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const subscriptionId = args.filter?.subscriptionId == null ? null : parseGlobalIdOf(String(args.filter.subscriptionId), 'WebhookSubscription') ?? -1;
      const filter = { subscriptionId, status: args.filter?.status as webhooks.DeliveryStatus | null | undefined, eventId: args.filter?.eventId };
      const rows = await webhooks.listWebhookDeliveries(ctx.db, ctx.viewer, filter, page);
      return toConnection(rows, page, (r) => r.id, () => webhooks.countWebhookDeliveries(ctx.db, ctx.viewer, filter)) as never;
    },
  }),
}));

const CreateWebhookSubscriptionInput = builder.inputType('CreateWebhookSubscriptionInput', {
  description: '新建 Webhook 订阅 / A new webhook subscription',
  fields: (t) => ({
    url: t.string({ required: true, description: `接收地址，http(s)，最多 ${webhooks.MAX_URL_LENGTH} 字符 / Receiver URL, http(s), at most ${webhooks.MAX_URL_LENGTH} characters` }),
    eventTypes: t.field({ type: [WebhookEventTypeEnum], required: true, description: '订阅的事件（至少一种） / Events to receive (at least one)' }),
    description: t.string({ description: '说明，最多 200 字 / Description, at most 200 characters' }),
  }),
});

const WebhookSubscriptionIdInput = builder.inputType('WebhookSubscriptionIdInput', {
  description: '指定 Webhook 订阅 / Names a webhook subscription',
  fields: (t) => ({ id: t.id({ required: true, description: '订阅的全局 ID / Global ID of the subscription' }) }),
});

const CreateWebhookSubscriptionPayload = builder
  .objectRef<{ webhookSubscription: WebhookSubscriptionRow | null; secret: string | null; userErrors: never[] }>('CreateWebhookSubscriptionPayload')
  .implement({
    description: '新建订阅的结果 / Result of subscribing',
    fields: (t) => ({
      webhookSubscription: t.field({ type: WebhookSubscriptionRef, nullable: true, description: '订阅 / The subscription', resolve: (p) => p.webhookSubscription }),
      secret: t.string({
        nullable: true,
        description: '签名密钥，仅此一次返回（用法见 docs/WEBHOOKS.md） / The signing secret, returned this once only (see docs/WEBHOOKS.md)',
        resolve: (p) => p.secret,
      }),
      userErrors: userErrorsField(t),
    }),
  });

const WebhookSubscriptionPayload = builder
  .objectRef<{ webhookSubscription: WebhookSubscriptionRow | null; userErrors: never[] }>('WebhookSubscriptionPayload')
  .implement({
    description: '订阅变更结果 / Result of a subscription change',
    fields: (t) => ({
      webhookSubscription: t.field({ type: WebhookSubscriptionRef, nullable: true, description: '订阅 / The subscription', resolve: (p) => p.webhookSubscription }),
      userErrors: userErrorsField(t),
    }),
  });

builder.mutationFields((t) => ({
  createWebhookSubscription: t.field({
    type: CreateWebhookSubscriptionPayload,
    skipTypeScopes: true,
    authScopes: (_parent, _args, ctx) => mayManageWebhooks(ctx.viewer),
    description: '订阅事件，签名密钥只返回一次（协会工作人员，订阅属于本协会；或拥有 webhooks:manage 的服务账号） / Subscribe a URL to events; the signing secret is returned once (association staff, for their association; or a service account with webhooks:manage)',
    args: { input: t.arg({ type: CreateWebhookSubscriptionInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => webhooks.createWebhookSubscription(ctx.db, ctx.viewer, input, { allowedHosts: ctx.webhookAllowedHosts }),
        (r) => ({ webhookSubscription: r.subscription, secret: r.secret }),
        { webhookSubscription: null, secret: null },
      ) as never,
  }),
  disableWebhookSubscription: t.field({
    type: WebhookSubscriptionPayload,
    skipTypeScopes: true,
    authScopes: (_parent, _args, ctx) => mayManageWebhooks(ctx.viewer),
    description: '停用订阅：不再投递，记录保留 / Disable a subscription: no more deliveries; its log is kept',
    args: { input: t.arg({ type: WebhookSubscriptionIdInput, required: true, description: '输入 / Input' }) },
    resolve: (_root, { input }, ctx) =>
      mutationPayload(
        ctx,
        () => webhooks.disableWebhookSubscription(ctx.db, ctx.viewer, parseGlobalIdOf(String(input.id), 'WebhookSubscription')),
        (webhookSubscription) => ({ webhookSubscription }),
        { webhookSubscription: null },
      ) as never,
  }),
}));
