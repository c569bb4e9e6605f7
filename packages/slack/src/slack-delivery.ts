import { type JsonObject, markOutboxSent, recordOutbox, refKey, type SessionRef } from '@baton/core';
import { planSlackMessages } from './delivery-plan.js';
import { type OutboxOp, type OutboxState, outboxChanges, readOutbox, unsentOps } from './outbox-view.js';
import type { SlackChannel } from './slack-channel.js';
import { SlackDeliveryError } from './slack-errors.js';
import { type PostedMessage, workingMessage } from './slack-progress.js';
import { type CallFailure, classifyFailure, type SlackClients, slackClients } from './slack-web.js';

export interface SlackDeliveryReport {
  /** Outbox entries this delivery recorded. */
  recorded: number;
  /** Messages posted or updated (or found already posted) and marked sent. */
  sent: number;
  /** Messages Slack refused for good (e.g. channel_not_found), marked failed. */
  failed: number;
  /** Messages left for later (rate limit, deadline, or another invocation still sending them). */
  pending: number;
  /** When `pending`, the run message enqueued to try again comes back after this long. */
  retryAfterMs?: number;
  /** The posted "Working on it…" message of the latest input, which progress updates rewrite. */
  working?: PostedMessage;
}

const PLAN_ATTEMPTS = 3;
const DEFAULT_BUDGET_MS = 10_000;

/**
 * Brings the session's Slack thread up to date with its log, through the outbox: every message is
 * recorded (an `outbox` event) before it is posted and marked (`outbox_sent`, with its ts) after, so
 * a retried invocation updates what was posted instead of posting again. Safe to call any number of
 * times; a call with nothing new reads the session once and writes nothing. When something is left
 * (rate limited, out of time), it enqueues a run message so a later invocation finishes the job.
 *
 * @example
 * await deliverSlackReplies(slack, ref, { deadline: Date.now() + context.getRemainingTimeInMillis() });
 */
export function deliverSlackReplies(
  slack: SlackChannel,
  ref: SessionRef,
  options: { deadline?: number } = {},
): Promise<SlackDeliveryReport> {
  return deliver(slack, ref, { ...options, mine: new Set(), retryLater: true });
}

/**
 * One delivery. `mine` holds the outbox ids this invocation recorded (shared by the deliveries
 * before and after a run): those it sends at once, while others' are left to them for `claimMs`.
 * `retryLater: false` leaves what is pending to a later delivery of the same invocation.
 */
export async function deliver(
  slack: SlackChannel,
  ref: SessionRef,
  options: { deadline?: number; mine: Set<string>; retryLater: boolean },
): Promise<SlackDeliveryReport> {
  const { baton } = slack;
  const { mine } = options;
  const deadline = options.deadline ?? baton.clock.now() + DEFAULT_BUDGET_MS;
  const report: SlackDeliveryReport = { recorded: 0, sent: 0, failed: 0, pending: 0 };
  let state: OutboxState = new Map();
  for (let attempt = 0; attempt < PLAN_ATTEMPTS; attempt++) {
    const snapshot = await baton.store.load(ref);
    if (!snapshot) return report;
    state = readOutbox(snapshot.events);
    const plan = planSlackMessages(snapshot.events, ref, { maxChars: slack.maxMessageChars });
    const changes = outboxChanges(plan, state);
    if (changes.length === 0) break;
    const result = await recordOutbox(baton, ref, changes, { knownThroughSeq: snapshot.head.seq });
    for (const id of result.recorded) mine.add(id);
    report.recorded += result.recorded.length;
    readOutbox(result.events, state);
    // Someone else recorded entries for the same slots meanwhile: plan again on top of theirs.
    if (result.alreadyRecorded.length === 0) break;
  }
  const unsent = unsentOps(state);
  if (unsent.length > 0)
    await new Sender(slack, ref, slackClients(slack), deadline, mine, report).send(unsent, state);
  const working = workingMessage(state);
  if (working) report.working = working;
  if (report.pending > 0 && options.retryLater) {
    const delayMs = report.retryAfterMs ?? 1_000;
    report.retryAfterMs = delayMs;
    await baton.queue.enqueue(
      {
        v: 1,
        tenant: ref.tenant,
        sessionId: ref.sessionId,
        reason: 'retry',
        dedupeKey: `slack-delivery:${refKey(ref)}:${baton.clock.now()}`,
      },
      { delayMs },
    );
  }
  return report;
}

class Sender {
  constructor(
    private readonly slack: SlackChannel,
    private readonly ref: SessionRef,
    private readonly clients: SlackClients,
    private readonly deadline: number,
    private readonly mine: Set<string>,
    private readonly report: SlackDeliveryReport,
  ) {}

