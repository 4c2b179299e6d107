// The change feed's part of the authorization matrix (issue 22): Query.changes and node(id) of a Change, for firm A's
// suggestion (SZSA), the listed company's (SZLCA), a rating cycle's publication (SZSA; the ratings' scope) and an event
// of no association (the bureau's alone). Who reads an event here is who its webhook reaches.
import { and, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { encodeGlobalId, parseGlobalIdOf } from '../../../src/global-id.js';
import { enqueueEvent } from '../../../src/outbox/outbox.service.js';
import { outboxEventsTable } from '../../../src/outbox/outbox.table.js';
import { tag, viaList, viaNode, viaNodes, viaTotalCount, withCount, type Probe, type World } from '../authorization-matrix.table.js';
import { definePart } from './part.js';

interface Fixture {
  suggestion: string;
  szlcaSuggestion: string;
  ratingCycle: { id: string; marker: string };
  unassociated: { id: string; marker: string };
}

async function changeOf(w: World, type: string, entityType: string, entityId: number): Promise<string> {
  const [row] = await w.t.database.db
    .select({ id: outboxEventsTable.id })
    .from(outboxEventsTable)
    .where(and(eq(outboxEventsTable.type, type), eq(outboxEventsTable.entityType, entityType), eq(outboxEventsTable.entityId, entityId)));
  expect(row, `the outbox holds the ${type} event of ${entityType}:${entityId}`).toBeTruthy();
  return encodeGlobalId('Change', row!.id);
}

async function build(w: World): Promise<Fixture> {
  const suggestion = await changeOf(w, 'suggestion.submitted', 'Suggestion', parseGlobalIdOf(w.suggestion.id, 'Suggestion')!);
  const szlcaSuggestion = await changeOf(w, 'suggestion.submitted', 'Suggestion', parseGlobalIdOf(w.szlca.suggestion.id, 'Suggestion')!);
  // Publishing a rating cycle through the API takes a whole cycle; its event is written as the publication writes it.
  const cycleMarker = `矩阵评级发布 ${tag()}`;
  const cycleEntity = 880_000 + Math.floor(Math.random() * 10_000);
  await enqueueEvent(w.t.database.db, { type: 'rating_cycle.published', entityType: 'RatingCycle', entityId: cycleEntity, associationId: 1, payload: { year: 2099, note: cycleMarker } });
  const noneMarker = `矩阵无协会事件 ${tag()}`;
  const noneEntity = 890_000 + Math.floor(Math.random() * 10_000);
  await enqueueEvent(w.t.database.db, { type: 'suggestion.responded', entityType: 'Suggestion', entityId: noneEntity, associationId: null, payload: { note: noneMarker } });
  return {
    suggestion,
    szlcaSuggestion,
    ratingCycle: { id: await changeOf(w, 'rating_cycle.published', 'RatingCycle', cycleEntity), marker: cycleMarker },
    unassociated: { id: await changeOf(w, 'suggestion.responded', 'Suggestion', noneEntity), marker: noneMarker },
  };
}

const ALL_TYPES = 'RATING_CYCLE_PUBLISHED SUGGESTION_SUBMITTED SUGGESTION_FORWARDED SUGGESTION_RESPONDED TRAINING_SESSION_SCHEDULED STATISTICS_RETURN_SUBMITTED EARLY_REPORT_ESCALATED DISCIPLINARY_DECISION_PUBLISHED';

const feed = (types: string, count: boolean) =>
  `query($after: String) { changes(first: 100, after: $after, types: [${types}]) { ${count ? withCount('payload') : 'pageInfo { hasNextPage endCursor } edges { node { id payload } }'} } }`;

export const changesPart = definePart('changes', build, (of) => {
  const probes = (types: string, idOf: (w: World) => string): Probe[] => [
    viaList(`changes(types: [${types}])`, feed(types, false), (d) => d.changes, idOf),
    viaTotalCount(`changes(types: [${types}]).totalCount`, feed(types, true), (d) => d.changes, idOf),
    viaList('changes (all types)', feed(ALL_TYPES, false), (d) => d.changes, idOf),
    viaNode(idOf, '... on Change { id payload }'),
    viaNodes(idOf, '... on Change { payload }'),
  ];
  return [
    {
      object: 'Change: suggestion.submitted of firm A’s suggestion (SZSA)',
      seenBy: ['ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
      // The suggestion's ID, not its title: the main table's replay probe makes other organizations submit the same input.
      marker: (w) => w.suggestion.id,
      probes: probes('SUGGESTION_SUBMITTED', (w) => of(w).suggestion),
    },
    {
      object: 'Change: suggestion.submitted of the listed company’s suggestion (SZLCA)',
      seenBy: ['SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => w.szlca.suggestion.id,
      probes: probes('SUGGESTION_SUBMITTED', (w) => of(w).szlcaSuggestion),
    },
    {
      object: 'Change: rating_cycle.published (SZSA; needs ratings:read)',
      seenBy: ['ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).ratingCycle.marker,
      probes: probes('RATING_CYCLE_PUBLISHED', (w) => of(w).ratingCycle.id),
    },
    {
      object: 'Change: an event of no association (the bureau’s alone)',
      seenBy: ['REGULATOR', 'SA_SCOPED'],
      marker: (w) => of(w).unassociated.marker,
      probes: probes('SUGGESTION_RESPONDED', (w) => of(w).unassociated.id),
    },
  ];
});
