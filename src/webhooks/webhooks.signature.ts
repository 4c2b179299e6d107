// The webhook signature scheme (docs/WEBHOOKS.md): HMAC-SHA256 over "<timestamp>.<event_id>.<body>", hex, prefixed "v1=".
import { createHmac, timingSafeEqual } from 'node:crypto';

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
