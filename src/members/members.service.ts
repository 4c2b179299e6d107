// Business rules of the member directory: the association's edits of organizations and branches, and contacts.
import { and, count, eq, sql } from 'drizzle-orm';
import { primaryAssociationOf } from '../associations/associations.table.js';
import { recordAudit } from '../audit/audit.service.js';
import { mayEditContacts, mayEditContactsCondition, organizationAdminScope, scopeCondition } from '../auth/policy.js';
import { staffAssociationOf, type Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector, isUniqueViolation } from '../errors.js';
import { cleanText } from '../text.js';
import { checkCreditCode, normalizeCreditCode, parseListing, type CreditCodeHolder, type ParsedListing } from './identifiers.js';
import type { District, OrganizationKind } from './members.reads.js';
import {
  branchesTable,
  contactsTable,
  listingsTable,
  membershipEventsTable,
  membershipsTable,
  organizationsTable,
  type BranchRow,
  type ContactRow,
  type OrganizationRow,
} from './members.table.js';

// ---------------------------------------------------------------- edits by the association
//
// An association's staff administer their association's members (organizationAdminScope): another association's
// member looks missing. Memberships they record are their own association's; the organization's own membership
// columns repeat its membership in its primary association, so they change only with that one.

const NOT_FOUND_ORG = { zh: '机构不存在', en: 'Organization not found' };
const NOT_FOUND_BRANCH = { zh: '分支机构不存在', en: 'Branch not found' };

export interface OrganizationFields {
  kind?: OrganizationKind;
  name?: string;
  shortName?: string | null;
  nameEn?: string | null;
  creditCode?: string;
  stockCode?: string | null;
  /** Every listing, primary first ("600999.SH", "6099.HK"); [] clears them all. */
  listings?: string[] | null;
  district?: District | null;
  address?: string | null;
  memberSince?: string | null;
  membershipCategory?: OrganizationRow['membershipCategory'];
}

/** Cleans and checks organization fields; `creating` makes the identity fields required. */
function checkOrganizationFields(input: OrganizationFields, creating: boolean) {
  const errors = new ErrorCollector();
  const values: Partial<typeof organizationsTable.$inferInsert> = {};
  if (creating && !input.kind) errors.add('REQUIRED', ['input', 'kind'], { zh: '机构类型不能为空', en: 'kind is required' });
  if (input.kind) values.kind = input.kind;
  const name = cleanText(errors, input.name, { field: ['input', 'name'], max: 100, required: creating || input.name !== undefined, labelZh: '机构名称', labelEn: 'name' });
  if (name) values.name = name;
  const shortName = cleanText(errors, input.shortName, { field: ['input', 'shortName'], max: 30, labelZh: '简称', labelEn: 'shortName' });
  if (shortName !== undefined) values.shortName = shortName;
  const nameEn = cleanText(errors, input.nameEn, { field: ['input', 'nameEn'], max: 200, labelZh: '英文名称', labelEn: 'nameEn' });
  if (nameEn !== undefined) values.nameEn = nameEn;
  const address = cleanText(errors, input.address, { field: ['input', 'address'], max: 200, labelZh: '地址', labelEn: 'address' });
  if (address !== undefined) values.address = address;
  if (creating && input.creditCode === undefined) {
    errors.add('REQUIRED', ['input', 'creditCode'], { zh: '统一社会信用代码不能为空', en: 'creditCode is required' });
  }
  if (input.creditCode !== undefined) {
    const code = normalizeCreditCode(input.creditCode);
    const problems = checkCreditCode(code).errors;
    for (const problem of problems) errors.add('INVALID', ['input', 'creditCode'], problem.message);
    if (problems.length === 0) values.creditCode = code;
  }
  const listings = checkListingInput(errors, input);
  if (input.district !== undefined) values.district = input.district;
  errors.throwIfAny();
  const membership: { since?: string | null; category?: OrganizationRow['membershipCategory'] } = {};
  if (input.memberSince !== undefined) membership.since = input.memberSince;
  if (input.membershipCategory) membership.category = input.membershipCategory;
  return { values, membership, listings };
}

export const MAX_LISTINGS = 10;

