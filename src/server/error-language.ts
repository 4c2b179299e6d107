// The language of top-level error messages (`errors[].message`, in GraphQL answers and transport refusals alike):
// Chinese unless the client prefers English by Accept-Language, as userErrors (localeFrom). Messages are written in
// English where they arise; the Chinese is found here, in one place, by the English wording. Codes never change.
import type { IncomingMessage } from 'node:http';
import type { Locale } from '../graphql/context.js';
import { localeFrom } from './context.js';

type Rule = [RegExp, (m: RegExpExecArray) => string];

/** The project's own messages, by their English wording (anchored), with their Chinese. */
const RULES: Rule[] = [
  // Authorization and authentication.
  [/^Forbidden$/, () => '无权访问'],
  [/^Invalid or expired token$/, () => '令牌无效或已过期'],
  [/^Authentication is temporarily unavailable$/, () => '身份验证暂时不可用，请稍后重试'],
  [/^Authentication required: send Authorization: Bearer <token> of a service account$/, () => '需要身份验证：请发送服务账号的 Authorization: Bearer <令牌>'],
  [/^Authentication required: send Authorization: Bearer <token>$/, () => '需要身份验证：请发送 Authorization: Bearer <令牌>'],
  [/^Forbidden: a service account holding training:write only$/, () => '无权访问：仅限拥有 training:write 的服务账号'],
  // Transport.
  [/^Request body is too large$/, () => '请求体过大'],
  [/^Request body is too large: at most (\d+) bytes per request$/, (m) => `请求体过大：每个请求至多 ${m[1]} 字节`],
  [/^Too many lines: at most (\d+) events per request; send the rest in another request$/, (m) => `行数过多：每个请求至多 ${m[1]} 个事件，其余请分开发送`],
  [/^Request body is not valid JSON$/, () => '请求体不是有效的 JSON'],
  [/^Request JSON is nested more than (\d+) levels deep$/, (m) => `请求中的 JSON 嵌套超过 ${m[1]} 层`],
  [/^Method not allowed: use POST$/, () => '不支持该请求方法：请使用 POST'],
  [/^Method not allowed$/, () => '不支持该请求方法'],
  [/^Content-Type must be application\/x-ndjson \(one JSON object per line\)$/, () => 'Content-Type 须为 application/x-ndjson（每行一个 JSON 对象）'],
  [/^The explorer is disabled$/, () => '查询浏览器未开启'],
  [/^Not found$/, () => '未找到'],
  [/^The server is starting; try again shortly$/, () => '服务器正在启动，请稍后重试'],
  [/^Service temporarily unavailable, please retry$/, () => '服务暂时不可用，请重试'],
  [/^Internal server error$/, () => '服务器内部错误'],
  [
    /^Refused as a possible cross-site request: send the header X-Requested-With \(any value\) with a GET query, or POST it with Content-Type: application\/json$/,
    () => '疑似跨站请求，已拒绝：GET 查询请附带 X-Requested-With 请求头（任意值），或以 Content-Type: application/json 用 POST 发送',
  ],
  [/^Introspection is turned off on this server; the schema is documented in the API reference$/, () => '本服务器已关闭内省查询；schema 见 API 参考文档'],
  // Rate limits and document limits.
  [/^Rate limit exceeded; retry in (\d+) s$/, (m) => `超出调用限额，请 ${m[1]} 秒后重试`],
  [/^Rate limit exceeded: this query costs (\d+) points; retry in (\d+) s$/, (m) => `超出调用限额：本次查询需 ${m[1]} 点，请 ${m[2]} 秒后重试`],
  [/^Rate limit exceeded: an export costs (\d+) points; retry in (\d+) s$/, (m) => `超出调用限额：一次导出需 ${m[1]} 点，请 ${m[2]} 秒后重试`],
  [/^Query cost (\d+) exceeds the budget of (\d+) points per (\d+) s; ask for fewer rows$/, (m) => `查询成本 ${m[1]} 超过每 ${m[3]} 秒 ${m[2]} 点的额度，请减少请求的行数`],
  [/^Query exceeds the (depth|complexity|breadth) limit$/, (m) => `查询超出${({ depth: '深度', complexity: '复杂度', breadth: '广度' } as Record<string, string>)[m[1]!]}限制`],
  [/^Query is deeper than (\d+) levels$/, (m) => `查询嵌套超过 ${m[1]} 层`],
  [/^Query selects more than (\d+) fields$/, (m) => `查询选择的字段超过 ${m[1]} 个`],
  [/^Query uses more than (\d+) aliases$/, (m) => `查询使用的别名超过 ${m[1]} 个`],
  [/^Query uses more than (\d+) directives$/, (m) => `查询使用的指令超过 ${m[1]} 个`],
  [/^This API has no (\w+) operations$/, (m) => `本 API 不支持 ${m[1]} 操作`],
  // Arguments and scalars.
  [/^(first|last) must be between 1 and (\d+)$/, (m) => `${m[1]} 须在 1 到 ${m[2]} 之间`],
  [/^first and last cannot be used together$/, () => 'first 与 last 不能同时使用'],
  [/^Invalid cursor$/, () => '游标无效'],
  [/^nodes accepts at most (\d+) ids$/, (m) => `nodes 至多接受 ${m[1]} 个 ID`],
  [/^Date must be a real date in YYYY-MM-DD form$/, () => '日期须为 YYYY-MM-DD 格式的真实日期'],
  [/^DateTime must be ISO 8601 with an offset$/, () => '时间须为带时区偏移的 ISO 8601 格式'],
  [/^serviceAccountId is required$/, () => '请指定服务账号（serviceAccountId）'],
  // Trusted documents (docs/TRUSTED-DOCUMENTS.md).
  [/^Send either query or documentId, not both$/, () => 'query 与 documentId 只能发送其一'],
  [/^documentId must be "sha256:" followed by 64 lowercase hexadecimal digits$/, () => 'documentId 须为 "sha256:" 加 64 位小写十六进制数字'],
  [/^No document (\S+) in this service account's active trusted-document manifest$/, (m) => `本服务账号的生效可信文档清单中没有文档 ${m[1]}`],
  [/^Trusted documents are registered per service account; send the query text instead$/, () => '可信文档按服务账号登记；请直接发送查询原文'],
  [
    /^This service account runs trusted documents only: send the documentId of a document in its active manifest instead of a query$/,
    () => '本服务账号只能运行可信文档：请发送其生效清单中文档的 documentId，而不是查询原文',
  ],
  [
    /^Automatic persisted queries are turned off on this server: send the query text, or a registered trusted document by documentId$/,
    () => '本服务器不支持自动持久化查询（APQ）：请发送查询原文，或按 documentId 运行已登记的可信文档',
  ],
];

/**
 * Messages worded by graphql-js (a parse error, a field the schema lacks, a variable that does not coerce) name the
 * document's own identifiers and have no translation of their own: in Chinese they are introduced by what their code
 * means, the detail kept as written.
 */
const BY_CODE: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: '查询语法错误',
  GRAPHQL_VALIDATION_FAILED: '查询未通过校验',
  BAD_USER_INPUT: '输入有误',
  BAD_REQUEST: '请求有误',
  OPERATION_RESOLUTION_FAILURE: '无法确定要执行的操作',
  PERSISTED_QUERY_NOT_FOUND: '未找到持久化查询',
  PERSISTED_QUERY_NOT_SUPPORTED: '不支持持久化查询',
  UNAUTHENTICATED: '未通过身份验证',
  FORBIDDEN: '无权访问',
  NOT_FOUND: '未找到',
  RATE_LIMITED: '超出调用限额',
  SERVICE_UNAVAILABLE: '服务暂时不可用',
  PAYLOAD_TOO_LARGE: '请求体过大',
  JSON_TOO_DEEP: '请求中的 JSON 嵌套过深',
  TRUSTED_DOCUMENT_NOT_FOUND: '未找到可信文档',
  TRUSTED_DOCUMENTS_ONLY: '只能运行可信文档',
  INTERNAL_SERVER_ERROR: '服务器内部错误',
};

