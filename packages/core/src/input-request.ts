import type { Agent } from './agent.js';
import { appendInput, type LeaseWithInput } from './appends.js';
import { PayloadTooLargeError, ValidationError } from './errors.js';
import type { EventBody, SessionEvent } from './events.js';
import type { Head } from './head.js';
import type { CommitTarget } from './head-commit.js';
import type { JsonObject } from './json.js';
import type { SessionRef } from './session-ref.js';
import { type OutputOption, outputSchema } from './structured-output.js';

export interface InputRequest {
  text: string;
  agent?: string;
  /** Idempotency key of the trigger (Idempotency-Key header, Slack event_id, queue message id). */
  dedupeKey?: string;
  /** Hash of the request that carried `dedupeKey` (`idempotencyHash`): the same key with another hash is refused with 422. */
  requestHash?: string;
  source: string;
  sender?: string;
  metadata?: JsonObject;
  /**
   * This run's own output schema (a zod schema, or `{ name?, schema }` with zod or JSON Schema):
   * recorded on the input as JSON Schema and used instead of the agent's. Checked before anything
   * is written (a 400 for a bad one).
   */
  output?: OutputOption;
}

export interface SubmitResult {
  session: SessionRef;
  inputSeq: number;
  duplicate: boolean;
}

/** A submit that took the lease with its input: the run that follows starts from `held`. */
export interface HeldSubmit extends SubmitResult {
  held?: { head: Head; events: SessionEvent[] };
}

/**
 * Checks an input for `agent` and appends it to the session (creating the session on its first
 * input), deduplicated on the trigger's key. With `lease`, the lease is taken in the same commit
 * when it is free, for a caller that runs the session right after.
 */
export async function appendInputRequest(
  target: CommitTarget,
  ref: SessionRef,
  agent: Agent,
  input: InputRequest,
  lease?: LeaseWithInput,
): Promise<HeldSubmit> {
  if (typeof input.text !== 'string' || input.text.trim() === '') {
    throw new ValidationError('text must be a non-empty string', { field: 'text' });
  }
  const bytes = Buffer.byteLength(input.text, 'utf8');
  if (bytes > agent.limits.maxInputBytes) throw new PayloadTooLargeError(bytes, agent.limits.maxInputBytes);
  const output = input.output === undefined ? undefined : outputSchema(input.output, 'this run');
  const body: EventBody = {
    kind: 'input',
    text: input.text,
    source: input.source,
    ...(input.sender ? { sender: input.sender } : {}),
    ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}),
    ...(input.metadata ? { metadata: input.metadata } : {}),
    ...(output ? { output: { name: output.name, schema: output.schema } } : {}),
  };
  const appended = await appendInput(target, ref, body, {
    agent: agent.name,
    ...(input.dedupeKey ? { dedupeKey: `input:${input.dedupeKey}` } : {}),
    ...(input.dedupeKey && input.requestHash ? { requestHash: input.requestHash } : {}),
    requireAgent: input.agent,
    lease,
  });
  return {
    session: ref,
    inputSeq: appended.seq,
    duplicate: appended.duplicate,
    ...(appended.held ? { held: appended.held } : {}),
  };
}
