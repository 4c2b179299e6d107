// Business rules of the professional committees: terms (换届) and seats.
import { and, asc, count, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { committeeAdminScope, membershipRightsSuspendedCondition } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation } from '../errors.js';
import { membershipsTable, organizationsTable } from '../members/members.table.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import {
  committeePeopleTable,
  committeeSeatsTable,
  committeesTable,
  committeeTermsTable,
  type CommitteePersonRow,
  type CommitteeRow,
  type CommitteeSeatRow,
  type CommitteeTermRow,
} from './committees.table.js';

export async function listCommittees(db: DbOrTx): Promise<CommitteeRow[]> {
  return db.select().from(committeesTable).orderBy(asc(committeesTable.id));
}

export async function loadCommitteesByIds(db: DbOrTx, ids: readonly number[]): Promise<CommitteeRow[]> {
  return db.select().from(committeesTable).where(inArray(committeesTable.id, [...ids]));
}

/** Terms of many committees, newest first. */
export async function loadTermsByCommitteeIds(db: DbOrTx, committeeIds: readonly number[]): Promise<CommitteeTermRow[]> {
  return db
    .select()
    .from(committeeTermsTable)
    .where(inArray(committeeTermsTable.committeeId, [...committeeIds]))
    .orderBy(desc(committeeTermsTable.number));
}

/** The current term: the newest one that has started and has not ended, as of `today`. */
export function currentTerm(terms: CommitteeTermRow[], today: string): CommitteeTermRow | null {
  return terms.find((t) => t.startsOn <= today && (t.endsOn === null || t.endsOn >= today)) ?? null;
}

/**
 * The seats of many terms, chair first, in one statement: for a term that has ended (its endsOn is before `today`) its
 * final roster — every seat it had, including people who left early, each with its end date and reason; for a term
 * still running (or not yet started) the seats still held.
 */
export async function loadSeatsByTermIds(db: DbOrTx, termIds: readonly number[], today: string): Promise<CommitteeSeatRow[]> {
  return db
    .select(getTableColumns(committeeSeatsTable))
    .from(committeeSeatsTable)
    .innerJoin(committeeTermsTable, eq(committeeTermsTable.id, committeeSeatsTable.termId))
    .where(
      and(
        inArray(committeeSeatsTable.termId, [...termIds]),
        or(isNull(committeeSeatsTable.endedOn), and(isNotNull(committeeTermsTable.endsOn), lt(committeeTermsTable.endsOn, today))),
      ),
    )
    .orderBy(asc(committeeSeatsTable.role), asc(committeeSeatsTable.id));
}

/** Every seat of many terms (held or ended), chair first: a term's whole roster over its life. */
export async function loadAllSeatsByTermIds(db: DbOrTx, termIds: readonly number[]): Promise<CommitteeSeatRow[]> {
  return db
    .select()
    .from(committeeSeatsTable)
    .where(inArray(committeeSeatsTable.termId, [...termIds]))
    .orderBy(asc(committeeSeatsTable.role), asc(committeeSeatsTable.id));
}

/** Committee people by id (public directory data, like the seats they hold). */
export async function loadPeopleByIds(db: DbOrTx, ids: readonly number[]): Promise<CommitteePersonRow[]> {
  return db.select().from(committeePeopleTable).where(inArray(committeePeopleTable.id, [...ids]));
}

/** Every seat of many people, across terms and committees, newest appointment first. */
export async function loadSeatsByPersonIds(db: DbOrTx, personIds: readonly number[]): Promise<CommitteeSeatRow[]> {
  return db
    .select()
    .from(committeeSeatsTable)
    .where(inArray(committeeSeatsTable.personId, [...personIds]))
    .orderBy(desc(committeeSeatsTable.appointedOn), desc(committeeSeatsTable.id));
}

export async function findCommitteeById(db: DbOrTx, id: number): Promise<CommitteeRow | null> {
  const [row] = await db.select().from(committeesTable).where(eq(committeesTable.id, id));
  return row ?? null;
}

// ---------------------------------------------------------------- edits by the association
//
// An association's staff change their own association's committees only (committeeAdminScope): another
// association's committee, term or seat looks missing.

export type CommitteeRole = CommitteeSeatRow['role'];
export type CommitteeSeatEndReason = NonNullable<CommitteeSeatRow['endReason']>;

export const MAX_VICE_CHAIRS_PER_TERM = 7;
export const MAX_PERSON_NAME_LENGTH = 50;

