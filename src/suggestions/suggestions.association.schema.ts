// Suggestion.association: the association a suggestion was submitted to. Kept beside the suggestions' schema (not in
// src/associations/) so that domains point at the associations and never the reverse (test/boundaries.test.ts).
import { AssociationRef } from '../associations/associations.schema.js';
import { builder } from '../graphql/builder.js';
import { SuggestionRef } from './suggestions.schema.js';

builder.objectField(SuggestionRef, 'association', (t) =>
  t.field({
    type: AssociationRef,
    description: '提交至的协会 / The association the suggestion was submitted to',
    resolve: (s) => s.associationId,
  }),
);
