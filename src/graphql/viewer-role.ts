// The ViewerRole enum: who a viewer is, shared by every domain that shows who did or read something.
import { builder } from './builder.js';

export const ViewerRoleEnum = builder.enumType('ViewerRole', {
  description: '访问者角色 / Role of the viewer',
  values: {
    ANONYMOUS: { description: '匿名访客 / Anonymous visitor' },
    FIRM: { description: '会员机构（证券、期货、基金等） / Member firm' },
    LISTED_COMPANY: { description: '上市公司 / Listed company' },
    ASSOCIATION: { description: '协会工作人员 / Association staff' },
    REGULATOR: { description: '证监局 / The securities regulator\'s bureau' },
  } as const,
});
