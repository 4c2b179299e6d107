// Live updates' part of the authorization matrix (issue 22): who may open each subscription at /graphql/stream for the
// matrix's objects — exactly who sees the object through node(id) (a token is required: anonymous callers get 401), and
// for a rating cycle's publication whoever reads branch ratings. A visible stream's first event is the object's current
// state; a hidden one is the NOT_FOUND event (then complete), never the object.
import { expect } from 'vitest';
import { ALL, STAFF_AND_SCOPED, SZLCA_STAFF_AND_SCOPED, BUREAU_AND_SCOPED, viaNode, type Principal, type Probe, type World } from '../authorization-matrix.table.js';
import { expectNoLeak } from '../support.js';
import { openStream } from '../../support/sse.js';
import { definePart } from './part.js';

interface Fixture {
  minorReport: string;
  escalatedReport: string;
  membersSession: string;
  szlcaSession: string;
}

async function build(w: World): Promise<Fixture> {
  const reports = w.parts['early-reports'] as { minor: { id: string }; escalated: { id: string } };
  const training = w.parts.training as { sessions: { members: string; szlca: string } };
  expect(reports && training, 'the early-reports and training parts are built before this one').toBeTruthy();
  return { minorReport: reports.minor.id, escalatedReport: reports.escalated.id, membersSession: training.sessions.members, szlcaSession: training.sessions.szlca };
}

/** Opens the subscription as the principal and reads its first event: visible when it carries the object. */
export function viaStream(field: string, selection: string, idOf: (w: World) => string, isVisible: (value: any, w: World) => boolean, seenBy?: readonly Principal[]): Probe {
  return {
    path: 'stream',
    how: `subscription ${field}(id) at /graphql/stream`,
    seenBy,
    async run(w, p) {
      const stream = await openStream(w.t, `subscription($id: ID!) { ${field}(id: $id) { ${selection} } }`, { id: idOf(w) }, { token: w.tokens[p] });
      try {
        if (stream.text !== undefined) {
          expect(stream.status, stream.text).toBe(w.tokens[p] ? 429 : 401);
          expectNoLeak(stream.text);
          return { visible: false, text: stream.text };
        }
        const first = await stream.next();
        const text = JSON.stringify(first);
        expectNoLeak(text);
        if (first?.event === 'next' && first.data.data?.[field]) return { visible: isVisible(first.data.data[field], w), text };
        expect(first?.data?.errors?.[0]?.extensions?.code, text).toBe('NOT_FOUND');
        return { visible: false, text };
      } finally {
        stream.close();
        // The server notices the close at once; wait for it so the cap of streams per principal never interferes.
        for (let i = 0; i < 100 && w.t.app.live.streams.count() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

const RATING_READERS: readonly Principal[] = ['FIRM_OWN', 'FIRM_OTHER', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'];
const SZSA_MEMBERS_SEERS: readonly Principal[] = ['FIRM_OWN', 'FIRM_OTHER', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'];
const SZLCA_MEMBERS_SEERS: readonly Principal[] = ['LISTED_COMPANY', 'SZLCA_STAFF', 'SZLCA_SA_SCOPED', 'REGULATOR', 'SA_SCOPED'];
const withToken = (seenBy: readonly Principal[]) => seenBy.filter((p) => p !== 'ANONYMOUS');

export const livePart = definePart('live', build, (of) => [
  {
    object: 'Subscription.suggestionStatusChanged of firm A\'s suggestion',
    seenBy: ['FIRM_OWN', ...STAFF_AND_SCOPED],
    marker: (w) => w.suggestion.id,
    probes: [viaNode((w) => w.suggestion.id), viaStream('suggestionStatusChanged', 'id status', (w) => w.suggestion.id, (s, w) => s.id === w.suggestion.id)],
  },
  {
    object: 'Subscription.suggestionStatusChanged of the listed company\'s suggestion (SZLCA)',
    seenBy: ['LISTED_COMPANY', ...SZLCA_STAFF_AND_SCOPED, ...BUREAU_AND_SCOPED],
    marker: (w) => w.szlca.suggestion.id,
    probes: [viaNode((w) => w.szlca.suggestion.id), viaStream('suggestionStatusChanged', 'id status', (w) => w.szlca.suggestion.id, (s, w) => s.id === w.szlca.suggestion.id)],
  },
  {
    object: 'Subscription.earlyReportStatusChanged of firm A\'s MINOR report, never escalated',
    seenBy: ['FIRM_OWN', 'ASSOCIATION'],
    marker: (w) => of(w).minorReport,
    probes: [viaNode((w) => of(w).minorReport), viaStream('earlyReportStatusChanged', 'id status', (w) => of(w).minorReport, (r, w) => r.id === of(w).minorReport)],
  },
  {
    object: 'Subscription.earlyReportStatusChanged of firm A\'s escalated report',
    seenBy: ['FIRM_OWN', 'ASSOCIATION', 'REGULATOR', 'SA_SCOPED'],
    marker: (w) => of(w).escalatedReport,
    probes: [viaNode((w) => of(w).escalatedReport), viaStream('earlyReportStatusChanged', 'id status', (w) => of(w).escalatedReport, (r, w) => r.id === of(w).escalatedReport)],
  },
  {
    object: 'Subscription.ratingCyclePublished of the 2026 cycle (whoever reads branch ratings)',
    seenBy: RATING_READERS,
    probes: [
      // The cycle itself is public reference data; following its publication is for those who read the ratings.
      { ...viaNode((w) => w.cycle.id), seenBy: ALL },
      viaStream('ratingCyclePublished', 'id year status', (w) => w.cycle.id, (c, w) => c.id === w.cycle.id),
    ],
  },
  {
    object: 'Subscription.trainingSessionReach of an SZSA members-only session',
    seenBy: SZSA_MEMBERS_SEERS,
    probes: [viaNode((w) => of(w).membersSession), viaStream('trainingSessionReach', 'views participants', (w) => of(w).membersSession, (r) => typeof r.views === 'number')],
  },
  {
    object: 'Subscription.trainingSessionReach of an SZLCA members-only session',
    seenBy: withToken(SZLCA_MEMBERS_SEERS),
    probes: [viaNode((w) => of(w).szlcaSession), viaStream('trainingSessionReach', 'views participants', (w) => of(w).szlcaSession, (r) => typeof r.views === 'number')],
  },
]);
