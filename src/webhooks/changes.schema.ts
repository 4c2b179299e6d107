// GraphQL shape of the change feed: Query.changes and the Change node.
import { builder } from '../graphql/builder.js';
import type { Context } from '../graphql/context.js';
import { MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { connectionArgs, defineConnection, pageRequest, toConnection } from '../graphql/pagination.js';
import { encodeGlobalId } from '../global-id.js';
import type { OutboxEventRow } from '../outbox/outbox.table.js';
import * as changes from './changes.service.js';
import { WebhookEventTypeEnum } from './webhooks.schema.js';
import type { WebhookEventType } from './webhooks.service.js';

export const ChangeRef = builder.loadableNode('Change', {
  description:
    '一条变更事件：与 Webhook 投递的事件相同，payload 即 Webhook 请求体的 data / One change event: the same events the webhooks deliver; payload is exactly the webhook body\'s data',
  id: { resolve: (e: OutboxEventRow) => e.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx: Context) => changes.loadChangesByIds(ctx.db, ctx.viewer, ids),
  sort: (e) => e.id,
  fields: (t) => ({
    eventId: t.exposeString('eventId', { description: '事件 ID，即 Webhook 的 webhook-id（据此与 Webhook 去重） / The event id, the webhook-id of its deliveries (deduplicate across webhooks and the feed on it)' }),
    type: t.field({ type: WebhookEventTypeEnum, description: '事件类型 / Event type', resolve: (e) => e.type as never }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: '发生时间（所在事务的时间） / When the change happened (its transaction\'s time)' }),
    entityType: t.exposeString('entityType', { description: '事件所涉对象的类型，如 Suggestion / The type of the object the event is about, e.g. Suggestion' }),
    entityId: t.id({
      nullable: true,
      description: '事件所涉对象的全局 ID（可用于 node(id:)） / Global ID of the object the event is about (usable with node(id:))',
      resolve: (e) => (e.entityId === null ? null : encodeGlobalId(e.entityType, e.entityId)),
    }),
    payload: t.field({
      type: 'JSON',
      description: '事件内容，与 Webhook 请求体的 data 完全相同（各类型的字段见 docs/WEBHOOKS.md） / The event\'s data, exactly the webhook body\'s data (fields per type in docs/WEBHOOKS.md)',
      resolve: (e) => e.payload,
    }),
  }),
});

registerNodeType('Change', (ctx, id) => ChangeRef.getDataloader(ctx).load(id));

const ChangeConnection = defineConnection(ChangeRef, 'ChangeConnection', '变更事件', 'Change events');

builder.queryFields((t) => ({
  changes: t.field({
    type: ChangeConnection,
    description:
      '变更流：与 Webhook 相同的事件，按事件顺序（游标稳定，可从上次的 endCursor 继续拉取），至少保留 30 天。范围与 Webhook 投递相同：协会工作人员看本协会的，证监局（本人及其服务账号）看全部；服务账号只看其有读取权限的类型；会员和匿名访问者为空 / The change feed: the webhooks\' events in event order (a stable cursor: continue from the last endCursor), kept at least 30 days. Scoped exactly like webhook deliveries: an association\'s staff read their association\'s, the regulator (in person and its service accounts) every one; a service account only the types whose read scope it holds; empty for members and anonymous callers',
    args: {
      ...connectionArgs(t.arg),
      types: t.arg({ type: [WebhookEventTypeEnum], description: '只要这些类型（默认全部可读的类型） / Only these types (default: every type you may read)' }),
    },
    resolve: async (_root, args, ctx) => {
      const page = pageRequest(args);
      const types = (args.types ?? null) as WebhookEventType[] | null;
      const rows = await changes.listChanges(ctx.db, ctx.viewer, types, page);
      return toConnection(rows, page, (r) => r.id, () => changes.countChanges(ctx.db, ctx.viewer, types)) as never;
    },
  }),
}));
