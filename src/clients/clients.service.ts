// Business rules of service accounts: registration, secret rotation with an overlap window, disabling, and client authentication.
import { and, asc, count, eq, gt, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.service.js';
import { managedByStaffCondition, managesRegulatorAccounts, serviceAccountScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector } from '../errors.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { cleanText } from '../text.js';
import {
  serviceAccountSecretsTable,
  serviceAccountsTable,
  type ServiceAccountRow,
  type ServiceAccountSecretRow,
} from './clients.table.js';
import { defaultServiceAccountScopes, serviceAccountScopes, type ServiceAccountScope } from './scopes.js';
import {
  CLIENT_ID_FORMAT,
  CLIENT_SECRET_FORMAT,
  hashSecret,
  newClientId,
  newClientSecret,
  verifyAgainstDummy,
  verifySecret,
} from './secrets.js';

export const serviceAccountRoles = ['association', 'regulator'] as const;
export type ServiceAccountRole = (typeof serviceAccountRoles)[number];

/** Tokens of service accounts carry the subject "client:<client_id>". */
export const SERVICE_ACCOUNT_SUBJECT = 'client:';

export const DEFAULT_ROTATION_OVERLAP_SECONDS = 24 * 3600;
export const MAX_ROTATION_OVERLAP_SECONDS = 7 * 24 * 3600;

const NOT_FOUND = { zh: '服务账号不存在', en: 'Service account not found' };

export interface CreateServiceAccountInput {
  name: string;
  role: string;
  scopes?: readonly string[] | null;
  owner?: string | null;
}

/** What the caller sees once: the account and its secret in clear. */
export interface IssuedSecret {
  serviceAccount: ServiceAccountRow;
  clientSecret: string;
}

function checkScopes(errors: ErrorCollector, scopes: readonly string[] | null | undefined): ServiceAccountScope[] {
  if (scopes == null) return [...defaultServiceAccountScopes];
  const unknown = scopes.filter((s) => !(serviceAccountScopes as readonly string[]).includes(s));
  if (unknown.length > 0) {
    errors.add('INVALID', ['input', 'scopes'], {
      zh: `未知的权限范围：${unknown.join(', ')}（可选 ${serviceAccountScopes.join(', ')}）`,
      en: `Unknown scopes: ${unknown.join(', ')} (known: ${serviceAccountScopes.join(', ')})`,
    });
  }
  return [...new Set(scopes)].filter((s): s is ServiceAccountScope => (serviceAccountScopes as readonly string[]).includes(s));
}

/**
 * The accounts the viewer manages: an association's staff their association's, and the staff of the association that
 * manages the bureau's accounts those too (REGULATOR_ACCOUNTS_ASSOCIATION_ID); everyone else none.
 */
function manageableAccounts(viewer: Viewer): SQL {
  return managedByStaffCondition(viewer, serviceAccountsTable.associationId);
}

/**
 * Registers a service account; its secret is returned here once and only its scrypt hash is stored. An association
 * account belongs to the actor's association; a regulator account to no association, and only the staff who manage
 * the bureau's accounts register one.
 */
export async function createServiceAccount(db: DbOrTx, actor: Viewer, input: CreateServiceAccountInput): Promise<IssuedSecret> {
  const scope = serviceAccountScope(actor);
  if (scope.kind === 'none') throw new DomainError('INVALID_STATE', null, { zh: '无权管理服务账号', en: 'Not allowed to manage service accounts' });
  const errors = new ErrorCollector();
  const name = cleanText(errors, input.name, { field: ['input', 'name'], max: 100, required: true, labelZh: '名称', labelEn: 'name' });
  const owner = cleanText(errors, input.owner, { field: ['input', 'owner'], max: 100, labelZh: '负责人', labelEn: 'owner' });
  if (!(serviceAccountRoles as readonly string[]).includes(input.role)) {
    errors.add('INVALID', ['input', 'role'], {
      zh: `角色必须是 ${serviceAccountRoles.join(' 或 ')}`,
      en: `role must be ${serviceAccountRoles.join(' or ')}`,
    });
  } else if (input.role === 'regulator' && !managesRegulatorAccounts(actor)) {
    errors.add('INVALID', ['input', 'role'], {
      zh: '证监局的服务账号由深圳市证券业协会工作人员新建',
      en: "The regulator's service accounts are registered by the staff of the securities association (SZSA)",
    });
  }
  const scopes = checkScopes(errors, input.scopes);
  errors.throwIfAny();
  const clientSecret = newClientSecret();
  const hash = await hashSecret(clientSecret);
  const serviceAccount = await runInTransaction(db, async (tx) => {
    const [row] = await tx
      .insert(serviceAccountsTable)
      .values({
        clientId: newClientId(),
        name: name!,
        role: input.role,
        associationId: input.role === 'association' ? scope.associationId : null,
        scopes,
        owner: owner ?? null,
      })
      .returning();
    await tx.insert(serviceAccountSecretsTable).values({ serviceAccountId: row!.id, hash });
    await recordAudit(tx, actor, { action: 'service_account.create', entityType: 'ServiceAccount', entityId: row!.id, after: row });
    return row!;
  });
  return { serviceAccount, clientSecret };
}

/**
 * Issues a new secret. The secret in use until now keeps working for `overlapSeconds` (default 24 h) so the
 * client can switch without downtime; any older secret still in its overlap stops working now.
 */
export async function rotateServiceAccountSecret(
  db: DbOrTx,
  actor: Viewer,
  id: number | null,
  options: { overlapSeconds?: number | null } = {},
): Promise<IssuedSecret & { previousSecretExpiresAt: Date | null }> {
  const overlap = options.overlapSeconds ?? DEFAULT_ROTATION_OVERLAP_SECONDS;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_ROTATION_OVERLAP_SECONDS) {
    throw new DomainError('INVALID', ['input', 'overlapSeconds'], {
      zh: `重叠期须为 0 到 ${MAX_ROTATION_OVERLAP_SECONDS} 秒`,
      en: `overlapSeconds must be between 0 and ${MAX_ROTATION_OVERLAP_SECONDS}`,
    });
  }
  const clientSecret = newClientSecret();
  const hash = await hashSecret(clientSecret);
  return runInTransaction(db, async (tx) => {
    const [account] =
      id === null ? [] : await tx.select().from(serviceAccountsTable).where(and(eq(serviceAccountsTable.id, id), manageableAccounts(actor))).for('update');
    if (!account) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND);
    if (account.disabledAt) {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '服务账号已停用', en: 'The service account is disabled' });
    }
    const expiring = await tx
      .update(serviceAccountSecretsTable)
      .set({
        expiresAt: sql`case when ${serviceAccountSecretsTable.expiresAt} is null
          then now() + make_interval(secs => ${overlap})
          else least(${serviceAccountSecretsTable.expiresAt}, now()) end`,
      })
      .where(and(eq(serviceAccountSecretsTable.serviceAccountId, account.id), activeSecret()))
      .returning({ expiresAt: serviceAccountSecretsTable.expiresAt });
    await tx.insert(serviceAccountSecretsTable).values({ serviceAccountId: account.id, hash });
    const [after] = await tx.update(serviceAccountsTable).set({ updatedAt: sql`now()` }).where(eq(serviceAccountsTable.id, account.id)).returning();
    const previousSecretExpiresAt = expiring.reduce<Date | null>((latest, s) => (s.expiresAt && (!latest || s.expiresAt > latest) ? s.expiresAt : latest), null);
    await recordAudit(tx, actor, {
      action: 'service_account.rotate_secret',
      entityType: 'ServiceAccount',
      entityId: account.id,
      after: { previousSecretExpiresAt, overlapSeconds: overlap },
    });
    return { serviceAccount: after!, clientSecret, previousSecretExpiresAt };
  });
}

