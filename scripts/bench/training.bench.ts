// Training's benchmark entries (issue 17): view ingestion over HTTP (25,000 events in requests of 1,000, duplicates
// counted exactly, heap flat across requests), a session's reach and reports.trainingReach(year) over 25,000 views
// (one statement each, within 1.3× a hand-written floor), and practitioners' credits (statements constant in page size).
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { ASSOCIATION_IDS } from '../../src/associations/associations.table.js';
import { rowsOf } from '../../src/db/sql/index.js';
import { encodeGlobalId } from '../../src/global-id.js';
import { reachOfSessions, reachOfYear } from '../../src/training/training.service.js';
import type { DomainBench, DomainBenchContext, DomainBenchResult } from './domains.js';

const EVENTS = 25_000;
const BATCH = 1_000;
/** Per request after the first: lines repeating an event of the previous request, and lines repeating one of its own. */
const REPEATED_ACROSS = 20;
const REPEATED_WITHIN = 10;
/** The bench session's year (past: view events may not be in the future); no demo session starts in it, so the year's reach is the session's. */
const BENCH_YEAR = 2019;
const HEAP_GROWTH_LIMIT_MB = 24;

async function prepare(ctx: DomainBenchContext, tag: string) {
  const [programme] = rowsOf<{ id: number }>(
    await ctx.db.execute(sql`insert into training_programmes (association_id, title, series, audience, search_vector)
      values (${ASSOCIATION_IDS.SZSA}, ${`基准测试培训 ${tag}`}, '基准', 'PUBLIC', ''::tsvector) returning id`),
  );
  const [session] = rowsOf<{ id: number }>(
    await ctx.db.execute(sql`insert into training_sessions (programme_id, association_id, title, mode, starts_at, ends_at, credit_hours, credit_type, search_vector)
      values (${programme!.id}, ${ASSOCIATION_IDS.SZSA}, ${`基准测试场次 ${tag}`}, 'ONLINE_RECORDED', ${`${BENCH_YEAR}-03-01T02:00:00Z`}::timestamptz,
              ${`${BENCH_YEAR}-03-01T04:00:00Z`}::timestamptz, 2, 'ELECTIVE', ''::tsvector) returning id`),
  );
  const practitioners = rowsOf<{ id: number }>(
    await ctx.db.execute(sql`select p.id from practitioners p
      where p.organization_id in (select organization_id from memberships where association_id = ${ASSOCIATION_IDS.SZSA}) order by p.id limit 500`),
  ).map((r) => encodeGlobalId('Practitioner', Number(r.id)));
  if (practitioners.length === 0) throw new Error('training bench: the demo data has no practitioners (seed first)');
  return { programmeId: Number(programme!.id), sessionId: Number(session!.id), session: encodeGlobalId('TrainingSession', Number(session!.id)), practitioners };
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1_048_576;
}

