// Date (2026-11-25), DateTime (ISO 8601 with offset) and JSON scalars.
import { GraphQLError, Kind, valueFromASTUntyped } from 'graphql';
import { builder } from './builder.js';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date in YYYY-MM-DD form, or null. */
export function parseDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = DATE.exec(value);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value ? value : null;
}

builder.scalarType('Date', {
  description: '日期，格式 YYYY-MM-DD / A calendar date, e.g. 2026-11-25',
  serialize: (value) => String(value).slice(0, 10),
  parseValue: (value) => {
    const date = parseDate(value);
    if (!date) throw new GraphQLError('Date must be a real date in YYYY-MM-DD form', { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
  parseLiteral: (ast) => {
    const date = ast.kind === Kind.STRING ? parseDate(ast.value) : null;
    if (!date) throw new GraphQLError('Date must be a real date in YYYY-MM-DD form', { extensions: { code: 'BAD_USER_INPUT' } });
    return date;
  },
});

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
function parseDateTime(value: unknown): Date {
  if (typeof value === 'string' && DATETIME.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new GraphQLError('DateTime must be ISO 8601 with an offset', { extensions: { code: 'BAD_USER_INPUT' } });
}

builder.scalarType('DateTime', {
  description: '带时区偏移的 ISO 8601 时间 / An ISO 8601 timestamp with offset',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});

builder.scalarType('JSON', {
  description: '任意 JSON 值（如事件内容） / Any JSON value (e.g. an event\'s data)',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
