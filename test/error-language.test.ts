// Top-level error messages in the language the client asks for by Accept-Language (Chinese by default, English when
// preferred, q-values weighed), as userErrors: transport refusals and GraphQL errors alike; codes never change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localizeErrorsJson, localizeMessage } from '../src/server/error-language.js';
import { createTestApp, type TestApp } from './support/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT_BYTES: '2048' });
});
afterAll(async () => {
  await t?.close();
});

async function send(init: RequestInit & { headers?: Record<string, string> }, language?: string, path = '/graphql') {
  const res = await fetch(`${t.url}${path}`, { ...init, headers: { ...(init.headers ?? {}), ...(language === undefined ? {} : { 'accept-language': language }) } });
  const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
  return { status: res.status, error: body.errors[0]! };
}

const json = { 'content-type': 'application/json' };

describe('Accept-Language picks the language of top-level errors', () => {
  const preferences: [string | undefined, 'zh' | 'en'][] = [
    [undefined, 'zh'],
    ['zh-CN', 'zh'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    ['en;q=0.5, zh;q=0.9', 'zh'],
    ['zh;q=0.2, en', 'en'],
    ['fr-FR, en;q=0.1', 'en'],
    ['fr', 'zh'],
    ['en;q=0', 'zh'],
  ];

  it.each(preferences)('Accept-Language %s → %s: a body that is not JSON (400 BAD_REQUEST)', async (language, expected) => {
    const { status, error } = await send({ method: 'POST', headers: json, body: '{not json' }, language);
    expect(status).toBe(400);
    expect(error.extensions.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(expected === 'zh' ? '请求体不是有效的 JSON' : 'Request body is not valid JSON');
  });

  it('transport refusals: 401, 405, 413 and a malformed documentId in either language, codes unchanged', async () => {
    const cases: [RequestInit & { headers?: Record<string, string> }, number, string, string, string][] = [
      [{ method: 'POST', headers: { ...json, authorization: 'Bearer a.b.c' }, body: '{"query":"{ __typename }"}' }, 401, 'UNAUTHENTICATED', '令牌无效或已过期', 'Invalid or expired token'],
      [{ method: 'PUT', headers: json, body: '{}' }, 405, 'BAD_REQUEST', '不支持该请求方法', 'Method not allowed'],
      [{ method: 'POST', headers: json, body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(4096)}` }) }, 413, 'PAYLOAD_TOO_LARGE', '请求体过大', 'Request body is too large'],
      [{ method: 'POST', headers: json, body: JSON.stringify({ documentId: 'sha256:x' }) }, 400, 'BAD_REQUEST', 'documentId 须为 "sha256:" 加 64 位小写十六进制数字', 'documentId must be "sha256:" followed by 64 lowercase hexadecimal digits'],
    ];
    for (const [init, status, code, zh, en] of cases) {
      const inChinese = await send(init, 'zh-CN');
      expect([inChinese.status, inChinese.error.extensions.code, inChinese.error.message]).toEqual([status, code, zh]);
      const inEnglish = await send(init, 'en-GB');
      expect([inEnglish.status, inEnglish.error.extensions.code, inEnglish.error.message]).toEqual([status, code, en]);
    }
  });

  it('GraphQL errors: FORBIDDEN, an argument out of range, and a validation error of graphql-js (introduced in Chinese, detail kept)', async () => {
    const ask = (query: string, language?: string) => send({ method: 'POST', headers: json, body: JSON.stringify({ query }) }, language);
    const forbidden = '{ serviceAccounts(first: 1) { totalCount } }';
    expect((await ask(forbidden)).error).toMatchObject({ message: '无权访问', extensions: { code: 'FORBIDDEN' } });
    expect((await ask(forbidden, 'en')).error).toMatchObject({ message: 'Forbidden', extensions: { code: 'FORBIDDEN' } });
    const range = '{ organizations(first: 0) { totalCount } }';
    expect((await ask(range)).error).toMatchObject({ message: 'first 须在 1 到 100 之间', extensions: { code: 'BAD_USER_INPUT' } });
    expect((await ask(range, 'en;q=1, zh;q=0.5')).error.message).toBe('first must be between 1 and 100');
    const invalid = await ask('{ noSuchField }');
    expect(invalid.status).toBe(400);
    expect(invalid.error.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(invalid.error.message).toMatch(/^查询未通过校验：Cannot query field "noSuchField"/);
    expect((await ask('{ noSuchField }', 'en')).error.message).toMatch(/^Cannot query field "noSuchField"/);
  });
});

describe('the catalog', () => {
  it('words the rate limits, limits and masked errors in Chinese, and leaves English as written', () => {
    const samples: [string, string, string][] = [
      ['Rate limit exceeded: this query costs 40 points; retry in 12 s', 'RATE_LIMITED', '超出调用限额：本次查询需 40 点，请 12 秒后重试'],
      ['Rate limit exceeded; retry in 3 s', 'RATE_LIMITED', '超出调用限额，请 3 秒后重试'],
      ['Query cost 9000 exceeds the budget of 1000 points per 60 s; ask for fewer rows', 'RATE_LIMITED', '查询成本 9000 超过每 60 秒 1000 点的额度，请减少请求的行数'],
      ['Query exceeds the depth limit', 'BAD_USER_INPUT', '查询超出深度限制'],
      ['Query is deeper than 12 levels', 'GRAPHQL_VALIDATION_FAILED', '查询嵌套超过 12 层'],
      ['Internal server error', 'INTERNAL_SERVER_ERROR', '服务器内部错误'],
      ['Service temporarily unavailable, please retry', 'SERVICE_UNAVAILABLE', '服务暂时不可用，请重试'],
      ['Something new', 'NO_SUCH_CODE', '请求失败：Something new'],
    ];
    for (const [en, code, zh] of samples) {
      expect(localizeMessage(en, code, 'zh')).toBe(zh);
      expect(localizeMessage(en, code, 'en')).toBe(en);
    }
  });

  it('rewrites only answers with errors, keeping their other members and the trailing newline', () => {
    const ok = '{"data":{"x":"Forbidden"}}\n';
    expect(localizeErrorsJson(ok, 'zh')).toBe(ok);
    const failed = '{"errors":[{"message":"Forbidden","path":["x"],"extensions":{"code":"FORBIDDEN"}}],"data":{"x":null}}\n';
    expect(localizeErrorsJson(failed, 'en')).toBe(failed);
    expect(JSON.parse(localizeErrorsJson(failed, 'zh'))).toEqual({ errors: [{ message: '无权访问', path: ['x'], extensions: { code: 'FORBIDDEN' } }], data: { x: null } });
    expect(localizeErrorsJson(failed, 'zh').endsWith('}\n')).toBe(true);
  });
});
