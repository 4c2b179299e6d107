// Statement counting: the SQL statements run inside a callback. Wired into a database only when its opener passes
// `statementLogger`: the test harness and the benchmark pass statementCountingLogger; the server passes
// requestStatementLogger only with LOG_STATEMENT_COUNTS=true (the count of each request goes into its log line).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';

/** Counts SQL statements per async context: tests and the benchmark read it, nothing else depends on it. */
const statementCounter = new AsyncLocalStorage<{ count: number; statements: string[]; params: unknown[][] }>();
/** `params[i]` are the parameters of `statements[i]` (a test EXPLAINs the statements as they ran). */
export async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; statements: string[]; params: unknown[][] }> {
  const store = { count: 0, statements: [] as string[], params: [] as unknown[][] };
  countingRuns += 1;
  try {
    return await statementCounter.run(store, async () => {
      const result = await fn();
      return { result, count: store.count, statements: store.statements, params: store.params };
    });
  } finally {
    // An enabled AsyncLocalStorage makes Node track the context of every promise in the process; once the last count
    // is done nothing should pay for that (the benchmark counts statements between timed rounds).
    if (--countingRuns === 0) statementCounter.disable();
  }
}
let countingRuns = 0;
/** Pass as `statementLogger` to openDatabase so that countStatements sees the statements of that database. */
export const statementCountingLogger: DrizzleLogger = {
  logQuery(query, params) {
    requestStatementLogger.logQuery(query, params);
    const store = statementCounter.getStore();
    if (store) {
      store.count += 1;
      store.statements.push(query);
      store.params.push(params);
    }
  },
};


/** Where a request's count goes: its log fields (src/server/request-log.ts). */
export interface StatementTally {
  statements?: number;
}
const requestCounter = new AsyncLocalStorage<StatementTally>();

/**
 * Runs one request with its statements counted into `tally.statements` (the server, with LOG_STATEMENT_COUNTS=true).
 * On Node 20 an AsyncLocalStorage in use makes every promise carry its context: about 7 % more time per request (docs/OPERATIONS.md), which is
 * why this is a setting and off by default.
 */
export function countRequestStatements<T>(tally: StatementTally, fn: () => Promise<T>): Promise<T> {
  tally.statements = 0;
  return requestCounter.run(tally, fn);
}

/** Pass as `statementLogger` to openDatabase so that countRequestStatements sees that database's statements. */
export const requestStatementLogger: DrizzleLogger = {
  logQuery() {
    const tally = requestCounter.getStore();
    if (tally) tally.statements = (tally.statements ?? 0) + 1;
  },
};

/**
 * Sees each statement from the moment it is sent until its answer: openDatabase wraps the driver's query calls with it
 * when given one (tracing's statement spans, src/tracing.ts). `run` sends the statement exactly as it would have been
 * sent without an observer; the observer must return what `run` returns and throw what it throws. Not a statementLogger:
 * drizzle calls those before the statement is sent and never after, so they cannot see how long it took.
 */
export interface StatementObserver {
  statement<T>(text: string, run: () => Promise<T>): Promise<T>;
}
