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

describe('demo ratings as the bureau and the association run them (issue 24)', () => {
  it('labels the demo guideline 示例 in its name and description: it is not the bureau\'s', async () => {
    const guidelines = await rows(t.database.db, sql`select title, note from rating_guidelines order by version`);
    expect(guidelines.length).toBeGreaterThan(0);
    for (const g of guidelines) {
      expect(g.title).toContain('示例');
      expect(g.note).toContain('示例');
      expect(g.title).not.toMatch(/^深圳辖区证券公司分支机构分类/);
    }
  });

  it('keeps the real rhythm: the notice at the end of January after the rated year, results by 15 March', async () => {
    const cycles = await rows(
      t.database.db,
      sql`select year, notice_on::text, self_assessment_due_on::text, association_scoring_due_on::text, bureau_review_due_on::text,
        publication_due_on::text, (published_at at time zone 'Asia/Shanghai')::date::text as published_on from rating_cycles order by year`,
    );
    for (const c of cycles) {
      const next = c.year + 1;
      expect(c.notice_on >= `${next}-01-25` && c.notice_on <= `${next}-01-31`, `${c.year} notice ${c.notice_on}`).toBe(true);
      for (const due of [c.self_assessment_due_on, c.association_scoring_due_on, c.bureau_review_due_on]) {
        expect(due > c.notice_on && due <= c.publication_due_on, `${c.year} ${due}`).toBe(true);
      }
      expect(c.publication_due_on).toBe(`${next}-03-15`);
      if (c.published_on) expect(c.published_on > c.bureau_review_due_on && c.published_on <= `${next}-03-15`).toBe(true);
    }
    const res = await t.gql('{ ratingCycle(year: 2025) { noticeOn publicationDueOn publishedAt } }');
    expect(res.body.data.ratingCycle).toMatchObject({ noticeOn: '2026-01-30', publicationDueOn: '2026-03-15' });
    expect(res.body.data.ratingCycle.publishedAt).toMatch(/^2026-03-13T/);
  });

  it('gives every D of the published cycle the consequences the seeded interpretation promises', async () => {
    const d = await rows(
      t.database.db,
      sql`select r.id, array_agg(f.type::text || '/' || f.owner::text order by f.type, f.owner) as kinds from branch_ratings r
        join rating_cycles y on y.id = r.cycle_id join supervisory_follow_ups f on f.rating_id = r.id
        where y.year = 2025 and r.grade = 'D' group by r.id`,
    );
    expect(d.length).toBeGreaterThan(0);
    for (const r of d) {
      expect(r.kinds).toEqual([
        'WARNING_TALK_BRANCH_HEAD/BUREAU',
        'RECTIFICATION_REPORT/BRANCH',
        'KEY_INSPECTION_TARGET/BUREAU',
        'KEY_INSPECTION_TARGET/ASSOCIATION',
        'TALK_HQ_BROKERAGE_EXEC_AND_CCO/BUREAU',
        'OBJECTION_TO_BRANCH_HEAD/BUREAU',
      ]);
    }
    // 约谈分支机构负责人 (C and D), 约谈分管经纪业务高管和合规总监 and the objection to the branch head (D) are what the
    // seeded interpretation of the guideline says.
    const text = await rows(t.database.db, sql`select body from policy_interpretations where body like '%被评为 D 类%'`);
    expect(text.map((r) => r.body).join('')).toMatch(/约谈其负责人[\s\S]*D 类[\s\S]*合规总监[\s\S]*分支机构负责人/);
  });

  it('designates one primary contact unit (主要联系单位) per firm, an open Shenzhen branch of its own, a 分公司 where it has one', async () => {
    const units = await rows(
      t.database.db,
      sql`select p.firm_id, b.firm_id as branch_firm, b.kind, b.closed_on, b.district,
        exists (select 1 from branches o where o.firm_id = p.firm_id and o.kind = 'BRANCH_COMPANY' and o.closed_on is null and o.district is not null) as has_company
        from primary_contact_units p join branches b on b.id = p.branch_id`,
    );
    const firms = await rows(t.database.db, sql`select distinct firm_id from branches where closed_on is null and district is not null`);
    expect(units.length).toBe(firms.length);
    for (const u of units) {
      expect(u.branch_firm).toBe(u.firm_id);
      expect(u.closed_on).toBeNull();
      expect(u.district).not.toBeNull();
      if (u.has_company) expect(u.kind).toBe('BRANCH_COMPANY');
    }
    const [branch] = await rows(t.database.db, sql`select b.id, p.branch_id as unit from branches b join primary_contact_units p on p.firm_id = b.firm_id where b.id <> p.branch_id order by b.id limit 1`);
    const id = (n: number) => Buffer.from(`Branch:${n}`).toString('base64url');
    const res = await t.gql('query($id: ID!) { node(id: $id) { ... on Branch { primaryContactUnit { id primaryContactUnit { id } } } } }', { id: id(branch.id) });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.node.primaryContactUnit.id).toBe(id(branch.unit));
    // The unit is its own firm's contact unit.
    expect(res.body.data.node.primaryContactUnit.primaryContactUnit.id).toBe(id(branch.unit));
  });
});
