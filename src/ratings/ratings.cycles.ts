// Rating cycles: the yearly cycle's stages, moved on by the association and published by the regulator.
import { desc, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { RATINGS_ASSOCIATION_ID } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx, Tx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation } from '../errors.js';
import { enqueueEvent } from '../outbox/outbox.service.js';
import { signalLiveChange } from '../outbox/outbox.signal.js';
import { todayInShanghai } from '../time.js';
import { insertFollowUps } from './ratings.follow-ups.js';
import { ratingDistribution } from './ratings.reads.js';
import { ratingCyclesTable, ratingGuidelinesTable, type RatingCycleRow, type RatingCycleStatus } from './ratings.table.js';

export const CYCLE_STATUSES: readonly RatingCycleStatus[] = ['PLANNED', 'SELF_ASSESSMENT', 'ASSOCIATION_SCORING', 'BUREAU_REVIEW', 'PUBLISHED'];

// ---------------------------------------------------------------- reading (public reference data)

export async function listCycles(db: DbOrTx): Promise<RatingCycleRow[]> {
  return db.select().from(ratingCyclesTable).orderBy(desc(ratingCyclesTable.year));
}

export async function loadCyclesByIds(db: DbOrTx, ids: readonly number[]): Promise<RatingCycleRow[]> {
  return db.select().from(ratingCyclesTable).where(inArray(ratingCyclesTable.id, [...ids]));
}

export async function findCycleByYear(db: DbOrTx, year: number): Promise<RatingCycleRow | null> {
  if (!Number.isInteger(year)) return null;
  const [row] = await db.select().from(ratingCyclesTable).where(eq(ratingCyclesTable.year, year)).limit(1);
  return row ?? null;
}

// ---------------------------------------------------------------- the stages (association moves them, regulator publishes)

const NOT_FOUND_CYCLE = { zh: '该年度的评价周期不存在', en: 'No rating cycle for that year' };

export interface CycleInput {
  year: number;
  guidelineVersion: number;
  /** The bureau's notice, at the end of January after the rated year; not after the self-assessment deadline. */
  noticeOn?: string | null;
  selfAssessmentDueOn: string;
  associationScoringDueOn: string;
  bureauReviewDueOn: string;
  publicationDueOn: string;
}

function checkYear(errors: ErrorCollector, year: number) {
  if (!Number.isInteger(year) || year < 2019 || year > 2100) {
    errors.add('OUT_OF_RANGE', ['input', 'year'], { zh: '年度应在 2019–2100 之间', en: 'year must be between 2019 and 2100' });
  }
}

export async function createCycle(db: DbOrTx, actor: Viewer, input: CycleInput): Promise<RatingCycleRow> {
  const errors = new ErrorCollector();
  checkYear(errors, input.year);
  const deadlines = ['selfAssessmentDueOn', 'associationScoringDueOn', 'bureauReviewDueOn', 'publicationDueOn'] as const;
  for (let i = 1; i < deadlines.length; i++) {
    if (input[deadlines[i]!] < input[deadlines[i - 1]!]) {
      errors.add('INVALID', ['input', deadlines[i]!], {
        zh: '各阶段截止日期应依次不早于前一阶段',
        en: `${deadlines[i]} cannot be before ${deadlines[i - 1]}`,
      });
    }
  }
  if (input.noticeOn != null && input.noticeOn > input.selfAssessmentDueOn) {
    errors.add('INVALID', ['input', 'noticeOn'], { zh: '工作通知日期不能晚于自评截止日期', en: 'noticeOn cannot be after selfAssessmentDueOn' });
  }
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const [guideline] = await tx
        .select({ id: ratingGuidelinesTable.id })
        .from(ratingGuidelinesTable)
        .where(eq(ratingGuidelinesTable.version, input.guidelineVersion));
      if (!guideline) throw new DomainError('NOT_FOUND', ['input', 'guidelineVersion'], { zh: '指引版本不存在', en: 'No such guideline version' });
      const [cycle] = await tx
        .insert(ratingCyclesTable)
        .values({
          year: input.year,
          noticeOn: input.noticeOn ?? null,
          guidelineId: guideline.id,
          selfAssessmentDueOn: input.selfAssessmentDueOn,
          associationScoringDueOn: input.associationScoringDueOn,
          bureauReviewDueOn: input.bureauReviewDueOn,
          publicationDueOn: input.publicationDueOn,
        })
        .returning();
      await recordAudit(tx, actor, { action: 'rating_cycle.create', entityType: 'RatingCycle', entityId: cycle!.id, after: cycle });
      return cycle!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'rating_cycles_year_key')) {
      throw new DomainError('DUPLICATE', ['input', 'year'], { zh: '该年度已有评价周期', en: 'A cycle for that year already exists' });
    }
    throw error;
  }
}

