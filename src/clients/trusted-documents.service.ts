// Trusted documents (docs/TRUSTED-DOCUMENTS.md): a service account's manifest of GraphQL documents, uploaded as
// versions and validated against the schema; the newest version is the set the account runs by id.
import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { GraphQLError, Kind, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { recordAudit } from '../audit/audit.service.js';
import { managedByStaffCondition, trustedDocumentsScope } from '../auth/policy.js';
import type { Viewer } from '../auth/viewer.js';
import type { DbOrTx } from '../db/client.js';
import { pageCondition, pageOrderBy, type PageRequest } from '../db/page.js';
import { runInTransaction } from '../db/transaction.js';
import { DomainError, ErrorCollector } from '../errors.js';
import {
  serviceAccountsTable,
  trustedDocumentManifestsTable,
  trustedDocumentsTable,
  type TrustedDocumentManifestRow,
  type TrustedDocumentRow,
} from './clients.table.js';

/** Documents one manifest version may hold. */
export const MAX_MANIFEST_DOCUMENTS = 500;
/** Characters one document may have. */
export const MAX_TRUSTED_DOCUMENT_LENGTH = 20_000;
/** Tokens the parser reads of one document at upload; the server's QUERY_MAX_TOKENS still applies when it runs. */
const MAX_UPLOAD_TOKENS = 20_000;
/** Validation errors named per document. */
const MAX_ERRORS_PER_DOCUMENT = 3;

/** How a document id looks: "sha256:" and 64 lowercase hex digits. */
export const DOCUMENT_ID_FORMAT = /^sha256:[0-9a-f]{64}$/;

/** The id of a document: the SHA-256 of its exact text (UTF-8), in lowercase hex, after "sha256:". */
export function documentIdOf(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}

/** The service accounts whose manifests the viewer uploads and reads (trustedDocumentsScope). */
function accountsOf(viewer: Viewer): SQL {
  const scope = trustedDocumentsScope(viewer);
  if (scope.kind === 'account') return eq(serviceAccountsTable.id, scope.serviceAccountId);
  if (scope.kind === 'staff') return managedByStaffCondition(viewer, serviceAccountsTable.associationId);
  return sql`false`;
}

const ACCOUNT_NOT_FOUND = { zh: '服务账号不存在', en: 'Service account not found' };

export interface UploadManifestInput {
  /** The account; a service account may omit it for its own. */
  serviceAccountId: number | null | undefined;
  documents: readonly string[];
}

interface CheckedDocument {
  documentId: string;
  body: string;
  operationNames: string[];
}

/** Parses and validates one document against the schema; its problems go to `errors` under its index, naming its id. */
function checkDocument(errors: ErrorCollector, schema: GraphQLSchema, body: string, index: number): CheckedDocument | null {
  const field = ['input', 'documents', String(index)];
  const documentId = documentIdOf(body);
  const which = { zh: `第 ${index + 1} 个文档（${documentId}）`, en: `Document ${index + 1} (${documentId})` };
  if (body.trim() === '') {
    errors.add('REQUIRED', field, { zh: `${which.zh}为空`, en: `${which.en} is empty` });
    return null;
  }
  if (body.length > MAX_TRUSTED_DOCUMENT_LENGTH) {
    errors.add('TOO_LONG', field, {
      zh: `${which.zh}超过 ${MAX_TRUSTED_DOCUMENT_LENGTH} 个字符`,
      en: `${which.en} is longer than ${MAX_TRUSTED_DOCUMENT_LENGTH} characters`,
    });
    return null;
  }
  let document: DocumentNode;
  try {
    document = parse(body, { maxTokens: MAX_UPLOAD_TOKENS, noLocation: false });
  } catch (error) {
    const detail = error instanceof GraphQLError ? error.message : 'not GraphQL';
    errors.add('INVALID', field, { zh: `${which.zh}不是有效的 GraphQL：${detail}`, en: `${which.en} is not valid GraphQL: ${detail}` });
    return null;
  }
  const problems = validate(schema, document, specifiedRules, { maxErrors: MAX_ERRORS_PER_DOCUMENT }).map((e) =>
    e.message.replace(/\s*Did you mean [^?]*\?/g, '').trim(),
  );
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 0) problems.push('it defines no operation');
  for (const operation of operations) {
    if (!schema.getRootType(operation.operation)) problems.push(`this API has no ${operation.operation} operations`);
  }
  if (problems.length > 0) {
    const detail = problems.slice(0, MAX_ERRORS_PER_DOCUMENT).join('; ');
    errors.add('INVALID', field, { zh: `${which.zh}未通过 schema 校验：${detail}`, en: `${which.en} does not validate against the schema: ${detail}` });
    return null;
  }
  const operationNames = operations.flatMap((o) => (o.kind === Kind.OPERATION_DEFINITION && o.name ? [o.name.value] : []));
  return { documentId, body, operationNames };
}