/** A top-level error message in the locale: English as written, or its Chinese (see RULES and BY_CODE). */
export function localizeMessage(message: string, code: unknown, locale: Locale): string {
  if (locale === 'en') return message;
  for (const [pattern, zh] of RULES) {
    const match = pattern.exec(message);
    if (match) return zh(match);
  }
  const intro = (typeof code === 'string' && BY_CODE[code]) || '请求失败';
  return `${intro}：${message}`;
}

/** The locale a request asks for by Accept-Language (Chinese by default). */
export function localeOfRequest(req: IncomingMessage | undefined): Locale {
  return localeFrom(req?.headers['accept-language']);
}

interface ErrorsBody {
  errors?: { message?: unknown; extensions?: { code?: unknown } }[];
}

/**
 * A GraphQL answer's JSON text with its top-level error messages in the locale. Only answers that carry errors are
 * touched: Apollo writes `errors` first (`{"errors":[…`), so any other answer passes through unread.
 */
export function localizeErrorsJson(text: string, locale: Locale): string {
  if (locale === 'en' || !text.startsWith('{"errors":')) return text;
  let body: ErrorsBody;
  try {
    body = JSON.parse(text) as ErrorsBody;
  } catch {
    return text;
  }
  if (!Array.isArray(body.errors)) return text;
  for (const error of body.errors) {
    if (typeof error?.message === 'string') error.message = localizeMessage(error.message, error.extensions?.code, locale);
  }
  return `${JSON.stringify(body)}${text.endsWith('\n') ? '\n' : ''}`;
}
