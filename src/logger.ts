// One pino logger, JSON lines, with secrets redacted; per-request children carry the request id.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'member-graph' },
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
  });
}