/**
 * Uploads a new version of an account's manifest: every document parsed and validated against `schema` (all problems
 * reported at once, each naming its document's index and id; nothing stored then), identical texts stored once. The new
 * version is the account's active set from its commit; older versions stay readable.
 */
export async function uploadTrustedDocumentManifest(
  db: DbOrTx,
  actor: Viewer,
  schema: GraphQLSchema,
  input: UploadManifestInput,
): Promise<TrustedDocumentManifestRow> {
  const scope = trustedDocumentsScope(actor);
  if (scope.kind === 'none') throw new DomainError('INVALID_STATE', null, { zh: '无权上传可信文档', en: 'Not allowed to upload trusted documents' });
  const accountId = input.serviceAccountId ?? (scope.kind === 'account' ? scope.serviceAccountId : null);
  if (accountId === null) throw new DomainError('REQUIRED', ['input', 'serviceAccountId'], { zh: '请指定服务账号', en: 'serviceAccountId is required' });
  const errors = new ErrorCollector();
  if (input.documents.length > MAX_MANIFEST_DOCUMENTS) {
    throw new DomainError('LIMIT_EXCEEDED', ['input', 'documents'], {
      zh: `一个清单最多 ${MAX_MANIFEST_DOCUMENTS} 个文档`,
      en: `A manifest holds at most ${MAX_MANIFEST_DOCUMENTS} documents`,
    });
  }
  const byId = new Map<string, CheckedDocument>();
  input.documents.forEach((body, index) => {
    const checked = checkDocument(errors, schema, body, index);
    if (checked && !byId.has(checked.documentId)) byId.set(checked.documentId, checked);
  });
  errors.throwIfAny();
  return runInTransaction(db, async (tx) => {
    // Locking the account row orders concurrent uploads: each gets the next version.
    const [account] = await tx
      .select({ id: serviceAccountsTable.id })
      .from(serviceAccountsTable)
      .where(and(eq(serviceAccountsTable.id, accountId), accountsOf(actor)))
      .for('update');
    if (!account) throw new DomainError('NOT_FOUND', ['input', 'serviceAccountId'], ACCOUNT_NOT_FOUND);
    const [latest] = await tx
      .select({ version: trustedDocumentManifestsTable.version })
      .from(trustedDocumentManifestsTable)
      .where(eq(trustedDocumentManifestsTable.serviceAccountId, account.id))
      .orderBy(desc(trustedDocumentManifestsTable.version))
      .limit(1);
    const [manifest] = await tx
      .insert(trustedDocumentManifestsTable)
      .values({ serviceAccountId: account.id, version: (latest?.version ?? 0) + 1, documentCount: byId.size, createdBy: actor.subject })
      .returning();
    if (byId.size > 0) await tx.insert(trustedDocumentsTable).values([...byId.values()].map((d) => ({ manifestId: manifest!.id, ...d })));
    await recordAudit(tx, actor, {
      action: 'trusted_documents.upload',
      entityType: 'ServiceAccount',
      entityId: account.id,
      after: { version: manifest!.version, documentIds: [...byId.keys()] },
    });
    return manifest!;
  });
}

// ---------------------------------------------------------------- reads

