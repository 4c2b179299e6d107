// The changes of training and continuing education: surveys and answers, programmes and sessions (with the
// TRAINING_SESSION_SCHEDULED event), practitioners and enrolments by their firm, attendance, certificates, and the
// obligations other domains record. Each is one transaction with its audit entry; a mistake is a DomainError and
// nothing is written.
import { randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { activeMemberOf, mayManageOwnPractitioners, trainingAdminAssociation } from '../auth/policy.js';
import { isMember, type Viewer } from '../auth/viewer.js';
import type { DbOrTx, Tx } from '../db/client.js';
import { rowsOf } from '../db/sql/index.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation, type LocalizedMessage } from '../errors.js';
import { encodeGlobalId } from '../global-id.js';
import { branchesTable } from '../members/members.table.js';
import { enqueueEvent } from '../outbox/outbox.service.js';
import { buildSearchVector } from '../policies/policies.search.js';
import { cleanText } from '../text.js';
import { todayInShanghai } from '../time.js';
import { completedPairs, programmeColumns, sessionColumns, visiblePractitioners, visibleSessions } from './training.service.js';
import {
  practitionersTable,
  trainingAttendanceTable,
  trainingCertificatesTable,
  trainingEnrolmentsTable,
  trainingLecturersTable,
  trainingNeedsSurveysTable,
  trainingObligationsTable,
  trainingProgrammesTable,
  trainingSessionsTable,
  trainingSurveyAnswersTable,
  type CreditType,
  type PractitionerRow,
  type TrainingCertificateRow,
  type TrainingNeedsSurveyRow,
  type TrainingObligationRow,
  type TrainingObligationSource,
  type TrainingProgrammeRow,
  type TrainingSessionRow,
  type TrainingTopic,
  type TrainingMode,
} from './training.table.js';

export const MAX_TITLE_LENGTH = 120;
export const MAX_SERIES_LENGTH = 60;
export const MAX_NAME_LENGTH = 50;
export const MAX_LECTURERS = 10;
export const MAX_REASON_LENGTH = 200;
export const MAX_REGISTER_BATCH = 500;
export const MAX_ENROL_BATCH = 500;
export const MAX_ATTENDANCE_BATCH = 500;
export const MAX_CREDIT_HOURS = 24;
/** SAC registration numbers (登记编号): S + 13 digits (DOMAIN.md §2.3). */
export const REGISTRATION_NUMBER = /^S\d{13}$/;

const NOT_FOUND_SURVEY: LocalizedMessage = { zh: '培训需求调查不存在', en: 'Training needs survey not found' };
const NOT_FOUND_PROGRAMME: LocalizedMessage = { zh: '培训项目不存在', en: 'Training programme not found' };
const NOT_FOUND_SESSION: LocalizedMessage = { zh: '培训场次不存在', en: 'Training session not found' };
const NOT_FOUND_PRACTITIONER: LocalizedMessage = { zh: '从业人员不存在', en: 'Practitioner not found' };
const NOT_FOUND_CERTIFICATE: LocalizedMessage = { zh: '培训证书不存在', en: 'Training certificate not found' };

function staffAssociationOrFail(actor: Viewer): number {
  const associationId = trainingAdminAssociation(actor);
  if (associationId === null) throw new DomainError('NOT_FOUND', null, { zh: '只有协会工作人员可以办理', en: 'Only an association\'s staff may do this' });
  return associationId;
}

function checkTopics(errors: ErrorCollector, topics: readonly TrainingTopic[], field: string[]): TrainingTopic[] {
  if (topics.length === 0) errors.add('REQUIRED', field, { zh: '至少选择一个培训主题', en: 'Choose at least one topic' });
  if (new Set(topics).size !== topics.length) errors.add('INVALID', field, { zh: '培训主题不能重复', en: 'Topics must not repeat' });
  return [...topics];
}

// ---------------------------------------------------------------- surveys

export interface CreateSurveyInput {
  title: string;
  closesOn: string;
  topics: TrainingTopic[];
}

export async function createTrainingNeedsSurvey(db: DbOrTx, actor: Viewer, input: CreateSurveyInput): Promise<TrainingNeedsSurveyRow> {
  const associationId = staffAssociationOrFail(actor);
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: MAX_TITLE_LENGTH, required: true, labelZh: '标题', labelEn: 'Title' });
  const topics = checkTopics(errors, input.topics, ['input', 'topics']);
  if (input.closesOn < todayInShanghai()) errors.add('INVALID', ['input', 'closesOn'], { zh: '截止日期不能早于今天', en: 'closesOn cannot be in the past' });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const [survey] = await tx.insert(trainingNeedsSurveysTable).values({ associationId, title: title!, closesOn: input.closesOn, topics, createdBy: actor.subject }).returning();
    await recordAudit(tx, actor, { action: 'trainingNeedsSurvey.create', entityType: 'TrainingNeedsSurvey', entityId: survey!.id, after: survey });
    return survey!;
  });
}