/** Stops the account: token requests fail at once, and tokens already issued are refused at the next request. */
export async function disableServiceAccount(db: DbOrTx, actor: Viewer, id: number | null): Promise<ServiceAccountRow> {
  return runInTransaction(db, async (tx) => {
    const [before] =
      id === null ? [] : await tx.select().from(serviceAccountsTable).where(and(eq(serviceAccountsTable.id, id), manageableAccounts(actor))).for('update');
    if (!before) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND);
    if (before.disabledAt) {
      throw new DomainError('INVALID_STATE', ['input', 'id'], { zh: '服务账号已停用', en: 'The service account is already disabled' });
    }
    const [after] = await tx
      .update(serviceAccountsTable)
      .set({ disabledAt: sql`now()`, updatedAt: sql`now()` })
      .where(eq(serviceAccountsTable.id, before.id))
      .returning();
    await recordAudit(tx, actor, { action: 'service_account.disable', entityType: 'ServiceAccount', entityId: before.id, before, after });
    return after!;
  });
}

/**
 * Pins the account to its trusted documents (docs/TRUSTED-DOCUMENTS.md), or releases it: from the next request on,
 * a pinned account runs only documents of its active manifest, sent by id. The staff who manage it only.
 */
export async function setTrustedDocumentsOnly(db: DbOrTx, actor: Viewer, id: number | null, trustedDocumentsOnly: boolean): Promise<ServiceAccountRow> {
  return runInTransaction(db, async (tx) => {
    const [before] =
      id === null ? [] : await tx.select().from(serviceAccountsTable).where(and(eq(serviceAccountsTable.id, id), manageableAccounts(actor))).for('update');
    if (!before) throw new DomainError('NOT_FOUND', ['input', 'id'], NOT_FOUND);
    const [after] = await tx
      .update(serviceAccountsTable)
      .set({ trustedDocumentsOnly, updatedAt: sql`now()` })
      .where(eq(serviceAccountsTable.id, before.id))
      .returning();
    await recordAudit(tx, actor, {
      action: 'service_account.trusted_documents_only',
      entityType: 'ServiceAccount',
      entityId: before.id,
      before: { trustedDocumentsOnly: before.trustedDocumentsOnly },
      after: { trustedDocumentsOnly },
    });
    return after!;
  });
}

// ---------------------------------------------------------------- reads