export const bench: DomainBench = {
  domain: 'training',
  async run(ctx) {
    const tag = `${ctx.driver}-${Date.now().toString(36)}`;
    const fixture = await prepare(ctx, tag);
    const writer = { role: 'association' as const, association: 'SZSA' as const, scopes: ['training:write'] };
    const headers = { 'content-type': 'application/x-ndjson' };

    // ---- ingestion: 25 requests of 1,000 lines, with duplicates across and within requests
    let expectedDuplicates = 0;
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    let heapAfterWarmup = 0;
    let heapAtEnd = 0;
    const started = performance.now();
    for (let b = 0; b < EVENTS / BATCH; b++) {
      const lines: string[] = [];
      for (let k = 0; k < BATCH; k++) {
        let n = b * BATCH + k;
        if (b > 0 && k < REPEATED_ACROSS) {
          n = (b - 1) * BATCH + BATCH - REPEATED_ACROSS - REPEATED_WITHIN - 1 - k; // an event the previous request stored
          expectedDuplicates++;
        } else if (k >= BATCH - REPEATED_WITHIN) {
          n = b * BATCH + REPEATED_ACROSS + (k - (BATCH - REPEATED_WITHIN)); // one stored earlier in this request
          expectedDuplicates++;
        }
        const practitionerId = fixture.practitioners[n % fixture.practitioners.length]!;
        lines.push(`{"eventId":"bench-${tag}-${n}","sessionId":"${fixture.session}","practitionerId":"${practitionerId}","watchedSeconds":${60 + (n % 600)},"at":"${BENCH_YEAR}-03-01T12:00:00+08:00"}`);
      }
      const res = await ctx.post('/training/view-events', lines.join('\n'), headers, writer);
      if (res.status !== 200) throw new Error(`training bench: POST /training/view-events answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      accepted += res.body.accepted;
      duplicates += res.body.duplicates;
      rejected += res.body.rejected.length;
      if (b === 4) heapAfterWarmup = heapMb();
    }
    const seconds = (performance.now() - started) / 1000;
    heapAtEnd = heapMb();
    const eventsPerSecond = Math.round(EVENTS / seconds);
    const gate = ctx.driver === 'pglite' ? 5_000 : 15_000;
    const growth = Math.round((heapAtEnd - heapAfterWarmup) * 10) / 10;

    // Exactly 25,000 views for the reach entries: top the session up with the events the duplicates left out.
    await ctx.db.execute(sql`insert into training_view_events (event_id, session_id, practitioner_id, watched_seconds, at)
      select 'bench-fill-' || ${tag} || '-' || g, ${fixture.sessionId}, (select min(id) from practitioners), 60, ${`${BENCH_YEAR}-03-01T04:00:00Z`}::timestamptz
      from generate_series(1, ${EVENTS} - (select count(*) from training_view_events where session_id = ${fixture.sessionId})) g`);

    // ---- reach of the session and of the year, against the hand-written aggregate (the plain way to write it: the
    // distinct participants, then the views counted apart; the API's statement reads the view events once)
    const floorSql = (where: ReturnType<typeof sql>) => sql`
      with s as (${where}), part as (
        select practitioner_id from training_attendance where session_id in (select id from s)
        union select practitioner_id from training_view_events where session_id in (select id from s))
      select count(distinct p.organization_id)::int as firms, count(distinct p.branch_id)::int as branches, count(*)::int as participants,
             (select count(*) from training_view_events where session_id in (select id from s))::int as views
      from part join practitioners p on p.id = part.practitioner_id`;
    const sessionFloor = floorSql(sql`select ${fixture.sessionId}::int as id`);
    const yearFloor = floorSql(sql`select id from training_sessions where starts_at >= ${`${BENCH_YEAR - 1}-12-31T16:00:00Z`}::timestamptz and starts_at < ${`${BENCH_YEAR}-12-31T16:00:00Z`}::timestamptz`);
    const staff = { role: 'association' as const, association: 'SZSA' as const };
    const regulator = { role: 'regulator' as const };
    const sessionQuery = `query($id: ID!) { node(id: $id) { ... on TrainingSession { reach { firms branches participants views } } } }`;
    const yearQuery = `query($y: Int!) { reports { trainingReach(year: $y) { firms branches participants views } } }`;
    const checkSession = await ctx.execute(sessionQuery, { id: fixture.session }, staff);
    const views = checkSession?.data?.node?.reach?.views;
    const [floorRow] = rowsOf<{ views: number }>(await ctx.db.execute(sessionFloor));
    const yearCheck = await ctx.execute(yearQuery, { y: BENCH_YEAR }, regulator);

    const sessionStatements = await ctx.statements(() => reachOfSessions(ctx.db, [fixture.sessionId]));
    const viewerOf = { role: 'REGULATOR' as const, subject: 'bench:regulator', organizationId: null };
    const yearStatements = await ctx.statements(() => reachOfYear(ctx.db, viewerOf, BENCH_YEAR));
    const sessionRequestStatements = await ctx.statements(() => ctx.execute(sessionQuery, { id: fixture.session }, staff));
    const yearRequestStatements = await ctx.statements(() => ctx.execute(yearQuery, { y: BENCH_YEAR }, regulator));
    // The bench programme is PUBLIC: its sessions' reach is anyone's, so the API side asks without a token (no token is
    // signed and verified per call, a cost of this harness, not of the API).
    const sessionCompare = await ctx.compare(() => ctx.execute(sessionQuery, { id: fixture.session }), () => ctx.db.execute(sessionFloor), { reps: 5 });
    const yearCompare = await ctx.compare(() => ctx.execute(yearQuery, { y: BENCH_YEAR }, regulator), () => ctx.db.execute(yearFloor), { reps: 5 });

    // ---- credits: statements constant in page size
    const creditsQuery = `query($n: Int) { practitioners(first: $n) { edges { node { name credits(year: 2026) { totalHours met } } } } }`;
    const small = await ctx.statements(() => ctx.execute(creditsQuery, { n: 10 }, staff));
    const large = await ctx.statements(() => ctx.execute(creditsQuery, { n: 100 }, staff));

    const entries: Omit<DomainBenchResult, 'domain' | 'driver' | 'seconds'>[] = [
      {
        name: 'view ingestion over HTTP (25,000 events, requests of 1,000)',
        figures: { events: EVENTS, seconds: Math.round(seconds * 100) / 100, eventsPerSecond, accepted, duplicates, expectedDuplicates, rejected, heapGrowthMb: growth },
        gates: [
          { name: `throughput ≥ ${gate.toLocaleString('en')} events/s`, pass: eventsPerSecond >= gate, detail: `${eventsPerSecond.toLocaleString('en')} events/s` },
          { name: 'duplicates counted exactly', pass: duplicates === expectedDuplicates && accepted === EVENTS - expectedDuplicates && rejected === 0, detail: `${duplicates} of ${expectedDuplicates}, ${accepted} accepted, ${rejected} rejected` },
          { name: `heap flat across requests (≤ ${HEAP_GROWTH_LIMIT_MB} MB from request 5 to 25)`, pass: growth <= HEAP_GROWTH_LIMIT_MB, detail: `${growth} MB` },
        ],
      },
      {
        name: "a session's reach over 25,000 views",
        figures: { views: Number(views), statementsOfReach: sessionStatements, statementsOfRequest: sessionRequestStatements, apiMs: sessionCompare.apiMs, floorMs: sessionCompare.floorMs, ratio: sessionCompare.ratio },
        gates: [
          { name: 'reach over exactly 25,000 views, as the floor counts', pass: views === EVENTS && Number(floorRow!.views) === EVENTS, detail: `${views} / ${floorRow!.views}` },
          { name: 'one statement', pass: sessionStatements === 1, detail: `${sessionStatements}` },
          { name: 'within 1.3× the floor', pass: sessionCompare.ratio <= 1.3, detail: `${sessionCompare.ratio}×` },
        ],
      },
      {
        name: 'reports.trainingReach(year) over 25,000 views',
        figures: { views: Number(yearCheck?.data?.reports?.trainingReach?.views), statementsOfReach: yearStatements, statementsOfRequest: yearRequestStatements, apiMs: yearCompare.apiMs, floorMs: yearCompare.floorMs, ratio: yearCompare.ratio },
        gates: [
          { name: 'one statement', pass: yearStatements === 1, detail: `${yearStatements}` },
          { name: 'within 1.3× the floor', pass: yearCompare.ratio <= 1.3, detail: `${yearCompare.ratio}×` },
        ],
      },
      {
        name: 'practitioners(first) with credits(year): statements',
        figures: { first10: small, first100: large },
        gates: [{ name: 'constant in page size', pass: small === large, detail: `${small} vs ${large}` }],
      },
    ];
    return entries;
  },
};
