// The demo ratings: the promised shape (2025 published with every open branch rated and follow-ups, 2026 in bureau
// review), consistent with the grading function, deterministic, and loaded in a few set-based statements.
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { countStatements, statementCountingLogger } from '../src/db/instrumentation.js';
import { seedRatings } from '../src/ratings/ratings.seed.js';
import { gradingGuideline } from '../src/ratings/ratings.guidelines.js';
import { recomputeRatings } from '../src/ratings/ratings.recompute.js';
import { branchRatingsTable, ratingCyclesTable, ratingGuidelinesTable, ratingIndicatorsTable } from '../src/ratings/ratings.table.js';
import { seedDemoData } from '../src/seed/demo-data.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const rows = async (db: Database['db'], query: ReturnType<typeof sql>) => ((await db.execute(query)) as unknown as { rows: any[] }).rows;

const RATINGS = sql`select y.year, b.name, r.self_score::text, r.association_score::text, r.bureau_score::text, r.total_score::text, r.computed_grade, r.grade
  from branch_ratings r join rating_cycles y on y.id = r.cycle_id join branches b on b.id = r.branch_id order by y.year, b.id`;

describe('demo ratings', () => {
  it('2025 is published with every open branch rated, mostly A and B, some C and D with their follow-ups', async () => {
    const cycles = await rows(t.database.db, sql`select year, status, published_at is not null as published from rating_cycles order by year`);
    expect(cycles).toEqual([
      { year: 2025, status: 'PUBLISHED', published: true },
      { year: 2026, status: 'BUREAU_REVIEW', published: false },
    ]);
    const unrated = await rows(t.database.db, sql`select b.id from branches b where b.closed_on is null and not exists (
      select 1 from branch_ratings r join rating_cycles y on y.id = r.cycle_id where r.branch_id = b.id and y.year = 2025)`);
    expect(unrated).toEqual([]);
    for (const year of [2025, 2026]) {
      const grades = Object.fromEntries(
        (await rows(t.database.db, sql`select r.grade, count(*)::int as n from branch_ratings r join rating_cycles y on y.id = r.cycle_id where y.year = ${year} group by r.grade`)).map((g) => [g.grade, g.n]),
      );
      const total = Object.values(grades).reduce((s: number, n) => s + (n as number), 0);
      expect((grades.A + grades.B) / total).toBeGreaterThan(0.6);
      expect(grades.C).toBeGreaterThan(0);
      expect(grades.D).toBeGreaterThan(0);
    }
    const missingFollowUps = await rows(t.database.db, sql`select r.id from branch_ratings r join rating_cycles y on y.id = r.cycle_id
      where y.year = 2025 and r.grade in ('C', 'D') and not exists (select 1 from supervisory_follow_ups f where f.rating_id = r.id)`);
    expect(missingFollowUps).toEqual([]);
    const stages = await rows(t.database.db, sql`select distinct y.year, l.stage from rating_score_lines l join branch_ratings r on r.id = l.rating_id
      join rating_cycles y on y.id = r.cycle_id order by 1, 2`);
    expect(stages.map((s) => `${s.year}:${s.stage}`)).toEqual(['2025:SELF', '2025:ASSOCIATION', '2025:BUREAU', '2026:SELF', '2026:ASSOCIATION', '2026:BUREAU']);
    const overrides = await rows(t.database.db, sql`select count(*)::int as n from rating_override_decisions`);
    expect(overrides[0].n).toBeGreaterThan(0);
  });

  it('is the same on every run, and loads in a few set-based statements', async () => {
    const fresh = await openDatabase({ dataDir: 'unused', pglite: new PGlite(), statementLogger: statementCountingLogger });
    try {
      await fresh.migrate();
      const { count } = await fresh.db.transaction(async (tx) => {
        await seedDemoData(tx);
        return countStatements(() => seedRatings(tx));
      });
      expect(count).toBeLessThanOrEqual(12);
      expect(await rows(fresh.db, RATINGS)).toEqual(await rows(t.database.db, RATINGS));
    } finally {
      await fresh.close();
    }
  });

  it('stores the scores the grading function gives: every rating recomputes to itself', async () => {
    const before = await rows(t.database.db, RATINGS);
    await t.database.db.transaction(async (tx) => {
      for (const cycle of await tx.select().from(ratingCyclesTable)) {
        const [guideline] = await tx.select().from(ratingGuidelinesTable).where(eq(ratingGuidelinesTable.id, cycle.guidelineId));
        const indicators = await tx.select().from(ratingIndicatorsTable).where(eq(ratingIndicatorsTable.guidelineId, cycle.guidelineId));
        const ratings = await tx.select().from(branchRatingsTable).where(eq(branchRatingsTable.cycleId, cycle.id));
        await recomputeRatings(tx, gradingGuideline(guideline!, indicators), ratings);
      }
    });
    expect(await rows(t.database.db, RATINGS)).toEqual(before);
  });
});
