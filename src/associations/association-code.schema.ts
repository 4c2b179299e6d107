// The associations' codes as the schema spells them (AssociationCode). Its own file so every area that takes or
// shows an association (suggestions, members, committees) imports the one enum.
import { builder } from '../graphql/builder.js';
import type { AssociationCode } from './associations.table.js';

export const AssociationCodeEnum = builder.enumType('AssociationCode', {
  description: '协会代码（证监局指导的各协会；今后可能增加） / Code of an association under the bureau (more may be added)',
  values: {
    SZSA: { description: '深圳市证券业协会（深证协） / Shenzhen Securities Association' },
    SZLCA: { description: '深圳上市公司协会（深上协） / Shenzhen Listed Companies Association' },
  } as const satisfies Record<AssociationCode, { description: string }>,
});