const STOCK_CODE_HELP = {
  zh: '应为代码加交易所后缀，如 000001.SZ、300750.SZ、600999.SH、688981.SH、920185.BJ、6099.HK（大小写、空格、全角均可）',
  en: 'use the code with its exchange suffix, e.g. 000001.SZ, 300750.SZ, 600999.SH, 688981.SH, 920185.BJ, 6099.HK (any case, spaces and full-width characters are fine)',
};

/**
 * What the input says about listings: undefined when neither stockCode nor listings is given; `replace` the whole list
 * (listings given, primary first; a stockCode given with it must be one of them and becomes the primary), or
 * `primary` alone (stockCode only: null removes the primary listing, the next one taking its place).
 */
function checkListingInput(errors: ErrorCollector, input: OrganizationFields): { replace: ParsedListing[] } | { primary: ParsedListing | null } | undefined {
  let primary: ParsedListing | null | undefined;
  if (input.stockCode !== undefined) {
    if (input.stockCode === null || input.stockCode.trim() === '') primary = null;
    else {
      primary = parseListing(input.stockCode);
      if (!primary) errors.add('INVALID', ['input', 'stockCode'], { zh: `证券代码无效：${STOCK_CODE_HELP.zh}`, en: `stockCode is not a valid listing: ${STOCK_CODE_HELP.en}` });
    }
  }
  if (input.listings === undefined || input.listings === null) {
    return primary === undefined ? undefined : { primary: primary ?? null };
  }
  if (input.listings.length > MAX_LISTINGS) {
    errors.add('LIMIT_EXCEEDED', ['input', 'listings'], { zh: `最多 ${MAX_LISTINGS} 个上市地`, en: `At most ${MAX_LISTINGS} listings` });
    return undefined;
  }
  const parsed: ParsedListing[] = [];
  input.listings.forEach((text, i) => {
    const listing = parseListing(text);
    if (!listing) errors.add('INVALID', ['input', 'listings', String(i)], { zh: `第 ${i + 1} 个上市代码无效：${STOCK_CODE_HELP.zh}`, en: `listings[${i}] is not a valid listing: ${STOCK_CODE_HELP.en}` });
    else if (parsed.some((p) => p.exchange === listing.exchange && p.code === listing.code)) {
      errors.add('DUPLICATE', ['input', 'listings', String(i)], { zh: '上市代码重复', en: `listings[${i}] repeats an earlier listing` });
    } else parsed.push(listing);
  });
  if (primary === null && parsed.length > 0) {
    errors.add('INVALID', ['input', 'stockCode'], { zh: '有上市代码时不能清除主要上市代码（stockCode）', en: 'stockCode cannot be cleared while listings are given' });
  } else if (primary) {
    const at = parsed.findIndex((p) => p.exchange === primary!.exchange && p.code === primary!.code);
    if (at < 0) errors.add('INVALID', ['input', 'stockCode'], { zh: 'stockCode 应为 listings 之一', en: 'stockCode must be one of the listings' });
    else parsed.unshift(...parsed.splice(at, 1));
  }
  return { replace: parsed };
}

/** The credit code's registration type must fit the organization's kind (KIND_REGISTRATION_TYPES). */
function checkCreditCodeFits(code: string, holder: CreditCodeHolder, field: 'creditCode' | 'kind') {
  const misfit = checkCreditCode(code, holder).errors.filter((e) => e.part === 'KIND');
  if (misfit.length > 0) throw new DomainError(misfit.map((e) => ({ code: 'INVALID' as const, field: ['input', field], message: e.message })));
}

/**
 * Writes an organization's listings as the input says and repeats the primary one in its own columns. Only runs when
 * the input names listings or a stockCode; returns the organization columns to set.
 */
async function writeListings(
  tx: DbOrTx,
  organizationId: number,
  change: { replace: ParsedListing[] } | { primary: ParsedListing | null },
): Promise<{ stockCode: string | null; stockExchange: ParsedListing['exchange'] | null }> {
  let next: { exchange: ParsedListing['exchange']; code: string }[];
  if ('replace' in change) next = change.replace;
  else {
    const current = await tx
      .select({ exchange: listingsTable.exchange, code: listingsTable.code })
      .from(listingsTable)
      .where(eq(listingsTable.organizationId, organizationId))
      .orderBy(listingsTable.position);
    const primary = change.primary;
    const rest = current.slice(1).filter((l) => !primary || l.exchange !== primary.exchange || l.code !== primary.code);
    next = primary ? [primary, ...rest] : rest;
  }
  await tx.delete(listingsTable).where(eq(listingsTable.organizationId, organizationId));
  if (next.length > 0) {
    await tx.insert(listingsTable).values(next.map((l, position) => ({ organizationId, exchange: l.exchange, code: l.code, position })));
  }
  return { stockCode: next[0]?.code ?? null, stockExchange: next[0]?.exchange ?? null };
}

