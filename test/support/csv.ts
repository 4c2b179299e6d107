// Helpers for the CSV export tests: a strict RFC 4180 reader and a GET that keeps the raw bytes.
import type { TestApp } from './harness.js';

/**
 * Parses RFC 4180 text with CRLF record separators. Strict: a bare LF or CR outside quotes, a quote inside an unquoted
 * field, or text after a closing quote throws — so the tests prove the writer quotes what it must.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error('unterminated quoted field');
        const ch = text[i]!;
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += ch;
        i++;
      }
      if (i < n && text[i] !== ',' && !(text[i] === '\r' && text[i + 1] === '\n')) throw new Error(`text after a closing quote at ${i}`);
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`quote in an unquoted field at ${i}`);
        field += text[i];
        i++;
      }
      if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] !== '\n')) throw new Error(`bare line break at ${i}`);
    }
    record.push(field);
    if (i >= n) {
      records.push(record);
      return records;
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    // CRLF ends the record.
    i += 2;
    records.push(record);
    record = [];
    if (i >= n) return records;
  }
}

export interface CsvAnswer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** The body decoded as UTF-8 without the byte-order mark. */
  text: string;
  json: any;
}

export async function getCsv(t: TestApp, path: string, token?: string, headers: Record<string, string> = {}): Promise<CsvAnswer> {
  const res = await fetch(`${t.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const decoded = bytes.toString('utf8');
  let json: any = null;
  if ((res.headers.get('content-type') ?? '').startsWith('application/json')) json = JSON.parse(decoded);
  return { status: res.status, headers: res.headers, bytes, text: decoded.replace(/^\uFEFF/, ''), json };
}

/** Records as objects keyed by the header row. */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}