/** Manifest columns with whether each is its account's newest (active) version. */
const manifestColumns = {
  id: trustedDocumentManifestsTable.id,
  serviceAccountId: trustedDocumentManifestsTable.serviceAccountId,
  version: trustedDocumentManifestsTable.version,
  documentCount: trustedDocumentManifestsTable.documentCount,
  createdBy: trustedDocumentManifestsTable.createdBy,
  createdAt: trustedDocumentManifestsTable.createdAt,
  active: sql<boolean>`not exists (select 1 from ${trustedDocumentManifestsTable} newer
    where newer.service_account_id = ${trustedDocumentManifestsTable.serviceAccountId} and newer.version > ${trustedDocumentManifestsTable.version})`,
};

export type ManifestView = TrustedDocumentManifestRow & { active: boolean };

/** An account's manifest versions the viewer may read, newest first (cursor: the manifest id). */
export async function listTrustedDocumentManifests(db: DbOrTx, viewer: Viewer, accountId: number, page: PageRequest): Promise<ManifestView[]> {
  return db
    .select(manifestColumns)
    .from(trustedDocumentManifestsTable)
    .innerJoin(serviceAccountsTable, eq(serviceAccountsTable.id, trustedDocumentManifestsTable.serviceAccountId))
    .where(and(eq(trustedDocumentManifestsTable.serviceAccountId, accountId), accountsOf(viewer), pageCondition(page, trustedDocumentManifestsTable.id, 'desc')))
    .orderBy(pageOrderBy(page, 'desc', trustedDocumentManifestsTable.id))
    .limit(page.limit + 1);
}

export async function countTrustedDocumentManifests(db: DbOrTx, viewer: Viewer, accountId: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(trustedDocumentManifestsTable)
    .innerJoin(serviceAccountsTable, eq(serviceAccountsTable.id, trustedDocumentManifestsTable.serviceAccountId))
    .where(and(eq(trustedDocumentManifestsTable.serviceAccountId, accountId), accountsOf(viewer)));
  return row?.n ?? 0;
}

export async function loadTrustedDocumentManifestsByIds(db: DbOrTx, viewer: Viewer, ids: readonly number[]): Promise<ManifestView[]> {
  return db
    .select(manifestColumns)
    .from(trustedDocumentManifestsTable)
    .innerJoin(serviceAccountsTable, eq(serviceAccountsTable.id, trustedDocumentManifestsTable.serviceAccountId))
    .where(and(inArray(trustedDocumentManifestsTable.id, [...ids]), accountsOf(viewer)));
}

/** The documents of manifests already authorized (loaded through the functions above), in id order. */
export async function loadTrustedDocumentsByManifestIds(db: DbOrTx, ids: readonly number[]): Promise<TrustedDocumentRow[]> {
  return db
    .select()
    .from(trustedDocumentsTable)
    .where(inArray(trustedDocumentsTable.manifestId, [...ids]))
    .orderBy(asc(trustedDocumentsTable.manifestId), asc(trustedDocumentsTable.documentId));
}

/**
 * The text of a document the viewer may run by id: one of its own active manifest's (the newest version). Documents
 * belong to service accounts only: for people, and for ids not in the caller's active manifest, null. One statement.
 */
export async function findTrustedDocument(db: DbOrTx, viewer: Viewer, documentId: string): Promise<string | null> {
  if (!viewer.serviceAccount || !DOCUMENT_ID_FORMAT.test(documentId)) return null;
  const [row] = await db
    .select({ body: trustedDocumentsTable.body })
    .from(trustedDocumentsTable)
    .where(
      and(
        eq(trustedDocumentsTable.documentId, documentId),
        eq(
          trustedDocumentsTable.manifestId,
          sql`(select ${trustedDocumentManifestsTable.id} from ${trustedDocumentManifestsTable}
            where ${trustedDocumentManifestsTable.serviceAccountId} = ${viewer.serviceAccount.id}
            order by ${trustedDocumentManifestsTable.version} desc limit 1)`,
        ),
      ),
    )
    .limit(1);
  return row?.body ?? null;
}