/** The association whose membership an actor records: an association's staff their own; anyone else (scripts) the primary one. */
function associationOf(actor: Viewer, kind: OrganizationRow['kind']): number {
  return staffAssociationOf(actor) ?? primaryAssociationOf(kind);
}

/** The organizations the actor administers, as a condition on an organization id column. */
const administered = (actor: Viewer, organization: typeof organizationsTable.id | typeof branchesTable.firmId) =>
  scopeCondition(organizationAdminScope(actor), { organization });

function mapOrganizationConflict(error: unknown, input: OrganizationFields): never {
  if (isUniqueViolation(error, 'organizations_credit_code_key')) {
    throw new DomainError('DUPLICATE', ['input', 'creditCode'], { zh: '该统一社会信用代码已被其他机构使用', en: 'Another organization already has this creditCode' });
  }
  if (isUniqueViolation(error, 'listings_exchange_code_key')) {
    throw new DomainError('DUPLICATE', ['input', input.listings ? 'listings' : 'stockCode'], { zh: '该上市代码已被其他机构使用', en: 'Another organization already has one of these listings' });
  }
  if (isUniqueViolation(error, 'organizations_stock_key')) {
    throw new DomainError('DUPLICATE', ['input', 'stockCode'], { zh: '该证券代码已被其他机构使用', en: 'Another organization already has this stockCode' });
  }
  if (isUniqueViolation(error, 'organizations_name_key')) {
    throw new DomainError('DUPLICATE', ['input', 'name'], { zh: '已有同名机构', en: 'Another organization already has this name' });
  }
  throw error;
}

export async function createOrganization(db: DbOrTx, actor: Viewer, input: OrganizationFields): Promise<OrganizationRow> {
  const { values, membership, listings } = checkOrganizationFields(input, true);
  checkCreditCodeFits(values.creditCode!, values.kind!, 'creditCode');
  try {
    return await runInTransaction(db, async (tx) => {
      const associationId = associationOf(actor, values.kind!);
      const primary = associationId === primaryAssociationOf(values.kind!);
      const initial = !listings ? [] : 'replace' in listings ? listings.replace : listings.primary ? [listings.primary] : [];
      const [row] = await tx
        .insert(organizationsTable)
        .values({
          ...values,
          stockCode: initial[0]?.code ?? null,
          stockExchange: initial[0]?.exchange ?? null,
          ...(primary ? { memberSince: membership.since ?? null, ...(membership.category ? { membershipCategory: membership.category } : {}) } : {}),
        } as typeof organizationsTable.$inferInsert)
        .returning();
      if (initial.length > 0) {
        await tx.insert(listingsTable).values(initial.map((l, position) => ({ organizationId: row!.id, exchange: l.exchange, code: l.code, position })));
      }
      const since = membership.since ?? null;
      await tx.insert(membershipsTable).values({ associationId, organizationId: row!.id, category: membership.category ?? 'ORDINARY', status: 'ACTIVE', since });
      if (since) {
        await tx.insert(membershipEventsTable).values({ organizationId: row!.id, associationId, kind: 'JOIN', effectiveOn: since });
      }
      await recordAudit(tx, actor, { action: 'organization.create', entityType: 'Organization', entityId: row!.id, after: { ...row, membership: { associationId, ...membership } } });
      return row!;
    });
  } catch (error) {
    mapOrganizationConflict(error, input);
  }
}

