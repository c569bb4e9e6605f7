import { createHash } from 'node:crypto';
import { ConflictError, DuplicateError } from '../errors.js';
import type { EventBody, EventOf, SessionEvent } from '../events.js';
import { type Head, newHead, type ParentLink } from '../head.js';
import { type CommitTarget, commitHead, retryConflicts } from '../head-commit.js';
import type { Json, JsonObject } from '../json.js';
import type { RunQueue } from '../queue.js';
import { refKey, type SessionRef } from '../session-ref.js';
import type { SessionStore } from '../store.js';

/**
 * The child session of one agent-tool call: its id is derived from the parent session and the call
 * (model response seq + call id, the call's idempotency key), so a run that repeats the step after a
 * crash finds the same child. It keeps the namespace of a parent id that has one (`slack:` of a
 * Slack thread's session), so the channel that owns the parent by id owns the child too and shows
 * its approvals; otherwise it starts `agent:` and belongs to no channel.
 *
 * @example
 * childSessionId({ tenant: 'acme', sessionId: 'chat-1' }, 4, 'call_1', 'researcher'); // 'agent:researcher:…'
 * childSessionId({ tenant: 'T1', sessionId: 'slack:T1:C1:1.2' }, 4, 'call_1', 'researcher'); // 'slack:agent:researcher:…'
 */
export function childSessionId(
  parent: SessionRef,
  responseSeq: number,
  callId: string,
  agent: string,
): string {
  const digest = createHash('sha256')
    .update(`${parent.tenant}\n${parent.sessionId}\n${responseSeq}\n${callId}`)
    .digest('base64url')
    .slice(0, 22);
  const namespace = /^([a-z][a-z0-9-]{0,15}):/.exec(parent.sessionId)?.[1];
  const kept = namespace && namespace !== 'agent' ? `${namespace}:` : '';
  return `${kept}agent:${agent}:${digest}`;
}

/**
 * Where the child's owning channel shows its approvals: the metadata of the parent's latest input
 * that has some (a Slack message's origin), or what that input itself inherited. Core reads none of it.
 *
 * @example
 * replyToOf(run.events); // { slack: { channel: 'C1', thread: '1.2', … } } for a Slack thread's session
 */
export function replyToOf(events: readonly SessionEvent[]): JsonObject | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind !== 'input' || !event.metadata) continue;
    const inherited = event.metadata.replyTo;
    return inherited && typeof inherited === 'object' && !Array.isArray(inherited)
      ? inherited
      : event.metadata;
  }
  return undefined;
}

/** The dedupe key of the child's first input: one per parent call. */
export function delegationKey(parent: SessionRef, link: ParentLink): string {
  return `delegate:${refKey(parent)}:${link.responseSeq}:${link.callId}`;
}

/**
 * Creates the child session with its first input and its link to the parent, in one commit
 * deduplicated on the call (a repeat writes nothing), then enqueues its run. The child inherits the
 * parent's tenant and the webhooks registered on the parent session, so their receivers hear of
 * the child's approval requests and end too.
 */