const NOT_FOUND_COMMITTEE = { zh: '专业委员会不存在', en: 'Committee not found' };
const NOT_FOUND_TERM = { zh: '委员会届次不存在', en: 'Committee term not found' };
const NOT_FOUND_SEAT = { zh: '委员会席位不存在', en: 'Committee seat not found' };
const NOT_FOUND_ORG = { zh: '机构不存在', en: 'Organization not found' };
const NOT_FOUND_PERSON = { zh: '委员会人员不存在', en: 'Committee person not found' };

/** Namespace of the transaction-level advisory locks that serialize appointments of one person across committees. */
const PERSON_LOCK_NAMESPACE = 0x636d7400; // "cmt\0"

/** The committees the actor changes, as a condition on committees.association_id (false when none). */
function administered(actor: Viewer) {
  const scope = committeeAdminScope(actor);
  return scope.kind === 'association' ? eq(committeesTable.associationId, scope.associationId) : sql`false`;
}

/** The calendar day before an ISO date (YYYY-MM-DD). */
function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

export interface OpenCommitteeTermInput {
  committeeId: number | null;
  startsOn: string;
  endsOn?: string | null;
}

/**
 * Opens the next term of a committee (换届): number = previous + 1. The previous term ends the day
 * before the new one starts (if it had not ended already) and every seat still held in it ends with it.
 */
export async function openCommitteeTerm(db: DbOrTx, actor: Viewer, input: OpenCommitteeTermInput): Promise<CommitteeTermRow> {
  const endsOn = input.endsOn ?? null;
  if (endsOn !== null && endsOn < input.startsOn) {
    throw new DomainError('INVALID', ['input', 'endsOn'], { zh: '计划结束日期不能早于开始日期', en: 'endsOn cannot be before startsOn' });
  }
  try {
    return await runInTransaction(db, async (tx) => {
      // Locking the committee serializes 换届, so two calls cannot both take the same number.
      const [committee] =
        input.committeeId === null
          ? []
          : await tx.select().from(committeesTable).where(and(eq(committeesTable.id, input.committeeId), administered(actor))).for('update');
      if (!committee) throw new DomainError('NOT_FOUND', ['input', 'committeeId'], NOT_FOUND_COMMITTEE);

      const [previous] = await tx
        .select()
        .from(committeeTermsTable)
        .where(eq(committeeTermsTable.committeeId, committee.id))
        .orderBy(desc(committeeTermsTable.number))
        .limit(1)
        .for('update');
      let previousAfter: CommitteeTermRow | null = null;
      let endedSeats: CommitteeSeatRow[] = [];
      if (previous) {
        if (input.startsOn <= previous.startsOn) {
          throw new DomainError('INVALID', ['input', 'startsOn'], {
            zh: `新一届的开始日期必须晚于上一届（第 ${previous.number} 届）的开始日期 ${previous.startsOn}`,
            en: `startsOn must be after the start of the previous term (term ${previous.number}, ${previous.startsOn})`,
          });
        }
        const stillRunning = previous.endsOn === null || previous.endsOn >= input.startsOn;
        const closedOn = stillRunning ? dayBefore(input.startsOn) : previous.endsOn!;
        const held = and(eq(committeeSeatsTable.termId, previous.id), isNull(committeeSeatsTable.endedOn));
        const [late] = await tx
          .select({ appointedOn: committeeSeatsTable.appointedOn })
          .from(committeeSeatsTable)
          .where(and(held, gt(committeeSeatsTable.appointedOn, closedOn)))
          .orderBy(desc(committeeSeatsTable.appointedOn))
          .limit(1);
        if (late) {
          throw new DomainError('INVALID', ['input', 'startsOn'], {
            zh: `上一届有席位任职日期为 ${late.appointedOn}，新一届的开始日期须晚于该日期`,
            en: `A seat of the previous term was appointed on ${late.appointedOn}; startsOn must be after that date`,
          });
        }
        if (stillRunning) {
          [previousAfter] = await tx
            .update(committeeTermsTable)
            .set({ endsOn: closedOn })
            .where(eq(committeeTermsTable.id, previous.id))
            .returning();
        }
        // Seats never outlive their term: whatever is still held in the previous term ends with it.
        endedSeats = await tx.update(committeeSeatsTable).set({ endedOn: closedOn, endReason: 'TERM_EXPIRED' }).where(held).returning();
      }

      const [term] = await tx
        .insert(committeeTermsTable)
        .values({ committeeId: committee.id, number: (previous?.number ?? 0) + 1, startsOn: input.startsOn, endsOn })
        .returning();
      await recordAudit(tx, actor, {
        action: 'committeeTerm.open',
        entityType: 'CommitteeTerm',
        entityId: term!.id,
        before: previous ? { previousTerm: previous } : null,
        after: {
          term,
          previousTerm: previousAfter ?? previous ?? null,
          endedSeats: endedSeats.map((s) => ({ id: s.id, endedOn: s.endedOn, endReason: s.endReason })),
        },
      });
      return term!;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'committee_terms_number_key')) {
      throw new DomainError('INVALID_STATE', ['input', 'committeeId'], {
        zh: '该委员会同时有另一次换届，请刷新后重试',
        en: 'Another term of this committee was opened at the same time; reload and try again',
      });
    }
    throw error;
  }
}

