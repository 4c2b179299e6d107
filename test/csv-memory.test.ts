// A large CSV export streams in constant memory: 20,000 ratings (about 60 MB of CSV) leave the heap flat, because rows
// come from the database in keyset batches and each batch waits for the socket to drain.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSV_BATCH_SIZE } from '../src/reports/reports.csv.js';
import { createTestApp, type TestApp } from './support/harness.js';
import { scalar } from './support/ratings.js';

const ROWS = 20_000;
const YEAR = 2031;
const MB = 1024 * 1024;
// About 1,100 characters of Chinese per reason: some 3.3 KB per row, about 66 MB in all.
const REASON_UNIT = '复核意见，"重点"检查；';

let t: TestApp;
let token: string;
let gc: () => void;

beforeAll(async () => {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc') as () => void;
  t = await createTestApp();
  token = await t.token('association');
  const db = t.database.db;
  const firmId = await scalar(t, sql`select id from organizations where kind = 'SECURITIES_FIRM' order by id limit 1`);
  const guidelineId = await scalar(t, sql`select id from rating_guidelines order by version desc limit 1`);
  await db.execute(sql`insert into rating_cycles (year, guideline_id, status, self_assessment_due_on, association_scoring_due_on, bureau_review_due_on, publication_due_on)
    values (${YEAR}, ${guidelineId}, 'BUREAU_REVIEW', ${`${YEAR}-09-30`}, ${`${YEAR}-11-15`}, ${`${YEAR}-12-15`}, ${`${YEAR}-12-31`})`);
  await db.execute(sql`insert into branches (firm_id, kind, name, district)
    select ${firmId}, 'SALES_DEPARTMENT', '压测证券营业部第' || g || '号', 'FUTIAN' from generate_series(1, ${ROWS}) g`);
  await db.execute(sql`insert into branch_ratings (cycle_id, branch_id, total_score, computed_grade, grade, adjusted_grade, adjustment_reason)
    select y.id, b.id, 65.5, 'D', 'D', 'D', repeat(${REASON_UNIT}, 100) || b.id
    from branches b cross join rating_cycles y
    where y.year = ${YEAR} and b.name like '压测证券营业部第%'`);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

/** Heap and buffers in use after a full collection: what the process actually holds. */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Reads the export slowly (so a server without backpressure would pile it up), sampling live memory as it goes. */
async function streamExport(): Promise<{ bytes: number; newlines: number; peakGrowth: number }> {
  const baseline = liveBytes();
  const res = await fetch(`${t.url}/reports/branch-ratings.csv?year=${YEAR}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let bytes = 0;
  let newlines = 0;
  let peakGrowth = 0;
  for (let chunk = 0; ; chunk++) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    for (const b of value) if (b === 0x0a) newlines++;
    if (chunk % 64 === 0) {
      // Give the server time to run ahead if it would, then look at what is live.
      await new Promise((r) => setTimeout(r, 20));
      peakGrowth = Math.max(peakGrowth, liveBytes() - baseline);
    }
  }
  return { bytes, newlines, peakGrowth };
}

describe('a large CSV export', () => {
  it(`streams ${ROWS} ratings (tens of MB) with flat memory`, async () => {
    // The first export warms up code paths and the embedded database's memory; the second is measured.
    const warm = await streamExport();
    expect(warm.newlines).toBe(ROWS + 1);
    const measured = await streamExport();
    expect(measured.newlines).toBe(ROWS + 1);
    expect(measured.bytes).toBeGreaterThan(60 * MB);
    // One batch of rows is about 2 MB; buffering the export would hold well over 60 MB.
    expect(measured.peakGrowth).toBeLessThan(24 * MB);
    expect(CSV_BATCH_SIZE).toBe(500);
  }, 180_000);

  it('a client that goes away mid-export leaves the server answering', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/reports/branch-ratings.csv?year=${YEAR}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.read().catch(() => undefined);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    const small = await fetch(`${t.url}/reports/branch-ratings.csv?year=2025`, { headers: { authorization: `Bearer ${token}` } });
    expect(small.status).toBe(200);
    expect((await small.text()).split('\r\n').length).toBeGreaterThan(10);
  }, 60_000);
});
