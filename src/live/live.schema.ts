// GraphQL subscriptions (Subscription root), served only over Server-Sent Events at /graphql/stream
// (src/server/routes/stream.route.ts; docs/LIVE-UPDATES.md). Each stream follows one object: it is authorized at start
// exactly as node(id) would load the object for the viewer, sends the current state first, and then, whenever the
// object may have changed (the hub: this process's signal or the poller), re-checks the principal (the token as it
// resolves now: a disabled service account or a revoked secret ends the stream), reads the object again as that viewer
// sees it (hidden now: the stream ends NOT_FOUND), and sends it when what it follows changed.
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { mayFollowRatingPublication } from '../auth/policy.js';
import { EarlyReportRef } from '../early-reports/early-reports.schema.js';
import type { EarlyReportRow } from '../early-reports/early-reports.table.js';
import { parseGlobalIdOf } from '../global-id.js';
import { builder } from '../graphql/builder.js';
import type { Context, LiveEnd } from '../graphql/context.js';
import { loadNodeOf } from '../graphql/node.js';
import { RatingCycleRef } from '../ratings/ratings.schema.js';
import type { RatingCycleRow } from '../ratings/ratings.table.js';
import { SuggestionRef } from '../suggestions/suggestions.schema.js';
import type { SuggestionRow } from '../suggestions/suggestions.table.js';
import { TrainingReachRef } from '../training/training.schema.js';
import { NO_REACH, reachOfSessions, type TrainingReach } from '../training/training.service.js';
import type { LiveTopic } from '../outbox/outbox.signal.js';

/** What a stream's source yields: the object as a viewer's fresh context read it, or why the stream ends. */
export type LiveEvent<T> = { ctx: Context; value: T } | { end: LiveEnd };

export const LIVE_ONLY_OVER_STREAM = 'Subscriptions are served over Server-Sent Events at /graphql/stream (the graphql-sse protocol, distinct connections mode)';

const isEnd = (x: Context | LiveEnd): x is LiveEnd => typeof (x as LiveEnd).code === 'string' && !(x as Context).viewer;

interface Following<T> {
  topic: LiveTopic;
  id: number;
  /** The object as the context's viewer may see it; null when missing or hidden. */
  read(ctx: Context): Promise<T | null>;
  /** Whether `next` is news after `last` (what the subscription follows changed). */
  changed(last: T, next: T): boolean;
  /** The stream completes after sending such a value (a published cycle). */
  final?(value: T): boolean;
}

function notFound(type: string): GraphQLError {
  return new GraphQLError(`${type} not found`, { extensions: { code: 'NOT_FOUND' } });
}

/**
 * Starts following: refused at once (an error, no stream) outside /graphql/stream or when the object is missing or hidden
 * — the same answer for both, as node(id) gives null for both; otherwise the source of events described above.
 */