export interface AppointCommitteeSeatInput {
  termId: number | null;
  organizationId: number | null;
  /** An existing person of the committee's association (re-appointment keeps the person); null when unparseable. */
  personId?: number | null;
  /** A new person's name: appointing by name always records a new person (namesakes are different people). */
  personName?: string | null;
  role: CommitteeRole;
  appointedOn: string;
}

function mapSeatConflict(error: unknown, personField: string): never {
  if (isUniqueViolation(error, 'committee_seats_one_chair')) {
    throw new DomainError('LIMIT_EXCEEDED', ['input', 'role'], {
      zh: '本届已有在任主任委员，每届只能有一名主任委员',
      en: 'This term already has a chair; a term has one chair at a time',
    });
  }
  if (isUniqueViolation(error, 'committee_seats_one_per_person_record')) {
    throw new DomainError('DUPLICATE', ['input', personField], {
      zh: '该人员在本届已有在任席位',
      en: 'This person already holds a seat in this term',
    });
  }
  throw error;
}

/**
 * Appoints a person to a seat in a term: an existing person (`personId`, of the committee's association) or a new
 * person record (`personName`); exactly one of the two. The term row is locked first, so the per-term rules (one
 * chair, at most 7 vice chairs, one seat per person and per organization) hold under concurrency; an advisory lock on
 * the person does the same for "one committee per person". The organization must be an ACTIVE member of the
 * committee's association whose membership rights are not suspended (a FINAL SUSPEND_MEMBERSHIP_RIGHTS in force).
 */