/**
 * Locks the cycle of a year (a stage move takes it for update, scoring shares it), or refuses an unknown year. A
 * transaction's handle only: outside one the lock would end with the statement.
 */
export async function lockCycle(tx: Tx, year: number, strength: 'update' | 'share'): Promise<RatingCycleRow> {
  const [cycle] = Number.isInteger(year)
    ? await tx.select().from(ratingCyclesTable).where(eq(ratingCyclesTable.year, year)).for(strength)
    : [];
  if (!cycle) throw new DomainError('NOT_FOUND', ['input', 'year'], NOT_FOUND_CYCLE);
  return cycle;
}

export function alreadyPublished(year: number): DomainError {
  return new DomainError('ALREADY_PUBLISHED', ['input', 'year'], {
    zh: `${year} 年度评价结果已发布，不能再修改`,
    en: `The ${year} cycle is already published and can no longer change`,
  });
}

/** The association moves a cycle one stage on: PLANNED → SELF_ASSESSMENT → ASSOCIATION_SCORING → BUREAU_REVIEW. */
export async function advanceCycle(db: DbOrTx, actor: Viewer, input: { year: number; to: RatingCycleStatus }): Promise<RatingCycleRow> {
  return runInTransaction(db, async (tx) => {
    const before = await lockCycle(tx, input.year, 'update');
    if (before.status === 'PUBLISHED') throw alreadyPublished(before.year);
    const next = CYCLE_STATUSES[CYCLE_STATUSES.indexOf(before.status) + 1]!;
    if (input.to !== next) {
      throw new DomainError('INVALID_STATE', ['input', 'to'], {
        zh: `周期当前为 ${before.status}，下一阶段只能是 ${next}`,
        en: `The cycle is ${before.status}; the only next stage is ${next}`,
      });
    }
    if (next === 'PUBLISHED') {
      throw new DomainError('INVALID_STATE', ['input', 'to'], {
        zh: '评价结果由证监局发布（publishRatingCycle）',
        en: 'Publication is the regulator\'s step (publishRatingCycle)',
      });
    }
    const [after] = await tx
      .update(ratingCyclesTable)
      .set({ status: next, updatedAt: sql`now()` })
      .where(eq(ratingCyclesTable.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: 'rating_cycle.advance', entityType: 'RatingCycle', entityId: before.id, before, after });
    return after!;
  });
}

/** The regulator publishes a cycle in BUREAU_REVIEW: grades become visible to firms and C/D follow-ups are created. */
export async function publishCycle(db: DbOrTx, actor: Viewer, year: number): Promise<RatingCycleRow> {
  const published = await runInTransaction(db, async (tx) => {
    const before = await lockCycle(tx, year, 'update');
    if (before.status === 'PUBLISHED') throw alreadyPublished(before.year);
    if (before.status !== 'BUREAU_REVIEW') {
      throw new DomainError('INVALID_STATE', ['input', 'year'], {
        zh: `周期当前为 ${before.status}，须在证监局复核阶段（BUREAU_REVIEW）才能发布`,
        en: `The cycle is ${before.status}; it can be published only from BUREAU_REVIEW`,
      });
    }
    const [after] = await tx
      .update(ratingCyclesTable)
      .set({ status: 'PUBLISHED', publishedAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(ratingCyclesTable.id, before.id))
      .returning();
    const followUps = await insertFollowUps(tx, before, todayInShanghai());
    const distribution = await ratingDistribution(tx, before.year);
    const grades = Object.fromEntries(distribution.map((d) => [d.grade, d.count]));
    await enqueueEvent(tx, {
      type: 'rating_cycle.published',
      entityType: 'RatingCycle',
      entityId: before.id,
      associationId: RATINGS_ASSOCIATION_ID,
      payload: { year: before.year, publishedAt: after!.publishedAt, grades, followUps },
    });
    await recordAudit(tx, actor, {
      action: 'rating_cycle.publish',
      entityType: 'RatingCycle',
      entityId: before.id,
      before,
      after: { ...after, grades, followUps },
    });
    return after!;
  });
  // Live streams following it (src/live): at once in this process, through the poller elsewhere.
  signalLiveChange('RatingCycle', [published.id]);
  return published;
}