  async send(ops: OutboxOp[], state: OutboxState): Promise<void> {
    const blockedSlots = new Set<string>();
    for (const [index, op] of ops.entries()) {
      const slot = op.payload.slot;
      const post = state.get(slot)![0]!;
      const now = this.slack.baton.clock.now();
      const age = now - op.at;
      if (blockedSlots.has(slot) || (op !== post && !post.receipt)) {
        // Its post is not out yet; whoever retries the post sends this after it.
        this.report.pending++;
        continue;
      }
      if (!this.mine.has(op.messageId) && age < this.slack.claimMs) {
        // Recorded moments ago by another invocation that is probably sending it right now.
        this.report.pending++;
        this.retryAfter(this.slack.claimMs - age);
        blockedSlots.add(slot);
        continue;
      }
      if (now + this.clients.callBudgetMs > this.deadline) {
        this.report.pending += ops.length - index;
        this.retryAfter(0);
        return;
      }
      if (op !== post && !post.receipt?.ts) {
        await this.mark(op, { error: 'post_failed' });
        continue;
      }
      const failure = await this.deliver(op, post);
      if (!failure) continue;
      if (failure.kind === 'config') {
        throw new SlackDeliveryError(
          failure.code,
          `Slack refused the bot's token or scopes (${failure.code})`,
          {
            retryable: false,
          },
        );
      }
      if (failure.kind === 'permanent') {
        this.slack.baton.logger.error('Slack refused a message for good', {
          messageId: op.messageId,
          code: failure.code,
        });
        await this.mark(op, { error: failure.code });
        continue;
      }
      // A rate limit or an outage applies to the calls after this one too: stop and come back.
      this.report.pending += ops.length - index;
      this.retryAfter(failure.retryAfterMs);
      return;
    }
  }

  /**
   * Performs one outbox operation and marks it sent; returns the failure instead when Slack refused.
   * Store errors while marking propagate: the message is out, and the next delivery reconciles it.
   */
  private async deliver(op: OutboxOp, post: OutboxOp): Promise<CallFailure | null> {
    let receipt: JsonObject;
    try {
      receipt = op === post ? await this.post(op) : await this.update(op, post);
    } catch (error) {
      return classifyFailure(error);
    }
    await this.mark(op, receipt);
    return null;
  }

  private async update(op: OutboxOp, post: OutboxOp): Promise<JsonObject> {
    const channel = String(post.receipt!.channel ?? op.payload.channel);
    const ts = String(post.receipt!.ts);
    await this.clients.idempotent.apiCall('chat.update', {
      channel,
      ts,
      text: op.payload.text,
      // An empty list removes the buttons of a decided approval; omitting it would keep them.
      blocks: op.payload.blocks ?? [],
    });
    return { ts, channel };
  }

  private async post(op: OutboxOp): Promise<JsonObject> {
    const { payload } = op;
    // Not ours and not marked: an earlier invocation may have posted it and died before marking.
    const found = this.mine.has(op.messageId) ? null : await this.findPosted(op);
    if (found) return { ts: found, channel: payload.channel, reconciled: true };
    const result = (await this.clients.posting.apiCall('chat.postMessage', {
      channel: payload.channel,
      ...(payload.thread ? { thread_ts: payload.thread } : {}),
      text: payload.text,
      ...(payload.blocks ? { blocks: payload.blocks } : {}),
      unfurl_links: false,
      unfurl_media: false,
      // The id a later invocation looks for before posting again (Slack has no idempotency key).
      metadata: { event_type: 'baton_outbox', event_payload: { id: op.messageId } },
    })) as { ts?: string; channel?: string };
    return { ts: String(result.ts), channel: String(result.channel ?? payload.channel) };
  }

  /** Looks for a message carrying this outbox id in the thread (or the channel's recent history). */
  private async findPosted(op: OutboxOp): Promise<string | null> {
    const { payload } = op;
    try {
      const result = (await this.clients.idempotent.apiCall(
        payload.thread ? 'conversations.replies' : 'conversations.history',
        {
          channel: payload.channel,
          include_all_metadata: true,
          limit: 200,
          // Only what was posted since the entry was recorded (a minute of slack for clock skew).
          oldest: String(Math.floor(op.at / 1000) - 60),
          ...(payload.thread ? { ts: payload.thread } : {}),
        },
      )) as {
        messages?: { ts?: string; metadata?: { event_type?: string; event_payload?: { id?: unknown } } }[];
      };
      const match = result.messages?.find(
        (message) =>
          message.metadata?.event_type === 'baton_outbox' &&
          message.metadata.event_payload?.id === op.messageId,
      );
      return match?.ts ?? null;
    } catch (error) {
      // Without history scopes we cannot check; posting again risks a duplicate, staying silent loses a reply.
      this.slack.baton.logger.warn('could not check whether a message was already posted', {
        messageId: op.messageId,
        error,
      });
      return null;
    }
  }

  private async mark(op: OutboxOp, receipt: JsonObject): Promise<void> {
    await markOutboxSent(this.slack.baton, this.ref, op.messageId, receipt);
    op.receipt = receipt;
    if ('error' in receipt) this.report.failed++;
    else this.report.sent++;
  }

  /** No sooner than a second: a tight retry loop would only meet the same limit again. */
  private retryAfter(delayMs: number): void {
    this.report.retryAfterMs = Math.max(this.report.retryAfterMs ?? 0, delayMs, 1_000);
  }
}
