// One pino logger, JSON lines, with secrets redacted; per-request children carry the request id.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const REDACTED = '[redacted]';

/** Removes the " params: …" part Drizzle puts in a failed query's message, up to the stack frames or the cause. */
function withoutParams(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  const start = text.indexOf('\nparams: ');
  if (start < 0) return text;
  const frames = text.indexOf('\n    at ', start);
  return `${text.slice(0, start)}\nparams: ${REDACTED}${frames < 0 ? '' : text.slice(frames)}`;
}

/**
 * Errors are logged in full except the values in them: a failed query's bound parameters (Drizzle puts them in the
 * message) and PostgreSQL's `detail` (e.g. "Key (credit_code)=(…) already exists"). The SQL text, codes, constraint
 * names and stack stay, which is what a diagnosis needs.
 */
export function serializeError(error: unknown): unknown {
  const out = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  if (!out || typeof out !== 'object') return out;
  out.message = withoutParams(out.message);
  out.stack = withoutParams(out.stack);
  for (const key of ['params', 'parameters', 'detail', 'where']) if (key in out) out[key] = REDACTED;
  return out;
}

/** `destination` defaults to stdout (tests pass a stream to read what was logged). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'member-graph' },
    serializers: { err: serializeError },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.client_secret',
        '*.password',
        '*.token',
        'variables.*.secret',
      ],
      censor: '[redacted]',
    },
  }, destination);
}
