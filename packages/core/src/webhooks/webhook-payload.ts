import type { SessionEvent } from '../events.js';
import type { Head } from '../head.js';
import type { JsonObject } from '../json.js';
import type { SessionRef } from '../session-ref.js';
import type { WebhookEntry } from './webhook-outbox.js';

/**
 * The JSON a receiver gets, built from the log the same way on every attempt (so a retry carries
 * the same body): `{ id, type, createdAt, session: { tenant, id, agent }, data }`, where `data`
 * describes the event at `data.seq`:
 * - run.finished: `reason` ('completed' | 'max_steps' | 'cancelled'), `text` (the answer), `output`
 *   (the answer as validated JSON, when the run had an output schema),
 * - run.failed: `reason: 'failed'`, `error: { code, message }`,
 * - run.waiting_for_approval: `callIds`,
 * - run.scheduled_started: `source`, `text` (the scheduled input).
 */
export function webhookBody(
  ref: SessionRef,
  head: Pick<Head, 'agent'>,
  events: readonly SessionEvent[],
  entry: WebhookEntry,
): string {
  const index = events.findIndex((event) => event.seq === entry.seq);
  const trigger = index >= 0 ? events[index] : undefined;
  const data: JsonObject = { seq: entry.seq };
  if (trigger?.kind === 'run_finished') {
    data.reason = trigger.reason;
    data.text = trigger.text;
    if (trigger.output !== undefined) data.output = trigger.output;
    if (trigger.reason === 'failed') {
      for (let i = index - 1; i >= 0; i--) {
        const event = events[i]!;
        if (event.kind === 'error') {
          data.error = { code: event.code, message: event.message };
          break;
        }
        if (event.kind === 'run_finished') break;
      }
    }
  } else if (trigger?.kind === 'interrupt') {
    data.callIds = trigger.callIds;
  } else if (trigger?.kind === 'input') {
    data.source = trigger.source;
    data.text = trigger.text;
  }
  return JSON.stringify({
    id: entry.messageId,
    type: entry.type,
    createdAt: new Date(trigger?.at ?? entry.at).toISOString(),
    session: { tenant: ref.tenant, id: ref.sessionId, agent: head.agent },
    data,
  });
}