async function startFollowing<T>(ctx: Context, typeName: string, spec: Following<T>): Promise<AsyncIterable<LiveEvent<T>>> {
  const live = ctx.live;
  if (!live) throw new GraphQLError(LIVE_ONLY_OVER_STREAM, { extensions: { code: 'BAD_REQUEST' } });
  const first = (await spec.read(ctx)) as T | null;
  if (first === null) throw notFound(typeName);
  return (async function* events(): AsyncGenerator<LiveEvent<T>> {
    let pending = false;
    let wake: (() => void) | null = null;
    const poke = () => {
      pending = true;
      wake?.();
    };
    const onAbort = () => wake?.();
    const unfollow = live.hub.follow(spec.topic, spec.id, poke);
    const recheck = setInterval(poke, live.recheckMs);
    recheck.unref();
    live.signal.addEventListener('abort', onAbort);
    try {
      yield { ctx, value: first };
      if (spec.final?.(first)) return;
      let last = first;
      for (;;) {
        if (!pending && !live.signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (live.signal.aborted) {
          yield { end: live.signal.reason as LiveEnd };
          return;
        }
        pending = false;
        let next: T | null;
        let fresh: Context | LiveEnd;
        try {
          fresh = await live.refresh();
          if (isEnd(fresh)) {
            yield { end: fresh };
            return;
          }
          next = (await spec.read(fresh)) as T | null;
        } catch (error) {
          // The database away for a moment: the next event or re-check tries again.
          ctx.logger.warn({ err: error }, 'live updates: re-reading a followed object failed');
          continue;
        }
        if (next === null) {
          yield { end: { code: 'NOT_FOUND', message: `${typeName} not found: it is no longer visible to you` } };
          return;
        }
        if (!spec.changed(last, next)) continue;
        last = next;
        yield { ctx: fresh, value: next };
        if (spec.final?.(next)) return;
      }
    } finally {
      unfollow();
      clearInterval(recheck);
      live.signal.removeEventListener('abort', onAbort);
    }
  })();
}

/** The payload of an event, or the stream's last answer (an error with the reason's code) when it ends. */
function payloadOf<T>(event: LiveEvent<T>): T {
  if ('end' in event) throw new GraphQLError(event.end.message, { extensions: { code: event.end.code } });
  return event.value;
}

const idOf = (value: unknown, typename: string): number | null => (typeof value === 'string' ? parseGlobalIdOf(value, typename) : null);

/** A node type's object by global ID, as node(id) loads it; starts the stream or refuses it NOT_FOUND. */
function followNode<T extends object>(ctx: Context, info: GraphQLResolveInfo, typename: LiveTopic, globalId: unknown, spec: Omit<Following<T>, 'topic' | 'id' | 'read'> & { visible?(ctx: Context): boolean }) {
  const id = idOf(globalId, typename);
  if (id === null || (spec.visible && !spec.visible(ctx))) throw notFound(typename);
  return startFollowing<T>(ctx, typename, {
    ...spec,
    topic: typename,
    id,
    read: async (c) => (spec.visible && !spec.visible(c) ? null : ((await loadNodeOf(c, typename, id, info)) as T | null)),
  });
}

const ID_DESCRIPTION = '全局 ID / Global ID';

builder.subscriptionType({
  description:
    '订阅入口：仅通过 /graphql/stream 的 Server-Sent Events（graphql-sse 协议，独立连接模式）提供；先发送当前状态，之后每次变化发送一次；令牌到期即结束 / Subscription root: served only as Server-Sent Events at /graphql/stream (the graphql-sse protocol, distinct connections mode); the current state first, then each change; the stream ends when the token expires (docs/LIVE-UPDATES.md)',
});

builder.subscriptionFields((t) => ({
  suggestionStatusChanged: t.field({
    type: SuggestionRef,
    description:
      '某条建议的状态变化：先发送当前状态，之后状态每变一次发送一次；与 node(id) 同样可见（不可见即结束，NOT_FOUND） / A suggestion\'s status: its current state first, then once per status change; visible exactly as through node(id) (once hidden, the stream ends NOT_FOUND)',
    args: { id: t.arg.id({ required: true, description: ID_DESCRIPTION }) },
    subscribe: (_root, args, ctx, info) =>
      followNode<SuggestionRow>(ctx, info, 'Suggestion', args.id, { changed: (a, b) => a.status !== b.status }) as never,
    resolve: (event) => payloadOf(event as unknown as LiveEvent<SuggestionRow>) as never,
  }),
  earlyReportStatusChanged: t.field({
    type: EarlyReportRef,
    description:
      '某份早报告的状态变化：先发送当前状态，之后状态每变一次发送一次；与 node(id) 同样可见 / An early report\'s status: its current state first, then once per status change; visible exactly as through node(id)',
    args: { id: t.arg.id({ required: true, description: ID_DESCRIPTION }) },
    subscribe: (_root, args, ctx, info) =>
      followNode<EarlyReportRow>(ctx, info, 'EarlyReport', args.id, { changed: (a, b) => a.status !== b.status }) as never,
    resolve: (event) => payloadOf(event as unknown as LiveEvent<EarlyReportRow>) as never,
  }),
  ratingCyclePublished: t.field({
    type: RatingCycleRef,
    description:
      '某个评价周期的发布：先发送周期的当前状态，发布时再发送一次并结束（已发布则立即结束）；仅限可查看分类评价结果者（证券业协会、证监局、有 ratings:read 的服务账号、证券公司） / A rating cycle\'s publication: the cycle\'s current state first, then once more when it is published, and the stream completes (at once if it already is); for those who read branch ratings (the securities association, the regulator, service accounts with ratings:read, securities firms)',
    args: { id: t.arg.id({ required: true, description: ID_DESCRIPTION }) },
    subscribe: (_root, args, ctx, info) =>
      followNode<RatingCycleRow>(ctx, info, 'RatingCycle', args.id, {
        visible: (c) => mayFollowRatingPublication(c.viewer),
        changed: (a, b) => a.status !== b.status && b.status === 'PUBLISHED',
        final: (c) => c.status === 'PUBLISHED',
      }) as never,
    resolve: (event) => payloadOf(event as unknown as LiveEvent<RatingCycleRow>) as never,
  }),
  trainingSessionReach: t.field({
    type: TrainingReachRef,
    description:
      '某场培训的实时覆盖面（机构、分支机构、参训人数、观看人次）：先发送当前值，之后随观看记录的导入更新（每场至多每隔 LIVE_REACH_MIN_INTERVAL_MS 重新计算一次）；与 node(id) 同样可见 / A training session\'s live reach (firms, branches, participants, views): the current figures first, then as view events are ingested (recomputed at most once per LIVE_REACH_MIN_INTERVAL_MS per session); visible exactly as through node(id)',
    args: { id: t.arg.id({ required: true, description: ID_DESCRIPTION }) },
    subscribe: (_root, args, ctx, info) => {
      const id = idOf(args.id, 'TrainingSession');
      if (id === null) throw notFound('TrainingSession');
      return startFollowing<TrainingReach>(ctx, 'TrainingSession', {
        topic: 'TrainingSession',
        id,
        read: async (c) => {
          if (!(await loadNodeOf(c, 'TrainingSession', id, info))) return null;
          // One computation per session and interval, shared by every stream of the session (the hub's shared read).
          return c.live!.hub.shared('TrainingSession', id, c.live!.reachMinIntervalMs, async () => (await reachOfSessions(c.db, [id])).get(id) ?? NO_REACH);
        },
        changed: (a, b) => a.firms !== b.firms || a.branches !== b.branches || a.participants !== b.participants || a.views !== b.views,
      }) as never;
    },
    resolve: (event) => payloadOf(event as unknown as LiveEvent<TrainingReach>) as never,
  }),
}));
