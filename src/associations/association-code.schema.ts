// The associations' codes in the schema (AssociationCode), shared by the association types and submitSuggestion's input.
import { builder } from '../graphql/builder.js';

export const AssociationCodeEnum = builder.enumType('AssociationCode', {
  description: '协会代码 / Association code',
  values: {
    SZSA: { description: '深圳市证券业协会 / Shenzhen Securities Association' },
    SZLCA: { description: '深圳上市公司协会 / Shenzhen Listed Companies Association' },
  } as const,
});
