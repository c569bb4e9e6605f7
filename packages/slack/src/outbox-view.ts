import type { JsonObject, OutboxEntry, SessionEvent } from '@baton/core';
import { z } from 'zod';
import type { PlannedMessage } from './delivery-plan.js';

export const OUTBOX_CHANNEL = 'slack';

/** What a Slack outbox entry asks for: post a slot's message, or update the posted one. */
const payloadSchema = z.object({
  op: z.enum(['post', 'update']),
  slot: z.string(),
  channel: z.string(),
  thread: z.string().nullable(),
  text: z.string(),
  blocks: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type SlackOutboxPayload = z.infer<typeof payloadSchema>;

export interface OutboxOp {
  messageId: string;
  /** 0 for the post, 1, 2, ... for the updates of one slot. */
  n: number;
  payload: SlackOutboxPayload;
  seq: number;
  at: number;
  receipt: JsonObject | undefined;
}

/** Slot -> its operations in order, as recorded in the log. */
export type OutboxState = Map<string, OutboxOp[]>;

export function messageId(slot: string, n: number): string {
  return `slack:${slot}#${n}`;
}

export function readOutbox(events: readonly SessionEvent[], state: OutboxState = new Map()): OutboxState {
  const byId = new Map<string, OutboxOp>();
  for (const ops of state.values()) for (const op of ops) byId.set(op.messageId, op);
  for (const event of events) {
    if (event.kind === 'outbox' && event.channel === OUTBOX_CHANNEL && !byId.has(event.messageId)) {
      const parsed = payloadSchema.safeParse(event.payload);
      const n = Number(event.messageId.slice(event.messageId.lastIndexOf('#') + 1));
      if (!parsed.success || !Number.isInteger(n)) continue;
      const op: OutboxOp = {
        messageId: event.messageId,
        n,
        payload: parsed.data,
        seq: event.seq,
        at: event.at,
        receipt: undefined,
      };
      byId.set(op.messageId, op);
      const ops = state.get(parsed.data.slot) ?? [];
      ops.push(op);
      ops.sort((a, b) => a.n - b.n);
      state.set(parsed.data.slot, ops);
    } else if (event.kind === 'outbox_sent') {
      const op = byId.get(event.messageId);
      if (op && !op.receipt) op.receipt = event.receipt ?? {};
    }
  }
  return state;
}

/** The entries that bring the recorded outbox to the plan: a post for a new slot, an update for a changed one. */
export function outboxChanges(plan: readonly PlannedMessage[], state: OutboxState): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const message of plan) {
    const ops = state.get(message.slot);
    const latest = ops?.at(-1);
    const content = {
      text: message.content.text,
      ...(message.content.blocks ? { blocks: message.content.blocks } : {}),
    };
    if (latest && sameContent(latest.payload, content)) continue;
    const n = latest ? latest.n + 1 : 0;
    const target = ops?.[0]?.payload ?? message.target;
    const payload: JsonObject = {
      op: n === 0 ? 'post' : 'update',
      slot: message.slot,
      channel: target.channel,
      thread: target.thread,
      ...content,
    };
    entries.push({ messageId: messageId(message.slot, n), channel: OUTBOX_CHANNEL, payload });
  }
  return entries;
}

/**
 * What is left to send, in log order: each slot's post if unsent, then its latest update if
 * unsent. Older unsent updates are superseded by the latest and never sent.
 */
export function unsentOps(state: OutboxState): OutboxOp[] {
  const ops: OutboxOp[] = [];
  for (const slotOps of state.values()) {
    const post = slotOps[0];
    if (!post) continue;
    if (post.n === 0 && !post.receipt) ops.push(post);
    const latest = slotOps.at(-1)!;
    if (latest !== post && !latest.receipt) ops.push(latest);
  }
  return ops.sort((a, b) => a.seq - b.seq);
}

function sameContent(payload: SlackOutboxPayload, content: { text: string; blocks?: JsonObject[] }): boolean {
  return (
    payload.text === content.text &&
    JSON.stringify(payload.blocks ?? null) === JSON.stringify(content.blocks ?? null)
  );
}
