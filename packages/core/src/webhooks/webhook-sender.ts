import type { Agent } from '../agent.js';
import type { Clock } from '../clock.js';
import { ConflictError, DuplicateError, SessionNotFoundError } from '../errors.js';
import type { SessionEvent } from '../events.js';
import type { Head } from '../head.js';
import { commitHead, retryConflicts } from '../head-commit.js';
import type { JsonObject } from '../json.js';
import type { Logger } from '../logger.js';
import { markOutboxSent } from '../outbox.js';
import type { RunQueue } from '../queue.js';
import { redactSecrets } from '../redact.js';
import { refKey, type SessionRef } from '../session-ref.js';
import type { SessionStore } from '../store.js';
import { readWebhookOutbox, type WebhookEntry } from './webhook-outbox.js';
import { webhookBody } from './webhook-payload.js';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** How webhooks are sent; every field has a default. */
export interface WebhookSendOptions {
  /** Where agent webhooks' `secretEnv` is read. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Attempts before giving up (recorded as the entry's outbox_sent with `gaveUp`). Default 10. */
  maxAttempts?: number;
  /** One attempt's timeout, also kept inside the invocation's deadline. Default 10 s. */
  timeoutMs?: number;
  /** Longest wait between attempts. Default 10 minutes (under SQS's 15-minute delay cap). */
  maxDelayMs?: number;
}

export interface WebhookSenderDeps {
  store: SessionStore;
  clock: Clock;
  queue: RunQueue;
  logger: Logger;
  agents: ReadonlyMap<string, Agent>;
}