export interface AnswerSurveyInput {
  surveyId: number | null;
  topics: TrainingTopic[];
}

/**
 * A member answers a survey of an association it is an active member of, until the survey closes (its closesOn day
 * included, Asia/Shanghai). Answering again replaces its topics.
 */
export async function answerTrainingNeedsSurvey(db: DbOrTx, actor: Viewer, input: AnswerSurveyInput): Promise<TrainingNeedsSurveyRow> {
  if (!isMember(actor) || actor.organizationId === null || actor.serviceAccount) {
    throw new DomainError('NOT_FOUND', ['input', 'surveyId'], NOT_FOUND_SURVEY);
  }
  const organizationId = actor.organizationId;
  const errors = new ErrorCollector();
  const topics = checkTopics(errors, input.topics, ['input', 'topics']);
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const s = trainingNeedsSurveysTable;
    const [survey] =
      input.surveyId === null
        ? []
        : await tx.select().from(s).where(and(eq(s.id, input.surveyId), activeMemberOf(sql`${organizationId}`, s.associationId)));
    if (!survey) throw new DomainError('NOT_FOUND', ['input', 'surveyId'], NOT_FOUND_SURVEY);
    if (survey.closesOn < todayInShanghai()) {
      throw new DomainError('DEADLINE_PASSED', ['input', 'surveyId'], { zh: `调查已于 ${survey.closesOn} 截止`, en: `The survey closed on ${survey.closesOn}` });
    }
    const unknown = topics.filter((t) => !survey.topics.includes(t));
    if (unknown.length > 0) {
      throw new DomainError('INVALID', ['input', 'topics'], { zh: `调查未提供这些主题：${unknown.join('、')}`, en: `The survey does not offer: ${unknown.join(', ')}` });
    }
    const [answer] = await tx
      .insert(trainingSurveyAnswersTable)
      .values({ surveyId: survey.id, organizationId, topics, answeredBy: actor.subject })
      .onConflictDoUpdate({
        target: [trainingSurveyAnswersTable.surveyId, trainingSurveyAnswersTable.organizationId],
        set: { topics, answeredBy: actor.subject, answeredAt: sql`now()` },
      })
      .returning();
    await recordAudit(tx, actor, { action: 'trainingNeedsSurvey.answer', entityType: 'TrainingNeedsSurvey', entityId: survey.id, after: answer });
    return survey;
  });
}

// ---------------------------------------------------------------- programmes and sessions

export interface CreateProgrammeInput {
  title: string;
  series?: string | null;
  audience: 'PUBLIC' | 'MEMBERS';
}

export function programmeSearchVector(title: string, series: string | null): string {
  return buildSearchVector([
    { text: title, weight: 'A' },
    { text: series, weight: 'B' },
  ]);
}

export function sessionSearchVector(title: string, lecturers: readonly string[]): string {
  return buildSearchVector([
    { text: title, weight: 'A' },
    { text: lecturers.join('\n'), weight: 'B' },
  ]);
}