export async function startChild(
  target: CommitTarget & { queue: RunQueue },
  parent: { ref: SessionRef; head: Head },
  child: { ref: SessionRef; agent: string; text: string; link: ParentLink; replyTo?: JsonObject },
): Promise<{ duplicate: boolean }> {
  const dedupeKey = delegationKey(parent.ref, child.link);
  const duplicate = await retryConflicts(
    target.clock,
    async () => {
      if (await target.store.getDedupe(child.ref, dedupeKey)) return true;
      const existing = await target.store.readHead(child.ref);
      // The dedupe record expired but the child lives: it is this call's child all the same.
      if (existing?.parent?.callId === child.link.callId) return true;
      const head =
        existing ?? newHead(child.ref.tenant, child.ref.sessionId, child.agent, target.clock.now());
      const seq = head.seq + 1;
      const input: EventBody = {
        kind: 'input',
        text: child.text,
        source: 'agent',
        sender: `agent:${parent.head.agent}`,
        dedupeKey,
        ...(child.replyTo ? { metadata: { replyTo: child.replyTo } } : {}),
      };
      try {
        await commitHead(target, child.ref, head, {
          events: [input],
          update: (next) => ({
            ...next,
            lastInputSeq: seq,
            status: 'running',
            parent: child.link,
            ...(parent.head.webhooks?.length ? { webhooks: parent.head.webhooks } : {}),
          }),
          dedupe: { dedupeKey, result: { seq } },
        });
        return false;
      } catch (error) {
        if (error instanceof DuplicateError) return true;
        throw error;
      }
    },
    () => new ConflictError(`child session ${refKey(child.ref)} is too busy to start; try again`),
  );
  // Enqueued on duplicates too: a run that crashed after the commit must not strand the child.
  await target.queue.enqueue({
    v: 1,
    tenant: child.ref.tenant,
    sessionId: child.ref.sessionId,
    reason: 'input',
    dedupeKey: `input:${refKey(child.ref)}:1`,
  });
  return { duplicate };
}

/** What a finished child answers its parent's call with. */
export interface ChildResult {
  outcome: 'ok' | 'error';
  output: Json;
}

/**
 * The child's result for the parent call `callId`, once the child's first run finished; null while
 * it runs (or when `child` is not that call's child). Reads the head, and the run_finished once.
 */
export async function childResult(
  store: SessionStore,
  child: SessionRef,
  call: { callId: string; responseSeq: number; agent: string },
): Promise<ChildResult | null> {
  const head = await store.readHead(child);
  const link = head?.parent;
  if (!head)
    return {
      outcome: 'error',
      output: { error: `the ${call.agent} session ${child.sessionId} was deleted`, session: child.sessionId },
    };
  if (!link || link.callId !== call.callId || link.responseSeq !== call.responseSeq) return null;
  if (link.resultSeq === undefined) return null;
  const [finished] = await store.readEvents(child, { afterSeq: link.resultSeq - 1, limit: 1 });
  if (finished?.kind !== 'run_finished') {
    return {
      outcome: 'error',
      output: { error: `the ${call.agent} session's result could not be read`, session: child.sessionId },
    };
  }
  return resultOf(finished, call.agent, child.sessionId);
}

function resultOf(finished: EventOf<'run_finished'>, agent: string, session: string): ChildResult {
  if (finished.reason === 'completed') {
    return {
      outcome: 'ok',
      output:
        finished.output !== undefined ? { answer: finished.text, output: finished.output } : finished.text,
    };
  }
  const why =
    finished.reason === 'cancelled'
      ? 'was cancelled'
      : finished.reason === 'max_steps'
        ? 'stopped at its step limit without an answer'
        : 'failed';
  return {
    outcome: 'error',
    output: {
      error: `the ${agent} agent ${why}`,
      ...(finished.text ? { partial: finished.text } : {}),
      session,
    },
  };
}

/**
 * Whether a waiting parent has a child whose result it can collect now: a head read per waiting
 * child, nothing written. A parent's run message (sent by a finished child) takes the lease only
 * when this says so; otherwise it is a duplicate and costs these reads alone.
 */
export async function childrenReady(
  store: SessionStore,
  parent: {
    head: Head;
    pending: readonly { call: { callId: string }; responseSeq: number; child?: string }[];
  },
): Promise<boolean> {
  if (parent.head.status !== 'waiting_child' && parent.head.status !== 'waiting_approval') return false;
  for (const entry of parent.pending) {
    if (!entry.child) continue;
    const head = await store.readHead({ tenant: parent.head.tenant, sessionId: entry.child });
    if (!head) return true;
    const link = head.parent;
    if (
      link?.callId === entry.call.callId &&
      link.responseSeq === entry.responseSeq &&
      link.resultSeq !== undefined
    )
      return true;
  }
  return false;
}
