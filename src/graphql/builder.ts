// The Pothos builder and its plugins: configuration only, no types.
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { GraphQLError } from 'graphql';
import { mayActAsMember } from '../auth/policy.js';
import { isMember, isStaff } from '../auth/viewer.js';
import { defaultDocumentLimits } from './limits.js';
import type { Context } from './context.js';
import { decodeGlobalId, encodeGlobalId } from '../global-id.js';

/** The plugin's limits for in-process execution, where the context carries none. */
const defaultComplexityLimit = { complexity: defaultDocumentLimits.maxComplexity, depth: defaultDocumentLimits.maxDepth };

export const builder = new SchemaBuilder<{
  Context: Context;
  Scalars: {
    ID: { Input: string; Output: string | number };
    Date: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: {
    /** Association staff (协会). */
    association: boolean;
    /** The securities regulator's local bureau (证监局). */
    regulator: boolean;
    /** Association or regulator. */
    staff: boolean;
    /** A firm or listed company, acting for its own organization. */
    member: boolean;
    /** Acting for this organization id. */
    memberOf: number;
    /** A person's token, not a service account's (service accounts read; they change nothing but their webhooks). */
    person: boolean;
    /**
     * Not a member whose membership rights are suspended (a FINAL SUSPEND_MEMBERSHIP_RIGHTS in force, issue 20): every
     * mutation requires it. Decided from the viewer (mayActAsMember): no statement.
     */
    membershipRights: boolean;
  };
  DefaultFieldNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin, ComplexityPlugin],
  scopeAuth: {
    authScopes: (ctx) => ({
      association: ctx.viewer.role === 'ASSOCIATION',
      regulator: ctx.viewer.role === 'REGULATOR',
      staff: isStaff(ctx.viewer),
      member: isMember(ctx.viewer),
      memberOf: (organizationId) => ctx.viewer.organizationId === organizationId,
      person: !ctx.viewer.serviceAccount,
      membershipRights: mayActAsMember(ctx.viewer),
    }),
    // Default is an internal error; partners get a stable FORBIDDEN code instead.
    unauthorizedError: () =>
      new GraphQLError('Forbidden', { extensions: { code: 'FORBIDDEN' } }),
  },
  validation: {
    validationError: (failure) =>
      new GraphQLError(failure.issues.map((i) => i.message).join('; '), {
        extensions: { code: 'BAD_USER_INPUT' },
      }),
  },
  relay: {
    cursorType: 'String',
    clientMutationId: 'omit',
    // node/nodes are defined in src/graphql/node.ts, so every lookup applies the viewer's row filter.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    encodeGlobalID: encodeGlobalId,
    decodeGlobalID: (id) => decodeGlobalId(id) ?? { typename: '', id: '' },
    nodeTypeOptions: { description: '可按全局 ID 获取的对象 / An object with a global ID' },
    pageInfoTypeOptions: { description: '分页信息 / Pagination information' },
    idFieldOptions: { description: '全局 ID（不透明字符串） / Global ID (an opaque string)' },
    edgesFieldOptions: { description: '本页的边 / Edges of this page' },
    pageInfoFieldOptions: { description: '分页信息 / Pagination information' },
    cursorFieldOptions: { description: '此边的游标 / Cursor of this edge' },
    nodeFieldOptions: { description: '此边的对象 / The object of this edge' },
    hasNextPageFieldOptions: { description: '是否还有下一页（以 before 向前翻页时为真） / Whether more rows follow (true when paging backwards with before)' },
    hasPreviousPageFieldOptions: { description: '是否有上一页（以 after 分页时为真） / Whether rows precede this page (true when paging with after)' },
    startCursorFieldOptions: { description: '本页第一条的游标，作为上一页的 before / Cursor of the first edge; pass it as before' },
    endCursorFieldOptions: { description: '本页最后一条的游标，作为下一页的 after / Cursor of the last edge; pass it as after' },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    // Breadth is the validation rule's alone (src/server/limits.ts): this plugin counts no field inside __schema or
    // __type, so its breadth never exceeds the rule's and could never refuse first. Depth stays enforced here too: the
    // plugin counts meta fields (__typename) as a level and the rule does not, so twelve levels with __typename below
    // them pass validation and are refused here (200, BAD_USER_INPUT, limit "Depth"; test/limits.test.ts). Dropping
    // either depth check would change what such a client sees.
    limit: (ctx) => ctx.complexityLimit ?? defaultComplexityLimit,
    complexityError: (kind, result) =>
      new GraphQLError(`Query exceeds the ${kind.toLowerCase()} limit`, {
        extensions: { code: 'BAD_USER_INPUT', limit: kind, cost: result.complexity },
      }),
  },
});