export async function createTrainingProgramme(db: DbOrTx, actor: Viewer, input: CreateProgrammeInput): Promise<TrainingProgrammeRow> {
  const associationId = staffAssociationOrFail(actor);
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: MAX_TITLE_LENGTH, required: true, labelZh: '标题', labelEn: 'Title' });
  const series = cleanText(errors, input.series, { field: ['input', 'series'], max: MAX_SERIES_LENGTH, labelZh: '系列', labelEn: 'Series' }) ?? null;
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const [programme] = await tx
      .insert(trainingProgrammesTable)
      .values({ associationId, title: title!, series, audience: input.audience, searchVector: sql`${programmeSearchVector(title!, series)}::tsvector` as unknown as string })
      .returning(programmeColumns);
    await recordAudit(tx, actor, { action: 'trainingProgramme.create', entityType: 'TrainingProgramme', entityId: programme!.id, after: programme });
    return programme!;
  });
}

export interface ScheduleSessionInput {
  programmeId: number | null;
  title: string;
  mode: TrainingMode;
  startsAt: Date;
  endsAt: Date;
  creditHours: number;
  creditType: CreditType;
  lecturers?: string[] | null;
}

/** Schedules a session of the staff's own association's programme; TRAINING_SESSION_SCHEDULED goes out with it. */
export async function scheduleTrainingSession(db: DbOrTx, actor: Viewer, input: ScheduleSessionInput): Promise<TrainingSessionRow> {
  const associationId = staffAssociationOrFail(actor);
  const errors = new ErrorCollector();
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: MAX_TITLE_LENGTH, required: true, labelZh: '标题', labelEn: 'Title' });
  if (!(input.endsAt.getTime() > input.startsAt.getTime())) {
    errors.add('INVALID', ['input', 'endsAt'], { zh: '结束时间必须晚于开始时间', en: 'endsAt must be after startsAt' });
  } else if (input.endsAt.getTime() - input.startsAt.getTime() > 7 * 86_400_000) {
    errors.add('OUT_OF_RANGE', ['input', 'endsAt'], { zh: '一场培训不能超过 7 天', en: 'A session lasts at most 7 days' });
  }
  if (!Number.isFinite(input.creditHours) || input.creditHours <= 0 || input.creditHours > MAX_CREDIT_HOURS) {
    errors.add('OUT_OF_RANGE', ['input', 'creditHours'], { zh: `学时须大于 0 且不超过 ${MAX_CREDIT_HOURS}`, en: `creditHours must be more than 0 and at most ${MAX_CREDIT_HOURS}` });
  } else if (Math.round(input.creditHours * 10) !== input.creditHours * 10) {
    errors.add('INVALID', ['input', 'creditHours'], { zh: '学时最多保留一位小数', en: 'creditHours has at most one decimal' });
  }
  const lecturersIn = input.lecturers ?? [];
  if (lecturersIn.length > MAX_LECTURERS) errors.add('LIMIT_EXCEEDED', ['input', 'lecturers'], { zh: `讲师最多 ${MAX_LECTURERS} 位`, en: `At most ${MAX_LECTURERS} lecturers` });
  const lecturers = lecturersIn
    .slice(0, MAX_LECTURERS)
    .map((name, i) => cleanText(errors, name, { field: ['input', 'lecturers', String(i)], max: MAX_NAME_LENGTH, required: true, labelZh: '讲师姓名', labelEn: 'Lecturer name' })!);
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const p = trainingProgrammesTable;
    const [programme] =
      input.programmeId === null ? [] : await tx.select(programmeColumns).from(p).where(and(eq(p.id, input.programmeId), eq(p.associationId, associationId)));
    if (!programme) throw new DomainError('NOT_FOUND', ['input', 'programmeId'], NOT_FOUND_PROGRAMME);
    const [session] = await tx
      .insert(trainingSessionsTable)
      .values({
        programmeId: programme.id,
        associationId,
        title: title!,
        mode: input.mode,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        creditHours: input.creditHours,
        creditType: input.creditType,
        searchVector: sql`${sessionSearchVector(title!, lecturers)}::tsvector` as unknown as string,
      })
      .returning(sessionColumns);
    if (lecturers.length > 0) {
      await tx.insert(trainingLecturersTable).values(lecturers.map((name, position) => ({ sessionId: session!.id, position, name })));
    }
    await recordAudit(tx, actor, { action: 'trainingSession.schedule', entityType: 'TrainingSession', entityId: session!.id, after: { session, lecturers } });
    await enqueueEvent(tx, {
      type: 'training_session.scheduled',
      entityType: 'TrainingSession',
      entityId: session!.id,
      associationId,
      payload: {
        sessionId: encodeGlobalId('TrainingSession', session!.id),
        programmeId: encodeGlobalId('TrainingProgramme', programme.id),
        title: session!.title,
        mode: session!.mode,
        startsAt: session!.startsAt.toISOString(),
        endsAt: session!.endsAt.toISOString(),
        creditHours: session!.creditHours,
        creditType: session!.creditType,
      },
    });
    return session!;
  });
}

