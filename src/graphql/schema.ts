// The schema entry: imports every domain's types, then builds. Nothing else.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './node.js';
import '../associations/associations.schema.js';
import '../members/members.schema.js';
import '../committees/committees.schema.js';
import '../reports/reports.schema.js';
import '../clients/clients.schema.js';
import '../clients/trusted-documents.schema.js';
import '../webhooks/webhooks.schema.js';
import '../webhooks/changes.schema.js';
import '../data-access/data-access.schema.js';
import '../ratings/ratings.schema.js';
import '../ratings/ratings.branch-ratings.schema.js';
import '../ratings/ratings.mutations.schema.js';
import '../policies/policies.schema.js';
import '../suggestions/suggestions.schema.js';
import '../suggestions/suggestions.association.schema.js';
import '../suggestions/suggestions.forwarding.schema.js';
import '../self-regulation/self-regulation.schema.js';
import '../statistics/statistics.schema.js';
import '../early-reports/early-reports.schema.js';
import '../training/training.schema.js';
import '../exports/exports.schema.js';
import '../live/live.schema.js';

builder.queryType({ description: '查询入口 / Query root' });
// Every mutation is for people whose membership rights are not suspended (issue 20); the webhook mutations opt out
// (skipTypeScopes) for service accounts (members never manage webhooks).
builder.mutationType({ description: '变更入口 / Mutation root', authScopes: { $all: { person: true, membershipRights: true } } });

export const schema = lexicographicSortSchema(builder.toSchema());