export async function appointCommitteeSeat(db: DbOrTx, actor: Viewer, input: AppointCommitteeSeatInput, today = todayInShanghai()): Promise<CommitteeSeatRow> {
  const errors = new ErrorCollector();
  const byId = input.personId !== undefined;
  const byName = input.personName !== undefined && input.personName !== null;
  if (byId && byName) {
    errors.add('INVALID', ['input', 'personId'], { zh: '请只填写 personId 或 personName 之一', en: 'Give personId or personName, not both' });
  }
  const personName = byId
    ? null
    : cleanText(errors, input.personName ?? null, {
        field: ['input', 'personName'],
        max: MAX_PERSON_NAME_LENGTH,
        required: true,
        labelZh: '姓名',
        labelEn: 'personName',
      });
  errors.throwIfAny();
  const personField = byId ? 'personId' : 'personName';
  try {
    return await runInTransaction(db, async (tx) => {
      const [found] =
        input.termId === null
          ? []
          : await tx
              .select({ term: committeeTermsTable, associationId: committeesTable.associationId })
              .from(committeeTermsTable)
              .innerJoin(committeesTable, eq(committeesTable.id, committeeTermsTable.committeeId))
              .where(and(eq(committeeTermsTable.id, input.termId), administered(actor)))
              .for('update', { of: committeeTermsTable });
      const term = found?.term;
      if (!term) throw new DomainError('NOT_FOUND', ['input', 'termId'], NOT_FOUND_TERM);
      if (term.endsOn !== null && term.endsOn < input.appointedOn) {
        throw new DomainError('INVALID_STATE', ['input', 'termId'], {
          zh: `第 ${term.number} 届已于 ${term.endsOn} 结束，不能再任命`,
          en: `Term ${term.number} ended on ${term.endsOn}; no more appointments`,
        });
      }
      // After 换届 the old term is closed for good: a seat added to it would stay "held" forever.
      const [successor] = await tx
        .select({ number: committeeTermsTable.number })
        .from(committeeTermsTable)
        .where(and(eq(committeeTermsTable.committeeId, term.committeeId), gt(committeeTermsTable.number, term.number)))
        .limit(1);
      if (successor) {
        throw new DomainError('INVALID_STATE', ['input', 'termId'], {
          zh: `第 ${term.number} 届已换届（已有第 ${successor.number} 届），不能再任命`,
          en: `Term ${term.number} has been succeeded by term ${successor.number}; no more appointments`,
        });
      }
      if (input.appointedOn < term.startsOn) {
        throw new DomainError('INVALID', ['input', 'appointedOn'], {
          zh: `任职日期不能早于本届开始日期 ${term.startsOn}`,
          en: `appointedOn cannot be before the term starts (${term.startsOn})`,
        });
      }
      const [org] =
        input.organizationId === null
          ? []
          : await tx
              .select({
                id: organizationsTable.id,
                memberOf: membershipsTable.associationId,
                status: membershipsTable.status,
                suspended: sql<boolean>`${membershipRightsSuspendedCondition(organizationsTable.id, today)}`,
              })
              .from(organizationsTable)
              .leftJoin(membershipsTable, and(eq(membershipsTable.organizationId, organizationsTable.id), eq(membershipsTable.associationId, found!.associationId)))
              .where(eq(organizationsTable.id, input.organizationId));
      if (!org) throw new DomainError('NOT_FOUND', ['input', 'organizationId'], NOT_FOUND_ORG);
      // A committee's seats are for its association's members.
      if (org.memberOf === null) {
        throw new DomainError('INVALID', ['input', 'organizationId'], {
          zh: '该机构不是本专业委员会所属协会的会员',
          en: 'This organization is not a member of the committee\'s association',
        });
      }
      if (org.status !== 'ACTIVE' || org.suspended === true || (org.suspended as unknown) === 't') {
        throw new DomainError('INVALID_STATE', ['input', 'organizationId'], {
          zh: '该会员单位的会员资格或会员权利暂停中（或已退会），不能任命其人员',
          en: 'This member\'s membership or membership rights are suspended (or it has left); its people cannot be appointed',
        });
      }

      let person: CommitteePersonRow | null = null;
      if (byId) {
        const [existing] =
          input.personId === null
            ? []
            : await tx
                .select()
                .from(committeePeopleTable)
                .where(and(eq(committeePeopleTable.id, input.personId!), eq(committeePeopleTable.associationId, found!.associationId)));
        if (!existing) throw new DomainError('NOT_FOUND', ['input', 'personId'], NOT_FOUND_PERSON);
        person = existing;
        await tx.execute(sql`select pg_advisory_xact_lock(${PERSON_LOCK_NAMESPACE}::int4, ${person.id}::int4)`);
        // A seat held in any term that has not ended by appointedOn overlaps the new one.
        const [other] = await tx
          .select({ termId: committeeTermsTable.id, number: committeeTermsTable.number, committeeName: committeesTable.name })
          .from(committeeSeatsTable)
          .innerJoin(committeeTermsTable, eq(committeeTermsTable.id, committeeSeatsTable.termId))
          .innerJoin(committeesTable, eq(committeesTable.id, committeeTermsTable.committeeId))
          .where(
            and(
              eq(committeeSeatsTable.personId, person.id),
              isNull(committeeSeatsTable.endedOn),
              or(isNull(committeeTermsTable.endsOn), gte(committeeTermsTable.endsOn, input.appointedOn)),
            ),
          )
          .orderBy(sql`${committeeTermsTable.id} = ${term.id} desc`)
          .limit(1);
        if (other?.termId === term.id) {
          throw new DomainError('DUPLICATE', ['input', 'personId'], { zh: '该人员在本届已有在任席位', en: 'This person already holds a seat in this term' });
        }
        if (other) {
          throw new DomainError('DUPLICATE', ['input', 'personId'], {
            zh: `该人员已在“${other.committeeName}”第 ${other.number} 届任职；一人不得同时在两个以上专业委员会任职`,
            en: `This person already sits on ${other.committeeName} (term ${other.number}); a person sits on one committee at a time`,
          });
        }
      }

      const [sameOrg] = await tx
        .select({ id: committeeSeatsTable.id })
        .from(committeeSeatsTable)
        .where(and(eq(committeeSeatsTable.termId, term.id), eq(committeeSeatsTable.organizationId, org.id), isNull(committeeSeatsTable.endedOn)))
        .limit(1);
      if (sameOrg) {
        throw new DomainError('DUPLICATE', ['input', 'organizationId'], {
          zh: '该会员单位在本届已有在任席位；每个会员单位每届只能有一个席位',
          en: 'This organization already holds a seat in this term; one seat per organization per term',
        });
      }

      if (input.role === 'VICE_CHAIR') {
        const [{ n }] = (await tx
          .select({ n: count() })
          .from(committeeSeatsTable)
          .where(and(eq(committeeSeatsTable.termId, term.id), eq(committeeSeatsTable.role, 'VICE_CHAIR'), isNull(committeeSeatsTable.endedOn)))) as [
          { n: number },
        ];
        if (n >= MAX_VICE_CHAIRS_PER_TERM) {
          throw new DomainError('LIMIT_EXCEEDED', ['input', 'role'], {
            zh: `每届最多 ${MAX_VICE_CHAIRS_PER_TERM} 名在任副主任委员`,
            en: `A term has at most ${MAX_VICE_CHAIRS_PER_TERM} vice chairs at a time`,
          });
        }
      }

      if (person === null) {
        [person] = (await tx.insert(committeePeopleTable).values({ associationId: found!.associationId, name: personName! }).returning()) as [CommitteePersonRow];
        await recordAudit(tx, actor, { action: 'committeePerson.create', entityType: 'CommitteePerson', entityId: person.id, after: person });
      }
      const [seat] = await tx
        .insert(committeeSeatsTable)
        .values({ termId: term.id, organizationId: org.id, personId: person.id, personName: person.name, role: input.role, appointedOn: input.appointedOn })
        .returning();
      await recordAudit(tx, actor, { action: 'committeeSeat.appoint', entityType: 'CommitteeSeat', entityId: seat!.id, after: seat });
      return seat!;
    });
  } catch (error) {
    mapSeatConflict(error, personField);
  }
}

