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

/** Bytes of log lines allowed to wait for a stdout that does not drain; lines beyond are dropped (and counted). */
export const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024;

/** stdout as a log destination that can neither block the process nor crash it; `dropped` counts lines not written. */
export interface StdoutDestination extends DestinationStream {
  readonly dropped: number;
}

/**
 * Log lines to stdout through Node's own stream, never a synchronous write of the descriptor: pino's default
 * destination writes fd 1 synchronously and, when stdout is a pipe nobody reads any more (a supervisor that exited), it
 * retries EAGAIN in a loop that blocks the event loop for ever — no timer fires, so not even the shutdown deadline can
 * end the process. Here a full pipe queues in the stream (in libuv, off the event loop's way) up to
 * MAX_PENDING_LOG_BYTES, after which lines are dropped; a broken pipe (EPIPE) or any other write error turns logging
 * off instead of throwing. Lines still queued when the process exits are lost, which is what a reader that went away means.
 */
export function stdoutDestination(stream: NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean } = process.stdout): StdoutDestination {
  let broken = false;
  let dropped = 0;
  stream.on('error', () => {
    broken = true;
  });
  return {
    get dropped() {
      return dropped;
    },
    write(line: string) {
      if (broken || stream.destroyed || (stream.writableLength ?? 0) > MAX_PENDING_LOG_BYTES) {
        dropped++;
        return;
      }
      try {
        stream.write(line);
      } catch {
        broken = true;
        dropped++;
      }
    },
  };
}

let defaultDestination: StdoutDestination | undefined;

/** `destination` defaults to stdout, written without ever blocking (stdoutDestination); tests pass a stream to read what was logged. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  destination ??= level === 'silent' ? { write() {} } : (defaultDestination ??= stdoutDestination());
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
