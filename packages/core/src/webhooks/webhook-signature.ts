import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Webhook signatures in the scheme Stripe uses: HMAC-SHA256 over `${timestamp}.${body}` with the
 * webhook's secret, sent as `Baton-Signature: t=<unix seconds>,v1=<hex>`. The timestamp is signed
 * too, so a captured request cannot be replayed later than the receiver's tolerance.
 */

/** The header that carries the signature. */
export const SIGNATURE_HEADER = 'Baton-Signature';
/** The header that carries the event id: the same on every attempt of one event, for the receiver to dedupe. */
export const EVENT_ID_HEADER = 'Baton-Event-Id';

/** How old a signature a receiver accepts by default: five minutes, as Stripe's libraries do. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/**
 * The `Baton-Signature` header value for `body` sent at `timestamp` (unix seconds).
 *
 * @example
 * signWebhook('whsec_abc', 1_700_000_000, '{"id":"evt_1"}'); // 't=1700000000,v1=5c1f...'
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received (verify before parsing it). */
  body: string;
  /** The `Baton-Signature` header value. */
  header: string | null | undefined;
  /** The webhook's secret. */
  secret: string;
  /** Oldest (and furthest in the future) signature accepted, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** Now, in unix seconds (for tests). */
  now?: number;
}

export type WebhookVerification = { ok: true; timestamp: number } | { ok: false; reason: string };

/**
 * Checks a Baton webhook request for a receiver: the header parses, its timestamp is within the
 * tolerance, and one of its `v1` signatures matches (compared in constant time). Verify the raw body
 * before parsing it, then dedupe on the `Baton-Event-Id` header: a retry after a lost response
 * carries the same id.
 *
 * @example
 * const body = await request.text();
 * const check = verifyWebhookSignature({ body, header: request.headers.get('baton-signature'), secret: process.env.BATON_WEBHOOK_SECRET! });
 * if (!check.ok) return new Response(check.reason, { status: 400 });
 */
export function verifyWebhookSignature(options: VerifyWebhookOptions): WebhookVerification {
  const { header, body, secret } = options;
  if (!header) return { ok: false, reason: 'no Baton-Signature header' };
  if (header.length > 2048) return { ok: false, reason: 'the Baton-Signature header is too long' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined) return { ok: false, reason: 'the Baton-Signature header has no timestamp' };
  if (signatures.length === 0) return { ok: false, reason: 'the Baton-Signature header has no v1 signature' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(now - timestamp) > tolerance) {
    return { ok: false, reason: `the signature's timestamp is more than ${tolerance} s from now` };
  }
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const match = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'no signature matches the body and secret' };
}
