import type { LiveSnapshot, SessionRef } from '@baton/core';
import type { OutboxState } from './outbox-view.js';
import type { SlackChannel } from './slack-channel.js';
import { escapeMrkdwn, MESSAGES } from './slack-messages.js';
import { classifyFailure, slackClients } from './slack-web.js';

/** A posted Slack message: where chat.update finds it. */
export interface PostedMessage {
  channel: string;
  ts: string;
}

/**
 * The status message of the latest Slack input still showing "Working on it…", once posted: the
 * placeholder that progress updates rewrite. Null when there is none (nothing waits for an answer).
 *
 * @example
 * const placeholder = workingMessage(readOutbox(events)); // { channel: 'C1', ts: '1767225601.000001' }
 */
export function workingMessage(state: OutboxState): PostedMessage | null {
  let found: { seq: number; message: PostedMessage } | null = null;
  for (const [slot, ops] of state) {
    if (!slot.startsWith('in:')) continue;
    const post = ops[0];
    const last = ops.at(-1);
    const ts = post?.receipt?.ts;
    if (!post || !last || last.payload.text !== MESSAGES.working || typeof ts !== 'string') continue;
    const seq = Number(slot.slice(3));
    if (found && found.seq > seq) continue;
    const channel = typeof post.receipt?.channel === 'string' ? post.receipt.channel : post.payload.channel;
    found = { seq, message: { channel, ts } };
  }
  return found?.message ?? null;
}

/**
 * Shows a run's answer in its Slack placeholder while the model writes it: it listens to the
 * in-process live hub for the session (the run executes in this invocation) and rewrites the
 * placeholder with the text so far, at most once per `progressEveryMs` by the Baton clock and never
 * two calls at once. A preview only: nothing is recorded, a failed or rate-limited update is logged
 * and skipped (a rate limit also pauses updates for its Retry-After), and `stop()` waits for the
 * call in flight so the delivery after the run, which writes the committed answer through the
 * outbox, is the last word.
 *
 * @example
 * const progress = followProgress(slack, ref, { channel: 'C1', ts: '1767225601.000001' });
 * try { await run(deadline); } finally { await progress.stop(); }
 */
export function followProgress(
  slack: SlackChannel,
  ref: SessionRef,
  placeholder: PostedMessage,
): SlackProgress {
  return new SlackProgress(slack, ref, placeholder);
}

export class SlackProgress {
  /** chat.update calls made (failed ones included), for tests and the bench. */
  calls = 0;
  private text = '';
  private dirty = false;
  private stopped = false;
  private nextAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  private readonly unsubscribe: () => void;
  private readonly client;

  constructor(
    private readonly slack: SlackChannel,
    ref: SessionRef,
    private readonly placeholder: PostedMessage,
  ) {
    // Posting client: no retries, rate limits fail at once; the next delta brings a fresher text anyway.
    this.client = slackClients(slack).posting;
    this.unsubscribe = slack.baton.live.subscribe(ref, (snapshot) => this.take(snapshot));
  }

  /** Stops listening and waits for the update in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    await this.inFlight;
  }

  private take(snapshot: LiveSnapshot | null): void {
    if (this.stopped || !snapshot || snapshot.text.trim() === '' || snapshot.text === this.text) return;
    this.text = snapshot.text;
    this.dirty = true;
    this.send();
  }

  private send(): void {
    const now = this.slack.baton.clock.now();
    if (this.stopped || !this.dirty || this.inFlight || now < this.nextAt) return;
    this.dirty = false;
    this.nextAt = now + this.slack.progressEveryMs;
    this.calls++;
    this.inFlight = this.client
      .apiCall('chat.update', {
        channel: this.placeholder.channel,
        ts: this.placeholder.ts,
        text: progressText(this.text, this.slack.maxMessageChars),
      })
      .then(
        () => undefined,
        (error: unknown) => {
          const failure = classifyFailure(error);
          if (failure.kind === 'retry') this.nextAt = Math.max(this.nextAt, now + failure.retryAfterMs);
          this.slack.baton.logger.warn('Slack progress update failed; the answer still comes', {
            code: failure.code,
          });
        },
      )
      .finally(() => {
        this.inFlight = null;
        this.send();
      });
  }
}

/** The text so far, escaped, cut to fit one message, with a mark that more is coming. */
function progressText(text: string, maxChars: number): string {
  const escaped = escapeMrkdwn(text.trimEnd());
  const room = maxChars - 2;
  return `${escaped.length > room ? escaped.slice(0, room) : escaped} …`;
}
