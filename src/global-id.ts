// The one global-ID codec: base64url of "Type:id". Anything else decodes to null.
import { sql, type SQL } from 'drizzle-orm';
export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64url');
}

export function decodeGlobalId(globalId: string): { typename: string; id: string } | null {
  if (typeof globalId !== 'string' || globalId.length === 0 || globalId.length > 200) return null;
  if (!/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  const match = /^([A-Z][A-Za-z]{0,63}):([1-9]\d{0,9})$/.exec(text);
  if (!match) return null;
  return { typename: match[1]!, id: match[2]! };
}

/** The integer id of a global ID of the given type, or null. */
export function parseGlobalIdOf(globalId: string, typename: string): number | null {
  const decoded = decodeGlobalId(globalId);
  if (!decoded || decoded.typename !== typename) return null;
  const n = Number(decoded.id);
  return Number.isSafeInteger(n) && n <= 2_147_483_647 ? n : null;
}

/**
 * The same global ID computed in SQL (base64url of "Type:id", no padding), for statements that write IDs into JSON
 * (outbox payloads) without a round trip. `id` is an integer expression.
 */
export function globalIdSql(typename: string, id: SQL): SQL {
  return sql`translate(rtrim(encode(convert_to(${`${typename}:`}::text || ${id}::text, 'UTF8'), 'base64'), '='), '+/', '-_')`;
}