const activeSecret = () => or(isNull(serviceAccountSecretsTable.expiresAt), gt(serviceAccountSecretsTable.expiresAt, sql`now()`));

export async function listServiceAccounts(db: DbOrTx, viewer: Viewer, page: PageRequest): Promise<ServiceAccountRow[]> {
  return db
    .select()
    .from(serviceAccountsTable)
    .where(and(manageableAccounts(viewer), pageCondition(page, serviceAccountsTable.id)))
    .orderBy(pageOrderBy(page, 'asc', serviceAccountsTable.id))
    .limit(page.limit + 1);
}

export async function countServiceAccounts(db: DbOrTx, viewer: Viewer): Promise<number> {
  const [row] = await db.select({ n: count() }).from(serviceAccountsTable).where(manageableAccounts(viewer));
  return row?.n ?? 0;
}

export async function loadServiceAccountsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<ServiceAccountRow[]> {
  return db
    .select()
    .from(serviceAccountsTable)
    .where(and(inArray(serviceAccountsTable.id, [...ids]), manageableAccounts(viewer)));
}

/** Secrets that still work (metadata only: the hash never leaves this module's callers). */
export async function loadActiveSecretsByAccountIds(db: DbOrTx, ids: readonly number[]): Promise<Omit<ServiceAccountSecretRow, 'hash'>[]> {
  return db
    .select({
      id: serviceAccountSecretsTable.id,
      serviceAccountId: serviceAccountSecretsTable.serviceAccountId,
      createdAt: serviceAccountSecretsTable.createdAt,
      expiresAt: serviceAccountSecretsTable.expiresAt,
    })
    .from(serviceAccountSecretsTable)
    .where(and(inArray(serviceAccountSecretsTable.serviceAccountId, [...ids]), activeSecret()))
    .orderBy(asc(serviceAccountSecretsTable.id));
}

/**
 * The enabled account with this client id, or null: checked on every request that carries a service account's token.
 * `secretWorks`: whether the secret the token was issued against (`secretId`) still works (not rotated out past its
 * overlap); true for a token that names none (issued before tokens carried it, at most an hour earlier).
 */
export async function findEnabledServiceAccount(db: DbOrTx, clientId: string, secretId?: number): Promise<(ServiceAccountRow & { secretWorks: boolean }) | null> {
  if (!CLIENT_ID_FORMAT.test(clientId)) return null;
  // Spelled out with table names: in a one-table select drizzle writes columns unqualified, which inside the subquery
  // would name the secret's own columns.
  const secretWorks =
    secretId === undefined
      ? sql<boolean>`true`
      : sql<boolean>`exists (select 1 from ${serviceAccountSecretsTable} secret
          where secret.id = ${secretId} and secret.service_account_id = ${serviceAccountsTable}.id
            and (secret.expires_at is null or secret.expires_at > now()))`;
  const [row] = await db
    .select({ account: serviceAccountsTable, secretWorks })
    .from(serviceAccountsTable)
    .where(and(eq(serviceAccountsTable.clientId, clientId), isNull(serviceAccountsTable.disabledAt)))
    .limit(1);
  return row ? { ...row.account, secretWorks: row.secretWorks } : null;
}

/**
 * Checks client credentials: the enabled account when the secret matches one of its working secrets, else null.
 * Unknown and disabled clients cost one scrypt too, so timing does not tell them apart from a wrong secret.
 */
export async function authenticateClient(db: DbOrTx, clientId: string, clientSecret: string): Promise<(ServiceAccountRow & { secretId: number }) | null> {
  if (!CLIENT_ID_FORMAT.test(clientId) || !CLIENT_SECRET_FORMAT.test(clientSecret)) return verifyAgainstDummy(clientSecret.slice(0, 200)).then(() => null);
  const rows = await db
    .select({ account: serviceAccountsTable, secretId: serviceAccountSecretsTable.id, hash: serviceAccountSecretsTable.hash })
    .from(serviceAccountsTable)
    .leftJoin(serviceAccountSecretsTable, and(eq(serviceAccountSecretsTable.serviceAccountId, serviceAccountsTable.id), activeSecret()))
    .where(eq(serviceAccountsTable.clientId, clientId))
    .orderBy(sql`${serviceAccountSecretsTable.id} desc nulls last`);
  const account = rows[0]?.account;
  const secrets = rows.filter((r): r is typeof r & { hash: string; secretId: number } => r.hash !== null && r.secretId !== null);
  if (!account || account.disabledAt || secrets.length === 0) return verifyAgainstDummy(clientSecret).then(() => null);
  for (const { hash, secretId } of secrets) {
    if (await verifySecret(clientSecret, hash)) return { ...account, secretId };
  }
  return null;
}

/** Client ids of accounts by id (for showing who owns a webhook subscription). */
export async function loadClientIdsByAccountIds(db: DbOrTx, ids: readonly number[]): Promise<{ id: number; clientId: string }[]> {
  return db
    .select({ id: serviceAccountsTable.id, clientId: serviceAccountsTable.clientId })
    .from(serviceAccountsTable)
    .where(inArray(serviceAccountsTable.id, [...ids]));
}