/** The wait after failed attempt `attempt` (from 1): 1 s, 2 s, 4 s ... capped at `maxMs`. */
export function webhookRetryDelayMs(attempt: number, maxMs = 600_000): number {
  return Math.min(maxMs, 1_000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sends webhook outbox entries (webhook-outbox.ts) and records what happened: `outbox_sent` when a
 * receiver answered 2xx (or after the last attempt, with `gaveUp`), `outbox_attempt` for every
 * failed attempt before it. The invocation that committed entries sends them at once
 * (`afterCommit`); an `outbox` run message, enqueued before that first attempt, comes back for
 * whatever is left (`sendDue`) until nothing is, so a crash anywhere leaves a message that finishes.
 */
export class WebhookSender {
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly deps: WebhookSenderDeps,
    private readonly options: WebhookSendOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 10;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxDelayMs = options.maxDelayMs ?? 600_000;
  }

  /**
   * After a commit of this invocation: sends the entries in `events` nobody has tried yet. Never
   * throws (the run's outcome stands; the enqueued message retries).
   */
  async afterCommit(
    ref: SessionRef,
    head: Head,
    events: readonly SessionEvent[],
    deadline: number,
  ): Promise<void> {
    const fresh = readWebhookOutbox(events).filter((entry) => !entry.sent && entry.attempts.length === 0);
    if (fresh.length === 0) return;
    try {
      await this.enqueue(ref, fresh[0]!.messageId, 1_000);
      for (const entry of fresh) await this.attempt(ref, head, events, entry, deadline);
    } catch (error) {
      this.deps.logger.warn('could not send webhooks yet; the outbox message retries', {
        session: refKey(ref),
        error,
      });
    }
  }

  /** After a commit made elsewhere in this invocation (a recorded failure): reads the session, then as `afterCommit`. */
  async flush(ref: SessionRef, deadline: number): Promise<void> {
    const snapshot = await this.deps.store.load(ref);
    if (snapshot) await this.afterCommit(ref, snapshot.head, snapshot.events, deadline);
  }

  /**
   * For an `outbox` run message: sends every entry whose attempt is due. Returns how long until the
   * next one is due, or null when every entry is delivered or given up.
   */
  async sendDue(ref: SessionRef, deadline: number): Promise<number | null> {
    const snapshot = await this.deps.store.load(ref);
    if (!snapshot) return null;
    const claimMs = this.timeoutMs + 2_000;
    let next: number | null = null;
    for (const entry of readWebhookOutbox(snapshot.events)) {
      if (entry.sent) continue;
      // Untried: the invocation that recorded it is sending it; it is ours after its claim.
      const dueAt = entry.attempts.at(-1)?.retryAt ?? entry.at + claimMs;
      const now = this.deps.clock.now();
      let outcome: Attempted = 'later';
      if (dueAt <= now) outcome = await this.attempt(ref, snapshot.head, snapshot.events, entry, deadline);
      const wait =
        outcome === 'done' ? null : outcome === 'later' ? Math.max(0, dueAt - now) : outcome.retryAt - now;
      if (wait !== null) next = Math.min(next ?? wait, Math.max(1_000, wait));
    }
    return next;
  }

  /** One attempt of one entry, recorded. */
  private async attempt(
    ref: SessionRef,
    head: Head,
    events: readonly SessionEvent[],
    entry: WebhookEntry,
    deadline: number,
  ): Promise<Attempted> {
    const { clock } = this.deps;
    const number = entry.attempts.length + 1;
    const timeout = Math.min(this.timeoutMs, deadline - clock.now() - 1_000);
    if (timeout < 1_000) return 'later';
    const secret = this.secretOf(head, entry);
    if (secret.kind === 'removed') {
      await this.mark(ref, entry, { error: 'webhook_removed', attempt: number - 1, gaveUp: true });
      return 'done';
    }
    let failure: { status?: number; error: string };
    if (secret.kind === 'missing') {
      failure = { error: `the signing secret is not set: set ${secret.env}` };
    } else {
      const body = webhookBody(ref, head, events, entry);
      const timestamp = Math.floor(clock.now() / 1000);
      try {
        const response = await (this.options.fetch ?? fetch)(entry.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Baton-Webhooks/1',
            [EVENT_ID_HEADER]: entry.messageId,
            [SIGNATURE_HEADER]: signWebhook(secret.value, timestamp, body),
            'Baton-Attempt': String(number),
          },
          body,
          // A redirect could point anywhere (an internal address): not followed, counted as a failure.
          redirect: 'manual',
          signal: AbortSignal.timeout(timeout),
        });
        await response.body?.cancel().catch(() => undefined);
        if (response.status >= 200 && response.status < 300) {
          await this.mark(ref, entry, { status: response.status, attempt: number });
          return 'done';
        }
        failure = { status: response.status, error: `the receiver answered ${response.status}` };
      } catch (error) {
        failure = { error: redactSecrets(describe(error)).slice(0, 500) };
      }
    }
    if (number >= this.maxAttempts) {
      this.deps.logger.error('webhook given up', {
        session: refKey(ref),
        messageId: entry.messageId,
        ...failure,
      });
      await this.mark(ref, entry, { ...failure, attempt: number, gaveUp: true });
      return 'done';
    }
    const delayMs = webhookRetryDelayMs(number, this.maxDelayMs);
    const retryAt = clock.now() + delayMs;
    await this.recordAttempt(ref, { messageId: entry.messageId, attempt: number, retryAt, ...failure });
    entry.attempts.push({
      kind: 'outbox_attempt',
      v: 0,
      seq: 0,
      at: clock.now(),
      ...failure,
      messageId: entry.messageId,
      attempt: number,
      retryAt,
    });
    return { retryAt };
  }

  private secretOf(
    head: Head,
    entry: WebhookEntry,
  ): { kind: 'ok'; value: string } | { kind: 'missing'; env: string } | { kind: 'removed' } {
    const own = head.webhooks?.find((webhook) => webhook.id === entry.webhook && webhook.url === entry.url);
    if (own) return { kind: 'ok', value: own.secret };
    const agent = this.deps.agents.get(head.agent);
    const configured = agent?.webhooks?.find(
      (webhook) => webhook.id === entry.webhook && webhook.url === entry.url,
    );
    if (!configured) return { kind: 'removed' };
    const value = (this.options.env ?? process.env)[configured.secretEnv];
    return value ? { kind: 'ok', value } : { kind: 'missing', env: configured.secretEnv };
  }

  private async mark(ref: SessionRef, entry: WebhookEntry, receipt: JsonObject): Promise<void> {
    await markOutboxSent(this.deps, ref, entry.messageId, receipt);
    entry.sent = receipt;
  }

  /** One `outbox_attempt` event, once per attempt number whoever records it. */
  private recordAttempt(
    ref: SessionRef,
    attempt: { messageId: string; attempt: number; retryAt: number; status?: number; error: string },
  ): Promise<void> {
    const target = { store: this.deps.store, clock: this.deps.clock };
    return retryConflicts(
      this.deps.clock,
      async () => {
        const head = await this.deps.store.readHead(ref);
        if (!head) throw new SessionNotFoundError(refKey(ref));
        try {
          await commitHead(target, ref, head, {
            events: [{ kind: 'outbox_attempt', ...attempt }],
            dedupe: {
              dedupeKey: `outbox_attempt:${attempt.messageId}:${attempt.attempt}`,
              result: { attempt: attempt.attempt },
            },
          });
        } catch (error) {
          if (!(error instanceof DuplicateError)) throw error;
        }
      },
      () => new ConflictError(`session ${refKey(ref)} is too busy to record a webhook attempt; try again`),
    );
  }

  private enqueue(ref: SessionRef, messageId: string, delayMs: number): Promise<void> {
    return this.deps.queue.enqueue(
      {
        v: 1,
        tenant: ref.tenant,
        sessionId: ref.sessionId,
        reason: 'outbox',
        dedupeKey: `outbox:${messageId}`,
      },
      { delayMs },
    );
  }
}

type Attempted = 'done' | 'later' | { retryAt: number };

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : `${error.name}: ${error.message}`;
  }
  return String(error);
}