export async function updateOrganization(db: DbOrTx, actor: Viewer, id: number | null, input: OrganizationFields): Promise<OrganizationRow> {
  const { values, membership, listings } = checkOrganizationFields(input, false);
  try {
    return await runInTransaction(db, async (tx) => {
      const [before] =
        id === null ? [] : await tx.select().from(organizationsTable).where(and(eq(organizationsTable.id, id), administered(actor, organizationsTable.id))).for('update');
      if (!before) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_ORG);
      if (values.creditCode || values.kind) checkCreditCodeFits(values.creditCode ?? before.creditCode, values.kind ?? before.kind, values.creditCode ? 'creditCode' : 'kind');
      if (listings) Object.assign(values, await writeListings(tx, before.id, listings));
      const membershipChanges = Object.keys(membership).length > 0;
      if (Object.keys(values).length === 0 && !membershipChanges) return before;
      const associationId = associationOf(actor, before.kind);
      const primary = associationId === primaryAssociationOf(values.kind ?? before.kind);
      const own = primary ? { ...(membership.since !== undefined ? { memberSince: membership.since } : {}), ...(membership.category ? { membershipCategory: membership.category } : {}) } : {};
      const [after] = await tx
        .update(organizationsTable)
        .set({ ...values, ...own, updatedAt: sql`now()` })
        .where(eq(organizationsTable.id, before.id))
        .returning();
      if (membershipChanges) {
        await tx
          .update(membershipsTable)
          .set({ ...membership, updatedAt: sql`now()` })
          .where(and(eq(membershipsTable.organizationId, before.id), eq(membershipsTable.associationId, associationId)));
      }
      await recordAudit(tx, actor, {
        action: 'organization.update',
        entityType: 'Organization',
        entityId: before.id,
        before,
        after: membershipChanges ? { ...after, membership: { associationId, ...membership } } : after,
      });
      return after!;
    });
  } catch (error) {
    mapOrganizationConflict(error, input);
  }
}

export type MembershipChange = 'JOIN' | 'SUSPEND' | 'REINSTATE' | 'WITHDRAW';
type MembershipStatus = OrganizationRow['membershipStatus'];

/** Allowed membership moves: which statuses each change starts from, and where it leads. */
const membershipMoves: Record<MembershipChange, { from: MembershipStatus[]; to: MembershipStatus }> = {
  JOIN: { from: ['WITHDRAWN'], to: 'ACTIVE' },
  SUSPEND: { from: ['ACTIVE'], to: 'SUSPENDED' },
  REINSTATE: { from: ['SUSPENDED'], to: 'ACTIVE' },
  WITHDRAW: { from: ['ACTIVE', 'SUSPENDED'], to: 'WITHDRAWN' },
};

/**
 * Records a change of an organization's membership in the actor's association. Joining needs no membership there yet
 * (an organization may join a second association); every other change needs one, and an organization without one
 * looks missing.
 */
