// GraphQL shape of the associations under the bureau (深证协, 深圳上市公司协会): public, like the directory. The types
// that belong to an association (Organization.memberships, Committee, Suggestion, Viewer) point here from their own
// domain's schema, so this folder depends on no other domain.
import { builder } from '../graphql/builder.js';
import { MAX_BATCH_SIZE } from '../graphql/loader.js';
import { registerNodeType } from '../graphql/node.js';
import { AssociationCodeEnum } from './association-code.schema.js';
import * as associations from './associations.reads.js';
import type { AssociationRow } from './associations.table.js';

export const AssociationRef = builder.loadableNode('Association', {
  description: '协会（证监局指导的行业协会） / An association guided by the bureau',
  id: { resolve: (a: AssociationRow) => a.id },
  loaderOptions: { maxBatchSize: MAX_BATCH_SIZE },
  load: (ids: number[], ctx) => associations.loadAssociationsByIds(ctx.db, ids),
  sort: (a) => a.id,
  fields: (t) => ({
    code: t.expose('code', { type: AssociationCodeEnum, description: '代码 / Code' }),
    name: t.exposeString('name', { description: '名称 / Name' }),
    shortName: t.exposeString('shortName', { nullable: true, description: '简称 / Short name' }),
    nameEn: t.exposeString('nameEn', { nullable: true, description: '英文名称 / English name' }),
  }),
});

registerNodeType('Association', (ctx, id) => AssociationRef.getDataloader(ctx).load(id));

builder.queryFields((t) => ({
  associations: t.field({
    type: [AssociationRef],
    description: '协会（按 ID） / The associations, by id',
    resolve: (_root, _args, ctx) => associations.listAssociations(ctx.db),
  }),
}));
