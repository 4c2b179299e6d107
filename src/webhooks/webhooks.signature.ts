// The webhook signatures (docs/WEBHOOKS.md): Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature:
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed by the secret's base64 part), verifiable with the standardwebhooks
// libraries; and the older scheme, HMAC-SHA256 over "<timestamp>.<event_id>.<body>", hex, prefixed "v1=", sent beside it
// until its announced removal (LEGACY_HEADERS_REMOVED_AFTER).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The Standard Webhooks headers (https://www.standardwebhooks.com). */
export const STANDARD_WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** The date after which the X-Member-Graph-* signature headers may stop being sent (announced in docs/WEBHOOKS.md). */
export const LEGACY_HEADERS_REMOVED_AFTER = '2027-06-30';

/**
 * The Standard Webhooks signature: base64 HMAC-SHA256 of "<id>.<timestamp>.<body>", keyed by the bytes the secret's
 * part after "whsec_" encodes in base64 (secrets made before standard base64 use the URL-safe alphabet; Node decodes
 * both, strict libraries the standard one only).
 */
export function signStandardWebhook(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

export const WEBHOOK_HEADERS = {
  eventId: 'x-member-graph-event-id',
  eventType: 'x-member-graph-event-type',
  timestamp: 'x-member-graph-timestamp',
  signature: 'x-member-graph-signature',
  delivery: 'x-member-graph-delivery',
} as const;

/** `secret` is the whole "whsec_…" string, used as UTF-8 bytes; `timestamp` is Unix seconds as a decimal string. */
export function signWebhook(secret: string, timestamp: string, eventId: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${eventId}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * What a receiver does: recompute, compare in constant time, and refuse timestamps older than `toleranceSeconds`
 * (replays). Exported for tests and as a reference implementation.
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; eventId: string | undefined; signature: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { timestamp, eventId, signature } = headers;
  if (!timestamp || !eventId || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, eventId, body));
  // Several signatures may be sent space-separated during a future secret rotation; any match is enough.
  return signature.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