// ---------------------------------------------------------------- practitioners and enrolments (a firm, its own staff)

export interface PractitionerInput {
  name: string;
  registrationNumber?: string | null;
  /** undefined/null: no branch; NaN: an unparseable id. */
  branchId?: number | null;
  branchIdGiven?: boolean;
}

/** Registers up to 500 practitioners of the viewer's own firm; a branch must be one of the firm's own. */
export async function registerPractitioners(db: DbOrTx, actor: Viewer, inputs: PractitionerInput[]): Promise<PractitionerRow[]> {
  if (!mayManageOwnPractitioners(actor)) throw new DomainError('NOT_FOUND', null, { zh: '只有证券公司可以登记本机构从业人员', en: 'Only a securities firm registers its own practitioners' });
  const organizationId = actor.organizationId!;
  const errors = new ErrorCollector();
  if (inputs.length === 0) errors.add('REQUIRED', ['input', 'practitioners'], { zh: '至少登记一人', en: 'Register at least one practitioner' });
  if (inputs.length > MAX_REGISTER_BATCH) {
    errors.add('LIMIT_EXCEEDED', ['input', 'practitioners'], { zh: `一次最多登记 ${MAX_REGISTER_BATCH} 人`, en: `At most ${MAX_REGISTER_BATCH} practitioners at a time` });
    errors.throwIfAny();
  }
  const cleaned = inputs.map((input, i) => {
    const field = (name: string) => ['input', 'practitioners', String(i), name];
    const name = cleanText(errors, input.name, { field: field('name'), max: MAX_NAME_LENGTH, required: true, labelZh: '姓名', labelEn: 'Name' });
    const registrationNumber = cleanText(errors, input.registrationNumber, { field: field('registrationNumber'), max: 14, labelZh: '登记编号', labelEn: 'Registration number' }) ?? null;
    if (registrationNumber !== null && !REGISTRATION_NUMBER.test(registrationNumber)) {
      errors.add('INVALID', field('registrationNumber'), { zh: '登记编号应为 S 加 13 位数字', en: 'A registration number is S followed by 13 digits' });
    }
    if (input.branchIdGiven && input.branchId === null) errors.add('NOT_FOUND', field('branchId'), { zh: '分支机构不存在', en: 'Branch not found' });
    return { name: name!, registrationNumber, branchId: input.branchId ?? null };
  });
  const seen = new Set<string>();
  cleaned.forEach((c, i) => {
    if (c.registrationNumber === null) return;
    if (seen.has(c.registrationNumber)) {
      errors.add('DUPLICATE', ['input', 'practitioners', String(i), 'registrationNumber'], { zh: '同一批中登记编号重复', en: 'The registration number repeats in this batch' });
    }
    seen.add(c.registrationNumber);
  });
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const branchIds = [...new Set(cleaned.map((c) => c.branchId).filter((b): b is number => b !== null))];
      if (branchIds.length > 0) {
        const found = await tx.select({ id: branchesTable.id, firmId: branchesTable.firmId }).from(branchesTable).where(inArray(branchesTable.id, branchIds));
        const firmOf = new Map(found.map((b) => [b.id, b.firmId]));
        const problems = new ErrorCollector();
        cleaned.forEach((c, i) => {
          if (c.branchId === null) return;
          const field = ['input', 'practitioners', String(i), 'branchId'];
          if (!firmOf.has(c.branchId)) problems.add('NOT_FOUND', field, { zh: '分支机构不存在', en: 'Branch not found' });
          else if (firmOf.get(c.branchId) !== organizationId) problems.add('NOT_OWN_BRANCH', field, { zh: '分支机构不属于本机构', en: 'The branch belongs to another firm' });
        });
        problems.throwIfAny();
      }
      const rows = await tx
        .insert(practitionersTable)
        .values(cleaned.map((c) => ({ organizationId, branchId: c.branchId, name: c.name, registrationNumber: c.registrationNumber, createdBy: actor.subject })))
        .returning();
      await recordAudit(tx, actor, { action: 'practitioner.register', entityType: 'Practitioner', entityId: rows.length === 1 ? rows[0]!.id : null, after: { ids: rows.map((r) => r.id) } });
      return rows;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'practitioners_registration_per_org')) {
      throw new DomainError('DUPLICATE', ['input', 'practitioners'], { zh: '登记编号已被本机构另一名从业人员使用', en: 'A registration number is already used by another of your practitioners' });
    }
    throw error;
  }
}

