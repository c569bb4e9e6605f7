import type { IdentitySource } from './auth/identity.js';
import type { Json, JsonObject } from './json.js';
import type { ToolListing } from './tool-source.js';

/**
 * The session event log. Every stored record carries `v`, the schema version it was written with;
 * `migrate.ts` upgrades older records on load, in one place.
 */
export const SCHEMA_VERSION = 3;

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache, where it reports them. */
  cachedInputTokens?: number;
}

export interface ToolCall {
  callId: string;
  name: string;
  /** The arguments exactly as the model produced them: parsed and validated by the loop, not the adapter. */
  arguments: string;
}

export type StopReason = 'end' | 'tool_calls' | 'max_tokens' | 'content_filter' | 'other';

export type ToolOutcome = 'ok' | 'error' | 'unknown' | 'rejected';

export type RunEndReason = 'completed' | 'max_steps' | 'failed' | 'cancelled';

export type EventBody =
  | {
      kind: 'input';
      text: string;
      /** Which trigger brought it: 'http', 'slack', 'queue', 'cli', ... */
      source: string;
      sender?: string;
      dedupeKey?: string;
      metadata?: JsonObject;
      /** The run's own output schema (structured-output.ts), as JSON Schema: every invocation checks the answer with it. */
      output?: { name: string; schema: JsonObject };
    }
  | {
      kind: 'model_response';
      text: string;
      toolCalls: ToolCall[];
      usage: Usage;
      stopReason: StopReason;
      provider: string;
      model: string;
      latencyMs: number;
      /**
       * The last seq the model's context included. Input committed while the model was thinking
       * lands before this event in the log but was not seen: the loop treats it as unanswered.
       */
      contextThrough?: number;
      /** Provider state a later call needs (e.g. a Bedrock Agents invocationId). */
      providerState?: JsonObject;
      /**
       * The agent's tool sources listed for this response, the first to see them (tool-source.ts):
       * later invocations build the same tools from it instead of listing again.
       */
      toolListings?: ToolListing[];
    }
  | {
      kind: 'tool_intent';
      callId: string;
      name: string;
      /** An agent tool's call (delegation/): the child session it started; not an at-most-once intent. */
      child?: string;
    }
  | {
      kind: 'tool_result';
      callId: string;
      name: string;
      outcome: ToolOutcome;
      /** What the model is shown: the tool's return value, or an error description. */
      output: Json;
      /** Keys of the session tool state this call set (null = deleted), applied to the head in the same commit. */
      statePatch?: JsonObject;
      durationMs: number;
      /** An agent tool's call: the child session whose answer this is. */
      child?: string;
    }
  | { kind: 'interrupt'; reason: 'approval'; callIds: string[] }
  | {
      kind: 'decision';
      callId: string;
      approved: boolean;
      reason?: string;
      /** The deciding identity's user (`key:…`, `slack:U…`, `cli:…`); older records may lack it. */
      by?: string;
      /** How that identity was authenticated; absent on records written before identities. */
      via?: IdentitySource;
    }
  | {
      /**
       * Someone asked to stop the run (`POST /sessions/{id}/cancel`): the work recorded before it
       * ends with `run_finished` (cancelled); input after it is answered as usual. Appended like a
       * decision, by anyone; the head's `cancelSeq` points at it so the lease holder sees it.
       */
      kind: 'cancel';
      /** The cancelling identity's user, as for a decision. */
      by: string;
      via?: IdentitySource;
      reason?: string;
    }
  | { kind: 'state_change'; patch: JsonObject; by: string }
  | {
      kind: 'summary';
      text: string;
      /** Everything up to here is replaced by `text`; the live context starts at throughSeq + 1. */
      throughSeq: number;
      usage?: Usage;
    }
  | { kind: 'error'; code: string; message: string; retryable: boolean }
  | {
      /**
       * A run stopped on a failure a retry can fix (a throttled or failing model, a timeout) and its
       * queue message comes back at `retryAt`. Recorded by the delivery, not the lease holder: like
       * an outbox entry it is not input, so it neither wakes a run nor blocks a release.
       */
      kind: 'retry_scheduled';
      /** The delivery that failed, from 1. */
      attempt: number;
      code: string;
      /** Redacted. */
      message: string;
      /** Epoch ms when the message becomes visible again. */
      retryAt: number;
    }
  | { kind: 'continuation'; reason: 'deadline' | 'max_steps_per_invocation'; nextStep: string }
  | {
      kind: 'run_finished';
      reason: RunEndReason;
      text: string;
      /** The answer parsed and validated against the run's output schema, when it has one. */
      output?: Json;
    }
  | { kind: 'outbox'; messageId: string; channel: string; payload: JsonObject }
  | {
      /**
       * A delivery attempt of an outbox entry that failed (webhooks/): recorded by the sender, so
       * every attempt shows in the log; the next comes at `retryAt`. The last attempt, delivered or
       * given up, is the entry's `outbox_sent`. Like an outbox entry it is not input.
       */
      kind: 'outbox_attempt';
      messageId: string;
      /** From 1. */
      attempt: number;
      /** The receiver's HTTP status, when it answered. */
      status?: number;
      error: string;
      retryAt: number;
    }
  | { kind: 'outbox_sent'; messageId: string; receipt?: JsonObject }
  | {
      /**
       * Input to append later (schedules/): once at `dueAt`, or on `cron` (in `timezone`, default
       * UTC) from `dueAt`, its first occurrence. Not input itself: it wakes nothing and blocks no
       * release; the head's `schedules` holds when each fires next.
       */
      kind: 'schedule_set';
      scheduleId: string;
      text: string;
      dueAt: number;
      cron?: string;
      timezone?: string;
      /** Who set it: `api:<user>` or `tool:<name>`. */
      by: string;
    }
  | { kind: 'schedule_cancelled'; scheduleId: string; by: string };

export type EventKind = EventBody['kind'];

export type SessionEvent = EventBody & {
  v: number;
  /** Position in the log: 1, 2, 3, ... with no gaps. */
  seq: number;
  /** Commit time, epoch milliseconds. */
  at: number;
};

export type EventOf<K extends EventKind> = Extract<SessionEvent, { kind: K }>;
