// node(id) and nodes(ids): every lookup goes through the type's own loader, which applies the viewer's row filter.
import { brandWithType } from '@pothos/core';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { builder } from './builder.js';
import type { Context } from './context.js';
import { decodeGlobalId } from '../global-id.js';

export const MAX_NODES = 100;
const MAX_KEY = 2_147_483_647;

/** `info` is the node or nodes field's: a loader may read only the columns its selection needs. */
type NodeLoader = (ctx: Context, id: number, info: GraphQLResolveInfo) => Promise<object | null>;
const nodeLoaders = new Map<string, NodeLoader>();

/** Each node type registers how to load one row for a viewer; hidden rows load as null. */
export function registerNodeType(typename: string, load: NodeLoader) {
  nodeLoaders.set(typename, load);
}

/**
 * One object of a node type, exactly as node(id) loads it for the context's viewer (null: missing or hidden). For the
 * live streams (src/live/live.schema.ts), which re-read their object on every event.
 */
export async function loadNodeOf(ctx: Context, typename: string, id: number, info: GraphQLResolveInfo): Promise<object | null> {
  const load = nodeLoaders.get(typename);
  if (!load || !(id <= MAX_KEY)) return null;
  return load(ctx, id, info);
}

async function resolveNode(ctx: Context, globalId: string, info: GraphQLResolveInfo): Promise<object | null> {
  const decoded = decodeGlobalId(globalId);
  const load = decoded && nodeLoaders.get(decoded.typename);
  // Keys are PostgreSQL integers: a larger number would fail the whole batched query, so it is simply not found.
  const key = decoded ? Number(decoded.id) : NaN;
  if (!decoded || !load || !(key <= MAX_KEY)) return null;
  const row = await load(ctx, key, info);
  if (!row) return null;
  brandWithType(row, decoded.typename as never);
  return row;
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: '按全局 ID 获取对象；不存在与无权查看同样返回 null / Fetch an object by global ID; missing and hidden both answer null',
    args: { id: t.arg.id({ required: true, description: '全局 ID / Global ID' }) },
    resolve: (_root, args, ctx, info) => resolveNode(ctx, String(args.id), info) as never,
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `按全局 ID 批量获取对象（最多 ${MAX_NODES} 个） / Fetch up to ${MAX_NODES} objects by global ID`,
    args: { ids: t.arg.idList({ required: true, description: '全局 ID 列表 / Global IDs' }) },
    resolve: (_root, args, ctx, info) => {
      if (args.ids.length > MAX_NODES) {
        throw new GraphQLError(`nodes accepts at most ${MAX_NODES} ids`, { extensions: { code: 'BAD_USER_INPUT' } });
      }
      return Promise.all(args.ids.map((id) => resolveNode(ctx, String(id), info))) as never;
    },
  }),
}));