/** Enrols the firm's own practitioners collectively (集体报名) in a session it may see; enrolling twice is a no-op. */
export async function enrolPractitioners(db: DbOrTx, actor: Viewer, input: { sessionId: number | null; practitionerIds: (number | null)[] }): Promise<number> {
  if (!mayManageOwnPractitioners(actor)) throw new DomainError('NOT_FOUND', ['input', 'sessionId'], NOT_FOUND_SESSION);
  const organizationId = actor.organizationId!;
  const errors = new ErrorCollector();
  if (input.practitionerIds.length === 0) errors.add('REQUIRED', ['input', 'practitionerIds'], { zh: '至少报名一人', en: 'Enrol at least one practitioner' });
  if (input.practitionerIds.length > MAX_ENROL_BATCH) errors.add('LIMIT_EXCEEDED', ['input', 'practitionerIds'], { zh: `一次最多报名 ${MAX_ENROL_BATCH} 人`, en: `At most ${MAX_ENROL_BATCH} at a time` });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const s = trainingSessionsTable;
    const [session] = input.sessionId === null ? [] : await tx.select({ id: s.id }).from(s).where(and(eq(s.id, input.sessionId), visibleSessions(actor)));
    if (!session) throw new DomainError('NOT_FOUND', ['input', 'sessionId'], NOT_FOUND_SESSION);
    const ids = [...new Set(input.practitionerIds.filter((id): id is number => id !== null))];
    const own = ids.length === 0 ? [] : await tx.select({ id: practitionersTable.id }).from(practitionersTable).where(and(inArray(practitionersTable.id, ids), eq(practitionersTable.organizationId, organizationId)));
    const ownIds = new Set(own.map((p) => p.id));
    const problems = new ErrorCollector();
    input.practitionerIds.forEach((id, i) => {
      // Another firm's practitioner looks exactly like one that does not exist.
      if (id === null || !ownIds.has(id)) problems.add('NOT_FOUND', ['input', 'practitionerIds', String(i)], NOT_FOUND_PRACTITIONER);
    });
    problems.throwIfAny();
    const inserted = await tx
      .insert(trainingEnrolmentsTable)
      .values([...ownIds].map((practitionerId) => ({ sessionId: session.id, practitionerId, channel: 'COLLECTIVE' as const, enrolledBy: actor.subject })))
      .onConflictDoNothing()
      .returning({ id: trainingEnrolmentsTable.id });
    await recordAudit(tx, actor, { action: 'trainingSession.enrol', entityType: 'TrainingSession', entityId: session.id, after: { practitionerIds: [...ownIds], newlyEnrolled: inserted.length } });
    return inserted.length;
  });
}

// ---------------------------------------------------------------- attendance and certificates (the session's association)

