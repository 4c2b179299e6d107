// Supervisory follow-ups: what a published C or D grade brings, and their progress as the association and the
// bureau record it.
import { and, eq, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector } from '../errors.js';
import { branchesTable } from '../members/members.table.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import { ratingVisibility } from './ratings.reads.js';
import {
  branchRatingsTable,
  ratingCyclesTable,
  supervisoryFollowUpsTable,
  type SupervisoryFollowUpRow,
  type SupervisoryFollowUpStatus,
} from './ratings.table.js';

// ---------------------------------------------------------------- the follow-ups of a publication

/** Adds calendar days to an ISO date. */
export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The supervisory follow-ups a published grade brings [DOMAIN §1.1]: C gets the warning talk with the branch head
 * and a rectification report; D gets those too (约谈分支机构负责人 included), becomes a key inspection target of the
 * bureau and the association, brings the talk with the firm's brokerage executive and chief compliance officer, and
 * the bureau's decision whether to object to the branch head's fitness for the post (对分支机构负责人的任职提出意见).
 */
export function followUpPlan(year: number, publishedOn: string) {
  const talkBy = addDays(publishedOn, 30);
  const reportBy = addDays(publishedOn, 60);
  const inspectionBy = `${year + 1}-12-31`;
  const forC = [
    { type: 'WARNING_TALK_BRANCH_HEAD', owner: 'BUREAU', dueOn: talkBy },
    { type: 'RECTIFICATION_REPORT', owner: 'BRANCH', dueOn: reportBy },
  ] as const;
  const forD = [
    ...forC,
    { type: 'KEY_INSPECTION_TARGET', owner: 'BUREAU', dueOn: inspectionBy },
    { type: 'KEY_INSPECTION_TARGET', owner: 'ASSOCIATION', dueOn: inspectionBy },
    { type: 'TALK_HQ_BROKERAGE_EXEC_AND_CCO', owner: 'BUREAU', dueOn: talkBy },
    { type: 'OBJECTION_TO_BRANCH_HEAD', owner: 'BUREAU', dueOn: reportBy },
  ] as const;
  return { C: forC, D: forD } as const;
}

/** Creates the follow-ups of every C and D rating of a cycle in one statement; returns how many. */
export async function insertFollowUps(tx: DbOrTx, cycle: { id: number; year: number }, publishedOn: string): Promise<number> {
  const plan = followUpPlan(cycle.year, publishedOn);
  const specs = (['C', 'D'] as const).flatMap((grade) =>
    plan[grade].map((f) => sql`(${grade}::branch_grade, ${f.type}::supervisory_follow_up_type, ${f.owner}::follow_up_owner, ${f.dueOn}::date)`),
  );
  const result = (await tx.execute(sql`
    insert into ${supervisoryFollowUpsTable} (rating_id, type, owner, due_on)
    select r.id, s.type, s.owner, s.due_on
    from ${branchRatingsTable} r
    join (values ${sql.join(specs, sql`, `)}) as s(grade, type, owner, due_on) on s.grade = r.grade
    where r.cycle_id = ${cycle.id}
    on conflict do nothing`)) as unknown as { rowCount?: number | null; affectedRows?: number };
  return Number(result.rowCount ?? result.affectedRows ?? 0);
}


// ---------------------------------------------------------------- follow-up progress (association, bureau)

const FOLLOW_UP_ORDER: readonly SupervisoryFollowUpStatus[] = ['OPEN', 'IN_PROGRESS', 'DONE'];
const followUpStatusZh: Record<SupervisoryFollowUpStatus, string> = { OPEN: '未开始', IN_PROGRESS: '进行中', DONE: '已完成' };
export const MAX_FOLLOW_UP_NOTE_LENGTH = 500;

/**
 * Records the progress of a supervisory follow-up: OPEN → IN_PROGRESS → DONE, forward only (DONE is final). Only a
 * follow-up of a rating the actor may see can be found; the change is audited.
 */
export async function updateFollowUpStatus(
  db: DbOrTx,
  actor: Viewer,
  input: { id: number | null; status: SupervisoryFollowUpStatus; note?: string | null },
): Promise<SupervisoryFollowUpRow> {
  const errors = new ErrorCollector();
  const note = cleanText(errors, input.note, { field: ['input', 'note'], max: MAX_FOLLOW_UP_NOTE_LENGTH, multiline: true, labelZh: '说明', labelEn: 'note' });
  errors.throwIfAny();
  const notFound = new DomainError('NOT_FOUND', ['input', 'id'], { zh: '监管措施不存在', en: 'Follow-up not found' });
  const visible = ratingVisibility(actor);
  const id = input.id;
  if (visible === null || id === null) throw notFound;
  return runInTransaction(db, async (tx) => {
    const [found] = await tx
      .select({ followUp: supervisoryFollowUpsTable })
      .from(supervisoryFollowUpsTable)
      .innerJoin(branchRatingsTable, eq(branchRatingsTable.id, supervisoryFollowUpsTable.ratingId))
      .innerJoin(ratingCyclesTable, eq(ratingCyclesTable.id, branchRatingsTable.cycleId))
      .innerJoin(branchesTable, eq(branchesTable.id, branchRatingsTable.branchId))
      .where(and(visible, eq(supervisoryFollowUpsTable.id, id)))
      .for('update', { of: supervisoryFollowUpsTable });
    if (!found) throw notFound;
    const before = found.followUp;
    if (FOLLOW_UP_ORDER.indexOf(input.status) <= FOLLOW_UP_ORDER.indexOf(before.status)) {
      throw new DomainError('INVALID_STATE', ['input', 'status'], {
        zh: `监管措施当前为“${followUpStatusZh[before.status]}”，不能变为“${followUpStatusZh[input.status]}”`,
        en: `The follow-up is ${before.status}; it cannot move to ${input.status}`,
      });
    }
    const [after] = await tx
      .update(supervisoryFollowUpsTable)
      .set({
        status: input.status,
        completedOn: input.status === 'DONE' ? todayInShanghai() : null,
        ...(note !== undefined ? { note } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(supervisoryFollowUpsTable.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: 'supervisory_follow_up.update', entityType: 'SupervisoryFollowUp', entityId: before.id, before, after });
    return after!;
  });
}
