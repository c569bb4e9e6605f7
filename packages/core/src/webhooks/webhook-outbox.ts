import type { EventBody, EventOf, SessionEvent } from '../events.js';
import type { JsonObject } from '../json.js';
import type { WebhookEventType, WebhookTarget } from './webhook-config.js';

/*
 * Webhook events enter the outbox in the very commit that records what they report (a run's end,
 * an approval request, a scheduled input): `planCommit` appends one `outbox` entry per interested
 * webhook, so telling a receiver costs no write of its own, and a session without webhooks pays
 * nothing. The entry's id is the event id the receiver sees on every attempt.
 */

/** The outbox channel of webhook entries. */
export const WEBHOOK_CHANNEL = 'webhook';

/** What an event in the log means to a webhook, if anything. */
export function webhookEventType(event: EventBody): WebhookEventType | null {
  switch (event.kind) {
    case 'run_finished':
      return event.reason === 'failed' ? 'run.failed' : 'run.finished';
    case 'interrupt':
      return 'run.waiting_for_approval';
    case 'input':
      // A run a schedule started (helper D's schedules append their input with source 'schedule').
      return event.source === 'schedule' ? 'run.scheduled_started' : null;
    default:
      return null;
  }
}

/** The event id of the webhook event for the trigger at `seq`: unique across sessions and lives of one. */
export function webhookEventId(incarnation: string, seq: number, webhookId: string): string {
  return `evt_${incarnation}_${seq}_${webhookId}`;
}

/**
 * The outbox entries that `bodies` (to be numbered from `baseSeq + 1`) trigger for `targets`.
 * Pure; an empty list when no target wants any of them.
 */
export function webhookEntries(
  bodies: readonly EventBody[],
  baseSeq: number,
  incarnation: string,
  targets: readonly WebhookTarget[],
): EventBody[] {
  if (targets.length === 0) return [];
  const entries: EventBody[] = [];
  bodies.forEach((body, index) => {
    const type = webhookEventType(body);
    if (!type) return;
    const seq = baseSeq + 1 + index;
    for (const target of targets) {
      if (!target.events.includes(type)) continue;
      entries.push({
        kind: 'outbox',
        messageId: webhookEventId(incarnation, seq, target.id),
        channel: WEBHOOK_CHANNEL,
        payload: { webhook: target.id, url: target.url, type, seq },
      });
    }
  });
  return entries;
}

/** One webhook event in the outbox, with what happened to it so far. */
export interface WebhookEntry {
  messageId: string;
  webhook: string;
  url: string;
  type: WebhookEventType;
  /** Seq of the event it reports. */
  seq: number;
  /** When it was recorded (epoch ms). */
  at: number;
  /** Failed attempts, in order. */
  attempts: EventOf<'outbox_attempt'>[];
  /** The final mark: delivered, or given up. */
  sent?: JsonObject;
}

/** The webhook entries of `events`, oldest first. */
export function readWebhookOutbox(events: readonly SessionEvent[]): WebhookEntry[] {
  const entries = new Map<string, WebhookEntry>();
  for (const event of events) {
    if (event.kind === 'outbox' && event.channel === WEBHOOK_CHANNEL) {
      const { webhook, url, type, seq } = event.payload;
      if (typeof webhook !== 'string' || typeof url !== 'string' || typeof seq !== 'number') continue;
      entries.set(event.messageId, {
        messageId: event.messageId,
        webhook,
        url,
        type: type as WebhookEventType,
        seq,
        at: event.at,
        attempts: [],
      });
    } else if (event.kind === 'outbox_attempt') {
      const entry = entries.get(event.messageId);
      if (entry && !entry.attempts.some((attempt) => attempt.attempt === event.attempt))
        entry.attempts.push(event);
    } else if (event.kind === 'outbox_sent') {
      const entry = entries.get(event.messageId);
      if (entry && !entry.sent) entry.sent = event.receipt ?? {};
    }
  }
  return [...entries.values()];
}