async function ownSession(tx: Tx, associationId: number, sessionId: number | null, field: string[]): Promise<TrainingSessionRow> {
  const s = trainingSessionsTable;
  const [session] = sessionId === null ? [] : await tx.select(sessionColumns).from(s).where(and(eq(s.id, sessionId), eq(s.associationId, associationId))).for('update');
  if (!session) throw new DomainError('NOT_FOUND', field, NOT_FOUND_SESSION);
  return session;
}

export interface AttendanceInput {
  practitionerId: number | null;
  attendedMinutes: number;
  completed: boolean;
}

/** Appends attendance records of the association's trainees to one of its sessions. */
export async function recordTrainingAttendance(db: DbOrTx, actor: Viewer, input: { sessionId: number | null; records: AttendanceInput[] }): Promise<number> {
  const associationId = staffAssociationOrFail(actor);
  const errors = new ErrorCollector();
  if (input.records.length === 0) errors.add('REQUIRED', ['input', 'records'], { zh: '至少记录一人', en: 'Record at least one attendance' });
  if (input.records.length > MAX_ATTENDANCE_BATCH) errors.add('LIMIT_EXCEEDED', ['input', 'records'], { zh: `一次最多记录 ${MAX_ATTENDANCE_BATCH} 条`, en: `At most ${MAX_ATTENDANCE_BATCH} records at a time` });
  input.records.forEach((r, i) => {
    if (!Number.isInteger(r.attendedMinutes) || r.attendedMinutes < 0 || r.attendedMinutes > 1440) {
      errors.add('OUT_OF_RANGE', ['input', 'records', String(i), 'attendedMinutes'], { zh: '参训分钟数须在 0 到 1440 之间', en: 'attendedMinutes must be between 0 and 1440' });
    }
  });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const session = await ownSession(tx, associationId, input.sessionId, ['input', 'sessionId']);
    const ids = [...new Set(input.records.map((r) => r.practitionerId).filter((id): id is number => id !== null))];
    const visible = ids.length === 0 ? [] : await tx.select({ id: practitionersTable.id }).from(practitionersTable).where(and(inArray(practitionersTable.id, ids), visiblePractitioners(actor)));
    const visibleIds = new Set(visible.map((p) => p.id));
    const problems = new ErrorCollector();
    input.records.forEach((r, i) => {
      if (r.practitionerId === null || !visibleIds.has(r.practitionerId)) problems.add('NOT_FOUND', ['input', 'records', String(i), 'practitionerId'], NOT_FOUND_PRACTITIONER);
    });
    problems.throwIfAny();
    const rows = await tx
      .insert(trainingAttendanceTable)
      .values(input.records.map((r) => ({ sessionId: session.id, practitionerId: r.practitionerId!, attendedMinutes: r.attendedMinutes, completed: r.completed, recordedBy: actor.subject })))
      .returning({ id: trainingAttendanceTable.id });
    await recordAudit(tx, actor, { action: 'trainingSession.recordAttendance', entityType: 'TrainingSession', entityId: session.id, after: { records: input.records } });
    return rows.length;
  });
}

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U
/** A certificate's public code: TC- and 16 random base32 characters (80 bits), in groups of four. */
export function newCertificateCode(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += CODE_ALPHABET[bytes[i]! & 31];
  return `TC-${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}`;
}

/**
 * Issues one certificate per practitioner who completed the session (attendance, or viewing for recorded sessions) and
 * has none yet; re-issuing adds only the missing ones. Answers every certificate of the session.
 */
