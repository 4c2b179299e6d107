// What the logger redacts (docs/SECURITY.md, "What is logged, and what is redacted"): the paths it names, and a failed
// query's parameters. Read from the JSON lines it writes.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream as never), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('redacts authorization and cookie headers, client_secret, password, token and a webhook input secret', async () => {
    const { logger, text } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer eyJ.secret-a', cookie: 'sid=secret-b' } } }, 'request');
    logger.info({ headers: { authorization: 'Basic secret-c' } }, 'outgoing');
    logger.info({ form: { client_secret: 'mgs_secret-d' }, user: { password: 'secret-e' }, answer: { token: 'secret-f' } }, 'fields');
    logger.info({ variables: { input: { secret: 'whsec_secret-g' } } }, 'variables');
    await new Promise((resolve) => setImmediate(resolve));
    const out = text();
    for (const secret of ['secret-a', 'secret-b', 'secret-c', 'secret-d', 'secret-e', 'secret-f', 'secret-g']) expect(out).not.toContain(secret);
    expect(out.match(/\[redacted\]/g)?.length).toBe(7);
  });

  it('redacts a failed query\'s bound parameters and PostgreSQL\'s detail, keeping the SQL text', async () => {
    const { logger, text } = capture();
    const error = Object.assign(new Error('Failed query: insert into contacts (email) values ($1)\nparams: zhang.san@example.test'), { detail: 'Key (email)=(zhang.san@example.test) already exists.' });
    logger.error({ err: error }, 'unexpected error');
    await new Promise((resolve) => setImmediate(resolve));
    const out = text();
    expect(out).not.toContain('zhang.san@example.test');
    expect(out).toContain('insert into contacts');
  });
});
