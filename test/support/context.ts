// In-process GraphQL for domain tests: a resolver context over a test's transaction, viewers, and one executor.
import { ApolloServer } from '@apollo/server';
import { expect } from 'vitest';
import type { Viewer } from '../../src/auth/viewer.js';
import type { DbOrTx } from '../../src/db/client.js';
import type { Context, Locale } from '../../src/graphql/context.js';
import { createJitEngine, jitGateway } from '../../src/graphql/executor.js';
import { schema } from '../../src/graphql/schema.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { OrganizationRow } from '../../src/members/members.table.js';
import { createFormatError } from '../../src/server/format-error.js';

const silent = createLogger('silent');

/** The context a resolver sees, with `db` the test's transaction (or, for committing tests, the database). */
export function makeContext(db: DbOrTx, viewer: Viewer, options: { locale?: Locale; logger?: Logger } = {}): Context {
  return { viewer, db, locale: options.locale ?? 'zh', logger: options.logger ?? silent, requestId: 'test' };
}

export { anonymousViewer } from '../../src/auth/viewer.js';

/** A firm or listed company acting for its own organization, as its token's `org` claim makes it. */
export function firmViewer(org: Pick<OrganizationRow, 'id' | 'creditCode' | 'kind'>): Viewer {
  const role = org.kind === 'LISTED_COMPANY' ? 'LISTED_COMPANY' : 'FIRM';
  return { role, subject: `test:${role.toLowerCase()}:${org.creditCode}`, organizationId: org.id };
}

export function associationViewer(): Viewer {
  return { role: 'ASSOCIATION', subject: 'test:association:', organizationId: null };
}

export function regulatorViewer(): Viewer {
  return { role: 'REGULATOR', subject: 'test:regulator:', organizationId: null };
}

/** A service account's viewer (sub "client:<clientId>"); pass the row insertServiceAccount returned to tie it to one. */
export function serviceAccountViewer(
  scopes: readonly string[],
  account: { id: number; clientId: string; role?: string } = { id: 0, clientId: 'mgc_000000000000000000000000', role: 'regulator' },
): Viewer {
  const role = account.role === 'association' ? 'ASSOCIATION' : 'REGULATOR';
  return { role, subject: `client:${account.clientId}`, organizationId: null, serviceAccount: { id: account.id, clientId: account.clientId, scopes } };
}

export interface OperationResult<T = any> {
  data?: T | null;
  errors?: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
}

/**
 * Runs one operation through Apollo's pipeline (parse, validate, the graphql-jit executor, formatError) without HTTP,
 * as the harness's countedExecute does on its app's server.
 */
export async function runOperation<T = any>(
  apollo: ApolloServer<Context>,
  contextValue: Context,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<OperationResult<T>> {
  const { body } = await apollo.executeOperation<T>({ query, variables }, { contextValue });
  if (body.kind !== 'single') throw new Error('incremental delivery is not used here');
  return body.singleResult as OperationResult<T>;
}

/** One server per worker for in-process execution: the app's executor and error formatting, no transport. */
let inProcess: Promise<ApolloServer<Context>> | undefined;
function inProcessApollo(): Promise<ApolloServer<Context>> {
  return (inProcess ??= (async () => {
    const apollo = new ApolloServer<Context>({
      gateway: jitGateway(schema, createJitEngine(schema)),
      includeStacktraceInErrorResponses: false,
      stopOnTerminationSignals: false,
      formatError: createFormatError(silent),
    });
    await apollo.start();
    return apollo;
  })());
}

/** Executes `query` in-process with `ctx` (from makeContext): resolvers run inside the test's transaction. */
export async function execute<T = any>(ctx: Context, query: string, variables: Record<string, unknown> = {}): Promise<OperationResult<T>> {
  return runOperation<T>(await inProcessApollo(), ctx, query, variables);
}

/** A user error of a DomainError: what a payload's userErrors carry, with both languages' messages. */
export interface DomainUserError {
  code: string;
  field: string[] | null;
  message: { zh: string; en: string };
}

/** The user errors of the DomainError a service call rejects with; the test fails when the call resolves instead. */
export async function domainErrorsOf(call: Promise<unknown>): Promise<DomainUserError[]> {
  const error = (await call.then(
    () => expect.unreachable('expected a DomainError'),
    (e: unknown) => e,
  )) as { errors?: DomainUserError[] };
  expect(error.errors, String(error)).toBeDefined();
  return error.errors!;
}

/** domainErrorsOf as { code, field } pairs, for asserting which inputs were refused and why. */
export async function userErrorsOf(call: Promise<unknown>): Promise<{ code: string; field: string[] | null }[]> {
  return (await domainErrorsOf(call)).map(({ code, field }) => ({ code, field }));
}