export async function recordMembershipChange(
  db: DbOrTx,
  actor: Viewer,
  input: { organizationId: number | null; change: MembershipChange; effectiveOn: string; note?: string | null },
): Promise<OrganizationRow> {
  const errors = new ErrorCollector();
  const note = cleanText(errors, input.note, { field: ['input', 'note'], max: 500, multiline: true, labelZh: '备注', labelEn: 'note' });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    const [before] =
      input.organizationId === null || organizationAdminScope(actor).kind === 'none'
        ? []
        : await tx
            .select()
            .from(organizationsTable)
            .where(and(eq(organizationsTable.id, input.organizationId), input.change === 'JOIN' ? undefined : administered(actor, organizationsTable.id)))
            .for('update');
    if (!before) throw new DomainError('NOT_FOUND', ['input', 'organizationId'], NOT_FOUND_ORG);
    const associationId = associationOf(actor, before.kind);
    const [membership] = await tx
      .select()
      .from(membershipsTable)
      .where(and(eq(membershipsTable.organizationId, before.id), eq(membershipsTable.associationId, associationId)))
      .for('update');
    if (!membership && input.change !== 'JOIN') throw new DomainError('NOT_FOUND', ['input', 'organizationId'], NOT_FOUND_ORG);
    const move = membershipMoves[input.change];
    if (membership && !move.from.includes(membership.status)) {
      throw new DomainError('INVALID_STATE', ['input', 'change'], {
        zh: `会员状态为 ${membership.status}，不能执行 ${input.change}`,
        en: `Membership is ${membership.status}; ${input.change} is not allowed`,
      });
    }
    const [last] = await tx
      .select({ effectiveOn: membershipEventsTable.effectiveOn })
      .from(membershipEventsTable)
      .where(and(eq(membershipEventsTable.organizationId, before.id), eq(membershipEventsTable.associationId, associationId)))
      .orderBy(sql`${membershipEventsTable.effectiveOn} desc`)
      .limit(1);
    if (last && input.effectiveOn < last.effectiveOn) {
      throw new DomainError('INVALID', ['input', 'effectiveOn'], {
        zh: `生效日期不能早于上一次会员变更（${last.effectiveOn}）`,
        en: `effectiveOn cannot be before the previous membership change (${last.effectiveOn})`,
      });
    }
    await tx.insert(membershipEventsTable).values({ organizationId: before.id, associationId, kind: input.change, effectiveOn: input.effectiveOn, note });
    const since = input.change === 'JOIN' ? input.effectiveOn : (membership?.since ?? null);
    if (membership) {
      await tx
        .update(membershipsTable)
        .set({ status: move.to, since, updatedAt: sql`now()` })
        .where(eq(membershipsTable.id, membership.id));
    } else {
      await tx.insert(membershipsTable).values({ associationId, organizationId: before.id, status: move.to, since });
    }
    // The organization's columns repeat its membership in its primary association: they change together.
    let after = before;
    if (associationId === primaryAssociationOf(before.kind)) {
      [after] = (await tx
        .update(organizationsTable)
        .set({ membershipStatus: move.to, memberSince: since, updatedAt: sql`now()` })
        .where(eq(organizationsTable.id, before.id))
        .returning()) as [OrganizationRow];
    }
    await recordAudit(tx, actor, {
      action: `membership.${input.change.toLowerCase()}`,
      entityType: 'Organization',
      entityId: before.id,
      before: { ...before, membership: membership ?? null },
      after: { ...after, membership: { associationId, status: move.to, since } },
    });
    return after;
  });
}

export interface BranchFields {
  firmId?: number | null;
  kind?: BranchRow['kind'];
  name?: string;
  creditCode?: string | null;
  district?: District | null;
  address?: string | null;
  openedOn?: string | null;
  closedOn?: string | null;
}

function mapBranchConflict(error: unknown): never {
  if (isUniqueViolation(error, 'branches_name_key')) {
    throw new DomainError('DUPLICATE', ['input', 'name'], { zh: '已有同名分支机构', en: 'Another branch already has this name' });
  }
  if (isUniqueViolation(error, 'branches_credit_code_key')) {
    throw new DomainError('DUPLICATE', ['input', 'creditCode'], { zh: '该统一社会信用代码已被其他分支机构使用', en: 'Another branch already has this creditCode' });
  }
  throw error;
}

function checkBranchFields(input: BranchFields, creating: boolean, errors: ErrorCollector) {
  const values: Partial<typeof branchesTable.$inferInsert> = {};
  if (creating && !input.kind) errors.add('REQUIRED', ['input', 'kind'], { zh: '分支机构类型不能为空', en: 'kind is required' });
  if (input.kind) values.kind = input.kind;
  const name = cleanText(errors, input.name, { field: ['input', 'name'], max: 120, required: creating || input.name !== undefined, labelZh: '分支机构名称', labelEn: 'name' });
  if (name) values.name = name;
  const address = cleanText(errors, input.address, { field: ['input', 'address'], max: 200, labelZh: '地址', labelEn: 'address' });
  if (address !== undefined) values.address = address;
  if (input.creditCode !== undefined) {
    if (input.creditCode === null || input.creditCode.trim() === '') values.creditCode = null;
    else {
      const code = normalizeCreditCode(input.creditCode);
      const problems = checkCreditCode(code, 'BRANCH').errors;
      for (const problem of problems) errors.add('INVALID', ['input', 'creditCode'], problem.message);
      if (problems.length === 0) values.creditCode = code;
    }
  }
  if (input.district !== undefined) values.district = input.district;
  if (input.openedOn !== undefined) values.openedOn = input.openedOn;
  if (input.closedOn !== undefined) values.closedOn = input.closedOn;
  return values;
}