export async function issueTrainingCertificates(db: DbOrTx, actor: Viewer, input: { id: number | null }): Promise<TrainingCertificateRow[]> {
  const associationId = staffAssociationOrFail(actor);
  return runInTransaction(db, async (tx) => {
    const session = await ownSession(tx, associationId, input.id, ['input', 'id']);
    const done = rowsOf<{ practitioner_id: number }>(
      await tx.execute(sql`select practitioner_id from ${completedPairs({ session: sql`s.id = ${session.id}` })} done
        where not exists (select 1 from ${trainingCertificatesTable} c where c.session_id = ${session.id} and c.practitioner_id = done.practitioner_id)
        order by practitioner_id`),
    );
    const issuedOn = todayInShanghai();
    const created =
      done.length === 0
        ? []
        : await tx
            .insert(trainingCertificatesTable)
            .values(done.map((d) => ({ code: newCertificateCode(), sessionId: session.id, practitionerId: Number(d.practitioner_id), issuedOn })))
            .onConflictDoNothing({ target: [trainingCertificatesTable.sessionId, trainingCertificatesTable.practitionerId] })
            .returning();
    await recordAudit(tx, actor, { action: 'trainingCertificate.issue', entityType: 'TrainingSession', entityId: session.id, after: { issued: created.map((c) => c.id) } });
    return tx.select().from(trainingCertificatesTable).where(eq(trainingCertificatesTable.sessionId, session.id)).orderBy(asc(trainingCertificatesTable.id));
  });
}

/** Revokes a certificate of the staff's association's session by its code, with a reason; its credit goes with it. */
export async function revokeTrainingCertificate(db: DbOrTx, actor: Viewer, input: { code: string; reason: string }): Promise<TrainingCertificateRow> {
  const associationId = staffAssociationOrFail(actor);
  const errors = new ErrorCollector();
  const reason = cleanText(errors, input.reason, { field: ['input', 'reason'], max: MAX_REASON_LENGTH, required: true, labelZh: '撤销原因', labelEn: 'Reason' });
  const code = cleanText(errors, input.code, { field: ['input', 'code'], max: 32, required: true, labelZh: '证书编号', labelEn: 'Code' });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const c = trainingCertificatesTable;
    const [certificate] = await tx
      .select({ certificate: c })
      .from(c)
      .innerJoin(trainingSessionsTable, eq(trainingSessionsTable.id, c.sessionId))
      .where(and(eq(c.code, code!.toUpperCase()), eq(trainingSessionsTable.associationId, associationId)))
      .for('update');
    if (!certificate) throw new DomainError('NOT_FOUND', ['input', 'code'], NOT_FOUND_CERTIFICATE);
    if (certificate.certificate.revokedAt !== null) {
      throw new DomainError('INVALID_STATE', ['input', 'code'], { zh: '证书已撤销', en: 'The certificate is already revoked' });
    }
    const [revoked] = await tx
      .update(c)
      .set({ revokedAt: sql`now()`, revokeReason: reason! })
      .where(and(eq(c.id, certificate.certificate.id), isNull(c.revokedAt)))
      .returning();
    await recordAudit(tx, actor, { action: 'trainingCertificate.revoke', entityType: 'TrainingCertificate', entityId: revoked!.id, before: certificate.certificate, after: revoked });
    return revoked!;
  });
}

// ---------------------------------------------------------------- obligations recorded by other domains

export interface RecordTrainingObligationInput {
  organizationId: number;
  associationId: number;
  source: TrainingObligationSource;
  /** The measure's (or rating's) id: one obligation per source row and organization. */
  sourceId: number;
  reason: string;
  dueOn?: string | null;
}

/**
 * Records a training obligation in the caller's transaction (the self-regulation domain calls it when a
 * MANDATORY_TRAINING measure becomes final). Recording the same source again changes nothing and answers the first.
 */
export async function recordTrainingObligation(tx: DbOrTx, input: RecordTrainingObligationInput): Promise<TrainingObligationRow> {
  const o = trainingObligationsTable;
  const [inserted] = await tx
    .insert(o)
    .values({ organizationId: input.organizationId, associationId: input.associationId, source: input.source, sourceId: input.sourceId, reason: input.reason, dueOn: input.dueOn ?? null })
    .onConflictDoNothing({ target: [o.source, o.sourceId, o.organizationId] })
    .returning();
  if (inserted) return inserted;
  const [existing] = await tx.select().from(o).where(and(eq(o.source, input.source), eq(o.sourceId, input.sourceId), eq(o.organizationId, input.organizationId)));
  return existing!;
}