export interface EndCommitteeSeatInput {
  seatId: number | null;
  endedOn: string;
  reason: CommitteeSeatEndReason;
}

/** Ends a held seat, recording why. */
export async function endCommitteeSeat(db: DbOrTx, actor: Viewer, input: EndCommitteeSeatInput): Promise<CommitteeSeatRow> {
  return runInTransaction(db, async (tx) => {
    const [found] =
      input.seatId === null
        ? []
        : await tx
            .select({ seat: committeeSeatsTable })
            .from(committeeSeatsTable)
            .innerJoin(committeeTermsTable, eq(committeeTermsTable.id, committeeSeatsTable.termId))
            .innerJoin(committeesTable, eq(committeesTable.id, committeeTermsTable.committeeId))
            .where(and(eq(committeeSeatsTable.id, input.seatId), administered(actor)))
            .for('update', { of: committeeSeatsTable });
    const before = found?.seat;
    if (!before) throw new DomainError('NOT_FOUND', ['input', 'seatId'], NOT_FOUND_SEAT);
    if (before.endedOn !== null) {
      throw new DomainError('INVALID_STATE', ['input', 'seatId'], {
        zh: `该席位已于 ${before.endedOn} 结束`,
        en: `This seat already ended on ${before.endedOn}`,
      });
    }
    if (input.endedOn < before.appointedOn) {
      throw new DomainError('INVALID', ['input', 'endedOn'], {
        zh: `离任日期不能早于任职日期 ${before.appointedOn}`,
        en: `endedOn cannot be before appointedOn (${before.appointedOn})`,
      });
    }
    const [term] = await tx.select({ endsOn: committeeTermsTable.endsOn }).from(committeeTermsTable).where(eq(committeeTermsTable.id, before.termId));
    if (term?.endsOn && input.endedOn > term.endsOn) {
      throw new DomainError('INVALID', ['input', 'endedOn'], {
        zh: `离任日期不能晚于本届结束日期 ${term.endsOn}`,
        en: `endedOn cannot be after the term ends (${term.endsOn})`,
      });
    }
    const [after] = await tx.update(committeeSeatsTable).set({ endedOn: input.endedOn, endReason: input.reason }).where(eq(committeeSeatsTable.id, before.id)).returning();
    await recordAudit(tx, actor, {
      action: 'committeeSeat.end',
      entityType: 'CommitteeSeat',
      entityId: before.id,
      before,
      after,
    });
    return after!;
  });
}