function checkBranchDates(errors: ErrorCollector, openedOn: string | null | undefined, closedOn: string | null | undefined) {
  if (openedOn && closedOn && closedOn < openedOn) {
    errors.add('INVALID', ['input', 'closedOn'], { zh: '撤销日期不能早于设立日期', en: 'closedOn cannot be before openedOn' });
  }
}

export async function createBranch(db: DbOrTx, actor: Viewer, input: BranchFields): Promise<BranchRow> {
  const errors = new ErrorCollector();
  const values = checkBranchFields(input, true, errors);
  checkBranchDates(errors, values.openedOn, values.closedOn);
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const [firm] =
        input.firmId == null ? [] : await tx.select().from(organizationsTable).where(and(eq(organizationsTable.id, input.firmId), administered(actor, organizationsTable.id)));
      if (!firm) throw new DomainError('NOT_FOUND', ['input', 'firmId'], NOT_FOUND_ORG);
      if (firm.kind !== 'SECURITIES_FIRM') {
        throw new DomainError('INVALID', ['input', 'firmId'], { zh: '只有证券公司可以设立分支机构', en: 'Only securities firms have branches' });
      }
      if (!values.name!.startsWith(firm.name)) {
        throw new DomainError('INVALID', ['input', 'name'], {
          zh: `分支机构名称应以母公司全称“${firm.name}”开头`,
          en: `A branch name must start with its firm's full name (${firm.name})`,
        });
      }
      if (values.creditCode && values.creditCode === firm.creditCode) {
        throw new DomainError('INVALID', ['input', 'creditCode'], { zh: '分支机构应有自己的统一社会信用代码', en: 'A branch has its own creditCode, distinct from its firm\'s' });
      }
      const [row] = await tx.insert(branchesTable).values({ ...values, firmId: firm.id } as typeof branchesTable.$inferInsert).returning();
      await recordAudit(tx, actor, { action: 'branch.create', entityType: 'Branch', entityId: row!.id, after: row });
      return row!;
    });
  } catch (error) {
    mapBranchConflict(error);
  }
}

export async function updateBranch(db: DbOrTx, actor: Viewer, id: number | null, input: BranchFields): Promise<BranchRow> {
  const errors = new ErrorCollector();
  const values = checkBranchFields({ ...input, kind: input.kind ?? undefined }, false, errors);
  errors.throwIfAny();
  try {
    return await runInTransaction(db, async (tx) => {
      const [before] =
        id === null ? [] : await tx.select().from(branchesTable).where(and(eq(branchesTable.id, id), administered(actor, branchesTable.firmId))).for('update');
      if (!before) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_BRANCH);
      const dateErrors = new ErrorCollector();
      checkBranchDates(dateErrors, values.openedOn !== undefined ? values.openedOn : before.openedOn, values.closedOn !== undefined ? values.closedOn : before.closedOn);
      dateErrors.throwIfAny();
      if (values.name) {
        const [firm] = await tx.select({ name: organizationsTable.name }).from(organizationsTable).where(eq(organizationsTable.id, before.firmId));
        if (!values.name.startsWith(firm!.name)) {
          throw new DomainError('INVALID', ['input', 'name'], {
            zh: `分支机构名称应以母公司全称“${firm!.name}”开头`,
            en: `A branch name must start with its firm's full name (${firm!.name})`,
          });
        }
      }
      if (Object.keys(values).length === 0) return before;
      const [after] = await tx.update(branchesTable).set({ ...values, updatedAt: sql`now()` }).where(eq(branchesTable.id, before.id)).returning();
      await recordAudit(tx, actor, { action: 'branch.update', entityType: 'Branch', entityId: before.id, before, after });
      return after!;
    });
  } catch (error) {
    mapBranchConflict(error);
  }
}

// ---------------------------------------------------------------- contacts, edited by the organization itself

export interface ContactFields {
  name?: string;
  title?: string | null;
  phone?: string | null;
  email?: string | null;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,185}\.[^\s@]{2,}$/;
const PHONE = /^[0-9+()\- ]{5,30}$/;

