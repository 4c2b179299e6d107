// Which database failures are the platform's momentary trouble (answer 503, retry) rather than a bug (answer 500).
//
// Transient: the connection was lost or refused (server restart, pg_terminate_backend, network), no connection
// could be had within DB_CONNECT_TIMEOUT_MS (server down or pool exhausted), a statement hit statement_timeout or
// lock_timeout, a session was cut by idle_in_transaction_session_timeout, or a deadlock / serialization failure
// rolled the transaction back. In every case the transaction did not commit (or, for a connection lost during
// COMMIT, the outcome is unknown): a retry with the same idempotency key is safe.

const TRANSIENT_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout
  '57P01', // admin_shutdown: pg_terminate_backend, fast shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** node-postgres and pg-pool report lost or unobtainable connections with these plain messages (no code). */
const TRANSIENT_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** Walks the error and its causes (drizzle wraps the driver's error in DrizzleQueryError.cause). */
export function isTransientDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown; originalError?: unknown } | undefined; e && typeof e === 'object' && !seen.has(e); ) {
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code))) return true;
    if (typeof e.message === 'string' && TRANSIENT_MESSAGES.some((m) => (e as { message: string }).message.startsWith(m))) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}