function checkContactFields(input: ContactFields, creating: boolean) {
  const errors = new ErrorCollector();
  const values: Partial<typeof contactsTable.$inferInsert> = {};
  const name = cleanText(errors, input.name, { field: ['input', 'name'], max: 50, required: creating || input.name !== undefined, labelZh: '联系人姓名', labelEn: 'name' });
  if (name) values.name = name;
  const title = cleanText(errors, input.title, { field: ['input', 'title'], max: 50, labelZh: '职务', labelEn: 'title' });
  if (title !== undefined) values.title = title;
  const phone = cleanText(errors, input.phone, { field: ['input', 'phone'], max: 30, labelZh: '电话', labelEn: 'phone' });
  if (phone && !PHONE.test(phone)) errors.add('INVALID', ['input', 'phone'], { zh: '电话号码格式无效', en: 'phone is not a valid phone number' });
  if (phone !== undefined) values.phone = phone;
  const email = cleanText(errors, input.email, { field: ['input', 'email'], max: 254, labelZh: '电子邮箱', labelEn: 'email' });
  if (email && !EMAIL.test(email)) errors.add('INVALID', ['input', 'email'], { zh: '电子邮箱格式无效', en: 'email is not a valid address' });
  if (email !== undefined) values.email = email;
  errors.throwIfAny();
  return values;
}

export const MAX_CONTACTS_PER_ORGANIZATION = 20;

export async function addContact(db: DbOrTx, actor: Viewer, organizationId: number | null, input: ContactFields): Promise<ContactRow> {
  const values = checkContactFields(input, true);
  return runInTransaction(db, async (tx) => {
    // Locking the organization row serializes additions, so the cap holds under concurrency.
    const [org] =
      organizationId === null || !mayEditContacts(actor, organizationId)
        ? []
        : await tx
            .select({ id: organizationsTable.id })
            .from(organizationsTable)
            .where(and(eq(organizationsTable.id, organizationId), mayEditContactsCondition(actor, organizationsTable.id)))
            .for('update');
    if (!org) throw new DomainError('NOT_FOUND', ['input', 'organizationId'], NOT_FOUND_ORG);
    const [{ n }] = (await tx.select({ n: count() }).from(contactsTable).where(eq(contactsTable.organizationId, org.id))) as [{ n: number }];
    if (n >= MAX_CONTACTS_PER_ORGANIZATION) {
      throw new DomainError('LIMIT_EXCEEDED', ['input'], {
        zh: `每个机构最多 ${MAX_CONTACTS_PER_ORGANIZATION} 位联系人`,
        en: `An organization has at most ${MAX_CONTACTS_PER_ORGANIZATION} contacts`,
      });
    }
    const [row] = await tx.insert(contactsTable).values({ ...values, organizationId: org.id } as typeof contactsTable.$inferInsert).returning();
    await recordAudit(tx, actor, { action: 'contact.create', entityType: 'Contact', entityId: row!.id, after: row });
    return row!;
  });
}

const NOT_FOUND_CONTACT = { zh: '联系人不存在', en: 'Contact not found' };

async function lockEditableContact(tx: DbOrTx, actor: Viewer, id: number | null): Promise<ContactRow> {
  const [row] =
    id === null
      ? []
      : await tx.select().from(contactsTable).where(and(eq(contactsTable.id, id), mayEditContactsCondition(actor, contactsTable.organizationId))).for('update');
  // Someone else's contact looks exactly like a missing one.
  if (!row || !mayEditContacts(actor, row.organizationId)) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND_CONTACT);
  return row;
}

export async function updateContact(db: DbOrTx, actor: Viewer, id: number | null, input: ContactFields): Promise<ContactRow> {
  const values = checkContactFields(input, false);
  return runInTransaction(db, async (tx) => {
    const before = await lockEditableContact(tx, actor, id);
    if (Object.keys(values).length === 0) return before;
    const [after] = await tx.update(contactsTable).set({ ...values, updatedAt: sql`now()` }).where(eq(contactsTable.id, before.id)).returning();
    await recordAudit(tx, actor, { action: 'contact.update', entityType: 'Contact', entityId: before.id, before, after });
    return after!;
  });
}

export async function removeContact(db: DbOrTx, actor: Viewer, id: number | null): Promise<ContactRow> {
  return runInTransaction(db, async (tx) => {
    const before = await lockEditableContact(tx, actor, id);
    await tx.delete(contactsTable).where(eq(contactsTable.id, before.id));
    await recordAudit(tx, actor, { action: 'contact.delete', entityType: 'Contact', entityId: before.id, before });
    return before;
  });
}

